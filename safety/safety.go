// Package safety recognises messages that signal danger (thoughts of suicide, an
// overdose, a medical emergency, violence, a child at risk, a fire or a gas leak) by
// concept rather than by phrase.
//
// Each language's data (data/<lang>.yaml: it, en, fr...) names the parts of speech a
// concept is made of (words, stems, short phrases: "fall", "rise", "me", "hurt") and
// the grammar around them: negations, the words a negation reaches across, words
// that mark the past, a hypothesis, learning, fiction or a habit, idioms to set
// aside. data/rules.yaml says which combinations of parts signal each kind of danger
// ("fall & !rise": a fall and a negated getting up), and how far each marker reaches.
// Text is folded (no accents, lower case), common contractions and Italian clitics are
// undone, prefixes written joined to a word (Arabic و، ب، ال...) are split off, and
// misspelt words are matched to the lexicon's (one edit in words of five letters or
// more; never in the scripts a language file lists as exact, such as Arabic).
//
// The package is a leaf: the conversation engine calls Assess on every message.
package safety

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Kind is a kind of danger.
type Kind string

// The kinds of danger, each answered with its own numbers.
const (
	Fire     Kind = "fire"      // a fire, smoke, a gas leak, carbon monoxide: 115
	Overdose Kind = "overdose"  // too many pills, a drug overdose, a poison swallowed: 118
	SelfHarm Kind = "self_harm" // suicidal thoughts, plans, self-harm: Telefono Amico
	Medical  Kind = "medical"   // a fall with no answer, unconsciousness, breathing, chest pain, a stroke: 118
	Child    Kind = "child"     // a child beaten, abused, left alone or missing: 114, 19696
	Violence Kind = "violence"  // violence and threats from a partner, an ex, family or carers: 1522
)

// Kinds returns every kind of danger, the most urgent first: when a message signals
// several, the first is the one answered in full.
func Kinds() []Kind { return []Kind{Fire, Overdose, SelfHarm, Medical, Child, Violence} }

// Assessment is what a message signals.
type Assessment struct {
	Kind Kind     // the most urgent kind of danger
	Also []Kind   // the other kinds, most urgent first
	Why  []string // the rules that matched, "kind: pattern", for tests and logs (never the text)
}

//go:embed data/*.yaml data/*.txt
var dataFS embed.FS

// Recogniser recognises danger in messages. It is safe for concurrent use.
type Recogniser struct {
	lex     *lexicon
	derived []derivedPart // in an order where each comes after the parts it uses
	masks   patternSet
	unmarks patternSet // where marker words are plain words (langFile.Unmark)
	scopes  []scopeRule
	kinds   []Kind
	rules   [][]pattern // by kind index

	analyses analyses // recycled, so that Assess hardly allocates
}

// derivedPart is a part made of other parts ("me hurt" is "hurt_me").
type derivedPart struct {
	part     int
	patterns []pattern
	firsts   []int // by pattern: the part it starts with, read without the pattern
}

// maskGap is how many words may come between a mask's parts: idioms are tight.
const maskGap = 1

// rulesFile is data/rules.yaml.
type rulesFile struct {
	Scopes []scopeSpec           `yaml:"scopes"`
	Rules  map[string][]ruleSpec `yaml:"rules"`
}

// ruleSpec is a rule: a pattern, or a pattern with options.
type ruleSpec struct {
	Match  string `yaml:"match"`
	Unless string `yaml:"unless"`
	Window int    `yaml:"window"`
	Gap    int    `yaml:"gap"`
}

// UnmarshalYAML reads a rule written as a bare pattern or as a mapping.
func (s *ruleSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		s.Match = n.Value
		return nil
	}
	type plain ruleSpec
	return n.Decode((*plain)(s))
}

// Load builds a Recogniser from the embedded data.
func Load() (*Recogniser, error) { return loadOnce() }

// loadOnce reads the embedded data once: a Recogniser never changes after loading
// and is safe for concurrent use, so every engine of the process shares it.
var loadOnce = sync.OnceValues(readData)

