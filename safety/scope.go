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
// unmark pattern: "se cayó" is Spanish, not the Italian "se" (if). Every marker's reach
// is found in constant time and added to a running count, so that a message of
// markers costs time in proportion to its length, not to its length squared.
func (a *analysis) markScopes() {
	a.flags = cleared(a.flags, len(a.toks))
	plain, _ := a.matchedWords(a.r.unmarks)
	a.readBounds()
	for i, sc := range a.r.scopes {
		if len(a.occs[sc.part]) == 0 {
			continue
		}
		if sc.reach == scopePast {
			a.readBlocks(sc)
		}
		a.cover = cleared(a.cover, len(a.toks)+1)
		for _, o := range a.occs[sc.part] {
			if o.neg || plain[o.s] {
				continue
			}
			from, to := a.reach(sc.reach, o)
			a.cover[from]++
			a.cover[to+1]--
		}
		bit, covered := uint32(1)<<i, int32(0)
		for t := range a.flags {
			if covered += a.cover[t]; covered > 0 {
				a.flags[t] |= bit
			}
		}
	}
}

// bounds are the first and last tokens of a token's clause and of its sentence.
type bounds struct {
	clauseFrom, clauseTo, sentFrom, sentTo int
}

// readBounds fills a.bounds: clauses and sentences are runs of tokens.
func (a *analysis) readBounds() {
	a.bounds = cleared(a.bounds, len(a.toks))
	for t, tok := range a.toks {
		b := &a.bounds[t]
		b.clauseFrom, b.sentFrom = t, t
		if t > 0 && tok.clause == a.toks[t-1].clause {
			b.clauseFrom = a.bounds[t-1].clauseFrom
		}
		if t > 0 && tok.sent == a.toks[t-1].sent {
			b.sentFrom = a.bounds[t-1].sentFrom
		}
	}
	for t := len(a.toks) - 1; t >= 0; t-- {
		b, tok := &a.bounds[t], a.toks[t]
		b.clauseTo, b.sentTo = t, t
		if t+1 < len(a.toks) && tok.clause == a.toks[t+1].clause {
			b.clauseTo = a.bounds[t+1].clauseTo
		}
		if t+1 < len(a.toks) && tok.sent == a.toks[t+1].sent {
			b.sentTo = a.bounds[t+1].sentTo
		}
	}
}

// readBlocks fills, for a past scope, a.lastBlock (by token, the last token at or
// before it where the scope's ending or stopping part starts, or -1) and a.nextEnd (by
// token, the first at or after it where its ending part starts, or the message's end).
func (a *analysis) readBlocks(sc scopeRule) {
	n := len(a.toks)
	ends, stops := a.starts(&a.ends, sc.ends), a.starts(&a.stops, sc.stops)
	a.lastBlock, a.nextEnd = cleared(a.lastBlock, n), cleared(a.nextEnd, n+1)
	last := -1
	for t := range n {
		if ends != nil && ends[t] || stops != nil && stops[t] {
			last = t
		}
		a.lastBlock[t] = last
	}
	next := n
	a.nextEnd[n] = n
	for t := n - 1; t >= 0; t-- {
		if ends != nil && ends[t] {
			next = t
		}
		a.nextEnd[t] = next
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

// reach returns the first and last token a marker at o reaches: its clause, the rest
// of its clause, or its sentence, and never less than its own words. A past marker
// reaches back to the start of its clause, unless stops or ends come first ("mi
// minaccia e l'anno scorso ..." leaves the threat in the present), and on to the end
// of its sentence, unless ends come first (a.readBlocks).
func (a *analysis) reach(k scopeKind, o occ) (int, int) {
	b := a.bounds[o.s]
	switch k {
	case scopeClause:
		return b.clauseFrom, max(o.e, b.clauseTo)
	case scopeSentence:
		return b.sentFrom, max(o.e, b.sentTo)
	case scopeForward:
		return o.s, max(o.e, b.clauseTo)
	case scopePast:
		from := b.clauseFrom
		if o.s > 0 {
			from = max(from, a.lastBlock[o.s-1]+1)
		}
		return from, max(o.e, min(b.sentTo, a.nextEnd[o.e+1]-1))
	}
	return o.s, o.e
}
