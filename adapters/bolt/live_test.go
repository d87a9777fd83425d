package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/clocktest"
)

// size returns how many locks and open rate windows the table holds at now.
func (t *liveTable) size(now time.Time) (locks, rates int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.convs {
		if c.held(now.UnixNano()) {
			locks++
		}
		if now.UnixNano() < c.rateEnds {
			rates++
		}
	}
	return locks, rates
}

func TestLiveTable(t *testing.T) {
	now := deskStart
	later := now.Add(2 * time.Minute)
	tests := []struct {
		name           string
		run            func(table *liveTable) // at now
		lockAt         time.Time              // when a new session tries the lock
		wantLock       bool
		locks, rates   int // at later, before sweeping
		swept, entries int // at later
	}{
		{"free", func(*liveTable) {}, now, true, 0, 0, 0, 0},
		{"held", func(l *liveTable) { l.lock("c", "a", now, time.Minute) }, now, false, 0, 0, 1, 0},
		{"expired", func(l *liveTable) { l.lock("c", "a", now, time.Minute) }, later, true, 0, 0, 1, 0},
		{"unlocked", func(l *liveTable) { l.lock("c", "a", now, time.Minute); l.unlock("c", "a") }, now, true, 0, 0, 0, 0},
		{"unlocked by another", func(l *liveTable) { l.lock("c", "a", now, time.Minute); l.unlock("c", "b") }, now, false, 0, 0, 1, 0},
		{"pinned past expiry", func(l *liveTable) {
			l.lock("c", "a", now, time.Minute)
			l.pin("c", "a", now)
		}, later, false, 1, 0, 0, 1},
		{"unpinned unsaved", func(l *liveTable) {
			l.lock("c", "a", now, time.Minute)
			l.pin("c", "a", now)
			l.unpin("c", "a", false)
		}, now, false, 0, 0, 1, 0},
		{"unpinned saved", func(l *liveTable) {
			l.lock("c", "a", now, time.Minute)
			l.pin("c", "a", now)
			l.unpin("c", "a", true)
		}, now, true, 0, 0, 0, 0},
		{"seized", func(l *liveTable) { l.seize("c", "f") }, later, false, 1, 0, 0, 1},
		{"dropped", func(l *liveTable) { l.seize("c", "f"); l.drop("c", "f") }, now, true, 0, 0, 0, 0},
		{"counted", func(l *liveTable) { l.count("c", now, time.Hour) }, now, true, 0, 1, 0, 1},
		{"window ended", func(l *liveTable) { l.count("c", now, time.Minute) }, now, true, 0, 0, 1, 0},
		{"restored", func(l *liveTable) { l.restore("c", 7, later.Add(time.Second).UnixNano()) }, now, true, 0, 1, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table := newLiveTable()
			tc.run(table)
			probe := newLiveTable()
			tc.run(probe)
			if got := probe.lock("c", "new", tc.lockAt, time.Minute); got != tc.wantLock {
				t.Errorf("lock at %v: %v, want %v", tc.lockAt.Sub(now), got, tc.wantLock)
			}
			if locks, rates := table.size(later); locks != tc.locks || rates != tc.rates {
				t.Errorf("at later: %d locks, %d rate windows; want %d, %d", locks, rates, tc.locks, tc.rates)
			}
			if n := table.sweep(later); n != tc.swept {
				t.Errorf("sweep: %d, want %d", n, tc.swept)
			}
			if n := len(table.convs); n != tc.entries {
				t.Errorf("%d entries after sweeping, want %d", n, tc.entries)
			}
		})
	}
}

func TestLiveTableCounts(t *testing.T) {
	table := newLiveTable()
	for i := 1; i <= 3; i++ {
		if n := table.count("c", deskStart, time.Minute); n != i {
			t.Fatalf("message %d counted as %d", i, n)
		}
	}
	if n := table.count("c", deskStart.Add(time.Minute), time.Minute); n != 1 {
		t.Fatalf("first message of a new window counted as %d", n)
	}
	table.restore("d", 41, deskStart.Add(time.Minute).UnixNano())
	if n := table.count("d", deskStart, time.Minute); n != 42 {
		t.Fatalf("restored counter went to %d, want 42", n)
	}
}

// TestRestartFreesLocksKeepsCounts checks what a restart changes: the locks held by
// the sessions of the previous run are free, their Commits fail, the counts stay.
func TestRestartFreesLocksKeepsCounts(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(deskStart)
	path := filepath.Join(t.TempDir(), "wemi.db")
	store, err := Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for i, update := range []string{"u1", "u2"} {
		s, err := store.Begin(ctx, testBegin("web:1", update))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := store.Commit(ctx, s, testCommit("one")); err != nil {
				t.Fatal(err)
			}
		}
	}
	held, err := store.Begin(ctx, testBegin("web:2", "u1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	reopened, err := Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if err := reopened.Commit(ctx, held, testCommit("stale")); err == nil {
		t.Fatal("a session of the previous run committed")
	}
	s, err := reopened.Begin(ctx, testBegin("web:2", "u2"))
	if err != nil || s.Count != 2 {
		t.Fatalf("web:2 after reopening: %+v, %v; want its lock free and count 2", s, err)
	}
	s, err = reopened.Begin(ctx, testBegin("web:1", "u3"))
	if err != nil || string(s.State) != "one" || s.Count != 3 {
		t.Fatalf("web:1 after reopening: %+v, %v; want state one, count 3", s, err)
	}
}
