// Package desktest is the contract test suite of desk.Store: adapters/redis and
// adapters/bolt both run it, so the desk can rely on the same behaviour from either.
package desktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/records"
)

// Durations of the suite. Stores that keep real time (Redis) sleep through them (the
// subtests run in parallel, so the suite takes about the longest of them). Some checks
// need a TTL not to have run out yet a few round trips after it was set, so shortTTL
// leaves room for a slow, loaded machine with the race detector; margin absorbs
// scheduling delays and the store's clock resolution.
const (
	shortTTL = 500 * time.Millisecond
	margin   = 200 * time.Millisecond
	longTTL  = time.Hour
	pollStep = 20 * time.Millisecond
	polls    = 50
	workers  = 20
)

// Run runs the contract suite against the stores open makes. Subtests run in
// parallel: open is called once per subtest, concurrently, and must return a store
// that shares no records, tallies or onces with the others, plus the Clock that store
// reads.
func Run(t *testing.T, open func(t *testing.T) (desk.Store, clocktest.Advancer)) {
	tests := []struct {
		name string
		run  func(h *harness)
	}{
		{"GetMissing", testGetMissing},
		{"UpdateRoundTrip", testUpdateRoundTrip},
		{"UpdateDeletes", testUpdateDeletes},
		{"UpdateError", testUpdateError},
		{"RecordExpires", testRecordExpiry},
		{"ZeroTTLKeeps", testZeroTTL},
		{"ListByKind", testList},
		{"OddNames", testOddNames},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"InvalidInput", testInvalidInput},
		{"TallyAdds", testTallyAdds},
		{"TallyExpires", testTallyExpiry},
		{"TallyTTLCoversKey", testTallyKeyTTL},
		{"TallyMaxFields", testTallyMaxFields},
		{"OnceFirstWins", testOnce},
		{"ConcurrentOnce", testConcurrentOnce},
		{"CancelledContext", testCancelledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store, clock := open(t)
			tc.run(&harness{t: t, store: store, clock: clock})
		})
	}
}

// harness wraps a store with helpers that fail the test on unexpected errors.
type harness struct {
	t     *testing.T
	store desk.Store
	clock clocktest.Advancer
}

// set stores doc whatever was there, and checks Update returns it.
func (h *harness) set(kind, id string, ttl time.Duration, doc string) {
	h.t.Helper()
	got, err := h.store.Update(context.Background(), kind, id, ttl, func([]byte) ([]byte, error) {
		return []byte(doc), nil
	})
	if err != nil {
		h.t.Fatalf("Update(%q, %q): %v", kind, id, err)
	}
	if string(got) != doc {
		h.t.Fatalf("Update(%q, %q) returned %q, want %q", kind, id, got, doc)
	}
}

// wantDoc checks that Get returns doc.
func (h *harness) wantDoc(kind, id, doc string) {
	h.t.Helper()
	got, err := h.store.Get(context.Background(), kind, id)
	if err != nil {
		h.t.Fatalf("Get(%q, %q): %v, want %q", kind, id, err, doc)
	}
	if string(got) != doc {
		h.t.Fatalf("Get(%q, %q) = %q, want %q", kind, id, got, doc)
	}
}

// wantMissing checks that Get returns ErrNotFound.
func (h *harness) wantMissing(kind, id string) {
	h.t.Helper()
	got, err := h.store.Get(context.Background(), kind, id)
	if !errors.Is(err, records.ErrNotFound) {
		h.t.Fatalf("Get(%q, %q) = %q, %v; want ErrNotFound", kind, id, got, err)
	}
}

// wantList checks that List returns exactly docs, in any order.
func (h *harness) wantList(kind string, docs ...string) {
	h.t.Helper()
	got, err := h.store.List(context.Background(), kind)
	if err != nil {
		h.t.Fatalf("List(%q): %v", kind, err)
	}
	strs := make([]string, len(got))
	for i, doc := range got {
		strs[i] = string(doc)
	}
	slices.Sort(strs)
	want := slices.Sorted(slices.Values(docs))
	if !slices.Equal(strs, want) {
		h.t.Fatalf("List(%q) = %q, want %q", kind, strs, want)
	}
}

