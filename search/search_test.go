package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/spelling"
)

var (
	sharedOnce  sync.Once
	sharedIndex *Index
	sharedErr   error
)

// testIndex returns one index of the bundled catalogue shared by the tests of this
// package (building it per test would only repeat the same work).
func testIndex(t testing.TB) *Index {
	t.Helper()
	sharedOnce.Do(func() {
		cat, err := catalogue.Bundled()
		if err != nil {
			sharedErr = err
			return
		}
		sharedIndex, sharedErr = Build(context.Background(), cat, Options{})
	})
	if sharedErr != nil {
		t.Fatalf("build index: %v", sharedErr)
	}
	return sharedIndex
}

// freshIndex builds an index of the bundled catalogue for one test alone: for a test
// that changes what the index keeps (its caches), which the shared one must not see.
func freshIndex(t testing.TB) *Index {
	t.Helper()
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	x, err := Build(context.Background(), cat, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func mustSearch(t testing.TB, x *Index, req catalogue.SearchRequest) *catalogue.SearchResult {
	t.Helper()
	res, err := x.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("Search(%+v): %v", req, err)
	}
	return res
}

// The phrasings the issue names: each must put the right category first.
func TestCitizensPhrasingsFindTheRightCategory(t *testing.T) {
	x := testIndex(t)
	tests := []struct {
		lang, query string
		want        catalogue.CategoryID
	}{
		{"it", "mia mamma non riesce più a cucinare", catalogue.PastiDomicilio},
		{"it", "badante", catalogue.SocioAssistenziale},
		{"it", "colf", catalogue.LavoroDomestico},
		{"it", "qualcuno che porti a spasso il cane", catalogue.CuraAnimali},
		{"it", "compilare l'ISEE", catalogue.DisbrigoPratiche},
		{"it", "non so a chi lasciare i bambini", catalogue.Educativo},
		{"it", "babisitter", catalogue.Educativo},
		{"it", "psicolgo", catalogue.Psicologico},
		{"en", "someone to walk my dog", catalogue.CuraAnimali},
		{"en", "italian lessons", catalogue.CorsiItaliano},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := mustSearch(t, x, catalogue.SearchRequest{Query: tt.query, Lang: tt.lang})
			if len(res.Hits) == 0 {
				t.Fatalf("no hits")
			}
			if got := res.Hits[0].Service.Category; got != tt.want {
				t.Errorf("top hit %s is in %s, want %s", res.Hits[0].Service.ID, got, tt.want)
			}
		})
	}
}

