package bot

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

	"github.com/comune-milano/wemibot/catalogue"
)

//go:embed understanding/*.yaml
var understandingFiles embed.FS

// lexicon is how citizens follow up on a search — questions about a service,
// refinements, talk about the conversation, the way they tell their situation — in
// every language the bot reads (bot/understanding/<lang>.yaml), merged: a citizen may
// write in another language than the bot's. Phrases are folded (catalogue.Fold) and
// sorted longest first.
type lexicon struct {
	questions *phraseTable           // by topic: cost, free, where, when, how, provider, languages, contacts
	refine    map[string]*phraseList // free, cheaper, shared, individual, near, open_now, also
	delivery  *phraseTable           // shared, individual: a delivery asked for in a new search
	audiences *phraseTable           // by catalogue audience
	meta      *phraseTable           // confused, back, repeat, more, stop
	ordinals  *phraseTable           // "1".."5": positions in a list
	needs     *phraseList
	situation *phraseList
	clauses   []string
	places    *phraseList
	postcodes *phraseList // words that announce a postcode
	fillers   map[string]bool
	// zoneRE finds a Municipio by number, ageRE an age, with the words of every
	// language.
	zoneRE, ageRE *regexp.Regexp
}

// lexiconFile is one language's file.
type lexiconFile struct {
	Questions  map[string][]string `yaml:"questions"`
	Refine     map[string][]string `yaml:"refine"`
	Delivery   map[string][]string `yaml:"delivery"`
	Audiences  map[string][]string `yaml:"audiences"`
	Meta       map[string][]string `yaml:"meta"`
	Ordinals   map[string][]string `yaml:"ordinals"`
	Needs      []string            `yaml:"needs"`
	Situations []string            `yaml:"situations"`
	Clauses    []string            `yaml:"clauses"`
	Places     []string            `yaml:"places"`
	Postcodes  []string            `yaml:"postcodes"`
	Fillers    []string            `yaml:"fillers"`
	// Zones are the words that name a Municipio by its number ("municipio 4").
	Zones []string `yaml:"zones"`
	// Ages are the words of an age: units after the number ("15 anni"), words
	// before it ("ha 87").
	Ages struct {
		Units  []string `yaml:"units"`
		Before []string `yaml:"before"`
	} `yaml:"ages"`
}

// loadLexicon reads every language's file; each must name the same topics.
var loadLexicon = sync.OnceValues(readLexicon)

func readLexicon() (*lexicon, error) {
	names, err := fs.Glob(understandingFiles, "understanding/*.yaml")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("load understanding: no files")
	}
	all := lexiconFile{Questions: map[string][]string{}, Refine: map[string][]string{}, Delivery: map[string][]string{},
		Audiences: map[string][]string{}, Meta: map[string][]string{}, Ordinals: map[string][]string{}}
	lx := &lexicon{fillers: map[string]bool{}}
	for _, name := range names {
		data, err := understandingFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("load understanding %s: %w", name, err)
		}
		var f lexiconFile
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("load understanding %s: %w", name, err)
		}
		if err := all.add(f); err != nil {
			return nil, fmt.Errorf("load understanding %s: %w", name, err)
		}
		for _, w := range foldAll(f.Fillers) {
			for _, x := range strings.Fields(w) {
				lx.fillers[x] = true
			}
		}
	}
	lx.compile(all)
	if len(all.Zones) == 0 || len(all.Ages.Units) == 0 {
		return nil, fmt.Errorf("load understanding: no zones or ages")
	}
	// Folded text is words between single spaces: a word boundary is a space or an
	// end, in any script (\b knows ASCII letters only).
	zones := alternation(all.Zones)
	lx.zoneRE = regexp.MustCompile(`(?:^| )(?:(?:` + zones + `) ([1-9])|([1-9]) (?:` + zones + `))(?: |$)`)
	units, before := alternation(all.Ages.Units), alternation(all.Ages.Before)
	lx.ageRE = regexp.MustCompile(`(?:^| )(?:(\d{1,3}) ?(?:` + units + `)|(?:` + before + `) (\d{1,3})(?: ?(?:` + units + `))?)(?: |$)`)
	return lx, nil
}

// compile sorts the phrases of every language, merged, longest first and indexes
// them.
func (lx *lexicon) compile(all lexiconFile) {
	table := func(m map[string][]string) *phraseTable {
		for k := range m {
			longestFirst(m[k])
		}
		return newPhraseTable(m)
	}
	list := func(ps []string) *phraseList {
		longestFirst(ps)
		return newPhraseList(ps)
	}
	lx.questions, lx.delivery, lx.audiences = table(all.Questions), table(all.Delivery), table(all.Audiences)
	lx.meta, lx.ordinals = table(all.Meta), table(all.Ordinals)
	lx.refine = map[string]*phraseList{}
	for k, ps := range all.Refine {
		lx.refine[k] = list(ps)
	}
	lx.needs, lx.situation, lx.places, lx.postcodes = list(all.Needs), list(all.Situations), list(all.Places), list(all.Postcodes)
	lx.clauses = all.Clauses
	longestFirst(lx.clauses)
}

// alternation is a regular expression matching any of the phrases, longest first.
func alternation(phrases []string) string {
	ps := append([]string(nil), phrases...)
	longestFirst(ps)
	for i, p := range ps {
		ps[i] = regexp.QuoteMeta(p)
	}
	if len(ps) == 0 {
		return "$^" // matches nothing
	}
	return strings.Join(ps, "|")
}