// eventually advances the clock past ttl, then polls until gone reports true: stores
// that expire lazily may take a moment past the TTL.
func (h *harness) eventually(ttl time.Duration, what string, gone func() bool) {
	h.t.Helper()
	h.clock.Advance(ttl + margin)
	for range polls {
		if gone() {
			return
		}
		h.clock.Advance(pollStep)
	}
	h.t.Fatalf("%s still there after its TTL", what)
}

func testGetMissing(h *harness) {
	h.wantMissing("handoff", "telegram:1")
	h.wantList("handoff")
}

func testUpdateRoundTrip(h *harness) {
	ctx := context.Background()
	var seen []string
	record := func(next string) func([]byte) ([]byte, error) {
		return func(old []byte) ([]byte, error) {
			if old == nil {
				seen = append(seen, "<nil>")
			} else {
				seen = append(seen, string(old))
			}
			return []byte(next), nil
		}
	}
	for _, next := range []string{`{"v":1}`, `{"v":2}`} {
		got, err := h.store.Update(ctx, "handoff", "telegram:1", longTTL, record(next))
		if err != nil || string(got) != next {
			h.t.Fatalf("Update to %s: %q, %v", next, got, err)
		}
		h.wantDoc("handoff", "telegram:1", next)
	}
	// The first call saw no document (nil, not an empty one), the second the first's.
	if want := []string{"<nil>", `{"v":1}`}; !slices.Equal(seen, want) {
		h.t.Fatalf("fn saw %q, want %q", seen, want)
	}
	h.wantMissing("card", "telegram:1") // same id, another kind
}

func testUpdateDeletes(h *harness) {
	ctx := context.Background()
	h.set("card", "c1", longTTL, `{"a":1}`)
	h.set("card", "c2", 0, `{"b":2}`)
	del := func([]byte) ([]byte, error) { return nil, nil }
	for _, id := range []string{"c1", "c2", "never-stored"} {
		got, err := h.store.Update(ctx, "card", id, longTTL, del)
		if err != nil || got != nil {
			h.t.Fatalf("Update(%q) deleting: %q, %v; want nil, nil", id, got, err)
		}
		h.wantMissing("card", id)
	}
	h.wantList("card")
	h.set("card", "c1", longTTL, `{"a":"again"}`) // a deleted document can come back
	h.wantList("card", `{"a":"again"}`)
}

func testUpdateError(h *harness) {
	ctx := context.Background()
	errRefused := errors.New("refused by fn")
	refuse := func([]byte) ([]byte, error) { return []byte(`{"bad":1}`), errRefused }
	h.set("handoff", "h1", longTTL, `{"ok":1}`)
	for _, id := range []string{"h1", "h2"} {
		if _, err := h.store.Update(ctx, "handoff", id, longTTL, refuse); !errors.Is(err, errRefused) {
			h.t.Fatalf("Update(%q) with fn failing: got %v, want fn's error", id, err)
		}
	}
	h.wantDoc("handoff", "h1", `{"ok":1}`)
	h.wantMissing("handoff", "h2")
	h.wantList("handoff", `{"ok":1}`)
}

