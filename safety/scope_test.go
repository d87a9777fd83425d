package safety

import (
	"slices"
	"strings"
	"testing"
)

// Scopes reach, through the bounds and blocks read once per message, the tokens a
// walk from each marker reaches: in the dev set, in a mix of markers, and in a
// message of markers only.
func TestScopesReachAsAWalk(t *testing.T) {
	r := load(t)
	msgs := append(devMessages(t), strings.Repeat("se cade, l'anno scorso non si rialzava e ora di nuovo. ", 30),
		"mi minaccia e l'anno scorso mi picchiava, ora sta bene; corso di primo soccorso se non respira")
	for _, m := range msgs {
		a := r.analyse(m)
		if want := walkedFlags(a); !slices.Equal(a.flags, want) {
			t.Errorf("%q: flags %v, want %v", m, a.flags, want)
		}
		r.analyses.put(a)
	}
}

// walkedFlags flags the tokens each scope's markers reach, walking from each marker.
func walkedFlags(a *analysis) []uint32 {
	flags := make([]uint32, len(a.toks))
	plain, _ := a.matchedWords(a.r.unmarks)
	for i, sc := range a.r.scopes {
		ends, stops := a.starts(new([]bool), sc.ends), a.starts(new([]bool), sc.stops)
		for _, o := range a.occs[sc.part] {
			if o.neg || plain[o.s] {
				continue
			}
			from, to := walk(a.toks, sc.reach, o, ends, stops)
			for t := from; t <= to; t++ {
				flags[t] |= 1 << i
			}
		}
	}
	return flags
}

func walk(toks []token, k scopeKind, o occ, ends, stops []bool) (int, int) {
	same := func(t int, sentence bool) bool {
		if sentence {
			return toks[t].sent == toks[o.s].sent
		}
		return toks[t].clause == toks[o.s].clause
	}
	blocked := func(flags []bool, t int) bool { return flags != nil && flags[t] }
	from, to := o.s, o.e
	switch k {
	case scopeClause, scopeSentence:
		for from > 0 && same(from-1, k == scopeSentence) {
			from--
		}
		for to+1 < len(toks) && same(to+1, k == scopeSentence) {
			to++
		}
	case scopeForward:
		for to+1 < len(toks) && same(to+1, false) {
			to++
		}
	case scopePast:
		for from > 0 && same(from-1, false) && !blocked(ends, from-1) && !blocked(stops, from-1) {
			from--
		}
		for to+1 < len(toks) && same(to+1, true) && !blocked(ends, to+1) {
			to++
		}
	}
	return from, to
}
