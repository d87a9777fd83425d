package search

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	index "github.com/blevesearch/bleve_index_api"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// repeatedCatalogue is the bundled catalogue with n services made from its own, as
// a large catalogue repeats values: each takes a bundled service's translations,
// category and keywords, a provider of the catalogue, a name numbered out of seven
// and a description joined from two services' descriptions.
func repeatedCatalogue(t testing.TB, n int) *catalogue.Catalogue {
	t.Helper()
	base, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	cat := *base
	cat.Services = make([]*catalogue.Service, n)
	for i := range n {
		s := *base.Services[i%len(base.Services)]
		other := base.Services[(i*7+3)%len(base.Services)]
		s.ID = fmt.Sprintf("rep-%05d", i)
		s.Name = fmt.Sprintf("%s %d", s.Name, i%7)
		s.Description = s.Description + " " + strings.SplitN(other.Description, ". ", 2)[0]
		s.Organization = base.Organizations[(i/3)%len(base.Organizations)]
		cat.Services[i] = &s
	}
	return &cat
}

// Analysed through the memo, full or nearly empty, on every core, each field of
// each document has the terms, frequencies and length of its own analysis.
func TestMemoisedAnalysisIsTheFieldsOwn(t *testing.T) {
	cat := repeatedCatalogue(t, 1000)
	langs := map[string]i18n.Language{}
	for _, l := range catalogueLanguages(cat) {
		langs[l.Code] = l
	}
	m, err := newMapping(langs)
	if err != nil {
		t.Fatal(err)
	}
	want, err := analyse(m, cat.Services, langs, nil)
	if err != nil {
		t.Fatal(err)
	}
	small := newAnalysisMemo(20_000)
	small.maxSeen = 50
	for name, memo := range map[string]*analysisMemo{"memo": newAnalysisMemo(memoBytes), "small memo": small} {
		got, err := analyse(m, cat.Services, langs, memo)
		if err != nil {
			t.Fatal(err)
		}
		shared, fields := 0, 0
		firsts := map[uintptr]bool{}
		for i := range got {
			sameAnalysis(t, name, got[i].(analysedDocument), want[i].(analysedDocument))
			for _, f := range got[i].(analysedDocument).fields {
				p := reflect.ValueOf(f.freqs).Pointer()
				if firsts[p] {
					shared++
				}
				firsts[p] = true
				fields++
			}
		}
		if name == "memo" && shared < fields/2 {
			t.Errorf("%s: %d fields of %d share their analysis", name, shared, fields)
		}
		if len(memo.kept) == 0 {
			t.Errorf("%s: kept nothing", name)
		}
		if memo.bytes > memo.maxBytes {
			t.Errorf("%s: holds %d bytes, more than its %d", name, memo.bytes, memo.maxBytes)
		}
	}
}

func sameAnalysis(t *testing.T, name string, got, want analysedDocument) {
	t.Helper()
	// Fields come in the order of a map's keys: compare those of each name, in order.
	byName := func(d analysedDocument) map[string][]analysedField {
		out := map[string][]analysedField{}
		for _, f := range d.fields {
			out[f.Name()] = append(out[f.Name()], f)
		}
		return out
	}
	gotFields, wantFields := byName(got), byName(want)
	if len(got.fields) != len(want.fields) || len(gotFields) != len(wantFields) {
		t.Fatalf("%s: %s has %d fields, want %d", name, got.ID(), len(got.fields), len(want.fields))
	}
	for field, ws := range wantFields {
		gs := gotFields[field]
		if len(gs) != len(ws) {
			t.Fatalf("%s: %s has %d fields %s, want %d", name, got.ID(), len(gs), field, len(ws))
		}
		for j, w := range ws {
			g := gs[j]
			// Values are not compared: the analysis lowers their letters in place.
			if g.length != w.length || !sameFrequencies(g.freqs, w.freqs) {
				t.Fatalf("%s: %s field %s: length %d, %d terms; want %d, %d terms",
					name, got.ID(), field, g.length, len(g.freqs), w.length, len(w.freqs))
			}
		}
	}
}

