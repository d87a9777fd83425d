package safety

import "fmt"

// scopeKind is how far a marker's reach goes.
type scopeKind string

// The reaches a marker can have.
const (
	// scopeClause covers the marker's clause ("corso di primo soccorso").
	scopeClause scopeKind = "clause"
	// scopeForward covers the rest of the marker's clause ("se cade e non si alza").
	scopeForward scopeKind = "forward"
	// scopeSentence covers the marker's sentence ("..., ora sta bene").
	scopeSentence scopeKind = "sentence"
	// scopePast covers the marker's clause and the clauses after it, until a word
	// of the present ("l'anno scorso è caduta, non si alzava, ora ...").
	scopePast scopeKind = "past"
)

// scopeRule is a marker part and the kinds of danger it suppresses where it reaches.
type scopeRule struct {
	part  int
	reach scopeKind
	kinds uint32 // one bit per kind, by priority
	ends  int    // for scopePast: the part that ends it (-1 for none)
	stops int    // for scopePast: the part that stops it reaching back (-1 for none)
	lift  int    // a part that, later in the sentence, undoes it (-1 for none)
}

// scopeSpec is a scope as data/rules.yaml writes it.
type scopeSpec struct {
	Part     string   `yaml:"part"`
	Reach    string   `yaml:"reach"`
	Kinds    []string `yaml:"kinds"`
	EndsAt   string   `yaml:"ends_at"`
	LiftedBy string   `yaml:"lifted_by"`
	BackTo   string   `yaml:"back_to"`
}

func (r *Recogniser) parseScope(s scopeSpec) (scopeRule, error) {
	sc := scopeRule{part: r.lex.id(s.Part), reach: scopeKind(s.Reach), ends: -1, lift: -1, stops: -1}
	switch sc.reach {
	case scopeClause, scopeForward, scopeSentence, scopePast:
	default:
		return sc, fmt.Errorf("scope %s: unknown reach %q", s.Part, s.Reach)
	}
	for _, k := range s.Kinds {
		if k == "all" {
			sc.kinds = ^uint32(0)
			continue
		}
		i := r.kindIndex(Kind(k))
		if i < 0 {
			return sc, fmt.Errorf("scope %s: unknown kind %q", s.Part, k)
		}
		sc.kinds |= 1 << i
	}
	if s.EndsAt != "" {
		sc.ends = r.lex.id(s.EndsAt)
	}
	if s.BackTo != "" {
		sc.stops = r.lex.id(s.BackTo)
	}
	if s.LiftedBy != "" {
		sc.lift = r.lex.id(s.LiftedBy)
	}
	return sc, nil
}

// markScopes flags each token with the scopes that reach it. Negated markers do not
// count: "non è un corso" is no course; nor do markers that start in the words of an
// unmark pattern: "se cayó" is Spanish, not the Italian "se" (if).
func (a *analysis) markScopes() {
	a.flags = cleared(a.flags, len(a.toks))
	plain, _ := a.matchedWords(a.r.unmarks)
	for i, sc := range a.r.scopes {
		bit := uint32(1) << i
		ends, stops := a.starts(&a.ends, sc.ends), a.starts(&a.stops, sc.stops)
		for _, o := range a.occs[sc.part] {
			if o.neg || plain[o.s] {
				continue
			}
			from, to := a.reach(sc.reach, o, ends, stops)
			for t := from; t <= to; t++ {
				a.flags[t] |= bit
			}
		}
	}
}

// starts flags, in *buf, the tokens where a part starts, or returns nil for no part.
func (a *analysis) starts(buf *[]bool, part int) []bool {
	if part < 0 {
		return nil
	}
	*buf = cleared(*buf, len(a.toks))
	at := *buf
	for _, o := range a.occs[part] {
		at[o.s] = at[o.s] || !o.neg
	}
	return at
}

// reach returns the first and last token a marker at o reaches. A past marker reaches
// back to the start of its clause, unless stops or ends come first ("mi minaccia e
// l'anno scorso ..." leaves the threat in the present), and on to the end of its
// sentence, unless ends come first.
func (a *analysis) reach(k scopeKind, o occ, ends, stops []bool) (int, int) {
	same := func(t int, by func(token) int) bool { return by(a.toks[t]) == by(a.toks[o.s]) }
	clause := func(t token) int { return t.clause }
	sent := func(t token) int { return t.sent }
	from, to := o.s, o.e
	switch k {
	case scopeClause, scopeSentence:
		by := clause
		if k == scopeSentence {
			by = sent
		}
		for from > 0 && same(from-1, by) {
			from--
		}
		for to+1 < len(a.toks) && same(to+1, by) {
			to++
		}
	case scopeForward:
		for to+1 < len(a.toks) && same(to+1, clause) {
			to++
		}
	case scopePast:
		for from > 0 && same(from-1, clause) && (ends == nil || !ends[from-1]) && (stops == nil || !stops[from-1]) {
			from--
		}
		for to+1 < len(a.toks) && same(to+1, sent) && (ends == nil || !ends[to+1]) {
			to++
		}
	}
	return from, to
}
