package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
)

// nearRequests are Near requests of every shape: words, a category, filters, none,
// pages that cut through services at the same distance (a provider's services share
// its address).
var nearRequests = []catalogue.SearchRequest{
	{Limit: 2},
	{Municipio: 4, Limit: 7, Offset: 1},
	{FreeOnly: true, Limit: 20},
	{Query: "???", Delivery: catalogue.DeliveryShared, Limit: 30},
	{Limit: 100},
	{Query: "mia mamma non riesce più a cucinare", Limit: 2},
	{Query: "psicologo", Limit: 20, Offset: 3},
	{Query: "babysitter", Municipio: 4, Limit: 5},
	{Category: catalogue.Educativo, Limit: 10, Offset: 5, Facets: true},
	{Query: "aiuto compiti", Category: catalogue.Educativo, FreeOnly: true},
	{Audience: catalogue.AudienceElderly, Delivery: catalogue.DeliveryIndividual, Limit: 50},
	{Query: "xqzwv", Limit: 3},
}

// The distance table answers as Bleve's geo sort does: same services in the same
// order, same distances, scores and totals, on random points in and around Milan.
func TestNearMatchesBleveGeoSort(t *testing.T) {
	x := testIndex(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(18, 6))
	points := []catalogue.Point{{Lat: 45.4642, Lon: 9.19}}
	for range 40 {
		points = append(points, catalogue.Point{Lat: 45.38 + rng.Float64()*0.16, Lon: 9.04 + rng.Float64()*0.28})
	}
	points = append(points, catalogue.Point{Lat: -33.9, Lon: 151.2}, catalogue.Point{Lat: 90, Lon: 180})
	for _, p := range points {
		for _, req := range nearRequests {
			req.Near = &p
			got := mustSearch(t, x, req)
			v := req
			if err := x.validate(&v); err != nil {
				t.Fatal(err)
			}
			v.Query = normalizeQuery(v.Query)
			want, err := x.search(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			compareNear(t, req, got, want)
		}
	}
}

func compareNear(t *testing.T, req catalogue.SearchRequest, got, want *catalogue.SearchResult) {
	t.Helper()
	if got.Total != want.Total || got.Words != want.Words || got.Best != want.Best || len(got.Hits) != len(want.Hits) {
		t.Fatalf("%+v at %v: total %d words %d best %v hits %d, Bleve %d %d %v %d", req, *req.Near,
			got.Total, got.Words, got.Best, len(got.Hits), want.Total, want.Words, want.Best, len(want.Hits))
	}
	for i := range got.Hits {
		g, w := got.Hits[i], want.Hits[i]
		if g.Service != w.Service || g.Score != w.Score || !sameDistance(g.DistanceMeters, w.DistanceMeters) {
			t.Fatalf("%+v at %v: hit %d is %s %v at %v m, Bleve %s %v at %v m", req, *req.Near, i,
				g.Service.ID, g.Score, g.DistanceMeters, w.Service.ID, w.Score, w.DistanceMeters)
		}
	}
	for c, n := range want.Categories {
		if got.Categories[c] != n {
			t.Fatalf("%+v: category %s counts %d, Bleve %d", req, c, got.Categories[c], n)
		}
	}
}

func sameDistance(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func TestNearestKeepsTiesInScoreThenIDOrder(t *testing.T) {
	services := []*catalogue.Service{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}}
	at := func(lat float64) *catalogue.Organization {
		return &catalogue.Organization{Location: catalogue.Location{Point: catalogue.Point{Lat: lat, Lon: 9.19}}}
	}
	services[0].Organization, services[1].Organization, services[2].Organization = at(45.47), at(45.46), at(45.47)
	table := newPlaceTable(services) // d has no location: last
	set := &matchSet{result: &catalogue.SearchResult{Total: 4}, matches: []scoredService{
		{ord: 3, score: 3}, {ord: 2, score: 2}, {ord: 0, score: 2}, {ord: 1, score: 1}}}
	here := catalogue.Point{Lat: 45.46, Lon: 9.19}
	var order []string
	for off := range 5 {
		for _, h := range set.page(table, set.nearest(table, here, off+1), off).Hits {
			order = append(order, h.Service.ID)
		}
	}
	if want := []string{"b", "c", "a", "d"}; !slices.Equal(order, want) {
		t.Errorf("page by page: %v, want %v", order, want)
	}
	if all := set.page(table, set.nearest(table, here, 10), 0).Hits; len(all) != 4 || !math.IsNaN(all[3].DistanceMeters) {
		t.Errorf("all at once: %+v", all)
	}
}

// The grid finds what a look at every service finds, on a table far larger than the
// bundled catalogue, with services sharing points, some without one, and a filter.
func TestPlaceTableNearestIsTheBruteForceNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 18))
	var services []*catalogue.Service
	var orgs []*catalogue.Organization
	ids := rng.Perm(3000) // ids in no order of their own
	for i := range 3000 {
		org := &catalogue.Organization{Location: catalogue.Location{Point: catalogue.Point{
			Lat: 45.38 + rng.Float64()*0.16, Lon: 9.04 + rng.Float64()*0.28}}}
		orgs = append(orgs, org)
		if i%7 == 0 && i > 0 {
			org = orgs[rng.IntN(len(orgs))] // the same address as another
		}
		if i%97 == 0 {
			org = nil
		}
		services = append(services, &catalogue.Service{ID: fmt.Sprintf("s%05d", ids[i]),
			Organization: org, Cost: catalogue.Cost{Free: i%3 == 0}})
	}
	table := newPlaceTable(services)
	free := func(s *catalogue.Service) bool { return s.Cost.Free }
	all := func(*catalogue.Service) bool { return true }
	for i := range 300 {
		p := catalogue.Point{Lat: 45.30 + rng.Float64()*0.3, Lon: 8.9 + rng.Float64()*0.5}
		if i%50 == 0 {
			p = catalogue.Point{Lat: -33.9, Lon: 151.2}
		}
		n := []int{1, 2, 10, 100, 3000}[i%5]
		for _, keep := range []func(*catalogue.Service) bool{all, free} {
			got := table.nearest(p, n, keep)
			var want []nearHit
			for ord, s := range services {
				if keep(s) {
					want = table.insert(want, n, nearHit{scoredService: scoredService{ord: int32(ord)}, key: table.distanceKey(int32(ord), p)})
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%v, %d nearest: %d hits differ from the %d of a full look", p, n, len(got), len(want))
			}
		}
	}
}

func TestMatchSetsGrowAndHaveABound(t *testing.T) {
	x := testIndex(t)
	ctx := context.Background()
	req := catalogue.SearchRequest{Query: "bambini", Lang: "it", Limit: 10}
	whole, err := x.matchAll(ctx, req, 1000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.matches) < 3 || whole.tooMany {
		t.Fatalf("%d matches of %q, too many: %v", len(whole.matches), req.Query, whole.tooMany)
	}
	grown, err := x.matchAll(ctx, req, 2, 1000) // a second search for the rest
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(grown.matches, whole.matches) || grown.result.Total != whole.result.Total {
		t.Errorf("asked 2 first: %d matches, want %d", len(grown.matches), len(whole.matches))
	}
	bounded, err := x.matchAll(ctx, req, 2, len(whole.matches)-1)
	if err != nil {
		t.Fatal(err)
	}
	if !bounded.tooMany {
		t.Errorf("%d matches, more than the bound, are not too many", len(whole.matches))
	}
}
