package search

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/comune-milano/wemibot/catalogue"
)

// boostRequests are the dev sets' phrasings in their languages, in turn in each shape
// of a search: a first page with facets, filtered by the phrasing's category, by free
// services and a municipio, by target group, by delivery, a later page, near a point.
func boostRequests(t *testing.T) []catalogue.SearchRequest {
	t.Helper()
	files, err := filepath.Glob("testdata/*.tsv")
	if err != nil {
		t.Fatal(err)
	}
	milan := catalogue.Point{Lat: 45.4642, Lon: 9.19}
	var reqs []catalogue.SearchRequest
	for _, file := range files {
		for i, c := range readDevSet(t, file) {
			req := catalogue.SearchRequest{Query: c.query, Lang: c.lang, Limit: 10}
			switch i % 7 {
			case 0:
				req.Limit, req.Facets = 20, true
			case 1:
				req.Category = c.want
			case 2:
				req.FreeOnly, req.Municipio = true, 1+i%9
			case 3:
				req.Audience = catalogue.AudienceElderly
			case 4:
				req.Delivery = catalogue.DeliveryIndividual
			case 5:
				req.Offset = 10
			case 6:
				req.Near = &milan
			}
			reqs = append(reqs, req)
		}
	}
	return reqs
}

// searchAll answers every request with fresh caches, the boosts as Bleve's own
// queries (term queries, Bleve's disjunction) or not.
func searchAll(t *testing.T, x *Index, reqs []catalogue.SearchRequest, plain bool) []*catalogue.SearchResult {
	t.Helper()
	x.cache = newSearchCaches()
	x.cache.plainBoosts = plain
	var out []*catalogue.SearchResult
	for _, req := range reqs {
		res, err := x.Search(context.Background(), req)
		if err != nil {
			t.Fatalf("%+v: %v", req, err)
		}
		out = append(out, res)
	}
	return out
}

// sameResults requires two results to be equal to the bit: hits, their order, scores
// and distances, totals, facets, best score without filters.
func sameResults(t *testing.T, req catalogue.SearchRequest, got, want *catalogue.SearchResult) {
	t.Helper()
	if got.Total != want.Total || got.Best != want.Best || got.Words != want.Words ||
		!slices.Equal(got.Understood, want.Understood) || !maps.Equal(got.Categories, want.Categories) {
		t.Fatalf("%+v: total %d, best %v, words %d, understood %v, facets %v; want %d, %v, %d, %v, %v", req,
			got.Total, got.Best, got.Words, got.Understood, got.Categories,
			want.Total, want.Best, want.Words, want.Understood, want.Categories)
	}
	if len(got.Hits) != len(want.Hits) {
		t.Fatalf("%+v: %d hits, want %d", req, len(got.Hits), len(want.Hits))
	}
	for i, h := range got.Hits {
		w := want.Hits[i]
		if h.Service.ID != w.Service.ID || h.Score != w.Score || h.DistanceMeters != w.DistanceMeters {
			t.Fatalf("%+v: hit %d is %s (%v, %v m), want %s (%v, %v m)", req, i,
				h.Service.ID, h.Score, h.DistanceMeters, w.Service.ID, w.Score, w.DistanceMeters)
		}
	}
}

// tableAnswers reports whether the index's postings table answers a search of its
// index as it is now.
func tableAnswers(t *testing.T, x *Index, table *postingsTable) bool {
	t.Helper()
	r := readerOf(t, x)
	defer r.Close()
	_, ok := table.answers(context.Background(), r, bsearch.SearcherOptions{}, fieldCategory, string(catalogue.CategoryIDs()[0]))
	return ok
}

// compareBoosts runs every request with the postings table and the lazy disjunction
// of the boosts, and with Bleve's own queries.
func compareBoosts(t *testing.T, x *Index, reqs []catalogue.SearchRequest) {
	t.Helper()
	got := searchAll(t, x, reqs, false)
	want := searchAll(t, x, reqs, true)
	for i, req := range reqs {
		sameResults(t, req, got[i], want[i])
	}
}

// TestBoostsScoreAsBleves runs the dev sets' requests with the category boosts from
// the table and the boosts' lazy disjunction, and with Bleve's term queries and
// disjunction, on the bundled catalogue in memory and on a generated one on disk:
// the results must be the same to the bit.
func TestBoostsScoreAsBleves(t *testing.T) {
	reqs := boostRequests(t)
	bundled, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		cat  *catalogue.Catalogue
		opts Options
	}{
		{"bundled", bundled, Options{}},
		{"generated", generateCatalogue(t, 2500), Options{Dir: t.TempDir()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			x, err := Build(context.Background(), c.cat, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			if !tableAnswers(t, x, x.postingsTable()) {
				t.Fatal("the index of one segment has no postings table")
			}
			compareBoosts(t, x, reqs)
		})
	}
}

