package bookings

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"

	"github.com/comune-milano/wemibot/i18n"
)

//go:embed data/when/*.yaml
var whenFiles embed.FS

// whenWord is a phrase of another language and the words ParseWhen reads for it.
type whenWord struct {
	phrase, as string
	han        bool // written in Chinese characters: no spaces around it
}

// whenWords loads data/when/<lang>.yaml once: the words of the other languages, longest
// first.
var whenWords = sync.OnceValues(func() ([]whenWord, error) { return loadWords(whenFiles, "data/when/*.yaml") })

// loadWords reads the files of fsys that match pattern, each a map of phrases to the
// words they stand for, into one list, longest phrase first. A phrase two files give
// different meanings is an error.
func loadWords(fsys embed.FS, pattern string) ([]whenWord, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	var out []whenWord
	seen := map[string]string{} // phrase -> its words, across languages
	for _, name := range names {
		b, err := fsys.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f struct {
			Words map[string]string `yaml:"words"`
		}
		if err := yaml.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("bookings: %s: %w", name, err)
		}
		for p, as := range f.Words {
			folded := foldWhen(p)
			if folded == "" {
				return nil, fmt.Errorf("bookings: %s: an empty phrase", name)
			}
			if prev, ok := seen[folded]; ok {
				if prev != as {
					return nil, fmt.Errorf("bookings: %s: %q is %q in another language", name, p, prev)
				}
				continue
			}
			seen[folded] = as
			out = append(out, whenWord{phrase: folded, as: as, han: strings.ContainsFunc(folded, isHan)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].phrase) != len(out[j].phrase) {
			return len(out[i].phrase) > len(out[j].phrase)
		}
		return out[i].phrase < out[j].phrase
	})
	return out, nil
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// foldWhen lower-cases text and folds its letters as i18n does (accents away, Arabic
// letter variants to their base), keeping digits and separators as they are: "10:30"
// and "12/3" must survive.
func foldWhen(text string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(text) {
		f, class := i18n.FoldRune(r)
		switch class {
		case i18n.Drop:
		case i18n.Letter, i18n.Alone:
			b.WriteRune(f)
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return strings.TrimSpace(b.String())
}

// translateWhen writes the date and time words of the other languages in text as the
// words ParseWhen reads: "el sábado a las 10" becomes "el saturday at 10".
func translateWhen(text string) string {
	words, err := whenWords()
	if err != nil || len(words) == 0 {
		return text
	}
	return replaceWords(" "+foldWhen(text)+" ", words)
}

// replaceWords replaces, in folded text s, each whole phrase of words (longest first)
// with the words it stands for.
func replaceWords(s string, words []whenWord) string {
	for _, w := range words {
		for from := 0; ; {
			i := strings.Index(s[from:], w.phrase)
			if i < 0 {
				break
			}
			i += from
			end := i + len(w.phrase)
			if !w.han && (isLetterBefore(s, i) || isLetterAt(s, end)) {
				from = end
				continue
			}
			as := " " + w.as + " "
			if strings.HasPrefix(w.as, ":") {
				as = w.as + " " // "3点" is "3:00"
			}
			s = s[:i] + as + s[end:]
			from = i + len(as)
		}
	}
	return s
}

func isLetterBefore(s string, i int) bool {
	r, size := utf8.DecodeLastRuneInString(s[:i])
	return size > 0 && unicode.IsLetter(r)
}

func isLetterAt(s string, i int) bool {
	r, size := utf8.DecodeRuneInString(s[i:])
	return size > 0 && unicode.IsLetter(r)
}
