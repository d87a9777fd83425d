package bookings

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/comune-milano/wemibot/i18n"
)

//go:embed data/quantity/*.yaml
var quantityFiles embed.FS

// quantityFile is data/quantity/<lang>.yaml: numbers as words, and the words that
// make a quantity not whole.
type quantityFile struct {
	Numbers map[string][]string `yaml:"numbers"`
	Half    []string            `yaml:"half"`
}

// quantityPhrase is a folded phrase, as its words, and the number it says (0 for
// the words of a fraction).
type quantityPhrase struct {
	words []string
	n     int
}

// maxQuantityText bounds the text ParseQuantity reads: an answer to "how many
// hours?" is short, and a pasted page is not one.
const maxQuantityText = 200

// quantityPhrases loads every language's file once, longest phrases first: the
// citizen may answer in any language the bot speaks.
var quantityPhrases = sync.OnceValues(func() ([]quantityPhrase, error) {
	names, err := fs.Glob(quantityFiles, "data/quantity/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []quantityPhrase
	for _, name := range names {
		b, err := quantityFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f quantityFile
		if err := yaml.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("bookings: %s: %w", name, err)
		}
		for num, phrases := range f.Numbers {
			n, err := strconv.Atoi(num)
			if err != nil || n < 1 || n > MaxQuantity {
				return nil, fmt.Errorf("bookings: %s: %q is not a number from 1 to %d", name, num, MaxQuantity)
			}
			for _, p := range phrases {
				out = append(out, quantityPhrase{words: strings.Fields(i18n.Fold(p)), n: n})
			}
		}
		for _, p := range f.Half {
			out = append(out, quantityPhrase{words: strings.Fields(i18n.Fold(p))})
		}
	}
	for _, p := range out {
		if len(p.words) == 0 {
			return nil, fmt.Errorf("bookings: an empty phrase in data/quantity")
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].words) > len(out[j].words) })
	return out, nil
})

// fractionRE finds a number with a decimal part or a fraction sign: "1,5", "2.5", "½".
var fractionRE = regexp.MustCompile(`\d+[.,]\d+|[½¼¾]`)

// Quantity is what a citizen typed as a quantity.
type Quantity struct {
	N int // the whole number said first ("un'ora e mezza": 1)
	// Whole is false when the text says a fraction ("e mezza", "1,5", "half"): the
	// bot books whole units, so it asks again rather than round.
	Whole bool
}

// ParseQuantity reads a quantity from a short answer in any of the bot's languages:
// "3", "3 ore", "tre ore", "2 hours", "una seduta", "два часа", "三个小时". The number
// comes first in the text (digits or words from the data); false when there is none.
func ParseQuantity(text string) (Quantity, bool) {
	if len(text) > maxQuantityText {
		return Quantity{}, false
	}
	phrases, err := quantityPhrases()
	if err != nil {
		return Quantity{}, false
	}
	q := Quantity{Whole: !fractionRE.MatchString(text)}
	words := strings.Fields(i18n.Fold(text))
	found := false
	for i := 0; i < len(words); i++ {
		if n, err := strconv.Atoi(words[i]); err == nil && !found {
			q.N, found = n, true
			continue
		}
		for _, p := range phrases {
			if !hasWordsAt(words, i, p.words) {
				continue
			}
			switch {
			case p.n == 0:
				q.Whole = false
			case !found:
				q.N, found = p.n, true
			}
			i += len(p.words) - 1
			break
		}
	}
	return q, found
}

// hasWordsAt reports whether words holds phrase from index i.
func hasWordsAt(words []string, i int, phrase []string) bool {
	if i+len(phrase) > len(words) {
		return false
	}
	for k, w := range phrase {
		if words[i+k] != w {
			return false
		}
	}
	return true
}
