package search

import (
	"context"
	"math"
	"slices"
	"sync"
	"unsafe"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
)

// A term that thousands of services hold on a large catalogue (a category, a common
// word of the descriptions such as "anziani") is asked, as a boost, for every service
// the words select: zap decodes its postings chunk by chunk as it is stepped, and
// Bleve's term scorer scores each match anew. A postingsTable reads such a term's
// postings once per index instead: its documents' numbers and the few (frequency,
// norm) pairs they have. A postingsSearcher finds a document in them by galloping and
// scores it with Bleve's own term scorer, once per pair: the same weights, the same
// query norm, the same scores.
//
// Document numbers hold only in an index of one segment without deletions (as the
// order keys of query_order.go): the table remembers its segment, and a term query
// run on any other index state is Bleve's own.

// maxTableDocs bounds the documents all the terms of a table hold together: about
// 6 bytes each, some 24 MB at most, whatever the queries.
const maxTableDocs = 4 << 20

// postingsTable is the decoded postings of terms of one segment, read as queries
// first ask for them.
type postingsTable struct {
	segment any // the scorch segment the document numbers belong to
	mu      sync.Mutex
	terms   map[string]*tabledTerm // by field and term (tableKey)
	docs    int                    // documents read or being read, at most maxTableDocs
}

// tabledTerm is one term's postings, read once; nil postings: not in the table (too
// many documents for what is left, or postings with term vectors).
type tabledTerm struct {
	once     sync.Once
	postings *termPostings
}

func newPostingsTable(seg *scorch.SegmentSnapshot) *postingsTable {
	return &postingsTable{segment: seg.Segment(), terms: map[string]*tabledTerm{}}
}

func tableKey(field, term string) string { return field + "\x00" + term }

// postings returns the decoded postings of a term of snap, reading them the first
// time; nil when the table does not hold them. snap must be the table's segment
// (answers).
func (t *postingsTable) postings(snap *scorch.IndexSnapshot, field, term string) *termPostings {
	k := tableKey(field, term)
	t.mu.Lock()
	e := t.terms[k]
	if e == nil {
		e = &tabledTerm{}
		t.terms[k] = e
	}
	t.mu.Unlock()
	e.once.Do(func() { e.postings = t.read(snap, field, term) })
	return e.postings
}

// read decodes a term's postings if they fit what the table may still hold.
func (t *postingsTable) read(snap *scorch.IndexSnapshot, field, term string) *termPostings {
	r, err := snap.TermFieldReader(context.Background(), []byte(term), field, true, true, false)
	if err != nil {
		return nil
	}
	defer r.Close()
	n := int(r.Count())
	t.mu.Lock()
	fits := t.docs+n <= maxTableDocs
	if fits {
		t.docs += n
	}
	t.mu.Unlock()
	if !fits {
		return nil
	}
	p, ok := decodePostings(r, n)
	if !ok {
		t.mu.Lock()
		t.docs -= n
		t.mu.Unlock()
		return nil
	}
	return p
}

// freqNorm is what a posting holds for Bleve's term scorer.
type freqNorm struct {
	freq uint64
	norm float64
}

// termPostings is a term's postings: its documents, ascending, and for each the
// index of its frequency and norm among the term's distinct pairs.
type termPostings struct {
	docs  []uint32
	pair  []uint16 // by position in docs; nil when every document has pairs[0]
	pairs []freqNorm
}

