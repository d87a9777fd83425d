package bolt_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/bot/storetest"
	"github.com/comune-milano/wemibot/clocktest"
)

// start is the fake clocks' first instant: the night Europe/Rome moves to summer time,
// which must not matter to a store that measures durations.
var start = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (bot.Store, clocktest.Advancer) {
		clock := clocktest.New(start)
		return open(t, filepath.Join(t.TempDir(), "wemi.db"), clock), clock
	})
}

func open(t testing.TB, path string, clock *clocktest.Clock) *bolt.Store {
	t.Helper()
	store, err := bolt.Open(path, bolt.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

func begin(conversation, update string) bot.Begin {
	return bot.Begin{Conversation: conversation, UpdateID: update, LockTTL: time.Minute, RateWindow: time.Minute}
}

func TestReopenKeepsState(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(start)
	path := filepath.Join(t.TempDir(), "new", "folder", "wemi.db") // created by Open
	store := open(t, path, clock)
	s, err := store.Begin(ctx, begin("telegram:1", "u1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Commit(ctx, s, bot.Commit{State: []byte("kept"), IdleTTL: time.Hour, DedupeTTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	reopened := open(t, path, clock)
	if dup, err := reopened.Begin(ctx, begin("telegram:1", "u1")); err != nil || !dup.Duplicate {
		t.Fatalf("u1 after reopening: %+v, %v; want a duplicate", dup, err)
	}
	s, err = reopened.Begin(ctx, begin("telegram:1", "u2"))
	if err != nil {
		t.Fatal(err)
	}
	if string(s.State) != "kept" || s.Count != 2 {
		t.Fatalf("after reopening: state %q count %d, want kept and 2", s.State, s.Count)
	}
}

func TestOpenRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	inUse := filepath.Join(dir, "in-use.db")
	open(t, inUse, clocktest.New(start))
	tests := []struct {
		name, path, want string
	}{
		{"text file", write("notes.txt", []byte(strings.Repeat("not a database\n", 1000))), "not a bbolt database"},
		{"short file", write("short.db", []byte("hello")), "not a bbolt database"},
		{"zeroed file", write("zero.db", make([]byte, 64<<10)), "not a bbolt database"},
		{"folder", dir, "open bolt store " + dir},
		{"file in use", inUse, "in use by another process"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store, err := bolt.Open(tc.path, bolt.Options{})
			if err == nil {
				_ = store.Close()
				t.Fatalf("Open(%s) succeeded", tc.path)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("Open(%s): %v; want the path and %q", tc.path, err, tc.want)
			}
		})
	}
}

func BenchmarkBeginCommit(b *testing.B) { benchBeginCommit(b, 1) }

// BenchmarkBeginCommit64 has 64 conversations Begin and Commit at once, as the engine
// benchmark does: their Commits share transactions.
func BenchmarkBeginCommit64(b *testing.B) { benchBeginCommit(b, 32) }

// benchBeginCommit runs Begin and Commit from parallelism goroutines per CPU, each in
// a conversation of its own, and reports the CPU time per Begin and Commit.
func benchBeginCommit(b *testing.B, parallelism int) {
	store, err := bolt.Open(filepath.Join(b.TempDir(), "wemi.db"), bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	ctx := context.Background()
	state := []byte(strings.Repeat("s", 512))
	var workers atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(parallelism)
	cpu := processCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		conversation := fmt.Sprintf("bench:%d", workers.Add(1))
		for i := 0; pb.Next(); i++ {
			s, err := store.Begin(ctx, begin(conversation, fmt.Sprint(i)))
			if err != nil {
				b.Error(err)
				return
			}
			if err := store.Commit(ctx, s, bot.Commit{State: state, IdleTTL: time.Hour, DedupeTTL: time.Minute}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64((processCPU(b)-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}

// processCPU returns the user and system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
