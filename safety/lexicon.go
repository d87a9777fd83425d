package safety

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// langFile is one language's data (data/<lang>.yaml).
type langFile struct {
	Expand   map[string]string `yaml:"expand"`   // "don t": "do not"
	Negation []string          `yaml:"negation"` // words that deny what follows
	// NegationAfter are words that deny the word before them ("il répond pas"), or,
	// after a filler ("il a pas répondu"), the words after, like a negation.
	NegationAfter []string              `yaml:"negation_after"`
	Fillers       []string              `yaml:"fillers"` // words a negation reaches across
	Breaks        []string              `yaml:"breaks"`  // words that start a new clause
	Clitics       []string              `yaml:"clitics"` // pronouns joined to infinitives
	Known         []string              `yaml:"known"`   // real words never taken for typos
	Words         map[string][]string   `yaml:"words"`   // part -> forms
	Phrases       map[string][]ruleSpec `yaml:"phrases"` // derived part -> patterns
	Masks         []ruleSpec            `yaml:"masks"`   // patterns whose words are set aside
	// Prefixes are letters written joined to the word they belong to (Arabic و، ف، ب،
	// ل، ال and the negation ما): a word the lexicon does not know is split from its
	// longest such prefix when the rest is a word it knows, and the prefix becomes the
	// words it maps to ("" for none): "والانتحار" → "انتحار", "مابيردش" → "ما بيردش".
	Prefixes map[string]string `yaml:"prefixes"`
	// ExactScripts names the scripts (as Unicode names them: "Arabic") whose words are
	// never taken for typos: where most short words are a letter away from another
	// word, a one-letter correction would turn ordinary words into alarming ones.
	ExactScripts []string `yaml:"exact_scripts"`
	// Unmark lists patterns whose words mark no scope: a word that is a marker in one
	// language and a plain word in another (the Spanish reflexive "se cayó" is not the
	// Italian "se", if).
	Unmark []ruleSpec `yaml:"unmark"`
}

// matcher matches one token: a word, a stem (a word's beginning), or a number in a
// range.
type matcher struct {
	word   string
	stem   bool
	num    bool
	lo, hi float64
}

func (m matcher) match(tok string) bool {
	switch {
	case m.num:
		v, ok := parseNumber(tok)
		return ok && v >= m.lo && v <= m.hi
	case m.stem:
		return strings.HasPrefix(tok, m.word)
	}
	return tok == m.word
}

// parseMatcher reads "word", "stem*", "#5+" (a number of at least 5) or "#0-17".
func parseMatcher(s string) (matcher, error) {
	if strings.HasPrefix(s, "#") {
		body := s[1:]
		if strings.HasSuffix(body, "+") {
			lo, err := strconv.ParseFloat(strings.TrimSuffix(body, "+"), 64)
			return matcher{num: true, lo: lo, hi: 1e18}, err
		}
		lo, hi, ok := strings.Cut(body, "-")
		if !ok {
			return matcher{}, fmt.Errorf("number form %q: want #N+ or #N-M", s)
		}
		l, err1 := strconv.ParseFloat(lo, 64)
		h, err2 := strconv.ParseFloat(hi, 64)
		if err1 != nil || err2 != nil {
			return matcher{}, fmt.Errorf("number form %q: want #N+ or #N-M", s)
		}
		return matcher{num: true, lo: l, hi: h}, nil
	}
	if w, ok := strings.CutSuffix(s, "*"); ok {
		if len(w) < 3 {
			return matcher{}, fmt.Errorf("stem %q is shorter than 3 letters", s)
		}
		return matcher{word: w, stem: true}, nil
	}
	if s == "" || strings.ContainsAny(s, " *#") {
		return matcher{}, fmt.Errorf("bad word %q", s)
	}
	return matcher{word: s}, nil
}

// form is one way of saying a part: a sequence of matchers over consecutive tokens.
type form struct {
	part int
	seq  []matcher
}

// lexicon holds every language's words, merged: messages mix languages, and the
// vocabularies hardly overlap.
type lexicon struct {
	parts    map[string]int // part name -> id
	names    []string       // id -> part name
	derived  map[string]bool
	exact    map[string][]form // by the first token's word
	stems    map[string][]form // by the first token's stem
	nums     []form            // forms that start with a number
	stemLens []int             // the stems' lengths, shortest first
	// stemHeads holds the first stemHead bytes of every stem: most words start no
	// stem, and one look-up says so.
	stemHeads map[string]bool

	roles        map[string]wordRole
	clitics      []string // longest first
	prefixes     []prefix // longest first
	exactScripts []*unicode.RangeTable
	expand       map[string][]string // one or two words -> their expansion
	expandFirst  map[string]bool     // the first words of two-word expansions
	typos        typoIndex
}

// wordRole is what a word is to the lexicon, one bit each: the grammar's word lists
// merged, so that one look-up tells them all.
type wordRole uint8

