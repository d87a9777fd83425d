package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/outbox"
)

// runDispatcher runs a dispatcher on store until the test ends.
func runDispatcher(t *testing.T, store outbox.Store, deliver outbox.Deliver, opts outbox.DispatcherOptions) (stop func()) {
	t.Helper()
	opts.Poll = 10 * time.Millisecond
	d := outbox.NewDispatcher(store, deliver, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func put(t *testing.T, s outbox.Store, items ...outbox.Item) {
	t.Helper()
	if _, err := s.Put(context.Background(), time.Now(), items...); err != nil {
		t.Fatal(err)
	}
}

// Lanes go out in parallel, each lane's items one at a time in order.
func TestDispatcherKeepsLaneOrder(t *testing.T) {
	store := outbox.NewMemory()
	const lanes, each = 4, 6
	for i := range each {
		for l := range lanes {
			put(t, store, outbox.Item{Key: fmt.Sprintf("%d:%d", l, i), Lane: fmt.Sprint(l), Payload: []byte(fmt.Sprint(i))})
		}
	}
	var mu sync.Mutex
	got := map[string][]string{}
	busy := map[string]bool{}
	maxParallel, parallel := 0, 0
	runDispatcher(t, store, func(ctx context.Context, c outbox.Claimed) error {
		mu.Lock()
		if busy[c.Lane] {
			t.Errorf("two items of lane %s at once", c.Lane)
		}
		busy[c.Lane] = true
		parallel++
		maxParallel = max(maxParallel, parallel)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		busy[c.Lane] = false
		parallel--
		got[c.Lane] = append(got[c.Lane], string(c.Payload))
		mu.Unlock()
		return nil
	}, outbox.DispatcherOptions{Workers: 8})
	waitFor(t, "every item", func() bool { return store.Len() == 0 })
	mu.Lock()
	defer mu.Unlock()
	for l := range lanes {
		if fmt.Sprint(got[fmt.Sprint(l)]) != "[0 1 2 3 4 5]" {
			t.Errorf("lane %d went out as %v", l, got[fmt.Sprint(l)])
		}
	}
	if maxParallel < 2 {
		t.Errorf("lanes went out one at a time (at most %d at once)", maxParallel)
	}
}

// A failed attempt is tried again later; after MaxAttempts, and at once for an error
// that is not worth retrying, the item becomes a dead letter and its lane goes on.
func TestDispatcherRetriesThenBuries(t *testing.T) {
	store := outbox.NewMemory()
	put(t, store,
		outbox.Item{Key: "flaky", Lane: "a", Payload: []byte("flaky")},
		outbox.Item{Key: "down", Lane: "b", Payload: []byte("down")},
		outbox.Item{Key: "bad", Lane: "c", Payload: []byte("bad")},
		outbox.Item{Key: "after", Lane: "b", Payload: []byte("after")})
	var mu sync.Mutex
	tries := map[string]int{}
	runDispatcher(t, store, func(ctx context.Context, c outbox.Claimed) error {
		mu.Lock()
		defer mu.Unlock()
		tries[c.Key]++
		if c.Attempts != tries[c.Key]-1 {
			t.Errorf("%s: attempt %d claimed with Attempts %d", c.Key, tries[c.Key], c.Attempts)
		}
		switch {
		case c.Key == "flaky" && tries[c.Key] == 1, c.Key == "down":
			return outbox.Later(0, errors.New("502 Bad Gateway"))
		case c.Key == "bad":
			return errors.New("400 Bad Request")
		}
		return nil
	}, outbox.DispatcherOptions{MaxAttempts: 3})
	waitFor(t, "every item settled", func() bool { return store.Len() == 0 })
	dead, err := store.Dead(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 2 || dead[0].Key != "bad" || dead[0].Attempts != 1 || dead[1].Key != "down" || dead[1].Attempts != 3 ||
		dead[1].Reason != "502 Bad Gateway" {
		t.Errorf("dead letters: %+v", dead)
	}
	mu.Lock()
	defer mu.Unlock()
	if tries["flaky"] != 2 || tries["after"] != 1 || tries["down"] != 3 {
		t.Errorf("tries: %v", tries)
	}
}

// A stopping dispatcher gives back what it had not attempted, without counting an
// attempt; a lease that ran out counts one, and MaxAttempts of them bury the item.
func TestDispatcherStopReleases(t *testing.T) {
	store := outbox.NewMemory()
	put(t, store, outbox.Item{Key: "k", Lane: "a"})
	started := make(chan struct{})
	stop := runDispatcher(t, store, func(ctx context.Context, c outbox.Claimed) error {
		close(started)
		<-ctx.Done() // waiting for a limit when the stop comes
		return fmt.Errorf("%w: %w", outbox.ErrNotSent, ctx.Err())
	}, outbox.DispatcherOptions{})
	<-started
	stop()
	got, err := store.Claim(context.Background(), time.Now(), time.Millisecond, 1)
	if err != nil || len(got) != 1 || got[0].Attempts != 0 {
		t.Fatalf("after the stop: %v, %+v; want the item back with no attempt", err, got)
	}
	// got's lease runs out; so do the next ones.
	for range 2 {
		time.Sleep(2 * time.Millisecond)
		if _, err := store.Claim(context.Background(), time.Now(), time.Millisecond, 1); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2 * time.Millisecond)
	runDispatcher(t, store, func(context.Context, outbox.Claimed) error {
		t.Error("an item whose leases ran out MaxAttempts times was delivered")
		return nil
	}, outbox.DispatcherOptions{MaxAttempts: 3})
	waitFor(t, "the item buried", func() bool { return store.Len() == 0 })
}