func testRecordExpiry(h *harness) {
	h.set("handoff", "short", shortTTL, `{"s":1}`)
	h.set("handoff", "long", longTTL, `{"l":1}`)
	h.wantDoc("handoff", "short", `{"s":1}`)
	h.eventually(shortTTL, "document", func() bool {
		_, err := h.store.Get(context.Background(), "handoff", "short")
		return errors.Is(err, records.ErrNotFound)
	})
	h.wantList("handoff", `{"l":1}`)
	// An expired document is no document: fn sees nil.
	_, err := h.store.Update(context.Background(), "handoff", "short", longTTL, func(old []byte) ([]byte, error) {
		if old != nil {
			return nil, fmt.Errorf("fn saw expired document %q", old)
		}
		return []byte(`{"s":2}`), nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.wantList("handoff", `{"l":1}`, `{"s":2}`)
}

func testZeroTTL(h *harness) {
	h.set("card", "forever", 0, `{"f":1}`)
	// A document stored with a TTL and then updated with none keeps no expiry.
	h.set("card", "was-short", shortTTL, `{"w":1}`)
	h.set("card", "was-short", 0, `{"w":2}`)
	h.set("card", "short", shortTTL, `{"s":1}`)
	h.eventually(shortTTL, "document", func() bool {
		_, err := h.store.Get(context.Background(), "card", "short")
		return errors.Is(err, records.ErrNotFound)
	})
	h.wantDoc("card", "forever", `{"f":1}`)
	h.wantDoc("card", "was-short", `{"w":2}`)
	h.wantList("card", `{"f":1}`, `{"w":2}`)
}

func testList(h *harness) {
	for i := range 3 {
		h.set("handoff", fmt.Sprintf("h%d", i), longTTL, fmt.Sprintf(`{"h":%d}`, i))
	}
	h.set("handoff", "gone", longTTL, `{"gone":1}`)
	h.set("handoff", "expiring", shortTTL, `{"expiring":1}`)
	h.set("card", "h0", longTTL, `{"card":0}`)
	h.set("cards", "x", longTTL, `{"cards":0}`)   // a kind the other's name starts
	h.set("handoffs", "x", longTTL, `{"hs":0}`)   // with must not leak into it
	h.set("handoff:x", "y", longTTL, `{"hx":0}`)  // nor one built by appending
	h.set("handof", "fx", longTTL, `{"shift":0}`) // nor one shifted by a byte
	if _, err := h.store.Update(context.Background(), "handoff", "gone", 0, func([]byte) ([]byte, error) { return nil, nil }); err != nil {
		h.t.Fatal(err)
	}
	h.eventually(shortTTL, "document", func() bool {
		_, err := h.store.Get(context.Background(), "handoff", "expiring")
		return errors.Is(err, records.ErrNotFound)
	})
	h.wantList("handoff", `{"h":0}`, `{"h":1}`, `{"h":2}`)
	h.wantList("card", `{"card":0}`)
	h.wantList("never-used")
}

// oddNames are kinds, ids and keys that a careless key scheme would mix up.
var oddNames = []string{
	"a", "b", "a}", "}", "{", "{r:a}", "a:b", "ids", "d:ids", "a%7D", "%", "a\x00", "\x00",
	"città 🙂", "a\nb", strings.Repeat("}", 64),
}

func testOddNames(h *harness) {
	for i, kind := range oddNames {
		for j, id := range oddNames {
			h.set(kind, id, longTTL, fmt.Sprintf(`{"k":%d,"i":%d}`, i, j))
		}
	}
	for i, kind := range oddNames {
		want := make([]string, len(oddNames))
		for j, id := range oddNames {
			want[j] = fmt.Sprintf(`{"k":%d,"i":%d}`, i, j)
			h.wantDoc(kind, id, want[j])
		}
		h.wantList(kind, want...)
	}
	long := strings.Repeat("}", 128)
	h.set("handoff", long, longTTL, `{"long":1}`)
	h.wantDoc("handoff", long, `{"long":1}`)
	for i, key := range oddNames {
		h.add(desk.Tally{Key: key, Field: key, N: int64(i + 1), TTL: longTTL})
		h.add(desk.Tally{Key: key, Field: "ids", N: 1, TTL: longTTL})
	}
	for i, key := range oddNames {
		want := map[string]int64{key: int64(i + 1), "ids": 1}
		if key == "ids" {
			want = map[string]int64{"ids": int64(i + 2)}
		}
		h.wantCounts(key, want)
		if !h.once(key, longTTL) {
			h.t.Fatalf("Once(%q) false on first call: another key's marker", key)
		}
	}
}

// testConcurrentUpdates has many writers increment a counter kept in one document: a
// lost update shows in the final value.
func testConcurrentUpdates(h *harness) {
	type counter struct{ N int }
	increment := func(old []byte) ([]byte, error) {
		var c counter
		if old != nil {
			if err := json.Unmarshal(old, &c); err != nil {
				return nil, err
			}
		}
		c.N++
		return json.Marshal(c)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			if _, err := h.store.Update(context.Background(), "card", "counter", longTTL, increment); err != nil {
				h.t.Error(err)
			}
		})
	}
	wg.Wait()
	h.wantDoc("card", "counter", fmt.Sprintf(`{"N":%d}`, workers))
}

