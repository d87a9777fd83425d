package search

import (
	"context"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/comune-milano/wemibot/catalogue"
)

// searchPlan is a request turned into Bleve's terms.
type searchPlan struct {
	req   catalogue.SearchRequest
	tq    textQuery
	query query.Query // nil when the request selects nothing
	// filtered is whether filters narrow the words' services (then Best is set).
	filtered bool
	result   *catalogue.SearchResult // what the request's words say, before any hit
}

// plan builds the query of a validated, normalised request.
func (x *Index) plan(req catalogue.SearchRequest) searchPlan {
	tq := x.textQuery(req.Query, req.Lang)
	filters := x.filters(req)
	p := searchPlan{req: req, tq: tq, filtered: len(filters) > 0, result: &catalogue.SearchResult{
		Categories: map[catalogue.CategoryID]int{}, Understood: slices.Clip(tq.understood), Words: tq.words}}
	switch {
	case tq.match != nil:
		must := tq.match
		if len(filters) > 0 {
			must = bleve.NewConjunctionQuery(append([]query.Query{tq.match}, filters...)...)
		}
		// The thesaurus's categories lift services the words already found; they do
		// not add services of their own, which keeps large catalogues fast.
		p.query = x.withBoosts(must, tq.boost)
	case len(filters) > 0 || req.Near != nil:
		// No usable words, but filters or a location: list what they select.
		p.query = bleve.NewConjunctionQuery(append([]query.Query{bleve.NewMatchAllQuery()}, filters...)...)
	}
	return p
}

// hitPage is which hits of a plan a search returns: size of them after the first
// from, by distance first if byDistance.
type hitPage struct {
	size, from int
	byDistance bool
}

// runInOrder runs a plan's Bleve request for a page of hits: by distance first if
// asked, then by score, then by id. Ties are broken with the index's order keys when
// it has them (query_order.go); should a hit contradict them (an index renumbered
// under them), the keys are dropped and the request runs again sorting by stored id.
func (x *Index) runInOrder(ctx context.Context, p searchPlan, pg hitPage) (*bleve.SearchResult, error) {
	keys, ids := x.sortKeys()
	for {
		var byID bsearch.SearchSort = &bsearch.SortDocID{}
		if ids != nil {
			byID = &sortByIDOrder{keys: keys}
		}
		order := bsearch.SortOrder{&bsearch.SortScore{Desc: true}, byID}
		if near := p.req.Near; pg.byDistance && near != nil {
			geo, err := bsearch.NewSortGeoDistance(fieldLocation, "m", near.Lon, near.Lat, false)
			if err != nil {
				return nil, fmt.Errorf("search: sort by distance: %w", err)
			}
			order = append(bsearch.SortOrder{geo}, order...)
		}
		sr := bleve.NewSearchRequestOptions(p.query, pg.size, pg.from, false)
		br, err := x.run(ctx, p, sr, order)
		if err != nil || ids == nil || agreesWith(br.Hits, ids) {
			return br, err
		}
		x.forgetIDOrder()
		keys, ids = "", nil
		p.result.Categories = map[catalogue.CategoryID]int{}
	}
}

// agreesWith reports whether every hit has the id the order keys were made with.
func agreesWith(hits bsearch.DocumentMatchCollection, ids []string) bool {
	for _, h := range hits {
		if n := h.IndexInternalID.Value(); n >= uint64(len(ids)) || ids[n] != h.ID {
			return false
		}
	}
	return true
}

// run runs a plan's Bleve request in order, and sets the result's total, facets and
// best unfiltered score.
func (x *Index) run(ctx context.Context, p searchPlan, sr *bleve.SearchRequest, order bsearch.SortOrder) (*bleve.SearchResult, error) {
	if p.req.Facets {
		sr.AddFacet("categories", bleve.NewFacetRequest(fieldCategory, len(catalogue.CategoryIDs())))
	}
	sr.SortByCustom(order)
	ctx, cancel := context.WithTimeout(ctx, x.timeout)
	defer cancel()
	br, err := x.idx.SearchInContext(ctx, sr)
	if err != nil {
		// The query is the citizen's text: it stays out of errors and logs.
		return nil, fmt.Errorf("search (%d characters): %w", len(p.req.Query), err)
	}
	res := p.result
	res.Total = int(br.Total)
	if p.tq.match != nil && p.filtered {
		words := wordsKey{query: p.req.Query, lang: p.req.Lang}
		if res.Best, err = x.cache.best.getOrLoad(words, func() (float64, error) { return x.bestUnfiltered(ctx, p.tq) }); err != nil {
			return nil, fmt.Errorf("search (%d characters) without filters: %w", len(p.req.Query), err)
		}
	}
	if f, ok := br.Facets["categories"]; ok && f.Terms != nil {
		for _, t := range f.Terms.Terms() {
			res.Categories[catalogue.CategoryID(t.Term)] = t.Count
		}
	}
	return br, nil
}

// withBoosts is must, its services lifted by the boosts that match them. The query is
// built without the conjunction of one that BooleanQuery.AddMust wraps around must
// (and none around a must alone): a conjunction of one scores as its only part, sum
// and weight alike, but costs a step for every service the words match. The boosts'
// disjunction scores as Bleve's (boost_disjunction.go).
func (x *Index) withBoosts(must query.Query, boosts []query.Query) query.Query {
	if len(boosts) == 0 {
		return must
	}
	return &query.BooleanQuery{Must: must, Should: x.disjunction(boosts)}
}
