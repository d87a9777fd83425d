package safety

import (
	"math"
	"sort"
)

// analysis is what the recogniser knows of one message: its tokens, where each part
// occurs, and which scopes (past, hypothetical, learning...) cover each token.
type analysis struct {
	r     *Recogniser
	toks  []token
	occs  [][]occ  // by part id, sorted by start
	flags []uint32 // by token: the scopes that cover it, one bit each
	steps int      // work left for matching rules: bounds the time on hostile input
}

// maxSteps bounds the combinations tried per message.
const maxSteps = 200000

func (r *Recogniser) analyse(text string) *analysis {
	a := &analysis{r: r, toks: r.tokens(text), steps: maxSteps}
	a.occs = make([][]occ, len(r.lex.names))
	neg := a.negations()
	a.findForms(neg)
	a.applyMasks()
	for _, d := range r.derived {
		var list []occ
		for _, p := range d.patterns {
			list = append(list, a.groupOccs(p.groups[0], p.gap, true)...)
		}
		a.occs[d.part] = sortOccs(append(a.occs[d.part], list...))
	}
	a.markScopes()
	return a
}

// negations reports, for each token, whether a negation comes before it with only
// fillers (pronouns, auxiliaries, "più", "ever"...) between, in the same clause. One
// pass: a negation opens a reach that fillers carry on and any other word closes; a
// negation that follows its verb (French "pas", "plus") denies the word before it.
func (a *analysis) negations() []bool {
	lex := a.r.lex
	neg := make([]bool, len(a.toks))
	reach := false
	for p, t := range a.toks {
		if p > 0 && t.clause != a.toks[p-1].clause {
			reach = false
		}
		neg[p] = reach
		switch {
		case lex.negation[t.text]:
			reach = true
		case lex.negationAfter[t.text]:
			// "il répond pas": the word before is denied. After a filler ("il a pas
			// répondu", "elle arrive pas à se lever") what follows is, as after "ne".
			if p > 0 && a.toks[p-1].clause == t.clause && !lex.fillers[a.toks[p-1].text] &&
				!lex.negation[a.toks[p-1].text] && !lex.negationAfter[a.toks[p-1].text] {
				neg[p-1] = true
				reach = false
			} else {
				reach = true
			}
		case !lex.fillers[t.text]:
			reach = false
		}
	}
	return neg
}

// findForms records every occurrence of the lexicon's forms.
func (a *analysis) findForms(neg []bool) {
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
			a.occs[f.part] = append(a.occs[f.part], occ{s: p, e: end, neg: neg[p]})
		})
	}
	for i := range a.occs {
		a.occs[i] = sortOccs(a.occs[i])
	}
}

// applyMasks sets aside the words of idioms and harmless phrases ("muoio dal
// ridere", "dopo l'ictus"): no part occurs in them.
func (a *analysis) applyMasks() {
	masked := make([]bool, len(a.toks))
	some := false
	for _, m := range a.r.masks {
		for _, o := range a.groupOccs(m.groups[0], m.gap, true) {
			for p := o.s; p <= o.e; p++ {
				masked[p] = true
				some = true
			}
		}
	}
	if !some {
		return
	}
	for i, list := range a.occs {
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

// sortOccs sorts occurrences by start and drops duplicates.
func sortOccs(list []occ) []occ {
	sort.Slice(list, func(i, j int) bool {
		if list[i].s != list[j].s {
			return list[i].s < list[j].s
		}
		return list[i].e < list[j].e
	})
	out := list[:0]
	for i, o := range list {
		if i == 0 || o != list[i-1] {
			out = append(out, o)
		}
	}
	return out
}

// find reports whether a pattern matches somewhere its kind is not suppressed.
func (a *analysis) find(p pattern, kind int) bool {
	lists := make([][]occ, len(p.groups))
	for i, g := range p.groups {
		if lists[i] = a.groupOccs(g, p.gap, false); len(lists[i]) == 0 {
			return false
		}
	}
	chosen := make([]occ, len(p.groups))
	var try func(i, lo, hi int) bool
	try = func(i, lo, hi int) bool {
		if i == len(lists) {
			return a.valid(p, kind, chosen, lo, hi)
		}
		from, to := 0, math.MaxInt
		if i > 0 {
			from, to = hi-p.window, lo+p.window
		}
		for _, o := range between(lists[i], from, to) {
			if a.steps--; a.steps < 0 {
				return false
			}
			nlo, nhi := min(lo, o.s), max(hi, o.e)
			if nhi-nlo > p.window || a.toks[nhi].sent-a.toks[nlo].sent > 1 || overlaps(o, chosen[:i]) {
				continue
			}
			chosen[i] = o
			if try(i+1, nlo, nhi) {
				return true
			}
		}
		return false
	}
	return try(0, math.MaxInt, -1)
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
func (a *analysis) valid(p pattern, kind int, chosen []occ, lo, hi int) bool {
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
