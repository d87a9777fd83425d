package search

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// Queries of one to three words, as citizens type them, and the same with typos.
var (
	benchExact = []string{"babysitter", "badante", "psicologo", "pasti a domicilio", "corso di italiano",
		"compilare ISEE", "dog sitter", "spesa anziani", "doposcuola", "infermiere a domicilio",
		"parrucchiere", "pulizie casa", "ansia", "centro estivo bambini", "riparare rubinetto"}
	benchTypos = []string{"babisitter", "badande", "psicolgo", "pasti a domicilo", "corzo di itagliano",
		"compilre ISEE", "dogsiter", "spessa anziani", "dopo scuola", "infermiera a domicigio",
		"parucchiere", "pulizzie casa", "ansiaa", "centro estvo bambini", "riparre rubinetto"}
)

func BenchmarkBuildBundledIndex(b *testing.B) {
	cat, err := catalogue.Bundled()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		x, err := Build(context.Background(), cat, Options{})
		if err != nil {
			b.Fatal(err)
		}
		x.Close()
	}
}

func BenchmarkQueryBundled(b *testing.B) {
	x := testIndex(b)
	b.Run("exact", func(b *testing.B) { benchQueries(b, x, "it", benchExact) })
	b.Run("typos", func(b *testing.B) { benchQueries(b, x, "it", benchTypos) })
}

// BenchmarkQueryBundledMiss runs the same queries past the results cache: what a
// search the cache has not seen costs.
func BenchmarkQueryBundledMiss(b *testing.B) {
	x := testIndex(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := catalogue.SearchRequest{Query: benchExact[i%len(benchExact)], Lang: "it", Limit: catalogue.DefaultSearchLimit}
		if _, err := x.search(ctx, req); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkNear asks for the services nearest to points all over Milan, with a need
// (its match set cached) and without one.
func BenchmarkNear(b *testing.B) {
	x := testIndex(b)
	ctx := context.Background()
	points := make([]catalogue.Point, 97)
	for i := range points {
		points[i] = catalogue.Point{Lat: 45.40 + float64(i%10)*0.012, Lon: 9.08 + float64(i/10)*0.022}
	}
	for _, query := range []string{"", "mia mamma non riesce più a cucinare"} {
		b.Run(fmt.Sprintf("words=%d", len(strings.Fields(query))), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := points[i%len(points)]
				if _, err := x.Search(ctx, catalogue.SearchRequest{Query: query, Near: &p, Limit: 2}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkQueryThirdLanguage runs Spanish queries (the fixture of testdata/fixture_es)
// and Italian ones in a Spanish message: three analyses instead of two.
func BenchmarkQueryThirdLanguage(b *testing.B) {
	x := spanishIndex(b)
	b.Run("spanish", func(b *testing.B) { benchQueries(b, x, "es", benchSpanish) })
	b.Run("italian-words", func(b *testing.B) { benchQueries(b, x, "es", benchExact) })
}

var benchSpanish = []string{"canguro", "cuidadora", "psicólogo", "comidas a domicilio", "curso de italiano",
	"rellenar el ISEE", "pasear al perro", "compra para ancianos", "deberes", "enfermera a domicilio",
	"peluquero", "limpieza de casa", "ansiedad", "niñera por la noche", "arreglar el grifo"}

// benchQueries runs the queries round-robin and reports the median and 99th
// percentile latency besides the mean.
func benchQueries(b *testing.B, x *Index, lang string, queries []string) {
	b.Helper()
	runQueries(b, x.Search, lang, queries)
}

// benchMisses is benchQueries past the results cache: every query is searched.
func benchMisses(b *testing.B, x *Index, lang string, queries []string) {
	b.Helper()
	runQueries(b, func(ctx context.Context, req catalogue.SearchRequest) (*catalogue.SearchResult, error) {
		req.Limit = catalogue.DefaultSearchLimit
		return x.search(ctx, req)
	}, lang, queries)
}

// runQueries sends the queries round and round and reports latency percentiles.
func runQueries(b *testing.B, search func(context.Context, catalogue.SearchRequest) (*catalogue.SearchResult, error),
	lang string, queries []string) {
	b.Helper()
	ctx := context.Background()
	lat := make([]time.Duration, 0, 1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := search(ctx, catalogue.SearchRequest{Query: queries[i%len(queries)], Lang: lang}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	b.Helper()
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkPlaceTable100k finds the nearest services among 100,000 spread over Milan
// on 5,000 addresses, with no filter and with one that keeps one service in 50.
func BenchmarkPlaceTable100k(b *testing.B) {
	orgs := make([]*catalogue.Organization, 5000)
	for i := range orgs {
		orgs[i] = &catalogue.Organization{Location: catalogue.Location{Point: catalogue.Point{
			Lat: 45.39 + float64(i%71)*0.002, Lon: 9.05 + float64(i/71)*0.004}}}
	}
	services := make([]*catalogue.Service, 100_000)
	for i := range services {
		services[i] = &catalogue.Service{ID: fmt.Sprintf("gen-%06d", i), Organization: orgs[(i*7919)%len(orgs)],
			Category: catalogue.CategoryIDs()[i%13], Cost: catalogue.Cost{Free: i%50 == 0}}
	}
	table := newPlaceTable(services)
	for _, f := range []struct {
		name string
		keep func(*catalogue.Service) bool
	}{{"all", func(*catalogue.Service) bool { return true }}, {"free", func(s *catalogue.Service) bool { return s.Cost.Free }}} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := catalogue.Point{Lat: 45.40 + float64(i%13)*0.01, Lon: 9.08 + float64(i%17)*0.014}
				table.nearest(p, 2, f.keep)
				i++
			}
		})
	}
}