func readData() (*Recogniser, error) {
	r := &Recogniser{lex: newLexicon(), kinds: Kinds()}
	names, err := fs.Glob(dataFS, "data/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("safety: %w", err)
	}
	var langs []langFile
	for _, name := range names {
		if path.Base(name) == "rules.yaml" {
			continue
		}
		var f langFile
		if err := decode(name, &f); err != nil {
			return nil, err
		}
		if err := r.lex.add(f); err != nil {
			return nil, fmt.Errorf("safety: %s: %w", name, err)
		}
		langs = append(langs, f)
	}
	if err := r.loadKnown(); err != nil {
		return nil, err
	}
	if err := r.loadPhrases(langs); err != nil {
		return nil, err
	}
	var rf rulesFile
	if err := decode("data/rules.yaml", &rf); err != nil {
		return nil, err
	}
	if err := r.loadRules(rf); err != nil {
		return nil, fmt.Errorf("safety: rules.yaml: %w", err)
	}
	// Every part has its id now: index the patterns by them.
	r.masks.index(len(r.lex.names))
	r.unmarks.index(len(r.lex.names))
	return r, r.check()
}

// loadKnown reads data/known_*.txt: real words, one a line, that lie one edit from a
// lexicon word and so must never be taken for its typo (dict_test.go finds them).
func (r *Recogniser) loadKnown() error {
	names, err := fs.Glob(dataFS, "data/known_*.txt")
	if err != nil {
		return fmt.Errorf("safety: %w", err)
	}
	for _, name := range names {
		b, err := dataFS.ReadFile(name)
		if err != nil {
			return fmt.Errorf("safety: %w", err)
		}
		for _, w := range strings.Fields(string(b)) {
			r.lex.roles[w] |= roleKnown
		}
	}
	return nil
}

func decode(name string, v any) error {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("safety: %w", err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("safety: %s: %w", name, err)
	}
	return nil
}

// loadPhrases reads the derived parts and the masks of every language.
func (r *Recogniser) loadPhrases(langs []langFile) error {
	byPart := map[int]*derivedPart{}
	for _, f := range langs {
		for name, srcs := range f.Phrases {
			id := r.lex.id(name)
			r.lex.derived[name] = true
			d := byPart[id]
			if d == nil {
				d = &derivedPart{part: id}
				byPart[id] = d
			}
			for _, spec := range srcs {
				p, err := r.lex.parsePattern(spec.Match)
				if err != nil {
					return fmt.Errorf("safety: phrase %s: %w", name, err)
				}
				if len(p.groups) != 1 {
					return fmt.Errorf("safety: phrase %s: %q: a phrase is one group, without &", name, spec.Match)
				}
				if spec.Gap > 0 {
					p.gap = spec.Gap
				}
				d.patterns = append(d.patterns, p)
				d.firsts = append(d.firsts, p.groups[0][0].part)
			}
		}
		for _, list := range []struct {
			what  string
			specs []ruleSpec
			into  *[]pattern
		}{{"mask", f.Masks, &r.masks.list}, {"unmark", f.Unmark, &r.unmarks.list}} {
			for _, m := range list.specs {
				p, err := r.lex.maskPattern(m)
				if err != nil {
					return fmt.Errorf("safety: %s: %w", list.what, err)
				}
				*list.into = append(*list.into, p)
			}
		}
	}
	return r.orderDerived(byPart)
}

