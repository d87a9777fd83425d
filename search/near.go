package search

import (
	"context"
	"slices"

	"github.com/blevesearch/bleve/v2/numeric"

	"github.com/comune-milano/wemibot/catalogue"
)

// A Near request is answered from what its words and filters match, cached without
// the point (points rarely repeat, needs do), ordered by distance in Go as Bleve's
// geo sort would: distance, then score, then id. With words, the matches are the
// services Bleve finds (more than maxNearMatches are left to Bleve's geo sort);
// without, every service the filters keep, found nearest first in the place table.
const (
	maxNearMatches = 1000
	// firstMatchPage is how many matches the first search for a match set asks for;
	// a larger set takes a second search of its exact size.
	firstMatchPage = 64
)

// matchSet is what a request without its point matches: with words, every service
// with its score in Bleve's order of score then id (none when they are tooMany);
// without, the filters, which select services that all score alike.
type matchSet struct {
	result  *catalogue.SearchResult // total, facets, words: no hits
	matches []scoredService
	tooMany bool
	filter  func(*catalogue.Service) bool // set when the request has no words
	score   float64                       // the score of every service the filter keeps
}

type scoredService struct {
	ord   int32
	score float64
}

// searchNear answers a validated, normalised request with a point.
func (x *Index) searchNear(ctx context.Context, req catalogue.SearchRequest) (*catalogue.SearchResult, error) {
	whole := req
	whole.Limit, whole.Offset = 0, 0
	set, err := x.cache.matches.getOrLoad(requestKeyOf(whole), func() (*matchSet, error) {
		return x.matchAll(ctx, req, firstMatchPage, maxNearMatches)
	})
	switch {
	case err != nil:
		return nil, err
	case set.tooMany:
		return x.search(ctx, req)
	case set.filter != nil:
		best := x.places.nearest(*req.Near, req.Offset+req.Limit, set.filter)
		for i := range best {
			best[i].score = set.score
		}
		return set.page(x.places, best, req.Offset), nil
	}
	return set.page(x.places, set.nearest(x.places, *req.Near, req.Offset+req.Limit), req.Offset), nil
}

// matchAll finds what a request matches, whatever its point: with words, at most
// most services, asking Bleve for first of them and then, if more match, all.
func (x *Index) matchAll(ctx context.Context, req catalogue.SearchRequest, first, most int) (*matchSet, error) {
	p := x.plan(req)
	set := &matchSet{result: p.result}
	if p.tq.match == nil {
		// One hit tells the score all share; the search counts them and their facets.
		br, err := x.runInOrder(ctx, p, hitPage{size: 1})
		if err != nil {
			return nil, err
		}
		if len(br.Hits) > 0 {
			set.score = br.Hits[0].Score
		}
		set.filter = serviceFilter(req)
		return set, nil
	}
	br, err := x.runInOrder(ctx, p, hitPage{size: first})
	if err != nil {
		return nil, err
	}
	switch total := int(br.Total); {
	case total > most:
		return &matchSet{tooMany: true}, nil
	case total > len(br.Hits):
		if br, err = x.runInOrder(ctx, p, hitPage{size: total}); err != nil {
			return nil, err
		}
	}
	set.matches = make([]scoredService, 0, len(br.Hits))
	for _, h := range br.Hits {
		if i, ok := x.places.ordinal[h.ID]; ok {
			set.matches = append(set.matches, scoredService{ord: i, score: h.Score})
		}
	}
	return set, nil
}

// serviceFilter is the request's filters (those of Index.filters) as a test of a
// service.
func serviceFilter(req catalogue.SearchRequest) func(*catalogue.Service) bool {
	return func(s *catalogue.Service) bool {
		switch {
		case req.Category != "" && s.Category != req.Category,
			req.FreeOnly && !s.Cost.Free,
			req.Municipio != 0 && !slices.Contains(s.Municipi, req.Municipio),
			req.Audience != "" && !slices.Contains(s.Audiences, req.Audience),
			req.Delivery == catalogue.DeliveryIndividual && !s.Delivery.Individual,
			req.Delivery == catalogue.DeliveryShared && s.Delivery.Shared == nil:
			return false
		}
		return true
	}
}

// nearest returns the n matches nearest to p, in Bleve's geo sort order.
func (s *matchSet) nearest(t *placeTable, p catalogue.Point, n int) []nearHit {
	n = min(n, len(s.matches))
	// The set is in score then id order, so among equal distances the first seen
	// comes first: keeping the best n is an insertion that never passes an equal.
	best := make([]nearHit, 0, n)
	for _, m := range s.matches {
		h := nearHit{scoredService: m, key: t.distanceKey(m.ord, p)}
		if len(best) == n && h.key >= best[n-1].key {
			continue
		}
		if len(best) < n {
			best = append(best, h)
		}
		i := len(best) - 1
		for ; i > 0 && best[i-1].key > h.key; i-- {
			best[i] = best[i-1]
		}
		best[i] = h
	}
	return best
}

// page is the result of the hits from offset on.
func (s *matchSet) page(t *placeTable, best []nearHit, offset int) *catalogue.SearchResult {
	res := *s.result
	if offset >= len(best) {
		return &res
	}
	res.Hits = make([]catalogue.Hit, 0, len(best)-offset)
	for _, h := range best[offset:] {
		res.Hits = append(res.Hits, catalogue.Hit{Service: t.services[h.ord], Score: h.score,
			DistanceMeters: numeric.Int64ToFloat64(h.key)})
	}
	return &res
}
