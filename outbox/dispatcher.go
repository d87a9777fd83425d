package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Deliver delivers one claimed item. It returns nil when the item was delivered or
// need not be (it is removed); an error wrapping ErrNotSent when it gave up before
// trying, because ctx ended (the item is released, no attempt counted); an error made
// by Later to have it tried again; any other error to give up on it (a dead letter).
type Deliver func(ctx context.Context, c Claimed) error

// ErrNotSent says that a Deliver func did not try: the item goes back as it was.
var ErrNotSent = errors.New("outbox: not sent")

// laterError asks for another attempt, at the earliest after wait.
type laterError struct {
	wait time.Duration
	err  error
}

func (e *laterError) Error() string { return e.err.Error() }
func (e *laterError) Unwrap() error { return e.err }

// Later wraps err, the reason of a failed attempt, to have the item tried again after
// wait at the earliest (the dispatcher's backoff may make it longer).
func Later(wait time.Duration, err error) error {
	return &laterError{wait: wait, err: err}
}

// DispatcherOptions configure a Dispatcher; zero values take the defaults.
type DispatcherOptions struct {
	// Lease is how long a claimed item is this dispatcher's; default 60 s. A Deliver
	// func gets at most half of it to start its attempt.
	Lease time.Duration
	// Workers is how many lanes are delivered at once; default 16.
	Workers int
	// Poll is how often the store is asked for due items besides Wake; default 250 ms.
	Poll time.Duration
	// MaxAttempts is how many failed attempts (or lapsed leases) make an item a dead
	// letter; default 12, about four minutes of backoff.
	MaxAttempts int
	// Now tells the time; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Dispatcher claims due items from a Store and delivers them, a lane's items one at a
// time in order, up to Workers lanes at once. Every replica runs one on the shared
// store; a replica that dies leaves its leases to run out, and another takes over.
type Dispatcher struct {
	store   Store
	deliver Deliver
	opts    DispatcherOptions
	log     *slog.Logger
	wake    chan struct{}
}

// NewDispatcher returns a dispatcher of store's items through deliver.
func NewDispatcher(store Store, deliver Deliver, opts DispatcherOptions) *Dispatcher {
	if opts.Lease <= 0 {
		opts.Lease = time.Minute
	}
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	opts.Workers = min(opts.Workers, MaxClaim)
	if opts.Poll <= 0 {
		opts.Poll = 250 * time.Millisecond
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 12
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{store: store, deliver: deliver, opts: opts, log: log, wake: make(chan struct{}, 1)}
}

// Wake makes the dispatcher look for due items now (items were put in this process).
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers items until ctx ends, then waits for the deliveries in progress: those
// that had not started their attempt give their items back at once.
func (d *Dispatcher) Run(ctx context.Context) {
	sem := make(chan struct{}, d.opts.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		}
		timer.Reset(d.opts.Poll)
		free := cap(sem) - len(sem) // only this loop takes places: it can count on them
		if free == 0 {
			continue
		}
		claimed, err := d.store.Claim(ctx, d.opts.Now(), d.opts.Lease, free)
		if err != nil && ctx.Err() == nil {
			d.log.WarnContext(ctx, "outbox: claim failed", "err", err)
		}
		for _, c := range claimed {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem; d.Wake() }() // the lane's next item is due
				d.handle(ctx, c)
			})
		}
	}
}

// handle delivers one item and settles its lease.
func (d *Dispatcher) handle(ctx context.Context, c Claimed) {
	var err error
	if c.Attempts >= d.opts.MaxAttempts {
		err = fmt.Errorf("its lease ran out %d times", c.Attempts)
	} else {
		dctx, cancel := context.WithTimeout(ctx, d.opts.Lease/2)
		err = d.deliver(dctx, c)
		cancel()
	}
	// Settled even when ctx has ended: a stopping dispatcher gives its items back.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	now := d.opts.Now()
	var later *laterError
	switch {
	case err == nil:
		err = d.store.Done(sctx, now, c)
	case errors.Is(err, ErrNotSent):
		err = d.store.Release(sctx, now, c)
	case errors.As(err, &later) && c.Attempts+1 < d.opts.MaxAttempts:
		at := now.Add(max(later.wait, d.backoff(c.Attempts)))
		d.log.WarnContext(ctx, "outbox: delivery failed; tried again later", "attempt", c.Attempts+1, "retry_at", at, "err", err)
		err = d.store.Retry(sctx, c, at, err.Error())
	default:
		d.log.ErrorContext(ctx, "outbox: delivery failed for good; kept as a dead letter", "attempts", c.Attempts+1, "err", err)
		err = d.store.Bury(sctx, now, c, err.Error())
	}
	switch {
	case errors.Is(err, ErrLeaseLost):
		d.log.WarnContext(ctx, "outbox: lease lost before the item was settled")
	case err != nil:
		d.log.ErrorContext(ctx, "outbox: settle failed; the item goes out again after its lease", "err", err)
	}
}

// backoff is the wait after the attempts-th failure (counting from 0): 250 ms,
// doubling, at most a minute.
func (d *Dispatcher) backoff(attempts int) time.Duration {
	wait := 250 * time.Millisecond
	for range attempts {
		if wait >= time.Minute {
			break
		}
		wait *= 2
	}
	return min(wait, time.Minute)
}
