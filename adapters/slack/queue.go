package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Errors of workQueue.submit.
var (
	// ErrDraining is returned for work that arrives after Drain began.
	ErrDraining = errors.New("slack: desk draining")
	// ErrBusy is returned when too much work is waiting already.
	ErrBusy = errors.New("slack: desk busy")
)

// workQueue runs the desk's work in the background, so that Slack's requests are
// acknowledged within its 3 seconds and citizens' replies never wait for Slack. Jobs
// with the same key run one after the other in submission order (a handoff's card
// before its relays, an operator's replies in the order written); jobs with different
// keys run concurrently, at most workers at once.
type workQueue struct {
	sem      chan struct{}
	timeout  time.Duration
	maxQueue int
	log      *slog.Logger

	mu      sync.Mutex
	keys    map[string][]job // per key, the running job first
	pending int
	closed  bool
	wg      sync.WaitGroup
}

type job struct {
	ctx context.Context // the submitter's, without its cancellation
	fn  func(context.Context)
}

func newWorkQueue(workers, maxQueue int, timeout time.Duration, log *slog.Logger) *workQueue {
	return &workQueue{sem: make(chan struct{}, workers), timeout: timeout, maxQueue: maxQueue,
		log: log, keys: map[string][]job{}}
}

// submit queues fn to run after the jobs already queued under key ("" for none). fn
// gets a context detached from ctx's cancellation, bounded by the queue's timeout.
func (q *workQueue) submit(ctx context.Context, key string, fn func(context.Context)) error {
	j := job{ctx: context.WithoutCancel(ctx), fn: fn}
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.closed:
		return ErrDraining
	case q.pending >= q.maxQueue:
		return ErrBusy
	}
	q.pending++
	q.wg.Add(1)
	if key == "" {
		go q.exec(j)
		return nil
	}
	queued := q.keys[key]
	q.keys[key] = append(queued, j)
	if len(queued) == 0 {
		go q.runKey(key, j)
	}
	return nil
}

// runKey runs the jobs of key until none is left.
func (q *workQueue) runKey(key string, j job) {
	for {
		q.exec(j)
		q.mu.Lock()
		rest := q.keys[key][1:]
		if len(rest) == 0 {
			delete(q.keys, key)
			q.mu.Unlock()
			return
		}
		q.keys[key] = rest
		j = rest[0]
		q.mu.Unlock()
	}
}

// exec runs one job when a worker is free.
func (q *workQueue) exec(j job) {
	defer func() {
		q.mu.Lock()
		q.pending--
		q.mu.Unlock()
		q.wg.Done()
	}()
	q.sem <- struct{}{}
	defer func() { <-q.sem }()
	ctx, cancel := context.WithTimeout(j.ctx, q.timeout)
	defer cancel()
	defer func() {
		// A bug in one job must not take the process down.
		if r := recover(); r != nil {
			q.log.ErrorContext(ctx, "slack: panic in desk work", "panic", fmt.Sprint(r))
		}
	}()
	j.fn(ctx)
}

// drain refuses new work and waits for the queued work to finish, or for ctx to end.
func (q *workQueue) drain(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	done := make(chan struct{})
	go func() {
		q.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("slack: drain: %w", ctx.Err())
	}
}