// Hostile or meaningless text answers with results or none, never an error.
func TestUserTextNeverBecomesQuerySyntax(t *testing.T) {
	x := testIndex(t)
	inputs := []string{
		strings.Repeat("babysitter anziani ", 600), // ~11,000 characters
		strings.Repeat("x", 10000),
		"😀😀😀🙏🙏", "/.*.*.*/", "****", `"unbalanced quote`, `trailing backslash \`, "^10",
		"+category:educativo -anziani", "name_it:babysitting", "a* a* a* a* a* a* a* a*", "~~~~", "((((", "",
		"   ", "\x00\x01\xff\xfe", "psicologo^1000", `{"query":"x"}`, "<script>alert(1)</script>",
	}
	for _, in := range inputs {
		for _, lang := range []string{"it", "en"} {
			res, err := x.Search(context.Background(), catalogue.SearchRequest{Query: in, Lang: lang})
			if err != nil {
				t.Errorf("Search(%.40q, %s): %v", in, lang, err)
				continue
			}
			if res.Total < len(res.Hits) {
				t.Errorf("Search(%.40q): total %d < %d hits", in, res.Total, len(res.Hits))
			}
		}
	}
	// Query syntax is matched as words, not obeyed: the field selector does not
	// restrict the search to one category.
	res := mustSearch(t, x, catalogue.SearchRequest{Query: "+category:educativo anziani", Facets: true})
	if res.Total == 0 {
		t.Fatal("the words of a query with syntax characters found nothing")
	}
	if len(res.Categories) < 2 {
		t.Errorf("a field selector restricted the search to %v", res.Categories)
	}
}

func TestExactWordsOutrankTypos(t *testing.T) {
	x := testIndex(t)
	// "pasti" is a catalogue word; "pesti" is one edit away from it and unknown. A
	// query that contains the exact word must rank services containing it first.
	exact := mustSearch(t, x, catalogue.SearchRequest{Query: "pasti", Limit: 3})
	for _, h := range exact.Hits {
		if h.Service.Category != catalogue.PastiDomicilio {
			t.Errorf("exact query: %s (%s) in the top 3", h.Service.ID, h.Service.Category)
		}
	}
	// Typos the thesaurus does not list still find the service the right spelling
	// finds, through typo correction. (Scores of different queries are not
	// comparable: Bleve normalises each query.)
	for _, p := range []struct {
		typo, right string
		want        catalogue.CategoryID
	}{
		{"infermeire", "infermiere", catalogue.AssistenzaSanitaria},
		{"doposcula", "doposcuola", catalogue.Educativo},
		{"parruchhiere", "parrucchiere", catalogue.EsteticoSocioSanitario},
		{"veterinrio", "veterinario", catalogue.CuraAnimali},
	} {
		if x.vocab["it"].has(x.analyze(analyzerIT, p.typo)[0]) {
			t.Fatalf("%q is a known word: the test would not exercise typo correction", p.typo)
		}
		typo := mustSearch(t, x, catalogue.SearchRequest{Query: p.typo, Limit: 3})
		right := mustSearch(t, x, catalogue.SearchRequest{Query: p.right, Limit: 1})
		// Within one query, a correction weighs less than a word spelt right.
		both := mustSearch(t, x, catalogue.SearchRequest{Query: p.typo + " " + p.right, Limit: 1})
		if both.Hits[0].Service.ID != right.Hits[0].Service.ID {
			t.Errorf("%q + %q: %s first, want %s", p.typo, p.right, both.Hits[0].Service.ID, right.Hits[0].Service.ID)
		}
		if len(typo.Hits) == 0 || len(right.Hits) == 0 {
			t.Fatalf("%s/%s: no hits", p.typo, p.right)
		}
		if typo.Hits[0].Service.Category != p.want {
			t.Errorf("%q found %s first, want a %s service", p.typo, typo.Hits[0].Service.ID, p.want)
		}
		if got := typo.Hits[0].Service; got.Category != right.Hits[0].Service.Category {
			t.Errorf("typo %q found %s (%s) first, the right spelling %s", p.typo, got.ID, got.Category, right.Hits[0].Service.ID)
		}
	}
	// An unknown word never drags in services through a fuzzy neighbour above the
	// services that contain the query's exact known word.
	mixed := mustSearch(t, x, catalogue.SearchRequest{Query: "doposcuola babbysittr", Limit: 3})
	if len(mixed.Hits) == 0 || mixed.Hits[0].Service.Category != catalogue.Educativo {
		t.Errorf("mixed query top hit: %+v", mixed.Hits)
	}
}

func TestFiltersCombineWithText(t *testing.T) {
	x := testIndex(t)
	tests := []struct {
		name string
		req  catalogue.SearchRequest
		ok   func(*catalogue.Service) bool
	}{
		{"category", catalogue.SearchRequest{Query: "aiuto a casa", Category: catalogue.SocioAssistenziale},
			func(s *catalogue.Service) bool { return s.Category == catalogue.SocioAssistenziale }},
		{"free", catalogue.SearchRequest{Query: "psicologo", FreeOnly: true}, func(s *catalogue.Service) bool { return s.Cost.Free }},
		{"municipio", catalogue.SearchRequest{Query: "babysitter", Municipio: 4}, func(s *catalogue.Service) bool { return s.Serves(4) }},
		{"audience", catalogue.SearchRequest{Query: "sostegno", Audience: catalogue.AudienceElderly},
			func(s *catalogue.Service) bool { return s.For(catalogue.AudienceElderly) }},
		{"shared", catalogue.SearchRequest{Query: "compiti", Delivery: catalogue.DeliveryShared}, func(s *catalogue.Service) bool { return s.Delivery.Shared != nil }},
		{"individual", catalogue.SearchRequest{Query: "compiti", Delivery: catalogue.DeliveryIndividual}, func(s *catalogue.Service) bool { return s.Delivery.Individual }},
		{"all together", catalogue.SearchRequest{Query: "corso", Category: catalogue.CorsiItaliano, FreeOnly: true, Audience: catalogue.AudienceForeigners},
			func(s *catalogue.Service) bool {
				return s.Category == catalogue.CorsiItaliano && s.Cost.Free && s.For(catalogue.AudienceForeigners)
			}},
		{"no text, only a filter", catalogue.SearchRequest{Category: catalogue.PastiDomicilio},
			func(s *catalogue.Service) bool { return s.Category == catalogue.PastiDomicilio }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Limit = catalogue.MaxSearchLimit
			tt.req.Facets = true
			res := mustSearch(t, x, tt.req)
			if len(res.Hits) == 0 {
				t.Fatal("no hits")
			}
			for _, h := range res.Hits {
				if !tt.ok(h.Service) {
					t.Errorf("%s does not satisfy the filter", h.Service.ID)
				}
			}
			sum := 0
			for _, n := range res.Categories {
				sum += n
			}
			if sum != res.Total {
				t.Errorf("category facets add up to %d, total is %d", sum, res.Total)
			}
		})
	}
}

// Babysitting services, not just any educational one, answer a parent with nobody to
// leave the children with.
func TestNamedPhrasingsFindTheService(t *testing.T) {
	x := testIndex(t)
	tests := []struct {
		query, lang string
		want        func(*catalogue.Service) bool
	}{
		{"non so a chi lasciare i bambini", "it", func(s *catalogue.Service) bool {
			n := strings.ToLower(s.Name)
			return strings.Contains(n, "babysitting") || strings.Contains(n, "tata") || strings.Contains(n, "baby")
		}},
		{"mia mamma non riesce più a cucinare", "it", func(s *catalogue.Service) bool { return s.Category == catalogue.PastiDomicilio }},
		{"qualcuno che porti a spasso il cane", "it", func(s *catalogue.Service) bool {
			return strings.Contains(strings.ToLower(s.Name+s.Description), "cane") || strings.Contains(strings.ToLower(s.Name), "dog")
		}},
	}
	for _, tt := range tests {
		res := mustSearch(t, x, catalogue.SearchRequest{Query: tt.query, Lang: tt.lang, Limit: 3})
		if len(res.Hits) < 3 {
			t.Fatalf("%q: %d hits", tt.query, len(res.Hits))
		}
		for _, h := range res.Hits {
			if !tt.want(h.Service) {
				t.Errorf("%q: %s (%s) in the top 3", tt.query, h.Service.ID, h.Service.Name)
			}
		}
	}
}

func TestSameQuerySameAnswer(t *testing.T) {
	x := testIndex(t)
	queries := []string{"my elderly father has dementia and needs help at home", "babisitter", "non so a chi lasciare i bambini", "badante"}
	want := map[string]string{}
	for _, q := range queries {
		want[q] = fmt.Sprint(ids(mustSearch(t, x, catalogue.SearchRequest{Query: q, Limit: 10})))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				q := queries[(g+i)%len(queries)]
				res, err := x.Search(context.Background(), catalogue.SearchRequest{Query: q, Limit: 10})
				if err != nil {
					errs <- err.Error()
					return
				}
				if got := fmt.Sprint(ids(res)); got != want[q] {
					errs <- fmt.Sprintf("%q: %s, earlier %s", q, got, want[q])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func ids(res *catalogue.SearchResult) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.Service.ID
	}
	return out
}

func TestSearchSpaces(t *testing.T) {
	x := testIndex(t)
	all, err := x.SearchSpaces(context.Background(), "", nil, 50)
	if err != nil || len(all) != len(x.Catalogue().Spaces) {
		t.Fatalf("all spaces: %d, %v", len(all), err)
	}
	niguarda := catalogue.Point{Lat: 45.5180, Lon: 9.1880}
	near, err := x.SearchSpaces(context.Background(), "", &niguarda, 3)
	if err != nil || len(near) != 3 {
		t.Fatalf("near: %d, %v", len(near), err)
	}
	if near[0].Space.Location.Municipio != 9 || near[0].DistanceMeters > near[1].DistanceMeters {
		t.Errorf("nearest to Niguarda: %s at %.0f m", near[0].Space.ID, near[0].DistanceMeters)
	}
	byText, err := x.SearchSpaces(context.Background(), "badanti", nil, 5)
	if err != nil || len(byText) == 0 {
		t.Fatalf("spaces for badanti: %d, %v", len(byText), err)
	}
	for _, in := range []string{"/.*.*.*/", "😀", strings.Repeat("x", 10000)} {
		if _, err := x.SearchSpaces(context.Background(), in, &niguarda, 3); err != nil {
			t.Errorf("SearchSpaces(%.20q): %v", in, err)
		}
	}
}

func TestNoResultsIsNotAnError(t *testing.T) {
	x := testIndex(t)
	res := mustSearch(t, x, catalogue.SearchRequest{Query: "astronave marziana quantistica"})
	if res.Total != 0 || len(res.Hits) != 0 {
		t.Errorf("nonsense found %d services: %+v", res.Total, res.Hits)
	}
	res = mustSearch(t, x, catalogue.SearchRequest{Query: "😀"})
	if res.Total != 0 {
		t.Errorf("emoji found %d services", res.Total)
	}
}

func TestSortByDistance(t *testing.T) {
	x := testIndex(t)
	duomo := catalogue.Point{Lat: 45.4642, Lon: 9.1900}
	res := mustSearch(t, x, catalogue.SearchRequest{Query: "psicologo", Near: &duomo, Limit: 20})
	if len(res.Hits) < 5 {
		t.Fatalf("%d hits", len(res.Hits))
	}
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].DistanceMeters < res.Hits[i-1].DistanceMeters {
			t.Fatalf("hit %d at %.0f m comes after one at %.0f m", i, res.Hits[i].DistanceMeters, res.Hits[i-1].DistanceMeters)
		}
	}
	if d := res.Hits[len(res.Hits)-1].DistanceMeters; d <= 0 || d > 20000 {
		t.Errorf("farthest distance %.0f m is not a distance inside Milan", d)
	}
	// With no words, a location lists the nearest services of any kind.
	res = mustSearch(t, x, catalogue.SearchRequest{Near: &duomo, Limit: 3})
	if len(res.Hits) != 3 {
		t.Errorf("near me without words: %d hits", len(res.Hits))
	}
}

func TestPaging(t *testing.T) {
	x := testIndex(t)
	all := mustSearch(t, x, catalogue.SearchRequest{Query: "bambini", Limit: 20})
	page2 := mustSearch(t, x, catalogue.SearchRequest{Query: "bambini", Limit: 10, Offset: 10})
	if len(all.Hits) < 20 || len(page2.Hits) != 10 {
		t.Fatalf("hits: %d and %d", len(all.Hits), len(page2.Hits))
	}
	for i, h := range page2.Hits {
		if h.Service.ID != all.Hits[10+i].Service.ID {
			t.Errorf("page 2 hit %d = %s, want %s", i, h.Service.ID, all.Hits[10+i].Service.ID)
		}
	}
}

func TestInvalidFiltersAreErrors(t *testing.T) {
	x := testIndex(t)
	for _, req := range []catalogue.SearchRequest{
		{Query: "x", Lang: "xx"}, {Query: "x", Category: "giardinaggio"}, {Query: "x", Municipio: 12},
		{Query: "x", Audience: "marziani"}, {Query: "x", Delivery: "a domicilio"},
	} {
		if _, err := x.Search(context.Background(), req); !errors.Is(err, ErrBadRequest) {
			t.Errorf("Search(%+v) error = %v, want ErrBadRequest", req, err)
		}
	}
}

func TestSearchHonoursItsDeadline(t *testing.T) {
	x := testIndex(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := x.Search(ctx, catalogue.SearchRequest{Query: "babysitter"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Search with a cancelled context: %v", err)
	}
}

func TestItalianStem(t *testing.T) {
	pairs := [][2]string{{"pasto", "pasti"}, {"anziano", "anziani"}, {"anziana", "anziane"}, {"cane", "cani"},
		{"corso", "corsi"}, {"spesa", "spese"}, {"banca", "banche"}, {"farmacia", "farmacie"}, {"città", "citta"}}
	for _, p := range pairs {
		if a, b := italianStem(p[0]), italianStem(p[1]); a != b {
			t.Errorf("stem(%s)=%s, stem(%s)=%s", p[0], a, p[1], b)
		}
	}
	if italianStem("via") != "via" {
		t.Error("short words must be left alone")
	}
}

func TestWithinEdits(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want bool
	}{
		{"babisitter", "babysitter", 1, true}, {"psicolgo", "psicologo", 1, true}, {"psicolgo", "psiclogo", 2, true},
		{"abc", "abc", 0, true}, {"colf", "golf", 0, false}, {"badande", "badante", 1, true},
		{"ab", "ba", 1, true}, {"cane", "pane", 1, true}, {"cane", "porta", 1, false},
	}
	for _, tt := range tests {
		if got := spelling.Within(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("Within(%q, %q, %d) = %v", tt.a, tt.b, tt.max, got)
		}
	}
}

func FuzzSearch(f *testing.F) {
	for _, s := range []string{"babysitter", "/.*.*.*/", `"`, "a*", "😀", "\\", "non so a chi lasciare i bambini"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, q string, en bool) {
		lang := "it"
		if en {
			lang = "en"
		}
		if _, err := testIndex(t).Search(context.Background(), catalogue.SearchRequest{Query: q, Lang: lang}); err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
	})
}

