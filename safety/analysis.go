package safety

import (
	"cmp"
	"math"
	"slices"
)

// analysis is what the recogniser knows of one message: its tokens, where each part
// occurs, and which scopes (past, hypothetical, learning...) cover each token. The
// fields after steps are buffers kept from message to message (scratch.go).
type analysis struct {
	r     *Recogniser
	toks  []token
	occs  [][]occ  // by part id, sorted by start
	flags []uint32 // by token: the scopes that cover it, one bit each
	steps int      // work left for matching rules: bounds the time on hostile input

	touched     []int    // the parts occs holds occurrences of
	present     []uint64 // the same parts, one bit each
	neg         []bool   // by token: a negation reaches it
	marked      []bool   // by token: set aside by a mask, or a plain word
	ends, stops []bool   // by token: where a scope's ending or stopping part starts
	bounds      []bounds
	lastBlock   []int   // by token: see readBlocks
	nextEnd     []int   // by token, and one past the last: see readBlocks
	cover       []int32 // by token: how many more markers reach it than the one before
	found       []occ   // the occurrences of one group
	lists       [][]occ // find: the occurrences of each group of a pattern
	chosen      []occ   // find: the occurrence chosen for each group
	text        textBuffers
}

// maxSteps bounds the combinations tried per message.
const maxSteps = 200000

// analyse reads a message. The analysis is recycled: the caller hands it back with
// r.analyses.put once it has read it, and keeps nothing of it.
func (r *Recogniser) analyse(text string) *analysis {
	a := r.analyses.get(r)
	a.steps = maxSteps
	a.toks = r.appendTokens(a.toks[:0], &a.text, text)
	a.negations()
	a.findForms()
	a.applyMasks()
	for i := range r.derived {
		a.derive(&r.derived[i])
	}
	a.markScopes()
	return a
}

// derive records the occurrences of a derived part. Most of its patterns start with
// a part that does not occur: they are passed over on a bit of a.present.
func (a *analysis) derive(d *derivedPart) {
	list := a.occs[d.part]
	had := len(list)
	for i, first := range d.firsts {
		if a.present[first/64]&(1<<(first%64)) != 0 {
			p := &d.patterns[i]
			list = a.groupOccs(list, p.groups[0], p.gap, true)
		}
	}
	if len(list) == had {
		return
	}
	if had == 0 {
		a.note(d.part)
	}
	a.occs[d.part] = sortOccs(list)
}

// negations reports, for each token, whether a negation comes before it with only
// fillers (pronouns, auxiliaries, "più", "ever"...) between, in the same clause. One
// pass: a negation opens a reach that fillers carry on and any other word closes; a
// negation that follows its verb (French "pas", "plus") denies the word before it.
func (a *analysis) negations() {
	a.neg = cleared(a.neg, len(a.toks))
	neg := a.neg
	reach := false
	for p, t := range a.toks {
		if p > 0 && t.clause != a.toks[p-1].clause {
			reach = false
		}
		neg[p] = reach
		switch {
		case t.role&roleNegation != 0:
			reach = true
		case t.role&roleNegationAfter != 0:
			// "il répond pas": the word before is denied. After a filler ("il a pas
			// répondu", "elle arrive pas à se lever") what follows is, as after "ne".
			if p > 0 && a.toks[p-1].clause == t.clause && a.toks[p-1].role&(roleFiller|roleNegation|roleNegationAfter) == 0 {
				neg[p-1] = true
				reach = false
			} else {
				reach = true
			}
		case t.role&roleFiller == 0:
			reach = false
		}
	}
}

// findForms records every occurrence of the lexicon's forms.
func (a *analysis) findForms() {
	for p, t := range a.toks {
		a.r.lex.formsAt(t.text, func(f form) {
			end := p + len(f.seq) - 1
			if end >= len(a.toks) {
				return
			}
			for k := 1; k < len(f.seq); k++ {
				if !f.seq[k].match(a.toks[p+k].text) {
					return
				}
			}
			a.occs[f.part] = append(a.occsToGrow(f.part), occ{s: p, e: end, neg: a.neg[p]})
		})
	}
	for _, part := range a.touched {
		a.occs[part] = sortOccs(a.occs[part])
	}
}

// applyMasks sets aside the words of idioms and harmless phrases ("muoio dal
// ridere", "dopo l'ictus"): no part occurs in them.
func (a *analysis) applyMasks() {
	masked, some := a.matchedWords(a.r.masks)
	if !some {
		return
	}
	for _, i := range a.touched {
		list := a.occs[i]
		kept := list[:0]
		for _, o := range list {
			clear := true
			for p := o.s; p <= o.e; p++ {
				clear = clear && !masked[p]
			}
			if clear {
				kept = append(kept, o)
			}
		}
		a.occs[i] = kept
	}
}