// The roles a word can have.
const (
	roleNegation      wordRole = 1 << iota // denies what follows (langFile.Negation)
	roleNegationAfter                      // denies the word before (langFile.NegationAfter)
	roleFiller                             // a negation reaches across it
	roleBreak                              // starts a new clause
	roleKnown                              // a real word, never taken for a typo
	roleWord                               // a word of a form
)

// stemHead is how many bytes of a stem stemHeads holds: stems are at least as long.
const stemHead = 3

func newLexicon() *lexicon {
	return &lexicon{parts: map[string]int{}, derived: map[string]bool{}, exact: map[string][]form{},
		stems: map[string][]form{}, stemHeads: map[string]bool{}, roles: map[string]wordRole{},
		expand: map[string][]string{}, expandFirst: map[string]bool{}, typos: newTypoIndex()}
}

// mayStartStem reports whether tok may start with a stem: whether it starts with a
// stem's head.
func (l *lexicon) mayStartStem(tok string) bool {
	return len(tok) >= stemHead && l.stemHeads[tok[:stemHead]]
}

// stemLensFor returns the lengths of the stems tok may start with: none unless it
// starts with a stem's head.
func (l *lexicon) stemLensFor(tok string) []int {
	if !l.mayStartStem(tok) {
		return nil
	}
	return l.stemLens
}

// id returns a part's id, making one for a new name.
func (l *lexicon) id(name string) int {
	if id, ok := l.parts[name]; ok {
		return id
	}
	l.parts[name] = len(l.names)
	l.names = append(l.names, name)
	return len(l.names) - 1
}

// add merges one language's words into the lexicon.
func (l *lexicon) add(f langFile) error {
	for k, v := range f.Expand {
		l.expand[k] = strings.Fields(v)
		if first, _, two := strings.Cut(k, " "); two {
			l.expandFirst[first] = true
		}
	}
	for _, set := range []struct {
		role  wordRole
		words []string
	}{{roleNegation, f.Negation}, {roleNegationAfter, f.NegationAfter}, {roleFiller, f.Fillers},
		{roleBreak, f.Breaks}, {roleKnown, f.Known}} {
		for _, w := range set.words {
			l.roles[w] |= set.role
		}
	}
	l.clitics = append(l.clitics, f.Clitics...)
	sort.SliceStable(l.clitics, func(i, j int) bool { return len(l.clitics[i]) > len(l.clitics[j]) })
	for _, name := range f.ExactScripts {
		table, ok := unicode.Scripts[name]
		if !ok {
			return fmt.Errorf("exact_scripts: unknown script %q", name)
		}
		l.exactScripts = append(l.exactScripts, table)
	}
	for p, as := range f.Prefixes {
		l.prefixes = append(l.prefixes, prefix{text: p, as: strings.Fields(as)})
	}
	sort.SliceStable(l.prefixes, func(i, j int) bool {
		if len(l.prefixes[i].text) != len(l.prefixes[j].text) {
			return len(l.prefixes[i].text) > len(l.prefixes[j].text)
		}
		return l.prefixes[i].text < l.prefixes[j].text
	})
	for name, forms := range f.Words {
		id := l.id(name)
		for _, s := range forms {
			if err := l.addForm(id, s); err != nil {
				return fmt.Errorf("part %s: %w", name, err)
			}
		}
	}
	return nil
}

func (l *lexicon) addForm(id int, s string) error {
	var fm form
	fm.part = id
	for _, w := range formWords(s) {
		m, err := parseMatcher(w)
		if err != nil {
			return err
		}
		fm.seq = append(fm.seq, m)
	}
	if len(fm.seq) == 0 {
		return fmt.Errorf("empty form")
	}
	first := fm.seq[0]
	switch {
	case first.num:
		l.nums = append(l.nums, fm)
	case first.stem:
		if len(l.stems[first.word]) == 0 {
			l.stemLens = append(l.stemLens, len(first.word))
			sort.Ints(l.stemLens)
			l.stemLens = compactInts(l.stemLens)
		}
		l.stems[first.word] = append(l.stems[first.word], fm)
		l.stemHeads[first.word[:stemHead]] = true
	default:
		l.exact[first.word] = append(l.exact[first.word], fm)
	}
	for _, m := range fm.seq {
		if !m.num {
			l.typos.add(m.word, m.stem)
		}
		if !m.num && !m.stem {
			l.roles[m.word] |= roleWord
		}
	}
	return nil
}

// formWords splits a form into the words it matches: at spaces, and each Chinese
// character on its own, as messages are split ("自杀" is the two words 自 杀), so that
// data in languages written without spaces reads as it is written.
func formWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		start := 0
		for i, r := range w {
			if unicode.Is(unicode.Han, r) {
				if i > start {
					out = append(out, w[start:i])
				}
				out = append(out, string(r))
				start = i + utf8.RuneLen(r)
			}
		}
		if start < len(w) {
			out = append(out, w[start:])
		}
	}
	return out
}