// orderDerived puts derived parts after the parts they use, and refuses cycles.
func (r *Recogniser) orderDerived(byPart map[int]*derivedPart) error {
	ids := make([]int, 0, len(byPart))
	for id := range byPart {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	state := map[int]int{} // 1 visiting, 2 done
	var visit func(id int) error
	visit = func(id int) error {
		d := byPart[id]
		if d == nil || state[id] == 2 {
			return nil
		}
		if state[id] == 1 {
			return fmt.Errorf("safety: phrase %s uses itself", r.lex.names[id])
		}
		state[id] = 1
		for _, p := range d.patterns {
			for _, it := range p.groups[0] {
				if err := visit(it.part); err != nil {
					return err
				}
			}
		}
		state[id] = 2
		r.derived = append(r.derived, *d)
		return nil
	}
	for _, id := range ids {
		if err := visit(id); err != nil {
			return err
		}
	}
	return nil
}

func (r *Recogniser) loadRules(rf rulesFile) error {
	if len(rf.Scopes) > 32 {
		return fmt.Errorf("%d scopes: at most 32", len(rf.Scopes))
	}
	for _, s := range rf.Scopes {
		sc, err := r.parseScope(s)
		if err != nil {
			return err
		}
		r.scopes = append(r.scopes, sc)
	}
	r.rules = make([][]pattern, len(r.kinds))
	for k, specs := range rf.Rules {
		i := r.kindIndex(Kind(k))
		if i < 0 {
			return fmt.Errorf("unknown kind %q", k)
		}
		for _, s := range specs {
			p, err := r.lex.parsePattern(s.Match)
			if err != nil {
				return err
			}
			if s.Window > 0 {
				p.window = s.Window
			}
			if s.Gap > 0 {
				p.gap = s.Gap
			}
			for _, u := range strings.Fields(s.Unless) {
				p.unless = append(p.unless, r.lex.id(u))
			}
			r.rules[i] = append(r.rules[i], p)
		}
	}
	for i, k := range r.kinds {
		if len(r.rules[i]) == 0 {
			return fmt.Errorf("no rules for %s", k)
		}
	}
	return nil
}

// check refuses a part that is used but never defined: a misspelt name would
// otherwise silently never match.
func (r *Recogniser) check() error {
	defined := make([]bool, len(r.lex.names))
	mark := func(f form) { defined[f.part] = true }
	for _, list := range r.lex.exact {
		for _, f := range list {
			mark(f)
		}
	}
	for _, list := range r.lex.stems {
		for _, f := range list {
			mark(f)
		}
	}
	for _, f := range r.lex.nums {
		mark(f)
	}
	for _, d := range r.derived {
		defined[d.part] = true
	}
	var missing []string
	for id, ok := range defined {
		if !ok {
			missing = append(missing, r.lex.names[id])
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("safety: parts used but not defined: %s", strings.Join(missing, ", "))
	}
	return nil
}

func (r *Recogniser) kindIndex(k Kind) int {
	for i, x := range r.kinds {
		if x == k {
			return i
		}
	}
	return -1
}

// Assess reports whether text signals danger, and which kinds. It reads at most the
// first 20,000 characters.
func (r *Recogniser) Assess(text string) (Assessment, bool) {
	a := r.analyse(text)
	defer r.analyses.put(a)
	var out Assessment
	for i, k := range r.kinds {
		for j := range r.rules[i] {
			p := &r.rules[i][j]
			if a.find(p, i) {
				if out.Kind == "" {
					out.Kind = k
				} else {
					out.Also = append(out.Also, k)
				}
				out.Why = append(out.Why, string(k)+": "+p.src)
				break
			}
		}
	}
	return out, out.Kind != ""
}

// patternSet is a list of one-group patterns (masks, unmarks), indexed by their
// first part: most parts occur in no message, and neither do most patterns.
type patternSet struct {
	list    []pattern
	byFirst [][]int // by part id: the indexes in list of the patterns it starts
}

// index builds byFirst for parts ids.
func (s *patternSet) index(parts int) {
	s.byFirst = make([][]int, parts)
	for i, p := range s.list {
		first := p.groups[0][0].part
		s.byFirst[first] = append(s.byFirst[first], i)
	}
}

// maskPattern parses a mask or an unmark: one group of words in a row, at most
// maskGap apart unless it says otherwise.
func (l *lexicon) maskPattern(m ruleSpec) (pattern, error) {
	p, err := l.parsePattern(m.Match)
	if err != nil {
		return pattern{}, err
	}
	if len(p.groups) != 1 {
		return pattern{}, fmt.Errorf("%q: one group, without &", m.Match)
	}
	p.gap = maskGap
	if m.Gap > 0 {
		p.gap = m.Gap
	}
	return p, nil
}