// add merges one language's file, folded, into f; the file must have phrases for
// every topic.
func (f *lexiconFile) add(g lexiconFile) error {
	for _, c := range []struct {
		section string
		m       map[string][]string
		keys    []string
	}{
		{"questions", g.Questions, []string{topicCost, topicFree, topicWhere, topicWhen, topicHow, topicProvider, topicLanguages, topicContacts, topicDetails, topicReduction}},
		{"refine", g.Refine, []string{"free", "cheaper", "shared", "individual", "near", "open_now", "times", "drop_zone", "drop_free", "drop_all", "also"}},
		{"meta", g.Meta, []string{"confused", "back", "repeat", "more", "menu", "categories", "book", "stop"}},
		{"delivery", g.Delivery, []string{deliveryShared, deliveryIndividual}},
	} {
		for _, k := range c.keys {
			if len(c.m[k]) == 0 {
				return fmt.Errorf("%s: no phrases for %q", c.section, k)
			}
		}
	}
	merge := func(dst map[string][]string, src map[string][]string) {
		for k, ps := range src {
			dst[k] = append(dst[k], foldAll(ps)...)
		}
	}
	merge(f.Questions, g.Questions)
	merge(f.Refine, g.Refine)
	merge(f.Delivery, g.Delivery)
	merge(f.Audiences, g.Audiences)
	merge(f.Meta, g.Meta)
	merge(f.Ordinals, g.Ordinals)
	for _, l := range []struct {
		dst *[]string
		src []string
	}{{&f.Needs, g.Needs}, {&f.Situations, g.Situations},
		{&f.Clauses, g.Clauses}, {&f.Places, g.Places}, {&f.Postcodes, g.Postcodes}, {&f.Zones, g.Zones},
		{&f.Ages.Units, g.Ages.Units}, {&f.Ages.Before, g.Ages.Before}} {
		*l.dst = append(*l.dst, foldAll(l.src)...)
	}
	return nil
}

func foldAll(ps []string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if f := catalogue.Fold(p); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func longestFirst(ps []string) {
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i]) > len(ps[j]) })
}

// The ways of delivery a new search may ask for (lexicon.delivery's keys).
const (
	deliveryShared     = "shared"
	deliveryIndividual = "individual"
)

// deliveryIn returns the way of delivery a new search asks for ("babysitter in
// condivisione"), as catalogue.SearchRequest names it, and the folded text without
// its words; ok is false when none is asked for, or when nothing else would be left
// to search.
func (lx *lexicon) deliveryIn(folded string) (delivery, rest string, ok bool) {
	kind, _ := longest(folded, lx.delivery)
	if kind == "" {
		return "", folded, false
	}
	rest = strip(folded, lx.delivery.of(kind))
	if len(lx.content(rest)) == 0 {
		return "", folded, false
	}
	if kind == deliveryShared {
		return catalogue.DeliveryShared, rest, true
	}
	return catalogue.DeliveryIndividual, rest, true
}

// content returns the words of folded that carry meaning: neither fillers nor numbers.
func (lx *lexicon) content(folded string) []string {
	var out []string
	for w := range strings.FieldsSeq(folded) {
		if lx.fillers[w] {
			continue
		}
		if isInteger(w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// isInteger reports whether w is a whole number as strconv.Atoi reads one, without
// building the error Atoi returns for every other word.
func isInteger(w string) bool {
	if w == "" || (w[0] != '+' && w[0] != '-' && (w[0] < '0' || w[0] > '9')) {
		return false
	}
	_, err := strconv.Atoi(w)
	return err == nil
}

// municipio returns a Municipio named by number in folded text ("municipio 4", "zona
// 4"), and the text without it.
func (lx *lexicon) municipio(folded string) (int, string, bool) {
	m := lx.zoneRE.FindStringSubmatchIndex(folded)
	if m == nil {
		return 0, folded, false
	}
	var digit string
	if m[2] >= 0 {
		digit = folded[m[2]:m[3]]
	} else {
		digit = folded[m[4]:m[5]] // "в 8 районе": the number first
	}
	n, _ := strconv.Atoi(digit)
	return n, strings.TrimSpace(folded[:m[0]] + " " + folded[m[1]:]), true
}

// ageAudience returns who a person of the age said in folded text is ("di 15 anni",
// "ha 87 anni", "16 year old", "I'm 79"), and the text without the age.
func (lx *lexicon) ageAudience(folded string) (string, string, bool) {
	m := lx.ageRE.FindStringSubmatchIndex(folded)
	if m == nil {
		return "", folded, false
	}
	digits := ""
	for i := 2; i < len(m); i += 2 {
		if m[i] >= 0 {
			digits = folded[m[i]:m[i+1]]
		}
	}
	age, err := strconv.Atoi(digits)
	if err != nil || age > 120 {
		return "", folded, false
	}
	rest := strings.TrimSpace(folded[:m[0]] + " " + folded[m[1]:])
	switch {
	case age < 12:
		return string(catalogue.AudienceChildren), rest, true
	case age < 18:
		return string(catalogue.AudienceTeenagers), rest, true
	case age < 65:
		return string(catalogue.AudienceAdults), rest, true
	}
	return string(catalogue.AudienceElderly), rest, true
}