func compactInts(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// formsAt returns the forms whose first token matches tok.
func (l *lexicon) formsAt(tok string, visit func(form)) {
	for _, f := range l.exact[tok] {
		visit(f)
	}
	for _, n := range l.stemLensFor(tok) {
		if n > len(tok) {
			break
		}
		for _, f := range l.stems[tok[:n]] {
			visit(f)
		}
	}
	if len(l.nums) > 0 && tok[0] >= '0' && tok[0] <= '9' {
		for _, f := range l.nums {
			if f.seq[0].match(tok) {
				visit(f)
			}
		}
	}
}

// knows reports whether a token is a word of the lexicon or of its grammar, so that
// it is never taken for a typo.
func (l *lexicon) knows(tok string) bool {
	if l.roles[tok] != 0 {
		return true
	}
	for _, n := range l.stemLensFor(tok) {
		if n > len(tok) {
			break
		}
		if len(l.stems[tok[:n]]) > 0 {
			return true
		}
	}
	return false
}

// expansion returns what the words at i stand for ("don t" → "do not"), and how many
// words it replaces (0 for none).
func (l *lexicon) expansion(words []rawWord, i int) ([]string, int) {
	if i+1 < len(words) && words[i+1].before == noBreak && l.expandFirst[words[i].text] {
		if e, ok := l.expand[words[i].text+" "+words[i+1].text]; ok {
			return e, 2
		}
	}
	if e, ok := l.expand[words[i].text]; ok {
		return e, 1
	}
	return nil, 0
}

// prefix is a prefix written joined to a word, and the words it stands for.
type prefix struct {
	text string
	as   []string
}

// minPrefixRest is the fewest letters a word split from its prefix keeps: shorter
// rests are too often a different word ("ماما" is not "ما" + "ما").
const minPrefixRest = 3

// splitPrefix splits a joined prefix from a word the lexicon does not know, when the
// rest is a word it knows ("والانتحار" → "انتحار"; "مابيردش" → "ما", "بيردش"), and
// appends the words to dst.
func (l *lexicon) splitPrefix(dst []string, tok string) []string {
	if len(l.prefixes) == 0 || l.knows(tok) {
		return append(dst, tok)
	}
	for _, p := range l.prefixes {
		rest, ok := strings.CutPrefix(tok, p.text)
		if !ok || utf8.RuneCountInString(rest) < minPrefixRest || !l.knows(rest) {
			continue
		}
		return append(append(dst, p.as...), rest)
	}
	return append(dst, tok)
}

// splitClitic splits a pronoun from the infinitive or gerund it is joined to
// ("uccidermi" → "uccidere", "mi"; "svegliandola" → "svegliando", "la"), when the verb
// is one the lexicon knows: "carne" stays whole (tok, "", false).
func (l *lexicon) splitClitic(tok string) (verb, clitic string, ok bool) {
	if len(tok) < 5 {
		return tok, "", false
	}
	for _, c := range l.clitics {
		base, ok := strings.CutSuffix(tok, c)
		if !ok || len(base) < 3 {
			continue
		}
		switch {
		case strings.HasSuffix(base, "ar"), strings.HasSuffix(base, "er"), strings.HasSuffix(base, "ir"):
			// The verb is looked up before it is made: most words are no verb.
			if l.knows(base + "e") {
				return base + "e", c, true
			}
		case strings.HasSuffix(base, "ando"), strings.HasSuffix(base, "endo"):
			if l.knows(base) {
				return base, c, true
			}
		}
	}
	return tok, "", false
}

// correct returns the lexicon word a token is a typo of, or the token itself.
func (l *lexicon) correct(tok string, cache map[string]string) string {
	if c, ok := cache[tok]; ok {
		return c
	}
	c := tok
	if utf8.RuneCountInString(tok) >= 4 && !isNumber(tok) && !l.exactScript(tok) && !l.knows(tok) {
		c = l.typos.correct(tok)
	}
	cache[tok] = c
	return c
}

// exactScript reports whether tok is written in a script whose words are never
// corrected.
func (l *lexicon) exactScript(tok string) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	for _, t := range l.exactScripts {
		if unicode.Is(t, r) {
			return true
		}
	}
	return false
}

func isNumber(s string) bool {
	_, ok := parseNumber(s)
	return ok
}

// parseNumber reads a number as strconv.ParseFloat does. Most tokens are words, and
// a word ParseFloat refuses costs an error value: it is refused before, by its first
// letter (after a sign ParseFloat reads only a digit, a dot, "inf" or "nan").
func parseNumber(s string) (float64, bool) {
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	if body == "" {
		return 0, false
	}
	switch c := body[0]; {
	case isDigit(c), c == '.':
	case len(body) >= 3 && (strings.EqualFold(body[:3], "inf") || strings.EqualFold(body[:3], "nan")):
	default:
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}
