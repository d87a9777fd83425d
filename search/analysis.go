package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"
)

// The analyzers of the index. Each language of the registry names its analysis chain
// (i18n.Language.Analyzer); the chain "xx" is the index analyzer wemi_xx. Italian
// text uses wemi_it, English text wemi_en, and so on; the query is analysed with the
// analyzer of the field it is matched against.
const (
	analyzerIT = "wemi_it"
	analyzerEN = "wemi_en"

	filterItalianStem = "wemi_it_stem"
	filterFold        = "wemi_fold"
	filterUkStem      = "wemi_uk_stem"
	fillerIT          = "wemi_filler_it"
	fillerEN          = "wemi_filler_en"
)

// Bleve resolves analysis components by name through a process-wide registry, so a
// custom filter can only be registered there, once, at start; every Bleve analysis
// package does the same. This is the one init in the project.
func init() {
	for name, f := range map[string]analysis.TokenFilter{
		filterItalianStem: italianStemFilter{}, filterFold: foldFilter{}, filterUkStem: ukrainianStemFilter{},
	} {
		registry.RegisterTokenFilter(name, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return f, nil
		})
	}
}

// italianStemFilter folds accents and strips the final vowel of words of four letters
// or more. Italian inflects nouns and adjectives in the last vowel (pasto/pasti,
// anziano/anziana/anziani, cane/cani), which Bleve's light stemmer leaves alone on short
// words and its snowball stemmer over-stems (anziano -> anzi). Stripping only that vowel
// is predictable and symmetric at index and query time.
type italianStemFilter struct{}

// Filter implements analysis.TokenFilter.
func (italianStemFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		tok.Term = []byte(italianStem(string(tok.Term)))
	}
	return input
}

// italianStem reduces one lower-case word to its stem.
func italianStem(word string) string {
	word = foldAccents(word)
	if utf8.RuneCountInString(word) < 4 {
		return word
	}
	switch last := word[len(word)-1]; last {
	case 'a', 'e', 'i', 'o', 'u':
		word = word[:len(word)-1]
	}
	// Plural -che/-ghe/-chi/-ghi keep an h the singular lacks (banche/banca).
	if n := len(word); n >= 3 && word[n-1] == 'h' && (word[n-2] == 'c' || word[n-2] == 'g') {
		word = word[:n-1]
	}
	// -ie/-ii after stripping leaves farmaci(e) vs farmaci(a): both end in i already.
	return word
}

func foldAccents(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	out := make([]rune, 0, len(s))
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			out = append(out, r)
		}
	}
	return string(out)
}

// Words that carry no need: how people open a request. Removing them keeps "cerco
// qualcuno che aiuti mia madre" from scoring services that merely say "aiuto".
func fillerWordsIT() []string {
	return []string{"cerco", "cerca", "cercando", "cercavo", "vorrei", "voglio", "volevo", "bisogno",
		"qualcuno", "qualcuna", "qualcosa", "aiuto", "aiutare", "aiutarmi", "aiuti", "serve", "servirebbe",
		"servizio", "servizi", "buongiorno", "buonasera", "salve", "ciao", "grazie", "favore", "possibile",
		"potete", "potreste", "potrei", "sapere", "informazioni", "info", "milano", "zona", "quartiere",
		"quanto", "costa", "costo", "dove", "trovo", "trovare", "esiste", "qualche", "persona", "tipo",
		"gentilmente", "chiedo", "chiedere", "ok", "okay", "sì", "si", "allora", "ecc", "cosa", "come",
		"devo", "posso", "riesco", "fare", "ho", "hai", "mi", "ci", "c'è", "ce", "è"}
}

func fillerWordsEN() []string {
	return []string{"need", "needs", "needed", "looking", "look", "find", "someone", "somebody", "something",
		"help", "please", "hi", "hello", "want", "would", "like", "service", "services", "milan", "can",
		"get", "anyone", "thanks", "thank", "where", "how", "much", "cost", "costs", "area", "person",
		"good", "know", "could", "should", "i'm", "im", "we", "us", "my", "me"}
}

func words[T any](ws ...T) []interface{} {
	out := make([]interface{}, len(ws))
	for i, w := range ws {
		out[i] = w
	}
	return out
}

// analyzerOf returns the index analyzer of a registry analysis chain.
func analyzerOf(chain string) string { return "wemi_" + chain }

// addAnalyzers declares on an index mapping the analyzers of the given chains (the
// registry's analyzer names); an unknown chain is an error.
func addAnalyzers(m *mapping.IndexMappingImpl, chains []string) error {
	type step struct {
		add  func(string, map[string]interface{}) error
		name string
		conf map[string]interface{}
	}
	var steps []step
	added := map[string]bool{}
	for _, chain := range chains {
		if added[chain] {
			continue
		}
		added[chain] = true
		c, ok := chainOf(chain)
		if !ok {
			return fmt.Errorf("unknown analyzer %q (known: %s)", chain, strings.Join(knownChains(), ", "))
		}
		filters := c.filters
		if len(c.filler) > 0 {
			filler := "wemi_filler_" + chain
			steps = append(steps,
				step{m.AddCustomTokenMap, filler, map[string]interface{}{"type": tokenmap.Name, "tokens": words(c.filler...)}},
				step{m.AddCustomTokenFilter, filler + "_stop", map[string]interface{}{"type": stop.Name, "stop_token_map": filler}})
			filters = insertBefore(filters, fillerSlot, filler+"_stop")
		} else {
			filters = insertBefore(filters, fillerSlot)
		}
		for _, extra := range c.custom {
			steps = append(steps, step{extra.add(m), extra.name, extra.conf})
		}
		steps = append(steps, step{m.AddCustomAnalyzer, analyzerOf(chain), map[string]interface{}{
			"type": custom.Name, "tokenizer": unicodetok.Name, "token_filters": words(filters...)}})
	}
	for _, s := range steps {
		if err := s.add(s.name, s.conf); err != nil {
			return err
		}
	}
	return nil
}

// fillerSlot marks where a chain's filler words are removed.
const fillerSlot = "<filler>"

// insertBefore replaces the slot in filters by the given names (none: drops it).
func insertBefore(filters []string, slot string, names ...string) []string {
	var out []string
	for _, f := range filters {
		if f == slot {
			out = append(out, names...)
			continue
		}
		out = append(out, f)
	}
	return out
}
