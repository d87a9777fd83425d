package search

import (
	"context"
	"math"
	"sort"
	"unsafe"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// The boosts of a query lift the services its words select, and Bleve asks them for
// each of those services in turn. Its disjunction searcher, as soon as it returns a
// document, steps the boosts that match it to their next match, finds the next
// document any boost matches and compares the boosts' document ids byte by byte on
// the way, though the next service asked may lie far beyond. A lazyDisjunction
// scores the same sum of the same boosts, in the same order and with the same
// coordination factor, and steps its boosts only when asked for a later document,
// straight to it, comparing document numbers. (The words' own disjunction is asked
// for every document in turn: there it saved nothing measurable.)

// disjunction is the query that any of qs matches, scored as Bleve's disjunction query
// scores it.
func (x *Index) disjunction(qs []query.Query) query.Query {
	if x.cache.plainBoosts {
		return bleve.NewDisjunctionQuery(qs...)
	}
	return &lazyDisjunction{disjuncts: qs}
}

// lazyDisjunction is a disjunction of clauses searched by a lazyDisjunctionSearcher.
type lazyDisjunction struct {
	disjuncts []query.Query
}

var _ query.Query = (*lazyDisjunction)(nil)

// Searcher returns a lazyDisjunctionSearcher, or Bleve's disjunction searcher of the
// clauses when the search wants more than the scores (explanations, term vectors) or
// none, or when the clauses are so many that Bleve would sum them in another order.
func (q *lazyDisjunction) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	ss := make([]bsearch.Searcher, 0, len(q.disjuncts))
	for _, d := range q.disjuncts {
		s, err := d.Searcher(ctx, r, m, options)
		if err != nil {
			for _, s := range ss {
				_ = s.Close()
			}
			return nil, err
		}
		if s != nil {
			ss = append(ss, s)
		}
	}
	if len(ss) == 0 {
		return searcher.NewMatchNoneSearcher(r)
	}
	if options.Explain || options.IncludeTermVectors || options.Score == "none" || len(ss) > searcher.DisjunctionHeapTakeover {
		// As query.DisjunctionQuery does.
		nctx := context.WithValue(ctx, bsearch.IncludeScoreBreakdownKey, false)
		return searcher.NewDisjunctionSearcher(nctx, r, ss, 0, options)
	}
	return newLazyDisjunctionSearcher(ss), nil
}

// lazyDisjunctionSearcher is Bleve's disjunction searcher, stepping lazily: Bleve's
// steps the searchers that match a document past it as soon as it returns it; a
// lazyDisjunctionSearcher steps them when asked for a later document, straight to it.
type lazyDisjunctionSearcher struct {
	searchers []bsearch.Searcher // ordered as Bleve orders them: by count
	// tabled is, for each searcher that reads a postings table, the searcher itself:
	// it is stepped and scored without a match of its own (boost_postings.go).
	tabled  []*postingsSearcher
	currs   []*bsearch.DocumentMatch // each other searcher's current match
	at      []uint64                 // the document number of each current match, exhausted past the last
	started bool                     // the searchers have their first match
	// last is the document last returned; pending, that the searchers that matched it
	// have not stepped past it yet.
	last    uint64
	pending bool
	target  index.IndexInternalID // a buffer for the id to advance to
}

var _ bsearch.Searcher = (*lazyDisjunctionSearcher)(nil)

// exhausted is the document number of a searcher past its last match.
const exhausted = math.MaxUint64

func newLazyDisjunctionSearcher(ss []bsearch.Searcher) *lazyDisjunctionSearcher {
	// The order of Bleve's disjunction searcher: its sort of its searchers by count.
	sorted := make(searcher.OrderedSearcherList, len(ss))
	copy(sorted, ss)
	sort.Sort(sorted)
	s := &lazyDisjunctionSearcher{searchers: sorted, tabled: make([]*postingsSearcher, len(ss)),
		currs: make([]*bsearch.DocumentMatch, len(ss)), at: make([]uint64, len(ss))}
	for i, c := range sorted {
		s.tabled[i], _ = c.(*postingsSearcher)
	}
	// As Bleve's disjunction searcher computes its query norm, before its caller sets
	// its own.
	var sumOfSquaredWeights float64
	for _, c := range s.searchers {
		sumOfSquaredWeights += c.Weight()
	}
	s.SetQueryNorm(1.0 / math.Sqrt(sumOfSquaredWeights))
	return s
}

// Next returns the first document after the last one returned that a boost matches.
func (s *lazyDisjunctionSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	if err := s.settle(ctx); err != nil {
		return nil, err
	}
	return s.first(ctx), nil
}

