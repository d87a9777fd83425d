package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/desk/desktest"
)

// deskStart is the fake clocks' first instant: the night Europe/Rome moves back to
// winter time, which must not matter to a store that measures durations.
var deskStart = time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)

func TestDeskContract(t *testing.T) {
	desktest.Run(t, func(t *testing.T) (desk.Store, clocktest.Advancer) {
		clock := clocktest.New(deskStart)
		return openDesk(t, clock), clock
	})
}

func openDesk(t *testing.T, clock *clocktest.Clock) *Store {
	t.Helper()
	store, err := Open(filepath.Join(t.TempDir(), "wemi.db"), Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// TestDeskSweep checks that Sweep deletes the desk's expired entries and nothing live,
// in particular not a counter older than its tally's TTL in a tally renewed since.
func TestDeskSweep(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(deskStart)
	store := openDesk(t, clock)
	keep := func(id string, ttl time.Duration) {
		t.Helper()
		if _, err := store.Update(ctx, "card", id, ttl, func([]byte) ([]byte, error) { return []byte(id), nil }); err != nil {
			t.Fatal(err)
		}
	}
	add := func(field string) {
		t.Helper()
		if err := store.Add(ctx, desk.Tally{Key: "day", Field: field, N: 1, TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	keep("hour", time.Hour)
	keep("forever", 0)
	if _, err := store.Once(ctx, "digest", time.Hour); err != nil {
		t.Fatal(err)
	}
	add("early")
	// More tallies than one sweep batch, so heads and counters fall in different ones.
	putTallies(t, store, sweepBatch, clock.Now().Add(time.Hour))
	if counts, err := store.Counts(ctx, "k0999"); err != nil || !maps.Equal(counts, map[string]int64{"f": 1}) {
		t.Fatalf("Counts(k0999) = %v, %v; want f: 1", counts, err)
	}
	clock.Advance(50 * time.Minute)
	add("late")

	steps := []struct {
		advance time.Duration
		deleted int
		left    map[string]int
		counts  map[string]int64
	}{
		// early's own expiry has passed, but its key was renewed by late.
		{20 * time.Minute, 2 + 2*sweepBatch, map[string]int{"records": 1, "once": 0, "tallies": 3}, map[string]int64{"early": 1, "late": 1}},
		{time.Hour, 3, map[string]int{"records": 1, "once": 0, "tallies": 0}, map[string]int64{}},
	}
	for i, step := range steps {
		clock.Advance(step.advance)
		deleted, err := store.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if deleted != step.deleted {
			t.Errorf("step %d: Sweep deleted %d entries, want %d", i, deleted, step.deleted)
		}
		for name, want := range step.left {
			if got := count(t, store.db, name); got != want {
				t.Errorf("step %d: %d entries left in %s, want %d", i, got, name, want)
			}
		}
		counts, err := store.Counts(ctx, "day")
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(counts, step.counts) {
			t.Errorf("step %d: Counts(day) = %v, want %v", i, counts, step.counts)
		}
	}
	if doc, err := store.Get(ctx, "card", "forever"); err != nil || string(doc) != "forever" {
		t.Fatalf("record stored with ttl 0 after sweeping: %q, %v", doc, err)
	}
}

// putTallies writes n tallies k0000, k0001, … with one counter f each, expiring at
// expires, as Add leaves them but in one transaction, to keep the test fast.
func putTallies(t *testing.T, store *Store, n int, expires time.Time) {
	t.Helper()
	err := store.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(talliesBucket)
		one := binary.BigEndian.AppendUint64(nil, 1)
		for i := range n {
			key := fmt.Sprintf("k%04d", i)
			if err := put(b, pairKey(key, ""), expires, one); err != nil {
				return err
			}
			if err := put(b, pairKey(key, "f"), expires, one); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
