package search

import (
	"context"
	"math"
	"slices"
	"unsafe"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/comune-milano/wemibot/catalogue"
)

// A category boost lifts the services of one category. As Bleve's term query on the
// category field it walks the category's postings, thousands of services long on a
// large catalogue, for every service the words match: the largest part of a query
// with many matches. Every service has one category, so the index can instead keep
// each category's document numbers and answer a boost by a binary search, scoring
// each match with Bleve's own term scorer and the frequency and norm its postings
// hold: the same weights, the same query norm, the same scores.
//
// Document numbers hold only in an index of one segment without deletions (as the
// order keys of query_order.go): the table remembers its segment, and a boost run on
// any other index state is the plain term query.

// categoryTable is the document numbers of each category's services in one segment.
type categoryTable struct {
	segment    any // the scorch segment the numbers belong to
	categories map[catalogue.CategoryID]categoryPostings
}

// categoryPostings is what a category's postings hold: its documents, ascending, and
// the one frequency and norm all of them have.
type categoryPostings struct {
	docs []uint32
	freq uint64
	norm float64
}

// loadCategoryTable reads the category postings of the only segment of snap, or
// returns nil when they do not fit a table (a service in several categories, or
// postings with term vectors).
func loadCategoryTable(snap *scorch.IndexSnapshot, seg *scorch.SegmentSnapshot) *categoryTable {
	t := &categoryTable{segment: seg.Segment(), categories: map[catalogue.CategoryID]categoryPostings{}}
	seen := make([]bool, seg.FullSize())
	for _, c := range catalogue.CategoryIDs() {
		p, ok := readCategoryPostings(snap, c, seen)
		if !ok {
			return nil
		}
		t.categories[c] = p
	}
	return t
}

// readCategoryPostings reads one category's postings; seen marks the documents read
// so far, so that a document of two categories is noticed.
func readCategoryPostings(snap *scorch.IndexSnapshot, c catalogue.CategoryID, seen []bool) (categoryPostings, bool) {
	r, err := snap.TermFieldReader(context.Background(), []byte(c), fieldCategory, true, true, false)
	if err != nil {
		return categoryPostings{}, false
	}
	defer r.Close()
	var p categoryPostings
	tfd := &index.TermFieldDoc{}
	for {
		d, err := r.Next(tfd.Reset())
		if err != nil {
			return categoryPostings{}, false
		}
		if d == nil {
			break
		}
		n := d.ID.Value()
		if n >= uint64(len(seen)) || seen[n] || len(d.Vectors) > 0 ||
			(len(p.docs) > 0 && (d.Freq != p.freq || d.Norm != p.norm)) {
			return categoryPostings{}, false
		}
		seen[n] = true
		p.docs = append(p.docs, uint32(n))
		p.freq, p.norm = d.Freq, d.Norm
	}
	ok := r.Count() == uint64(len(p.docs)) && slices.IsSorted(p.docs)
	return p, ok
}

// categoryQueries lifts each category by its boost, in the catalogue's order: from the
// category table when the index has one, as term queries otherwise.
func (x *Index) categoryQueries(categoryBoost map[catalogue.CategoryID]float64) []query.Query {
	table := x.categoryTable()
	var qs []query.Query
	for _, c := range catalogue.CategoryIDs() {
		b := categoryBoost[c]
		if b <= 0 {
			continue
		}
		q := &query.TermQuery{Term: string(c), FieldVal: fieldCategory}
		q.SetBoost(b)
		if table == nil {
			qs = append(qs, q)
			continue
		}
		qs = append(qs, &categoryQuery{term: q, table: table})
	}
	return qs
}

// categoryQuery is a term query on the category field answered from a category table
// whenever the index is still the segment the table was read from.
type categoryQuery struct {
	term  *query.TermQuery
	table *categoryTable
}

var _ query.Query = (*categoryQuery)(nil)