func TestOnDiskIndexMatchesInMemoryAndCleansUp(t *testing.T) {
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	disk, err := Build(context.Background(), cat, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mem := testIndex(t)
	for _, q := range []string{"badante", "psicolgo", "someone to walk my dog"} {
		a := mustSearch(t, disk, catalogue.SearchRequest{Query: q, Limit: 5})
		b := mustSearch(t, mem, catalogue.SearchRequest{Query: q, Limit: 5})
		if a.Total != b.Total || fmt.Sprint(ids(a)) != fmt.Sprint(ids(b)) {
			t.Errorf("%q: on disk %v, in memory %v", q, ids(a), ids(b))
		}
	}
	if err := disk.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("Close left %d entries in the index folder", len(left))
	}
}

// Filters select without scoring: a service scores the same with and without them,
// and Best is the unfiltered best score.
func TestFiltersDoNotScore(t *testing.T) {
	x := testIndex(t)
	all := mustSearch(t, x, catalogue.SearchRequest{Query: "babysitter", Limit: 50})
	zone := mustSearch(t, x, catalogue.SearchRequest{Query: "babysitter", Municipio: 9, Limit: 50})
	if len(zone.Hits) == 0 {
		t.Fatal("no hits in Municipio 9")
	}
	score := map[string]float64{}
	for _, h := range all.Hits {
		score[h.Service.ID] = h.Score
	}
	for _, h := range zone.Hits {
		if want, ok := score[h.Service.ID]; ok && math.Abs(want-h.Score) > 1e-9 {
			t.Errorf("%s scores %.4f filtered, %.4f unfiltered", h.Service.ID, h.Score, want)
		}
	}
	if math.Abs(zone.Best-all.Hits[0].Score) > 1e-9 {
		t.Errorf("Best = %.4f, want the unfiltered top score %.4f", zone.Best, all.Hits[0].Score)
	}
	if all.Best != 0 || all.Words != 1 {
		t.Errorf("unfiltered: Best %.3f, Words %d", all.Best, all.Words)
	}
	if r := mustSearch(t, x, catalogue.SearchRequest{Query: "😀 aiuto"}); r.Words != 0 {
		t.Errorf("emoji and filler counted %d words", r.Words)
	}
}
