package search

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
)

func TestClockCacheIsBounded(t *testing.T) {
	c := newClockCache[int, int](64)
	for i := range 10_000 {
		c.put(i, i)
	}
	if n := c.len(); n > 64 {
		t.Errorf("%d entries cached, want at most 64", n)
	}
	if v, ok := c.get(9_999); !ok || v != 9_999 {
		t.Errorf("the last entry put: %d, %v", v, ok)
	}
}

func TestClockCacheKeepsWhatIsRead(t *testing.T) {
	c := newClockCache[int, int](cacheShards) // one entry a shard
	shardOf := func(k int) *clockShard[int, int] { return c.shard(k) }
	// Two more keys of the shard of key 0: the one read survives the next put.
	var same []int
	for k := 1; len(same) < 2; k++ {
		if shardOf(k) == shardOf(0) {
			same = append(same, k)
		}
	}
	c.shard(0).cap = 2
	c.put(0, 0)
	c.put(same[0], 1)
	c.get(0)
	c.put(same[1], 2)
	if _, ok := c.get(0); !ok {
		t.Error("the entry read was evicted")
	}
	if _, ok := c.get(same[0]); ok {
		t.Error("the entry not read survived")
	}
}

func TestClockCacheConcurrentUse(t *testing.T) {
	c := newClockCache[int, int](128)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := (i * (g + 1)) % 300
				if v, ok := c.get(k); ok && v != k*2 {
					t.Errorf("key %d holds %d", k, v)
					return
				}
				c.put(k, k*2)
			}
		})
	}
	wg.Wait()
	if n := c.len(); n > 128 {
		t.Errorf("%d entries cached, want at most 128", n)
	}
}

func TestClockCacheDoesNotKeepErrors(t *testing.T) {
	c := newClockCache[string, int](16)
	boom := errors.New("boom")
	if _, err := c.getOrLoad("k", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("error = %v", err)
	}
	v, err := c.getOrLoad("k", func() (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Errorf("after an error: %d, %v", v, err)
	}
}

func TestNormalizeQuery(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"badante", "badante"},
		{"  Badante\tper  MIA mamma ", "badante per mia mamma"},
		{"", ""},
		{"   ", ""},
		{"città", "città"},
		{"Ciao\xffmondo", "ciao mondo"},
	} {
		if got := normalizeQuery(tc.in); got != tc.want {
			t.Errorf("normalizeQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { normalizeQuery("pasti a domicilio") }); n != 0 {
		t.Errorf("a normal query costs %.0f allocations", n)
	}
}

// cacheRequests are requests of every shape: words, filters, facets, pages.
var cacheRequests = []catalogue.SearchRequest{
	{Query: "badante"},
	{Query: "non so a chi lasciare i bambini", Limit: 30},
	{Query: "psicologo", FreeOnly: true, Facets: true},
	{Query: "pasti a domicilio", Municipio: 3, Offset: 2, Limit: 3},
	{Query: "corso di italiano", Lang: "en", Audience: catalogue.AudienceForeigners},
	{Category: catalogue.Educativo, Delivery: catalogue.DeliveryShared},
	{Query: "🙂 ???"},
}

func TestCachedAnswersAreTheSearchesAnswers(t *testing.T) {
	x := testIndex(t)
	ctx := context.Background()
	for _, req := range cacheRequests {
		first := mustSearch(t, x, req)
		if again := mustSearch(t, x, req); again != first {
			t.Errorf("%+v: the second search was not served from the cache", req)
		}
		v := req
		if err := x.validate(&v); err != nil {
			t.Fatal(err)
		}
		v.Query = normalizeQuery(v.Query)
		fresh, err := x.search(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first, fresh) {
			t.Errorf("%+v: cached %+v, fresh %+v", req, first, fresh)
		}
	}
}

func TestPhrasingsThatAnalyseAlikeShareAnAnswer(t *testing.T) {
	x := testIndex(t)
	a := mustSearch(t, x, catalogue.SearchRequest{Query: "Pasti a domicilio", Limit: 7})
	b := mustSearch(t, x, catalogue.SearchRequest{Query: " pasti  A DOMICILIO\n", Limit: 7})
	if a != b {
		t.Error("two phrasings of the same words have answers of their own")
	}
	c := mustSearch(t, x, catalogue.SearchRequest{Query: "pasti a domicilio", Limit: 7, FreeOnly: true})
	if c == a {
		t.Error("a filter did not change the cached answer")
	}
}

func TestCancelledSearchFailsEvenWhenCached(t *testing.T) {
	x := testIndex(t)
	req := catalogue.SearchRequest{Query: "dog sitter"}
	mustSearch(t, x, req)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := x.Search(ctx, req); !errors.Is(err, context.Canceled) {
		t.Errorf("cached search with a cancelled context: %v", err)
	}
}

// A reloaded catalogue answers through Live at once: its index has a cache of its own.
func TestReloadThroughLiveSeesTheNewCatalogue(t *testing.T) {
	ctx := context.Background()
	build := func(rename string) *Index {
		t.Helper()
		cat, err := catalogue.Bundled()
		if err != nil {
			t.Fatal(err)
		}
		if rename != "" {
			cat.Services[0].Name = rename
		}
		x, err := Build(ctx, cat, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		return x
	}
	req := catalogue.SearchRequest{Query: "zanzibarite"}
	live := NewLive(build(""))
	for range 2 { // the second answer comes from the cache
		if res, err := live.Search(ctx, req); err != nil || res.Total != 0 {
			t.Fatalf("before the reload: %+v, %v", res, err)
		}
	}
	old := live.Swap(build("Sportello zanzibarite"))
	res, err := live.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || res.Hits[0].Service.ID != old.Catalogue().Services[0].ID {
		t.Errorf("after the reload: %d hits, want the renamed service", res.Total)
	}
}

func TestConcurrentSearchesShareTheCache(t *testing.T) {
	x := testIndex(t)
	want := make([]*catalogue.SearchResult, len(cacheRequests))
	for i, req := range cacheRequests {
		want[i] = mustSearch(t, x, req)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				k := (i + g) % len(cacheRequests)
				res, err := x.Search(context.Background(), cacheRequests[k])
				if err != nil || !reflect.DeepEqual(res, want[k]) {
					t.Errorf("%+v: %v", cacheRequests[k], err)
					return
				}
			}
		})
	}
	wg.Wait()
}