// Advance returns the first document at or after id that a boost matches, stepping
// the searchers behind id (and those past their last match, as Bleve does) to it.
func (s *lazyDisjunctionSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	n := id.Value()
	if s.pending && n <= s.last {
		if err := s.settle(ctx); err != nil {
			return nil, err
		}
	}
	// The searchers that matched the last document step straight to n, past it.
	s.pending = false
	for i, c := range s.searchers {
		if s.at[i] != exhausted && s.at[i] >= n {
			continue
		}
		if t := s.tabled[i]; t != nil {
			s.at[i] = t.seek(n)
			continue
		}
		ctx.DocumentMatchPool.Put(s.currs[i])
		s.target = index.NewIndexInternalID(s.target, n)
		d, err := c.Advance(ctx, s.target)
		if err != nil {
			return nil, err
		}
		s.setCurr(i, d)
	}
	return s.first(ctx), nil
}

// settle steps the searchers that matched the last document returned past it.
func (s *lazyDisjunctionSearcher) settle(ctx *bsearch.SearchContext) error {
	if !s.pending {
		return nil
	}
	s.pending = false
	for i, c := range s.searchers {
		if s.at[i] != s.last {
			continue
		}
		if t := s.tabled[i]; t != nil {
			s.at[i] = t.step()
			continue
		}
		ctx.DocumentMatchPool.Put(s.currs[i])
		d, err := c.Next(ctx)
		if err != nil {
			return err
		}
		s.setCurr(i, d)
	}
	return nil
}

// first scores the first document of the searchers' current matches: the sum of
// the matching searchers' scores in their order, times the share of the searchers
// that match, as Bleve's disjunction scorer computes it.
func (s *lazyDisjunctionSearcher) first(ctx *bsearch.SearchContext) *bsearch.DocumentMatch {
	first := uint64(exhausted)
	for _, n := range s.at {
		first = min(first, n)
	}
	if first == exhausted {
		return nil
	}
	var sum float64
	matched := 0
	for i, d := range s.currs {
		if s.at[i] != first {
			continue
		}
		if t := s.tabled[i]; t != nil {
			sum += t.score(ctx)
		} else {
			sum += d.Score
		}
		matched++
	}
	coord := float64(matched) / float64(len(s.searchers))
	rv := ctx.DocumentMatchPool.Get()
	rv.IndexInternalID = index.NewIndexInternalID(rv.IndexInternalID, first)
	rv.Score = sum * coord
	s.last, s.pending = first, true
	return rv
}

// start gives every searcher its first match, as Bleve's disjunction searcher does
// before anything else.
func (s *lazyDisjunctionSearcher) start(ctx *bsearch.SearchContext) error {
	if s.started {
		return nil
	}
	for i, c := range s.searchers {
		if t := s.tabled[i]; t != nil {
			s.at[i] = t.step()
			continue
		}
		d, err := c.Next(ctx)
		if err != nil {
			return err
		}
		s.setCurr(i, d)
	}
	s.started = true
	return nil
}

func (s *lazyDisjunctionSearcher) setCurr(i int, d *bsearch.DocumentMatch) {
	s.currs[i], s.at[i] = d, exhausted
	if d != nil {
		s.at[i] = d.IndexInternalID.Value()
	}
}

// Close closes every searcher.
func (s *lazyDisjunctionSearcher) Close() error {
	var first error
	for _, c := range s.searchers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Weight is the sum of the searchers' weights, in their order.
func (s *lazyDisjunctionSearcher) Weight() float64 {
	var w float64
	for _, c := range s.searchers {
		w += c.Weight()
	}
	return w
}

// SetQueryNorm sets every searcher's query norm.
func (s *lazyDisjunctionSearcher) SetQueryNorm(qnorm float64) {
	for _, c := range s.searchers {
		c.SetQueryNorm(qnorm)
	}
}

// Count is the sum of the searchers' counts, as Bleve's worst case.
func (s *lazyDisjunctionSearcher) Count() uint64 {
	var n uint64
	for _, c := range s.searchers {
		n += c.Count()
	}
	return n
}

// Min is 0: a boost need not match.
func (s *lazyDisjunctionSearcher) Min() int { return 0 }

// Size estimates the searcher's memory.
func (s *lazyDisjunctionSearcher) Size() int {
	n := int(unsafe.Sizeof(*s)) + len(s.at)*8
	for _, c := range s.searchers {
		n += c.Size()
	}
	for _, d := range s.currs {
		if d != nil {
			n += d.Size()
		}
	}
	return n
}

// DocumentMatchPoolSize is the searchers' current matches and the one returned, and
// what the searchers need themselves (a tabled one, to score a pair).
func (s *lazyDisjunctionSearcher) DocumentMatchPoolSize() int {
	n := len(s.currs) + 1
	for _, c := range s.searchers {
		n += c.DocumentMatchPoolSize()
	}
	return n
}
