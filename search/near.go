package search

import (
	"context"
	"math"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/geo"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"

	"github.com/comune-milano/wemibot/catalogue"
)

// A Near request is answered from every service its words and filters match (cached
// without the point, since points rarely repeat but needs do), ordered by distance in
// Go, as Bleve's geo sort would: distance, then score, then id. A need that matches
// more than maxNearMatches services is left to Bleve's geo sort.
const (
	maxNearMatches = 2000
	// firstMatchPage is how many matches the first search for a match set asks for;
	// a larger set takes a second search of its exact size.
	firstMatchPage = 64
)

// placeTable is each service's point, as Bleve indexed it: the index rounds a point
// to 32 bits a coordinate, and distances are measured from the rounded one.
type placeTable struct {
	ordinal  map[string]int32 // service id -> position in the slices below
	services []*catalogue.Service
	lon, lat []float64
	located  []bool
}

// newPlaceTable is the place table of a catalogue's services.
func newPlaceTable(services []*catalogue.Service) *placeTable {
	t := &placeTable{ordinal: make(map[string]int32, len(services)), services: services,
		lon: make([]float64, len(services)), lat: make([]float64, len(services)), located: make([]bool, len(services))}
	for i, s := range services {
		t.ordinal[s.ID] = int32(i)
		if s.Organization == nil { // as serviceDocument: no provider, no location
			continue
		}
		p := s.Organization.Location.Point
		h := geo.MortonHash(p.Lon, p.Lat)
		t.lon[i], t.lat[i], t.located[i] = geo.MortonUnhashLon(h), geo.MortonUnhashLat(h), true
	}
	return t
}

// distanceKey is what Bleve sorts a service by for a point: the distance in metres
// as a sortable integer, the largest for a service without a location.
func (t *placeTable) distanceKey(i int32, p catalogue.Point) int64 {
	if !t.located[i] {
		return math.MaxInt64
	}
	return numeric.Float64ToInt64(geo.Haversin(p.Lon, p.Lat, t.lon[i], t.lat[i]) * 1000)
}

// matchSet is every service a request without its point matches, with its score,
// in Bleve's order of score then id; tooMany when they exceed maxNearMatches.
type matchSet struct {
	result  *catalogue.SearchResult // total, facets, words: no hits
	matches []scoredService
	tooMany bool
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
		return x.matchAll(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	if set.tooMany {
		return x.search(ctx, req)
	}
	return set.nearest(x.places, *req.Near, req.Limit, req.Offset), nil
}

// matchAll finds every service a request matches, whatever its point.
func (x *Index) matchAll(ctx context.Context, req catalogue.SearchRequest) (*matchSet, error) {
	p := x.plan(req)
	set := &matchSet{result: p.result}
	if p.query == nil {
		return set, nil
	}
	order := bsearch.SortOrder{&bsearch.SortScore{Desc: true}, &bsearch.SortDocID{}}
	br, err := x.run(ctx, p, bleve.NewSearchRequestOptions(p.query, firstMatchPage, 0, false), order)
	if err != nil {
		return nil, err
	}
	switch total := int(br.Total); {
	case total > maxNearMatches:
		return &matchSet{tooMany: true}, nil
	case total > len(br.Hits):
		if br, err = x.run(ctx, p, bleve.NewSearchRequestOptions(p.query, total, 0, false), order); err != nil {
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

// nearHit is a match and its distance from a point.
type nearHit struct {
	scoredService
	key int64
}

// nearest is the page of the set nearest to p, in Bleve's geo sort order.
func (s *matchSet) nearest(t *placeTable, p catalogue.Point, limit, offset int) *catalogue.SearchResult {
	res := *s.result
	n := min(offset+limit, len(s.matches))
	if offset >= n {
		return &res
	}
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
	res.Hits = make([]catalogue.Hit, 0, n-offset)
	for _, h := range best[offset:] {
		res.Hits = append(res.Hits, catalogue.Hit{Service: t.services[h.ord], Score: h.score,
			DistanceMeters: numeric.Int64ToFloat64(h.key)})
	}
	return &res
}
