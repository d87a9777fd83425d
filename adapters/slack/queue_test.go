package slack

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"
)

// Jobs of one key run in submission order, one at a time; other keys run alongside.
func TestWorkQueueOrdersEachKey(t *testing.T) {
	q := newWorkQueue(4, 1000, time.Second, slog.New(slog.DiscardHandler))
	var mu sync.Mutex
	ran := map[string][]int{}
	running := map[string]int{}
	ctx := context.Background()
	for i := range 50 {
		for _, key := range []string{"a", "b", "c"} {
			err := q.submit(ctx, key, func(context.Context) {
				mu.Lock()
				running[key]++
				if running[key] > 1 {
					t.Errorf("two jobs of %s at once", key)
				}
				mu.Unlock()
				time.Sleep(time.Microsecond) // let another job of the key overlap, were it wrongly started
				mu.Lock()
				running[key]--
				ran[key] = append(ran[key], i)
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := q.drain(dctx); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"a", "b", "c"} {
		if !slices.IsSorted(ran[key]) || len(ran[key]) != 50 {
			t.Errorf("key %s ran %v", key, ran[key])
		}
	}
	if err := q.submit(ctx, "a", func(context.Context) {}); !errors.Is(err, ErrDraining) {
		t.Errorf("submit after drain: %v, want ErrDraining", err)
	}
}

// The queue is bounded, a job's context outlives its submitter's but not the
// queue's timeout, and a panicking job does not take the process down.
func TestWorkQueueBoundsAndTimeouts(t *testing.T) {
	q := newWorkQueue(1, 2, 50*time.Millisecond, slog.New(slog.DiscardHandler))
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	var deadline error
	done := make(chan struct{})
	if err := q.submit(ctx, "", func(ctx context.Context) {
		<-release
		<-ctx.Done() // cancelling the submitter does not end it; the timeout does
		deadline = ctx.Err()
		close(done)
	}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := q.submit(ctx, "k", func(context.Context) { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	if err := q.submit(ctx, "k", func(context.Context) {}); !errors.Is(err, ErrBusy) {
		t.Errorf("third job: %v, want ErrBusy", err)
	}
	close(release)
	<-done
	if !errors.Is(deadline, context.DeadlineExceeded) {
		t.Errorf("job context ended with %v, want its timeout", deadline)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dcancel()
	if err := q.drain(dctx); err != nil {
		t.Fatal(err)
	}
}

// drain gives up when its context ends first.
func TestWorkQueueDrainGivesUp(t *testing.T) {
	q := newWorkQueue(1, 10, time.Minute, slog.New(slog.DiscardHandler))
	release := make(chan struct{})
	defer close(release)
	if err := q.submit(context.Background(), "", func(context.Context) { <-release }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := q.drain(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("drain = %v, want context.Canceled", err)
	}
}
