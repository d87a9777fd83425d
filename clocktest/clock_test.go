package clocktest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/clocktest"
)

func TestClockMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	c := clocktest.New(start)
	now := c.Now // the shape injected as `now func() time.Time`
	if got := now(); !got.Equal(start) {
		t.Fatalf("Now() = %v, want %v", got, start)
	}
	c.Advance(90 * time.Minute)
	if got, want := now(), start.Add(90*time.Minute); !got.Equal(want) {
		t.Fatalf("after Advance: %v, want %v", got, want)
	}
	back := start.Add(-24 * time.Hour)
	c.Set(back)
	if got := now(); !got.Equal(back) {
		t.Fatalf("after Set: %v, want %v", got, back)
	}
}

// Run with -race: readers and writers on other goroutines share one Clock.
func TestClockIsSafeForConcurrentUse(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := clocktest.New(start)
	const goroutines, steps = 8, 100
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range steps {
				c.Advance(time.Second)
				if c.Now().Before(start) {
					t.Error("the clock went back")
				}
			}
		})
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(goroutines*steps*time.Second); !got.Equal(want) {
		t.Fatalf("after %d advances: %v, want %v", goroutines*steps, got, want)
	}
}