// decodePostings reads the n postings of r; false if they are not n, not in order,
// carry term vectors or have more distinct pairs than a uint16 tells apart.
func decodePostings(r index.TermFieldReader, n int) (*termPostings, bool) {
	p := &termPostings{docs: make([]uint32, 0, n)}
	var pair []uint16
	seen := map[freqNorm]uint16{}
	tfd := &index.TermFieldDoc{}
	for {
		d, err := r.Next(tfd.Reset())
		if err != nil {
			return nil, false
		}
		if d == nil {
			break
		}
		v := d.ID.Value()
		if v > math.MaxUint32 || len(d.Vectors) > 0 || len(p.docs) == n {
			return nil, false
		}
		fn := freqNorm{d.Freq, d.Norm}
		i, ok := seen[fn]
		if !ok {
			if len(p.pairs) > math.MaxUint16 {
				return nil, false
			}
			i = uint16(len(p.pairs))
			seen[fn] = i
			p.pairs = append(p.pairs, fn)
		}
		p.docs = append(p.docs, uint32(v))
		pair = append(pair, i)
	}
	if len(p.docs) != n || !slices.IsSorted(p.docs) {
		return nil, false
	}
	if len(p.pairs) > 1 {
		p.pair = pair
	}
	return p, true
}

// answers reports whether the table stands for the postings of field's term in r in
// a search with options, and returns r's snapshot: r is the table's segment, without
// deletions, and the search wants the plain tf-idf scores of a term query (no
// explanation, no term vectors, no BM25, no synonyms).
func (t *postingsTable) answers(ctx context.Context, r index.IndexReader, options bsearch.SearcherOptions, field, term string) (*scorch.IndexSnapshot, bool) {
	if t == nil || options.Explain || options.IncludeTermVectors || options.Score == "none" {
		return nil, false
	}
	if f, ok := ctx.Value(bsearch.GetScoringModelCallbackKey).(bsearch.GetScoringModelCallbackFn); ok && f() == index.BM25Scoring {
		return nil, false
	}
	if fts, ok := ctx.Value(bsearch.FieldTermSynonymMapKey).(bsearch.FieldTermSynonymMap); ok {
		if _, found := fts[field][term]; found {
			return nil, false
		}
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || len(snap.Segments()) != 1 {
		return nil, false
	}
	seg := snap.Segments()[0]
	if d := seg.Deleted(); d != nil && !d.IsEmpty() {
		return nil, false
	}
	return snap, seg.Segment() == t.segment
}

// tableTermQuery is a term query answered from a postings table whenever the index is
// still the segment the table was read from and the table holds the term.
type tableTermQuery struct {
	term  *query.TermQuery
	table *postingsTable
}

var _ query.Query = (*tableTermQuery)(nil)

// tabled is q as a term query of the table, or q itself without a table.
func tabled(q *query.TermQuery, table *postingsTable) query.Query {
	if table == nil {
		return q
	}
	return &tableTermQuery{term: q, table: table}
}

// Searcher returns a searcher of the table's postings, or the term query's own.
func (q *tableTermQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	field := q.term.Field()
	snap, ok := q.table.answers(ctx, r, options, field, q.term.Term)
	var p *termPostings
	if ok {
		p = q.table.postings(snap, field, q.term.Term)
	}
	if p == nil {
		return q.term.Searcher(ctx, r, m, options)
	}
	// What Bleve's term searcher does before it scores: count the term against the
	// request's limit and read the total for the idf (tf-idf: no average length).
	if err := bsearch.RecordTermSearcher(ctx); err != nil {
		return nil, err
	}
	total, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	sc := scorer.NewTermQueryScorer([]byte(q.term.Term), field, q.term.Boost(), total, uint64(len(p.docs)), 0, options)
	return &postingsSearcher{postings: p, cur: -1, scorer: sc, scored: make([]bool, len(p.pairs)), scores: make([]float64, len(p.pairs))}, nil
}

// postingsSearcher is Bleve's term searcher, its postings read from a table.
type postingsSearcher struct {
	postings *termPostings
	next     int // the index in postings.docs of the next document to return
	// cur is the index in postings.docs of the document last returned, -1 before the
	// first and after a search from the beginning found none.
	cur    int
	scorer *scorer.TermQueryScorer
	// scores holds the score of each pair of the postings once scored.
	scored []bool
	scores []float64
	tfd    index.TermFieldDoc
}

var _ bsearch.Searcher = (*postingsSearcher)(nil)

// step moves to the next document and returns its number, exhausted past the last.
func (s *postingsSearcher) step() uint64 {
	if s.next >= len(s.postings.docs) {
		return exhausted
	}
	s.cur = s.next
	s.next++
	return uint64(s.postings.docs[s.cur])
}

// seek moves to the first document at or after target and returns its number, as a
// term searcher's Advance does: it starts again from the beginning for a target at or
// behind the last document returned, and otherwise never comes back from its end.
func (s *postingsSearcher) seek(target uint64) uint64 {
	docs := s.postings.docs
	if target > math.MaxUint32 {
		s.next = len(docs)
		return exhausted
	}
	t := uint32(target)
	switch {
	case s.cur >= 0 && docs[s.cur] >= t:
		s.next, s.cur = 0, -1
	case s.next >= len(docs):
		return exhausted
	}
	// Targets mostly come in order and close: gallop from the next document, then
	// search the last stride.
	lo, stride := s.next, 1
	for lo+stride < len(docs) && docs[lo+stride] < t {
		lo += stride
		stride *= 2
	}
	hi := min(lo+stride+1, len(docs))
	i, _ := slices.BinarySearch(docs[lo:hi], t)
	s.next = lo + i
	return s.step()
}

// score is the score of the document last returned, Bleve's term scorer's for its
// frequency and norm.
func (s *postingsSearcher) score(ctx *bsearch.SearchContext) float64 {
	i := 0
	if s.postings.pair != nil {
		i = int(s.postings.pair[s.cur])
	}
	if !s.scored[i] {
		s.tfd.ID = index.NewIndexInternalID(s.tfd.ID, uint64(s.postings.docs[s.cur]))
		s.tfd.Freq, s.tfd.Norm = s.postings.pairs[i].freq, s.postings.pairs[i].norm
		d := s.scorer.Score(ctx, &s.tfd)
		s.scores[i], s.scored[i] = d.Score, true
		ctx.DocumentMatchPool.Put(d)
	}
	return s.scores[i]
}

// match is the document last returned, scored, as the term scorer returns it.
func (s *postingsSearcher) match(ctx *bsearch.SearchContext) *bsearch.DocumentMatch {
	score := s.score(ctx)
	rv := ctx.DocumentMatchPool.Get()
	rv.IndexInternalID = index.NewIndexInternalID(rv.IndexInternalID, uint64(s.postings.docs[s.cur]))
	rv.Score = score
	return rv
}

// Next returns the term's next document.
func (s *postingsSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if s.step() == exhausted {
		return nil, nil
	}
	return s.match(ctx), nil
}

// Advance returns the term's first document at or after id.
func (s *postingsSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	if s.seek(id.Value()) == exhausted {
		return nil, nil
	}
	return s.match(ctx), nil
}

// Close releases nothing: the table belongs to the index.
func (s *postingsSearcher) Close() error { return nil }

// Weight is the term scorer's.
func (s *postingsSearcher) Weight() float64 { return s.scorer.Weight() }

// SetQueryNorm sets the term scorer's query norm, which changes every score.
func (s *postingsSearcher) SetQueryNorm(qnorm float64) {
	s.scorer.SetQueryNorm(qnorm)
	clear(s.scored)
}

// Count is how many documents hold the term, as its postings count them.
func (s *postingsSearcher) Count() uint64 { return uint64(len(s.postings.docs)) }

// Min is 0, as a term searcher's.
func (s *postingsSearcher) Min() int { return 0 }

// Size estimates the searcher's memory: the table is the index's.
func (s *postingsSearcher) Size() int {
	return int(unsafe.Sizeof(*s)) + s.scorer.Size() + len(s.scores)*9
}

// DocumentMatchPoolSize is 1, as a term searcher's.
func (s *postingsSearcher) DocumentMatchPoolSize() int { return 1 }
