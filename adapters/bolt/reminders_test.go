package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/reminders/reminderstest"
)

func TestRemindersContract(t *testing.T) {
	reminderstest.Run(t, func(t *testing.T) reminders.Queue {
		return openReminders(t)
	})
}

// TestRemindersUnreadable corrupts records in the file itself.
func TestRemindersUnreadable(t *testing.T) {
	store := openReminders(t)
	reminderstest.Unreadable(t, store, func(t *testing.T, id string) {
		t.Helper()
		err := store.db.Update(func(tx *bbolt.Tx) error {
			return put(tx.Bucket(remindersBucket), []byte(id), forever, []byte(`{"id":`))
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestRemindersExactlyOnce runs three dispatchers on one file in one process, the
// first crashing mid-way. Fewer reminders than on Redis, where the test sends 10,000:
// every Done is a transaction of the file, and 3,000 are enough for the crash to fall
// in the middle of the run.
func TestRemindersExactlyOnce(t *testing.T) {
	store := openReminders(t)
	// Without an fsync per transaction: the test is about atomicity, not durability.
	store.db.NoSync = true
	reminderstest.ExactlyOnce(t, [3]reminders.Queue{store, store, store}, 3000)
}

// TestRemindersSurviveSweepAndReopen checks that reminders, which never expire, are
// kept by Sweep and by closing and reopening the file.
func TestRemindersSurviveSweepAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wemi.db")
	store, err := Open(path, Options{Now: func() time.Time { return reminderstest.T0.Add(1000 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	r := reminderstest.Reminder("b1:before-2h", "b1", reminderstest.T0)
	if err := store.Plan(ctx, r, reminderstest.Reminder("b2:before-2h", "b2", reminderstest.T0)); err != nil {
		t.Fatal(err)
	}
	cs, err := store.Claim(ctx, reminderstest.T0, time.Minute, 1)
	if err != nil || len(cs) != 1 {
		t.Fatalf("Claim: %v, %v", cs, err)
	}
	if err := store.Fail(ctx, cs[0], "blocked"); err != nil {
		t.Fatal(err)
	}
	if n, err := store.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("Sweep deleted %d entries (%v), want none", n, err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	store, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	failed, err := store.Failed(ctx)
	if err != nil || len(failed) != 1 {
		t.Fatalf("Failed after reopening: %v, %v", failed, err)
	}
	pending, err := store.Pending(ctx, "b2")
	if err != nil || len(pending) != 1 {
		t.Fatalf("Pending after reopening: %v, %v", pending, err)
	}
}

func openReminders(t *testing.T) *Store {
	t.Helper()
	store, err := Open(filepath.Join(t.TempDir(), "wemi.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}
