package search

import (
	"context"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"

	"github.com/comune-milano/wemibot/catalogue"
)

// orderRequests are requests with many hits of equal score (a category, no words)
// and with words, filters, pages and a point.
func orderRequests() []catalogue.SearchRequest {
	milan := catalogue.Point{Lat: 45.4642, Lon: 9.19}
	return []catalogue.SearchRequest{
		{Category: "educativo", Limit: 100},
		{FreeOnly: true, Limit: 50, Offset: 7},
		{Query: "badante", Limit: 20},
		{Query: "mia mamma non riesce più a cucinare", Lang: "it", Limit: 100, Facets: true},
		{Query: "corzo di itagliano", Municipio: 3, Limit: 30},
		{Query: "babysitter", Lang: "en", Limit: 100},
		{Query: "pulizie casa", Near: &milan, Limit: 25},
		{Near: &milan, Category: "lavoro-domestico", Limit: 40},
	}
}

// searchByStoredID is search with Bleve's own id sort: what the order keys stand in
// for.
func searchByStoredID(t *testing.T, x *Index, req catalogue.SearchRequest) []catalogue.Hit {
	t.Helper()
	p := x.plan(req)
	if p.query == nil {
		return nil
	}
	order := bsearch.SortOrder{&bsearch.SortScore{Desc: true}, &bsearch.SortDocID{}}
	if req.Near != nil {
		geo, err := bsearch.NewSortGeoDistance(fieldLocation, "m", req.Near.Lon, req.Near.Lat, false)
		if err != nil {
			t.Fatal(err)
		}
		order = append(bsearch.SortOrder{geo}, order...)
	}
	br, err := x.run(context.Background(), p, bleve.NewSearchRequestOptions(p.query, req.Limit, req.Offset, false), order)
	if err != nil {
		t.Fatal(err)
	}
	var hits []catalogue.Hit
	for _, h := range br.Hits {
		hits = append(hits, catalogue.Hit{Service: x.services[h.ID], Score: h.Score})
	}
	return hits
}

func sameHits(t *testing.T, req catalogue.SearchRequest, got, want []catalogue.Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%+v: %d hits, want %d", req, len(got), len(want))
	}
	for i := range got {
		if got[i].Service.ID != want[i].Service.ID || got[i].Score != want[i].Score {
			t.Fatalf("%+v: hit %d is %s (%v), want %s (%v)", req, i, got[i].Service.ID, got[i].Score, want[i].Service.ID, want[i].Score)
		}
	}
}

func TestIDOrderSortsAsStoredIDs(t *testing.T) {
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		opts Options
	}{{"memory", Options{}}, {"disk", Options{Dir: t.TempDir()}}} {
		t.Run(c.name, func(t *testing.T) {
			x, err := Build(context.Background(), cat, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			if keys, _ := x.sortKeys(); len(keys) != len(x.services)*orderKeyBytes {
				t.Fatalf("%d order keys for %d services", len(keys)/orderKeyBytes, len(x.services))
			}
			for _, req := range orderRequests() {
				sameAsByStoredID(t, x, req)
			}
		})
	}
}

// TestIDOrderRenumbered gives the index order keys made for other document numbers,
// as a merge of segments would leave them: the search notices, sorts by stored id
// and drops the keys.
func TestIDOrderRenumbered(t *testing.T) {
	x := freshIndex(t)
	keys, ids := x.sortKeys()
	// Document n now holds what document n+1 held: its id and its key.
	x.cache.order.keys = keys[orderKeyBytes:] + keys[:orderKeyBytes]
	x.cache.order.ids = append(slices.Clone(ids[1:]), ids[0])
	sameAsByStoredID(t, x, catalogue.SearchRequest{Category: "educativo", Limit: 100})
	if x.cache.order.ids != nil {
		t.Error("the contradicted order keys were kept")
	}
}

// sameAsByStoredID searches req and fails the test unless its hits are those of the
// same search sorted by stored id.
func sameAsByStoredID(t *testing.T, x *Index, req catalogue.SearchRequest) {
	t.Helper()
	if err := x.validate(&req); err != nil {
		t.Fatal(err)
	}
	res, err := x.search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	sameHits(t, req, res.Hits, searchByStoredID(t, x, req))
}
