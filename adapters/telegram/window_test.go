package telegram

import (
	"context"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// On a fake clock, with calls that take 0 to 100 ms and are received by Telegram at
// any moment while they last, no one-second window receives more than 30; and the
// limit wastes little: with several calls in flight, 300 take under 12 s (a call
// counts until a second after its end, so the rate is 30 per 1 s and a call's length).
func TestWindowHoldsInEverySecond(t *testing.T) {
	for _, burst := range []int{1, 4, 64} { // calls in flight at once
		clock := time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
		w := newWindow(30, func() time.Time { return clock })
		rng := rand.New(rand.NewPCG(1, uint64(burst)))
		type flight struct{ start, end time.Time }
		var inFlight []flight
		var received []time.Time
		start := clock
		for sent := 0; sent < 300; {
			// Start calls while the window lets them, up to burst at once.
			if len(inFlight) < burst {
				if ok, _ := w.begin(clock); ok {
					d := time.Duration(rng.IntN(100)) * time.Millisecond
					inFlight = append(inFlight, flight{clock, clock.Add(d)})
					received = append(received, clock.Add(time.Duration(rng.Int64N(int64(d)+1))))
					sent++
					continue
				}
			}
			clock = clock.Add(time.Millisecond)
			kept := inFlight[:0]
			for _, f := range inFlight {
				if !clock.Before(f.end) {
					w.end(f.end)
				} else {
					kept = append(kept, f)
				}
			}
			inFlight = kept
		}
		sort.Slice(received, func(i, j int) bool { return received[i].Before(received[j]) })
		worst := 0
		for i := range received {
			n := 0
			for j := i; j < len(received) && received[j].Sub(received[i]) < time.Second; j++ {
				n++
			}
			worst = max(worst, n)
		}
		if worst > 30 {
			t.Errorf("%d in flight: %d calls received within one second, want at most 30", burst, worst)
		}
		if took := clock.Sub(start); burst > 1 && took > 12*time.Second {
			t.Errorf("%d in flight: 300 calls took %v, want under 12 s at 30 a second", burst, took)
		}
	}
}

// A token bucket of rate 30 and burst 5 lets 35 through in a second; the window never
// more than 30, even to calls that end at once.
func TestWindowBurstIsNotOnTop(t *testing.T) {
	clock := time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
	w := newWindow(30, func() time.Time { return clock })
	n := 0
	for end := clock.Add(time.Second); clock.Before(end); clock = clock.Add(10 * time.Millisecond) {
		for {
			ok, _ := w.begin(clock)
			if !ok {
				break
			}
			w.end(clock)
			n++
		}
	}
	if n != 30 {
		t.Errorf("%d calls in one second, want 30", n)
	}
}

func TestWindowAcquireWaitsAndGivesUp(t *testing.T) {
	w := newWindow(2, time.Now) // two a second
	for range 2 {
		release, err := w.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := w.acquire(ctx); err == nil {
		t.Error("a third call within the second was let through")
	}
	if newWindow(-1, time.Now) != nil || newWindow(0, time.Now) != nil {
		t.Error("a rate of zero or less is not 'no limit'")
	}
	if release, err := (*window)(nil).acquire(context.Background()); err != nil {
		t.Error(err)
	} else {
		release()
	}
}
