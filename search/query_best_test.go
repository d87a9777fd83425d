package search

import (
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
)

// TestBestUnfilteredCachedByWords searches the same words with different filters: the
// best score without filters is searched once and is the unfiltered top score.
func TestBestUnfilteredCachedByWords(t *testing.T) {
	x := freshIndex(t)
	all := mustSearch(t, x, catalogue.SearchRequest{Query: "badante", Lang: "it"})
	if len(all.Hits) == 0 {
		t.Fatal("no hit for badante")
	}
	for _, req := range []catalogue.SearchRequest{
		{Query: "badante", Lang: "it", Municipio: 3},
		{Query: "badante", Lang: "it", FreeOnly: true},
		{Query: "Badante ", Lang: "it", Municipio: 5, Limit: 3},
	} {
		res := mustSearch(t, x, req)
		if res.Best != all.Hits[0].Score {
			t.Errorf("%+v: Best = %v, want the unfiltered top score %v", req, res.Best, all.Hits[0].Score)
		}
	}
	if n := x.cache.best.len(); n != 1 {
		t.Errorf("%d best scores cached, want 1 (one set of words)", n)
	}
}