func testInvalidInput(h *harness) {
	ctx := context.Background()
	called := false
	fn := func([]byte) ([]byte, error) { called = true; return []byte("{}"), nil }
	invalid := []struct{ name, kind, id string }{
		{"empty kind", "", "x"},
		{"long kind", strings.Repeat("k", 65), "x"},
		{"empty id", "card", ""},
		{"long id", "card", strings.Repeat("i", 129)},
	}
	for _, tc := range invalid {
		if _, err := h.store.Get(ctx, tc.kind, tc.id); err == nil || errors.Is(err, records.ErrNotFound) {
			h.t.Errorf("Get with %s: got %v, want a validation error", tc.name, err)
		}
		if _, err := h.store.Update(ctx, tc.kind, tc.id, longTTL, fn); err == nil || called {
			h.t.Errorf("Update with %s: got %v (fn called: %v), want a validation error", tc.name, err, called)
		}
	}
	for _, kind := range []string{"", strings.Repeat("k", 65)} {
		if _, err := h.store.List(ctx, kind); err == nil {
			h.t.Errorf("List(%q) succeeded, want a validation error", kind)
		}
	}
	if _, err := h.store.Update(ctx, "card", "c", -time.Second, fn); err == nil {
		h.t.Error("Update with a negative TTL succeeded")
	}
	h.set("card", "c", longTTL, `{"small":1}`)
	// Over what any store keeps, sealed or not.
	huge := func([]byte) ([]byte, error) { return make([]byte, records.MaxDoc+records.Overhead+1), nil }
	if _, err := h.store.Update(ctx, "card", "c", longTTL, huge); err == nil {
		h.t.Error("Update storing a document over 64 KiB succeeded")
	}
	h.wantDoc("card", "c", `{"small":1}`)

	tallies := []struct {
		name string
		t    desk.Tally
	}{
		{"empty key", desk.Tally{Field: "f", N: 1, TTL: longTTL}},
		{"long key", desk.Tally{Key: strings.Repeat("k", 65), Field: "f", N: 1, TTL: longTTL}},
		{"empty field", desk.Tally{Key: "k", N: 1, TTL: longTTL}},
		{"long field", desk.Tally{Key: "k", Field: strings.Repeat("f", 513), N: 1, TTL: longTTL}},
		{"zero TTL", desk.Tally{Key: "k", Field: "f", N: 1}},
	}
	for _, tc := range tallies {
		if err := h.store.Add(ctx, tc.t); err == nil {
			h.t.Errorf("Add with %s succeeded", tc.name)
		}
	}
	h.wantCounts("k", nil)
	for _, key := range []string{"", strings.Repeat("k", 65)} {
		if _, err := h.store.Counts(ctx, key); err == nil {
			h.t.Errorf("Counts(%q) succeeded, want a validation error", key)
		}
	}
	if _, err := h.store.Once(ctx, "", longTTL); err == nil {
		h.t.Error("Once with an empty key succeeded")
	}
	if _, err := h.store.Once(ctx, "k", 0); err == nil {
		h.t.Error("Once with a zero TTL succeeded")
	}
	if !h.once("k", longTTL) {
		h.t.Error("a refused Once took the key")
	}
}

func testCancelledContext(h *harness) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	store := func([]byte) ([]byte, error) { return []byte(`{"x":1}`), nil }
	calls := map[string]func() error{
		"Get":    func() error { _, err := h.store.Get(ctx, "card", "c"); return err },
		"Update": func() error { _, err := h.store.Update(ctx, "card", "c", longTTL, store); return err },
		"List":   func() error { _, err := h.store.List(ctx, "card"); return err },
		"Add":    func() error { return h.store.Add(ctx, desk.Tally{Key: "k", Field: "f", N: 1, TTL: longTTL}) },
		"Counts": func() error { _, err := h.store.Counts(ctx, "k"); return err },
		"Once":   func() error { _, err := h.store.Once(ctx, "k", longTTL); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			h.t.Errorf("%s with a cancelled context: got %v, want context.Canceled", name, err)
		}
	}
	// Nothing was written.
	h.wantMissing("card", "c")
	h.wantCounts("k", nil)
	if !h.once("k", longTTL) {
		h.t.Error("a cancelled Once took the key")
	}
}
