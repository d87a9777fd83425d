package desktest

// The suite's tests of Tallies and Onces.

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/comune-milano/wemibot/desk"
)

func (h *harness) add(t desk.Tally) {
	h.t.Helper()
	if err := h.store.Add(context.Background(), t); err != nil {
		h.t.Fatalf("Add(%q, %q): %v", t.Key, t.Field, err)
	}
}

func (h *harness) counts(key string) map[string]int64 {
	h.t.Helper()
	got, err := h.store.Counts(context.Background(), key)
	if err != nil {
		h.t.Fatalf("Counts(%q): %v", key, err)
	}
	return got
}

// wantCounts checks that key holds exactly want; nil and empty are the same.
func (h *harness) wantCounts(key string, want map[string]int64) {
	h.t.Helper()
	if got := h.counts(key); !maps.Equal(got, want) {
		h.t.Fatalf("Counts(%q) = %v, want %v", key, got, want)
	}
}

func (h *harness) once(key string, ttl time.Duration) bool {
	h.t.Helper()
	first, err := h.store.Once(context.Background(), key, ttl)
	if err != nil {
		h.t.Fatalf("Once(%q): %v", key, err)
	}
	return first
}

func testTallyAdds(h *harness) {
	day := func(field string, n int64) desk.Tally {
		return desk.Tally{Key: "figures:2026-11-26", Field: field, N: n, TTL: longTTL}
	}
	h.wantCounts("figures:2026-11-26", nil) // unknown key: no counters, no error
	h.add(day("searches", 1))
	h.add(day("searches", 2))
	h.add(day("handoffs", 5))
	h.add(day("handoffs", -1))
	h.add(desk.Tally{Key: "figures:2026-11-27", Field: "searches", N: 7, TTL: longTTL})
	h.wantCounts("figures:2026-11-26", map[string]int64{"searches": 3, "handoffs": 4})
	h.wantCounts("figures:2026-11-27", map[string]int64{"searches": 7})
	// Without MaxFields, a key holds any number of counters.
	for i := range 50 {
		h.add(desk.Tally{Key: "texts", Field: fmt.Sprintf("text %d", i), N: 1, TTL: longTTL})
	}
	if got := h.counts("texts"); len(got) != 50 {
		h.t.Fatalf("Counts(texts) has %d counters, want 50", len(got))
	}
}

func testTallyExpiry(h *harness) {
	h.add(desk.Tally{Key: "k", Field: "f", N: 3, TTL: shortTTL})
	h.add(desk.Tally{Key: "kept", Field: "f", N: 1, TTL: longTTL})
	h.eventually(shortTTL, "tally", func() bool { return len(h.counts("k")) == 0 })
	h.wantCounts("kept", map[string]int64{"f": 1})
	// An expired key starts again from zero, without its old counters.
	h.add(desk.Tally{Key: "k", Field: "g", N: 1, TTL: longTTL})
	h.wantCounts("k", map[string]int64{"g": 1})
	h.add(desk.Tally{Key: "k", Field: "f", N: 1, TTL: longTTL})
	h.wantCounts("k", map[string]int64{"f": 1, "g": 1})
}

// testTallyKeyTTL checks that the TTL of the last Add applies to the whole key: a
// counter last added to before its own TTL ran out lives on with the key.
func testTallyKeyTTL(h *harness) {
	ttl := 6 * shortTTL
	h.add(desk.Tally{Key: "k", Field: "early", N: 1, TTL: ttl})
	h.clock.Advance(4 * shortTTL)
	h.add(desk.Tally{Key: "k", Field: "late", N: 1, TTL: ttl})
	h.clock.Advance(4 * shortTTL) // past early's first expiry, two shortTTLs before the key's
	h.wantCounts("k", map[string]int64{"early": 1, "late": 1})
	h.add(desk.Tally{Key: "k", Field: "early", N: 1, TTL: shortTTL}) // a shorter TTL too
	h.eventually(shortTTL, "tally", func() bool { return len(h.counts("k")) == 0 })
}

func testTallyMaxFields(h *harness) {
	bounded := func(field string) desk.Tally {
		return desk.Tally{Key: "texts", Field: field, N: 1, TTL: longTTL, MaxFields: 2}
	}
	for _, field := range []string{"a", "b", "c", "a", "d", "b", "a"} {
		h.add(bounded(field)) // beyond the bound: no error, and nothing done
	}
	h.wantCounts("texts", map[string]int64{"a": 3, "b": 2})
}

func testOnce(h *harness) {
	if !h.once("remind:h1", shortTTL) {
		h.t.Fatal("first Once(remind:h1) = false")
	}
	if !h.once("remind:h2", longTTL) {
		h.t.Fatal("first Once(remind:h2) = false")
	}
	for range 3 {
		if h.once("remind:h1", shortTTL) {
			h.t.Fatal("second Once(remind:h1) = true")
		}
	}
	h.eventually(shortTTL, "once marker", func() bool { return h.once("remind:h1", longTTL) })
	if h.once("remind:h1", longTTL) || h.once("remind:h2", longTTL) {
		h.t.Fatal("Once true again within the TTL")
	}
}

func testConcurrentOnce(h *harness) {
	var mu sync.Mutex
	firsts := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			first, err := h.store.Once(context.Background(), "digest:2026-11-26", longTTL)
			if err != nil {
				h.t.Error(err)
				return
			}
			if first {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firsts != 1 {
		h.t.Fatalf("%d of %d concurrent Once calls were first, want exactly 1", firsts, workers)
	}
}
