package safety

import (
	"fmt"
	"sort"
	"strings"
)

// A pattern says which parts of speech signal a concept, in a small language:
//
//	fall & !rise            two groups, anywhere near each other (within the window)
//	me hurt                 one group: its parts in this order, at most gap words apart
//	!want live              "!" asks for a negation before the part ("non voglio ... vivere")
//	=di                     a literal word ("=stem*" a literal stem)
//
// A part without "!" must not be negated: "non mi picchia" is no "me hurt".
type pattern struct {
	src    string
	groups []group
	window int   // the most tokens a match may span, first to last
	gap    int   // the most tokens between two parts of a group
	unless []int // parts that, in the clauses matched, undo the match
}

type group []item

type item struct {
	part int
	neg  bool // the part must be negated
}

// Defaults for patterns that do not say otherwise.
const (
	defaultWindow = 14
	defaultGap    = 3
)

// parsePattern reads a pattern; literal words become parts of the lexicon.
func (l *lexicon) parsePattern(src string) (pattern, error) {
	p := pattern{src: src, window: defaultWindow, gap: defaultGap}
	for _, gs := range strings.Split(src, "&") {
		var g group
		for _, w := range strings.Fields(gs) {
			it := item{}
			if rest, ok := strings.CutPrefix(w, "!"); ok {
				it.neg, w = true, rest
			}
			if lit, ok := strings.CutPrefix(w, "="); ok {
				_, seen := l.parts[w]
				it.part = l.id(w)
				if !seen {
					if err := l.addForm(it.part, lit); err != nil {
						return p, fmt.Errorf("pattern %q: %w", src, err)
					}
				}
			} else {
				if w == "" {
					return p, fmt.Errorf("pattern %q: empty part", src)
				}
				it.part = l.id(w)
			}
			g = append(g, it)
		}
		if len(g) == 0 {
			return p, fmt.Errorf("pattern %q: empty group", src)
		}
		p.groups = append(p.groups, g)
	}
	return p, nil
}

// occ is an occurrence of a part: tokens s to e, and whether a negation comes
// before it.
type occ struct {
	s, e int
	neg  bool
}

// between returns the occurrences of a list sorted by start that start in [from, to].
func between(list []occ, from, to int) []occ {
	i := sort.Search(len(list), func(i int) bool { return list[i].s >= from })
	j := sort.Search(len(list), func(i int) bool { return list[i].s > to })
	if i >= j {
		return nil
	}
	return list[i:j]
}

// groupOccs appends the occurrences of a group in a message to out. With inherit, the
// first part's negation is not checked but passed on to the group's occurrence (a
// derived part is negated or not as a whole); otherwise it is checked like the others.
func (a *analysis) groupOccs(out []occ, g group, gap int, inherit bool) []occ {
	first := g[0]
	for _, o := range a.occs[first.part] {
		if (!inherit || first.neg) && o.neg != first.neg {
			continue
		}
		if a.toks[o.s].sent != a.toks[o.e].sent {
			continue
		}
		if end, ok := a.extend(g[1:], gap, o.e, a.toks[o.s].sent); ok {
			neg := inherit && !first.neg && o.neg
			out = append(out, occ{s: o.s, e: end, neg: neg})
		}
	}
	return out
}

// extend matches the rest of a group after token prev, in the same sentence, and
// returns where the match ends.
func (a *analysis) extend(rest group, gap, prev, sent int) (int, bool) {
	if len(rest) == 0 {
		return prev, true
	}
	it := rest[0]
	for _, o := range between(a.occs[it.part], prev+1, prev+1+gap) {
		// A negation before the group reaches across it ("non mi fa uscire"); one
		// inside it denies what follows ("i am not being abused").
		if a.toks[o.e].sent != sent || (it.neg && !o.neg) || (!it.neg && a.negatedBetween(prev, o.s)) {
			continue
		}
		if end, ok := a.extend(rest[1:], gap, o.e, sent); ok {
			return end, true
		}
	}
	return 0, false
}

// negatedBetween reports a negation word strictly between tokens i and j.
func (a *analysis) negatedBetween(i, j int) bool {
	for t := i + 1; t < j; t++ {
		if a.toks[t].role&roleNegation != 0 {
			return true
		}
	}
	return false
}