// TestCategoryTableOfAnotherSegment writes a service again into an index with a
// postings table: the index has a deletion and a second segment, the table answers
// no more, and the boosts are the term queries'.
func TestCategoryTableOfAnotherSegment(t *testing.T) {
	x, err := Build(context.Background(), generateCatalogue(t, 1500), Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	keys, ids := x.sortKeys()
	table := x.postingsTable()
	if !tableAnswers(t, x, table) {
		t.Fatal("the index of one segment has no postings table")
	}
	s := x.cat.Services[len(x.cat.Services)/2]
	if err := x.idx.Index(s.ID, serviceDocument(s, x.langs)); err != nil {
		t.Fatal(err)
	}
	if tableAnswers(t, x, table) {
		t.Fatal("the table answers for an index with a deletion and two segments")
	}
	stale := 0
	for _, req := range boostRequests(t)[:400] {
		if err := x.validate(&req); err != nil {
			t.Fatal(err)
		}
		// A plan made with the tables of before the write, run after it.
		x.cache = newSearchCaches()
		x.cache.order.keys, x.cache.order.ids, x.cache.order.postings = keys, ids, table
		p := x.plan(req)
		if slices.ContainsFunc(p.tq.boost, func(q query.Query) bool { _, ok := q.(*tableTermQuery); return ok }) {
			stale++
		}
		x.cache = newSearchCaches()
		got, gotTotal := hitsByStoredID(t, x, p)
		x.cache.plainBoosts = true
		want, wantTotal := hitsByStoredID(t, x, x.plan(req))
		if gotTotal != wantTotal {
			t.Fatalf("%+v: %d services, want %d", req, gotTotal, wantTotal)
		}
		sameHits(t, req, got, want)
	}
	if stale == 0 {
		t.Fatal("no plan held the table")
	}
	x.forgetIDOrder()
	if x.postingsTable() != nil {
		t.Error("a table was read from an index of two segments")
	}
}

// hitsByStoredID runs a plan sorted by score and stored id.
func hitsByStoredID(t *testing.T, x *Index, p searchPlan) ([]catalogue.Hit, int) {
	t.Helper()
	if p.query == nil {
		return nil, 0
	}
	order := bsearch.SortOrder{&bsearch.SortScore{Desc: true}, &bsearch.SortDocID{}}
	br, err := x.run(context.Background(), p, bleve.NewSearchRequestOptions(p.query, p.req.Limit, p.req.Offset, false), order)
	if err != nil {
		t.Fatal(err)
	}
	var hits []catalogue.Hit
	for _, h := range br.Hits {
		hits = append(hits, catalogue.Hit{Service: x.services[h.ID], Score: h.Score})
	}
	return hits, int(br.Total)
}

// TestTableSearcherSteps walks each category and the most common terms of the text
// fields with the table's searcher and with Bleve's term searcher, by Next and by
// Advance forwards, to the same document, back and past the end: both return the
// same documents with the same scores.
func TestTableSearcherSteps(t *testing.T) {
	x, r := generatedOnDisk(t, 1500)
	table := x.postingsTable()
	type step struct {
		advance bool
		to      uint64
	}
	steps := []step{{}, {}, {true, 300}, {}, {true, 300}, {true, 40}, {true, 41}, {}, {true, 1499}, {}, {true, 5000}, {}, {true, 1 << 40}, {true, 0}, {true, 2}, {true, 700}, {}}
	var terms []*query.TermQuery
	for _, c := range catalogue.CategoryIDs() {
		terms = append(terms, &query.TermQuery{Term: string(c), FieldVal: fieldCategory})
	}
	for _, field := range []string{fieldTextIT, fieldNameIT, fieldTextEN} {
		for _, term := range mostCommon(x, field, 4) {
			terms = append(terms, &query.TermQuery{Term: term, FieldVal: field})
		}
	}
	// After the end, a term searcher starts again only for a target at or behind the
	// document it last returned.
	walks := [][]step{steps, {{true, 5000}, {true, 3}, {}}, {{}, {true, 5000}, {true, 700}, {}, {true, 0}}}
	for _, tq := range terms {
		tq.SetBoost(1.7)
		for w, walk := range walks {
			walkTerm(t, r, table, tq, fmt.Sprintf("%s:%s, walk %d", tq.FieldVal, tq.Term, w), func(sctx *bsearch.SearchContext, mine, bleves bsearch.Searcher) {
				for i, s := range walk {
					stepBoth(t, fmt.Sprintf("%s:%s, walk %d, step %d %+v", tq.FieldVal, tq.Term, w, i, s), sctx, mine, bleves, s.advance, s.to)
				}
			})
		}
	}
}

// walkTerm opens the table's searcher and Bleve's of a term query, takes the steps
// with both, then walks both to their end.
func walkTerm(t *testing.T, r index.IndexReader, table *postingsTable, tq *query.TermQuery, label string, steps func(*bsearch.SearchContext, bsearch.Searcher, bsearch.Searcher)) {
	t.Helper()
	ctx := context.Background()
	mine, err := tabled(tq, table).Searcher(ctx, r, nil, bsearch.SearcherOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	if s, ok := mine.(*postingsSearcher); !ok {
		t.Fatalf("%s: the table did not answer", label)
	} else if tq.FieldVal != fieldCategory && len(s.postings.pairs) < 2 {
		t.Fatalf("%s: %d (frequency, norm) pairs: the walk scores one only", label, len(s.postings.pairs))
	}
	bleves, err := tq.Searcher(ctx, r, nil, bsearch.SearcherOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer bleves.Close()
	sameWeights(t, label, mine, bleves)
	sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(4, 0)}
	steps(sctx, mine, bleves)
	for stepBoth(t, label+", to the end", sctx, mine, bleves, false, 0) != nil {
	}
}

// mostCommon returns the n terms of a field that the most services hold, the most
// common first.
func mostCommon(x *Index, field string, n int) []string {
	terms := slices.Collect(maps.Keys(x.df[field]))
	slices.SortFunc(terms, func(a, b string) int {
		if c := cmp.Compare(x.df[field][b], x.df[field][a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return terms[:min(n, len(terms))]
}

// TestPostingsTableBudget fills a table to its bound: a term that does not fit is
// not held, and its query is Bleve's term query.
func TestPostingsTableBudget(t *testing.T) {
	x, r := generatedOnDisk(t, 1500)
	table := x.postingsTable()
	snap, ok := table.answers(context.Background(), r, bsearch.SearcherOptions{}, fieldTextIT, "x")
	if !ok {
		t.Fatal("the table does not answer for its own segment")
	}
	terms := mostCommon(x, fieldTextIT, 2)
	table.mu.Lock()
	table.docs = maxTableDocs - int(x.df[fieldTextIT][terms[1]])
	table.mu.Unlock()
	if table.postings(snap, fieldTextIT, terms[0]) != nil {
		t.Fatalf("%s, in %d services, was read past the bound", terms[0], x.df[fieldTextIT][terms[0]])
	}
	if table.postings(snap, fieldTextIT, terms[1]) == nil {
		t.Fatalf("%s, in %d services, fits but was not read", terms[1], x.df[fieldTextIT][terms[1]])
	}
	tq := &query.TermQuery{Term: terms[0], FieldVal: fieldTextIT}
	s, err := tabled(tq, table).Searcher(context.Background(), r, nil, bsearch.SearcherOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.(*postingsSearcher); ok {
		t.Fatal("a term the table does not hold was searched from it")
	}
}

// TestBoostSearcherSteps walks the boosts of a few queries with a lazyDisjunctionSearcher and
// with Bleve's disjunction searcher, through all their matches by Next and by Advance
// forwards, to the same document, back and past the end: both return the same
// documents with the same scores.
func TestBoostSearcherSteps(t *testing.T) {
	x, r := generatedOnDisk(t, 1500)
	ctx := context.Background()
	advances := []uint64{0, 0, 300, 300, 40, 41, 299, 301, 1499, 5000, 1 << 40, 2, 700}
	for _, words := range []string{"spesa anziani", "centro estvo bambini", "pulizie casa", "badante", "corso di italiano"} {
		boosts := x.plan(catalogue.SearchRequest{Query: words, Lang: "it"}).tq.boost
		if len(boosts) == 0 {
			t.Fatalf("%q has no boosts", words)
		}
		for _, walk := range []string{"next", "advance"} {
			mine, err := (&lazyDisjunction{disjuncts: boosts}).Searcher(ctx, r, x.idx.Mapping(), bsearch.SearcherOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := mine.(*lazyDisjunctionSearcher); !ok {
				t.Fatalf("%q: no lazyDisjunctionSearcher", words)
			}
			bleves, err := bleve.NewDisjunctionQuery(boosts...).Searcher(ctx, r, x.idx.Mapping(), bsearch.SearcherOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sameWeights(t, words, mine, bleves)
			sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(16, 0)}
			for i := 0; ; i++ {
				advance := walk == "advance" && i < len(advances)
				var to uint64
				if advance {
					to = advances[i]
				}
				got := stepBoth(t, fmt.Sprintf("%q, %s step %d", words, walk, i), sctx, mine, bleves, advance, to)
				if got == nil && (walk == "next" || i >= len(advances)) {
					break
				}
			}
			mine.Close()
			bleves.Close()
		}
	}
}

// sameWeights fails the test unless both searchers count the same matches with the
// same weight, and then gives both the same query norm.
func sameWeights(t *testing.T, label string, mine, bleves bsearch.Searcher) {
	t.Helper()
	if mine.Count() != bleves.Count() || mine.Weight() != bleves.Weight() {
		t.Fatalf("%s: count %d, weight %v; want %d, %v", label, mine.Count(), mine.Weight(), bleves.Count(), bleves.Weight())
	}
	mine.SetQueryNorm(0.37)
	bleves.SetQueryNorm(0.37)
}

// stepBoth takes the same step with both searchers, Next or (advance) Advance to
// document number to, and fails the test unless they return the same document with
// the same score; it returns that document, nil past the end.
func stepBoth(t *testing.T, label string, sctx *bsearch.SearchContext, mine, bleves bsearch.Searcher, advance bool, to uint64) *bsearch.DocumentMatch {
	t.Helper()
	var got, want *bsearch.DocumentMatch
	var err error
	if advance {
		id := index.NewIndexInternalID(nil, to)
		if got, err = mine.Advance(sctx, id); err == nil {
			want, err = bleves.Advance(sctx, id)
		}
	} else if got, err = mine.Next(sctx); err == nil {
		want, err = bleves.Next(sctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	if (got == nil) != (want == nil) || got != nil &&
		(!got.IndexInternalID.Equals(want.IndexInternalID) || got.Score != want.Score) {
		t.Fatalf("%s: got %v, want %v", label, got, want)
	}
	return got
}

// generatedOnDisk builds an index of n generated services on disk, one segment, and
// opens a reader of it; both are closed when the test ends.
func generatedOnDisk(t *testing.T, n int) (*Index, index.IndexReader) {
	t.Helper()
	x, err := Build(context.Background(), generateCatalogue(t, n), Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	r := readerOf(t, x)
	t.Cleanup(func() { r.Close() })
	return x, r
}

// readerOf opens a reader of the index as it is now; the caller closes it.
func readerOf(t *testing.T, x *Index) index.IndexReader {
	t.Helper()
	adv, err := x.idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.(*scorch.Scorch).Reader()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPostingsTableShared runs the same requests from several goroutines at once on an
// index whose postings table is empty at first: the terms are read once while others
// wait for them, and every answer is the one of Bleve's own queries.
func TestPostingsTableShared(t *testing.T) {
	x, _ := generatedOnDisk(t, 1500)
	reqs := boostRequests(t)[:150]
	want := searchAll(t, x, reqs, true)
	x.cache = newSearchCaches()
	const workers = 4
	got := make([][]*catalogue.SearchResult, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range reqs {
				req := reqs[(i+w*37)%len(reqs)]
				if err := x.validate(&req); err != nil {
					errs[w] = err
					return
				}
				req.Query = normalizeQuery(req.Query)
				if req.Near != nil {
					continue
				}
				res, err := x.search(context.Background(), req)
				if err != nil {
					errs[w] = err
					return
				}
				got[w] = append(got[w], res)
			}
		})
	}
	wg.Wait()
	for w := range workers {
		if errs[w] != nil {
			t.Fatal(errs[w])
		}
		k := 0
		for i := range reqs {
			j := (i + w*37) % len(reqs)
			if reqs[j].Near != nil {
				continue
			}
			sameResults(t, reqs[j], got[w][k], want[j])
			k++
		}
	}
	if len(x.postingsTable().terms) <= len(catalogue.CategoryIDs()) {
		t.Fatal("no term of the words was read into the table")
	}
}