func sameFrequencies(a, b index.TokenFrequencies) bool {
	if len(a) != len(b) {
		return false
	}
	for term, fa := range a {
		fb, ok := b[term]
		if !ok || string(fa.Term) != string(fb.Term) || fa.Frequency() != fb.Frequency() || len(fa.Locations) != len(fb.Locations) {
			return false
		}
	}
	return true
}

// An index of a catalogue whose values repeat, built through the memo, answers as
// the index built without it.
func TestMemoisedBuildAnswersAsTheOneWithout(t *testing.T) {
	cat := repeatedCatalogue(t, 1200)
	without, err := build(context.Background(), cat, Options{Dir: t.TempDir()}, disk{perSegment: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer without.Close()
	with, err := build(context.Background(), cat, Options{Dir: t.TempDir()}, segments(200))
	if err != nil {
		t.Fatal(err)
	}
	defer with.Close()
	for _, req := range memoRequests() {
		sameRanking(t, mustSearch(t, with, req), mustSearch(t, without, req), req)
	}
}

// memoRequests are requests of every kind, that find many services.
func memoRequests() []catalogue.SearchRequest {
	milan := &catalogue.Point{Lat: 45.4642, Lon: 9.19}
	var reqs []catalogue.SearchRequest
	for _, q := range append(append([]string{"someone to walk my dog", ""}, benchExact...), benchTypos...) {
		reqs = append(reqs, catalogue.SearchRequest{Query: q, Limit: catalogue.MaxSearchLimit, Facets: true},
			catalogue.SearchRequest{Query: q, Municipio: 3, FreeOnly: true, Near: milan, Limit: 30})
	}
	return append(reqs, catalogue.SearchRequest{Query: "babysitter", Lang: "en", Audience: catalogue.AudienceChildren, Delivery: catalogue.DeliveryIndividual})
}

// sameRanking is sameResult for a catalogue whose services repeat: services of equal
// scores may come in another order (their scores differ in the last bits, as the
// same index built twice shows), so each rank must have the same score and distance,
// and each group of services tied on both the same services, but for the last
// group, which the limit may cut.
func sameRanking(t *testing.T, got, want *catalogue.SearchResult, req catalogue.SearchRequest) {
	t.Helper()
	if got.Total != want.Total || len(got.Hits) != len(want.Hits) || math.Abs(got.Best-want.Best) > 1e-9 {
		t.Errorf("%+v: total %d, %d hits, best %.4f; want %d, %d, %.4f", req, got.Total, len(got.Hits), got.Best, want.Total, len(want.Hits), want.Best)
		return
	}
	for c, n := range want.Categories {
		if got.Categories[c] != n {
			t.Errorf("%+v: category %s counts %d, want %d", req, c, got.Categories[c], n)
		}
	}
	tied := func(a, b catalogue.Hit) bool {
		return math.Abs(a.Score-b.Score) <= 1e-9 && math.Abs(a.DistanceMeters-b.DistanceMeters) <= 1e-6
	}
	start := 0
	for i, h := range got.Hits {
		if w := want.Hits[i]; !tied(h, w) {
			t.Errorf("%+v: hit %d is %s (%.4f, %.0f m), want %s (%.4f, %.0f m)", req, i, h.Service.ID, h.Score, h.DistanceMeters, w.Service.ID, w.Score, w.DistanceMeters)
			return
		}
		if i+1 < len(got.Hits) && tied(want.Hits[i+1], want.Hits[start]) {
			continue
		}
		if i+1 < len(got.Hits) && !sameServices(got.Hits[start:i+1], want.Hits[start:i+1]) {
			t.Errorf("%+v: hits %d to %d are other services than wanted", req, start, i)
		}
		start = i + 1
	}
}

func sameServices(a, b []catalogue.Hit) bool {
	ids := map[string]int{}
	for i := range a {
		ids[a[i].Service.ID]++
		ids[b[i].Service.ID]--
	}
	for _, n := range ids {
		if n != 0 {
			return false
		}
	}
	return true
}