// Searcher returns a searcher of the table's documents, or the term query's own.
func (q *categoryQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	p, ok := q.table.categories[catalogue.CategoryID(q.term.Term)]
	if !ok || !q.table.answers(ctx, r, options, q.term.Term) {
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
	sc := scorer.NewTermQueryScorer([]byte(q.term.Term), fieldCategory, q.term.Boost(), total, uint64(len(p.docs)), 0, options)
	return &categorySearcher{postings: p, scorer: sc}, nil
}

// answers reports whether the table stands for the category postings of r in a search
// with options: r is its segment, without deletions, and the search wants the plain
// tf-idf scores of a term query (no explanation, no term vectors, no BM25, no
// synonyms).
func (t *categoryTable) answers(ctx context.Context, r index.IndexReader, options bsearch.SearcherOptions, term string) bool {
	if options.Explain || options.IncludeTermVectors || options.Score == "none" {
		return false
	}
	if f, ok := ctx.Value(bsearch.GetScoringModelCallbackKey).(bsearch.GetScoringModelCallbackFn); ok && f() == index.BM25Scoring {
		return false
	}
	if fts, ok := ctx.Value(bsearch.FieldTermSynonymMapKey).(bsearch.FieldTermSynonymMap); ok {
		if _, found := fts[fieldCategory][term]; found {
			return false
		}
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || len(snap.Segments()) != 1 {
		return false
	}
	seg := snap.Segments()[0]
	if d := seg.Deleted(); d != nil && !d.IsEmpty() {
		return false
	}
	return seg.Segment() == t.segment
}

// categorySearcher is Bleve's term searcher on the category field, its postings read
// from a category table.
type categorySearcher struct {
	postings categoryPostings
	next     int // the index in postings.docs of the next document to return
	scorer   *scorer.TermQueryScorer
	tfd      index.TermFieldDoc
}

var _ bsearch.Searcher = (*categorySearcher)(nil)

// Next returns the category's next document.
func (s *categorySearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if s.next >= len(s.postings.docs) {
		return nil, nil
	}
	n := s.postings.docs[s.next]
	s.next++
	s.tfd.ID = index.NewIndexInternalID(s.tfd.ID, uint64(n))
	s.tfd.Freq, s.tfd.Norm = s.postings.freq, s.postings.norm
	return s.scorer.Score(ctx, &s.tfd), nil
}

// Advance returns the category's first document at or after id, as a term searcher
// does (it starts again from the beginning for an id behind it).
func (s *categorySearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	docs := s.postings.docs
	v := id.Value()
	if v > math.MaxUint32 {
		s.next = len(docs)
		return nil, nil
	}
	target := uint32(v)
	if s.next > 0 && docs[s.next-1] >= target {
		s.next = 0
	}
	// Targets mostly come in order and close: gallop from the next document, then
	// search the last stride.
	lo, stride := s.next, 1
	for lo+stride < len(docs) && docs[lo+stride] < target {
		lo += stride
		stride *= 2
	}
	hi := min(lo+stride+1, len(docs))
	i, _ := slices.BinarySearch(docs[lo:hi], target)
	s.next = lo + i
	return s.Next(ctx)
}

// Close releases nothing: the table belongs to the index.
func (s *categorySearcher) Close() error { return nil }

// Weight is the term scorer's.
func (s *categorySearcher) Weight() float64 { return s.scorer.Weight() }

// SetQueryNorm sets the term scorer's query norm.
func (s *categorySearcher) SetQueryNorm(qnorm float64) { s.scorer.SetQueryNorm(qnorm) }

// Count is how many documents the category has, as its postings count them.
func (s *categorySearcher) Count() uint64 { return uint64(len(s.postings.docs)) }

// Min is 0, as a term searcher's.
func (s *categorySearcher) Min() int { return 0 }

// Size estimates the searcher's memory: the table is the index's.
func (s *categorySearcher) Size() int {
	return int(unsafe.Sizeof(*s)) + s.scorer.Size()
}

// DocumentMatchPoolSize is 1, as a term searcher's.
func (s *categorySearcher) DocumentMatchPoolSize() int { return 1 }
