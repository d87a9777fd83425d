package search

import (
	"context"
	"errors"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
)

// An index written offline in many small segments, merged on the way, answers every
// kind of request as the in-memory index does: the same services, scores, totals,
// facets and distances.
func TestOfflineIndexAnswersAsTheInMemoryOne(t *testing.T) {
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	mem := testIndex(t)
	for _, perSegment := range []int{7, segmentDocs} {
		disk, err := build(context.Background(), cat, Options{Dir: t.TempDir()}, segments(perSegment))
		if err != nil {
			t.Fatalf("%d services a segment: %v", perSegment, err)
		}
		t.Cleanup(func() { disk.Close() })
		wantN, _ := mem.DocCount()
		if n, err := disk.DocCount(); err != nil || n != wantN {
			t.Errorf("%d services a segment: DocCount %d (%v), want %d", perSegment, n, err, wantN)
		}
		sameAnswers(t, disk, mem)
	}
}

// sameAnswers checks that an index answers every kind of request as another: the
// same services, scores, totals, facets and distances.
func sameAnswers(t *testing.T, got, want *Index) {
	t.Helper()
	milan := &catalogue.Point{Lat: 45.4642, Lon: 9.19}
	var reqs []catalogue.SearchRequest
	for _, q := range append(append([]string{"someone to walk my dog", ""}, benchExact...), benchTypos...) {
		reqs = append(reqs, catalogue.SearchRequest{Query: q, Limit: 20, Facets: true},
			catalogue.SearchRequest{Query: q, Municipio: 3, FreeOnly: true, Near: milan})
	}
	reqs = append(reqs, catalogue.SearchRequest{Query: "babysitter", Lang: "en", Audience: catalogue.AudienceChildren, Delivery: catalogue.DeliveryIndividual})
	hits, near := 0, 0
	for _, req := range reqs {
		w := mustSearch(t, want, req)
		sameResult(t, mustSearch(t, got, req), w, req)
		hits += len(w.Hits)
		if req.Near != nil {
			near += len(w.Hits)
		}
	}
	if hits == 0 || near == 0 {
		t.Fatalf("the requests find %d services, %d by distance: nothing compared", hits, near)
	}
}

// segments is the layout of an on-disk index of n services a segment, analysed
// through the memo.
func segments(n int) disk { return disk{perSegment: n, memoBytes: memoBytes} }

func sameResult(t *testing.T, got, want *catalogue.SearchResult, req catalogue.SearchRequest) {
	t.Helper()
	if got.Total != want.Total || len(got.Hits) != len(want.Hits) || math.Abs(got.Best-want.Best) > 1e-9 {
		t.Errorf("%+v: total %d, %d hits, best %.4f; want %d, %d, %.4f", req, got.Total, len(got.Hits), got.Best, want.Total, len(want.Hits), want.Best)
		return
	}
	for i, h := range got.Hits {
		w := want.Hits[i]
		if h.Service.ID != w.Service.ID || math.Abs(h.Score-w.Score) > 1e-9 || math.Abs(h.DistanceMeters-w.DistanceMeters) > 1e-6 {
			t.Errorf("%+v: hit %d is %s (%.4f, %.0f m), want %s (%.4f, %.0f m)", req, i, h.Service.ID, h.Score, h.DistanceMeters, w.Service.ID, w.Score, w.DistanceMeters)
		}
	}
	for c, n := range want.Categories {
		if got.Categories[c] != n {
			t.Errorf("%+v: category %s counts %d, want %d", req, c, got.Categories[c], n)
		}
	}
}

// A service listed twice under one id is indexed once, as its last listing.
func TestOfflineIndexKeepsTheLastOfServicesSharingAnID(t *testing.T) {
	base, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	cat := *base
	renamed := *base.Services[0]
	renamed.Name = "Zzyzxservizio"
	cat.Services = append(slices.Clone(base.Services), base.Services[0], &renamed)
	x, err := build(context.Background(), &cat, Options{Dir: t.TempDir()}, segments(5))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n, _ := x.DocCount(); n != uint64(len(base.Services)) {
		t.Errorf("DocCount %d, want %d", n, len(base.Services))
	}
	res := mustSearch(t, x, catalogue.SearchRequest{Query: "zzyzxservizio"})
	if len(res.Hits) != 1 || res.Hits[0].Service != &renamed {
		t.Errorf("the last listing is not the one indexed: %v", ids(res))
	}
}

// A catalogue without services gets an empty index, on disk as in memory.
func TestOfflineIndexOfNoServices(t *testing.T) {
	base, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	cat := *base
	cat.Services = nil
	dir := t.TempDir()
	x, err := Build(context.Background(), &cat, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := x.DocCount(); err != nil || n != 0 {
		t.Errorf("DocCount %d (%v), want 0", n, err)
	}
	if res := mustSearch(t, x, catalogue.SearchRequest{Query: "badante"}); len(res.Hits) != 0 {
		t.Errorf("hits in an empty catalogue: %v", ids(res))
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("Close left %d entries in the index folder", len(left))
	}
}

// A cancelled build stops with the context's error and leaves nothing behind.
func TestOfflineBuildStopsWhenCancelled(t *testing.T) {
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if _, err := build(ctx, cat, Options{Dir: dir}, segments(3)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Build = %v, want context.Canceled", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("a cancelled build left %d entries in the index folder", len(left))
	}
}