// matchedWords flags, in a.marked, the tokens of the patterns' matches, and reports
// whether there are any. Only the patterns whose first part occurs can match.
func (a *analysis) matchedWords(set patternSet) ([]bool, bool) {
	a.marked = cleared(a.marked, len(a.toks))
	some := false
	for _, part := range a.touched {
		for _, i := range set.byFirst[part] {
			m := &set.list[i]
			a.found = a.groupOccs(a.found[:0], m.groups[0], m.gap, true)
			for _, o := range a.found {
				for p := o.s; p <= o.e; p++ {
					a.marked[p] = true
					some = true
				}
			}
		}
	}
	return a.marked, some
}

// sortOccs sorts occurrences by start, then end, then negation, and drops
// duplicates.
func sortOccs(list []occ) []occ {
	slices.SortFunc(list, func(x, y occ) int {
		if c := cmp.Compare(x.s, y.s); c != 0 {
			return c
		}
		if c := cmp.Compare(x.e, y.e); c != 0 {
			return c
		}
		return cmp.Compare(b2i(x.neg), b2i(y.neg))
	})
	out := list[:0]
	for i, o := range list {
		if i == 0 || o != list[i-1] {
			out = append(out, o)
		}
	}
	return out
}

// b2i orders false before true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// find reports whether a pattern matches somewhere its kind is not suppressed.
func (a *analysis) find(p *pattern, kind int) bool {
	for len(a.lists) < len(p.groups) {
		a.lists = append(a.lists, nil)
	}
	lists := a.lists[:len(p.groups)]
	for i, g := range p.groups {
		if lists[i] = a.groupOccs(lists[i][:0], g, p.gap, false); len(lists[i]) == 0 {
			return false
		}
	}
	a.chosen = cleared(a.chosen, len(p.groups))
	return a.try(&attempt{p: p, kind: kind, lists: lists, chosen: a.chosen}, 0, math.MaxInt, -1)
}

// attempt is the search for a match of one pattern: the occurrences of each of its
// groups, and the one chosen so far for each.
type attempt struct {
	p      *pattern
	kind   int
	lists  [][]occ
	chosen []occ
}

// try chooses an occurrence of group i, and of the groups after it, that makes a
// match within the window, with the groups before i spanning tokens lo to hi.
func (a *analysis) try(m *attempt, i, lo, hi int) bool {
	if i == len(m.lists) {
		return a.valid(m.p, m.kind, m.chosen, lo, hi)
	}
	from, to := 0, math.MaxInt
	if i > 0 {
		from, to = hi-m.p.window, lo+m.p.window
	}
	for _, o := range between(m.lists[i], from, to) {
		if a.steps--; a.steps < 0 {
			return false
		}
		nlo, nhi := min(lo, o.s), max(hi, o.e)
		if nhi-nlo > m.p.window || a.toks[nhi].sent-a.toks[nlo].sent > 1 || overlaps(o, m.chosen[:i]) {
			continue
		}
		m.chosen[i] = o
		if a.try(m, i+1, nlo, nhi) {
			return true
		}
	}
	return false
}

func overlaps(o occ, list []occ) bool {
	for _, c := range list {
		if o.s <= c.e && c.s <= o.e {
			return true
		}
	}
	return false
}

// valid reports whether a match stands: no scope of its kind covers its words, and
// no "unless" part is in the clauses it spans.
func (a *analysis) valid(p *pattern, kind int, chosen []occ, lo, hi int) bool {
	for _, o := range chosen {
		for t := o.s; t <= o.e; t++ {
			if a.suppressed(kind, t, hi) {
				return false
			}
		}
	}
	c1, c2 := a.toks[lo].clause, a.toks[hi].clause
	for _, u := range p.unless {
		for _, o := range a.occs[u] {
			if !o.neg && a.toks[o.s].clause >= c1 && a.toks[o.s].clause <= c2 {
				return false
			}
		}
	}
	return true
}

// suppressed reports whether a scope for kind covers token t of a match ending at hi.
func (a *analysis) suppressed(kind, t, hi int) bool {
	f := a.flags[t]
	if f == 0 {
		return false
	}
	for i, sc := range a.r.scopes {
		if f&(1<<i) == 0 || sc.kinds&(1<<kind) == 0 {
			continue
		}
		if sc.lift >= 0 && a.occursAfter(sc.lift, hi) {
			continue // "l'anno scorso ... e ora di nuovo"
		}
		return true
	}
	return false
}

// occursAfter reports whether part occurs, not negated, after token t in its sentence.
func (a *analysis) occursAfter(part, t int) bool {
	for _, o := range between(a.occs[part], t+1, math.MaxInt) {
		if a.toks[o.s].sent != a.toks[t].sent {
			return false
		}
		if !o.neg {
			return true
		}
	}
	return false
}
