package search

import (
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
)

// thesaurus is the compiled form of the catalogue's needs: each trigger reduced to the
// terms the index analyzers produce, so that a trigger matches a message when all its
// terms occur in the analysed message, in any order.
type thesaurus struct {
	needs    []catalogue.Need
	triggers []trigger
	byTerm   map[string][]int    // term -> triggers containing it
	expanded map[string][]string // expansion text -> its Italian terms
	// own holds the expansions of the needs of the other languages analysed in their
	// own language too: their catalogue words may be the translations' ("niñera").
	own map[string][]string // lang + "\x00" + expansion text -> terms
}

// expansion returns the analysed terms of a need's expansion.
func (th *thesaurus) expansion(n catalogue.Need) []string { return th.expanded[n.Expand] }

// ownExpansion returns the terms of a need's expansion in the need's own language, for
// a language other than Italian and English (whose expansions are Italian words).
func (th *thesaurus) ownExpansion(n catalogue.Need) []string { return th.own[n.Lang+"\x00"+n.Expand] }

type trigger struct {
	need  int
	lang  string
	terms []string
}

// compileThesaurus analyses each need's triggers with the analyzer of its language
// (analyzerOf returns false for a language the index does not have) and its
// expansion, catalogue words, with the Italian one.
func compileThesaurus(needs []catalogue.Need, analyze func(analyzer, text string) []string, analyzerOf func(lang string) (string, bool)) (*thesaurus, error) {
	th := &thesaurus{needs: needs, byTerm: map[string][]int{}, expanded: map[string][]string{}, own: map[string][]string{}}
	for i, n := range needs {
		analyzer, ok := analyzerOf(n.Lang)
		if !ok {
			return nil, fmt.Errorf("compile thesaurus: need %d is in %q, a language the index does not analyse", i+1, n.Lang)
		}
		th.expanded[n.Expand] = dedupe(analyze(analyzerIT, n.Expand))
		if n.Lang != langIT && n.Lang != "en" {
			th.own[n.Lang+"\x00"+n.Expand] = dedupe(analyze(analyzer, n.Expand))
		}
		for _, t := range n.Triggers {
			terms := dedupe(analyze(analyzer, t))
			if len(terms) == 0 {
				continue // only filler or stop words: it could never match meaningfully
			}
			ti := len(th.triggers)
			th.triggers = append(th.triggers, trigger{need: i, lang: n.Lang, terms: terms})
			for _, term := range terms {
				key := n.Lang + ":" + term
				th.byTerm[key] = append(th.byTerm[key], ti)
			}
		}
	}
	if len(needs) > 0 && len(th.triggers) == 0 {
		return nil, fmt.Errorf("compile thesaurus: no usable trigger in %d needs", len(needs))
	}
	return th, nil
}

func dedupe(terms []string) []string {
	out := terms[:0]
	seen := map[string]bool{}
	for _, t := range terms {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// needMatch is a need whose trigger matched a message.
type needMatch struct {
	need     catalogue.Need
	strength int // terms in the longest matching trigger
}

// match finds the needs a message expresses. terms maps a language to the message's
// analysed terms in that language (typo-corrected terms included).
func (th *thesaurus) match(terms map[string][]string) []needMatch {
	best := map[int]int{}
	for lang, ts := range terms {
		present := make(map[string]bool, len(ts))
		for _, t := range ts {
			present[t] = true
		}
		for _, t := range ts {
			for _, ti := range th.byTerm[lang+":"+t] {
				tr := th.triggers[ti]
				if len(tr.terms) <= best[tr.need] {
					continue
				}
				all := true
				for _, need := range tr.terms {
					if !present[need] {
						all = false
						break
					}
				}
				if all {
					best[tr.need] = len(tr.terms)
				}
			}
		}
	}
	idx := make([]int, 0, len(best))
	for i := range best {
		idx = append(idx, i)
	}
	// Strongest first; ties in thesaurus order, so the same message always gets the
	// same answer.
	sort.Slice(idx, func(a, b int) bool {
		if best[idx[a]] != best[idx[b]] {
			return best[idx[a]] > best[idx[b]]
		}
		return idx[a] < idx[b]
	})
	out := make([]needMatch, len(idx))
	for k, i := range idx {
		out[k] = needMatch{need: th.needs[i], strength: best[i]}
	}
	return out
}

// maxEdits is how many edits a correction of term may make, by its letters: none for
// words of four letters or fewer.
func maxEdits(term string) int {
	switch n := utf8.RuneCountInString(term); {
	case n < 5:
		return 0
	case n < 9:
		return 1
	default:
		return 2
	}
}
