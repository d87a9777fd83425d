package safety

import "sync"

// The analysis of a message needs a list of occurrences for every part of the
// lexicon (some 1,500) and a few buffers as long as the message. Assess runs on every
// message, so analyses are recycled rather than allocated each time: a recycled
// analysis keeps its buffers' capacity and is cleared before it is used again.

// maxPooledTokens is the longest message, in tokens, whose analysis is recycled: a
// message of words at the length limit (maxRunes) has fewer, and its analysis, a few
// megabytes, is kept until the collector empties the pool; the analysis of a
// message of more tokens, one Chinese character after another, is left to the
// collector at once.
const maxPooledTokens = 1 << 14

// analyses recycles the analyses of one recogniser.
type analyses struct {
	pool sync.Pool
}

// get returns a cleared analysis for r.
func (p *analyses) get(r *Recogniser) *analysis {
	if a, ok := p.pool.Get().(*analysis); ok {
		return a
	}
	parts := len(r.lex.names)
	return &analysis{r: r, occs: make([][]occ, parts), present: make([]uint64, (parts+63)/64)}
}

// put clears a and keeps it for another message, unless it grew too large.
func (p *analyses) put(a *analysis) {
	if !a.recyclable() {
		return
	}
	a.reset()
	p.pool.Put(a)
}

// recyclable reports whether a is small enough to keep for another message.
func (a *analysis) recyclable() bool { return cap(a.toks) <= maxPooledTokens }

// reset empties the occurrence lists the last message filled and forgets its
// tokens, keeping every buffer's capacity.
func (a *analysis) reset() {
	for _, part := range a.touched {
		a.occs[part] = a.occs[part][:0]
	}
	a.touched = a.touched[:0]
	clear(a.present)
	clear(a.toks)
	a.toks = a.toks[:0]
	a.flags = a.flags[:0]
	a.text.reset()
}

// occsToGrow returns a part's occurrences for appending to, and notes the part.
func (a *analysis) occsToGrow(part int) []occ {
	list := a.occs[part]
	if len(list) == 0 {
		a.note(part)
	}
	return list
}

// note records that a part occurs: in a.present, and in a.touched, so that reset
// empties its occurrences.
func (a *analysis) note(part int) {
	a.touched = append(a.touched, part)
	a.present[part/64] |= 1 << (part % 64)
}

// cleared returns buf resized to n elements, all zero.
func cleared[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}
