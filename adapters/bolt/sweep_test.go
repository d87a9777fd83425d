package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/clocktest"
)

func TestSweep(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC))
	store, err := Open(filepath.Join(t.TempDir(), "wemi.db"), Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })

	// 1500 handled conversations, more than one sweep batch: a state, a rate window
	// and a handled marker each, as Commit leaves them, written in one transaction to
	// keep the test fast. The markers outlive the states.
	const handled = 1500
	now := clock.Now()
	err = store.db.Update(func(tx *bbolt.Tx) error {
		for i := range handled {
			conv := fmt.Sprintf("web:%d", i)
			for _, err := range []error{
				put(tx.Bucket(stateBucket), []byte(conv), now.Add(time.Hour), []byte("x")),
				put(tx.Bucket(rateBucket), []byte(conv), now.Add(time.Minute), binary.BigEndian.AppendUint64(nil, 1)),
				put(tx.Bucket(seenBucket), seenKey(conv, "u1"), now.Add(2*time.Hour), nil),
			} {
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// One conversation whose handler died holding the lock.
	if _, err := store.Begin(ctx, bot.Begin{Conversation: "telegram:9", UpdateID: "u1", LockTTL: time.Minute, RateWindow: time.Minute}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		advance time.Duration
		deleted int
		left    map[string]int
	}{
		{0, 0, map[string]int{"state": handled, "locks": 1, "rate": handled + 1, "seen": handled}},
		{2 * time.Minute, handled + 2, map[string]int{"state": handled, "locks": 0, "rate": 0, "seen": handled}},
		{time.Hour, handled, map[string]int{"state": 0, "locks": 0, "rate": 0, "seen": handled}},
		{time.Hour, handled, map[string]int{"state": 0, "locks": 0, "rate": 0, "seen": 0}},
		{time.Hour, 0, map[string]int{"state": 0, "locks": 0, "rate": 0, "seen": 0}},
	}
	for i, step := range steps {
		clock.Advance(step.advance)
		deleted, err := store.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if deleted != step.deleted {
			t.Errorf("step %d: Sweep deleted %d records, want %d", i, deleted, step.deleted)
		}
		for name, want := range step.left {
			if got := countLive(t, store, name); got != want {
				t.Errorf("step %d: %d records left in %s, want %d", i, got, name, want)
			}
		}
	}
}

func TestSweepStopsWhenCancelled(t *testing.T) {
	store, err := Open(filepath.Join(t.TempDir(), "wemi.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := store.Sweep(ctx); err == nil {
		t.Fatal("Sweep with a cancelled context succeeded")
	}
}

// countLive is count, plus for the locks and the rate windows those held in memory.
func countLive(t *testing.T, store *Store, bucket string) int {
	t.Helper()
	locks, rates := store.live.size(store.now())
	switch bucket {
	case "locks":
		return locks
	case "rate":
		return rates + count(t, store.db, bucket)
	}
	return count(t, store.db, bucket)
}

func count(t *testing.T, db *bbolt.DB, bucket string) int {
	t.Helper()
	n := 0
	err := db.View(func(tx *bbolt.Tx) error {
		n = tx.Bucket([]byte(bucket)).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
