package reminderstest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/reminders"
)

// errCrashed is what a crashed dispatcher's calls return.
var errCrashed = errors.New("reminderstest: this dispatcher crashed")

// crashable is a queue that stops answering once its dispatcher crashed, as a dead
// process would: the reminders it holds stay claimed until their lease runs out.
type crashable struct {
	reminders.Claimer
	dead *atomic.Bool
}

func (c crashable) Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]reminders.Claimed, error) {
	if c.dead.Load() {
		return nil, errCrashed
	}
	return c.Claimer.Claim(ctx, now, lease, max)
}

func (c crashable) Done(ctx context.Context, cl reminders.Claimed) error {
	if c.dead.Load() {
		return errCrashed
	}
	return c.Claimer.Done(ctx, cl)
}

func (c crashable) Retry(ctx context.Context, cl reminders.Claimed, at time.Time, errText string) error {
	if c.dead.Load() {
		return errCrashed
	}
	return c.Claimer.Retry(ctx, cl, at, errText)
}

func (c crashable) Fail(ctx context.Context, cl reminders.Claimed, errText string) error {
	if c.dead.Load() {
		return errCrashed
	}
	return c.Claimer.Fail(ctx, cl, errText)
}

// crashingSender passes its first `after` reminders to the recorder, then crashes its
// dispatcher on the next one, before sending it.
type crashingSender struct {
	rec   *Recorder
	after int
	sent  atomic.Int64
	dead  *atomic.Bool
	kill  context.CancelFunc
}

func (s *crashingSender) Send(ctx context.Context, r reminders.Reminder) error {
	if s.dead.Load() || s.sent.Add(1) > int64(s.after) {
		s.dead.Store(true)
		s.kill()
		return errCrashed
	}
	return s.rec.Send(ctx, r)
}

// heldSender sends nothing until held is closed: the survivors claim their first
// batches alongside the victim, then wait for it to crash, so that the crash falls
// mid-way however the goroutines are scheduled.
type heldSender struct {
	rec  *Recorder
	held <-chan struct{}
}

func (s heldSender) Send(ctx context.Context, r reminders.Reminder) error {
	select {
	case <-s.held:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.rec.Send(ctx, r)
}

// ExactlyOnce checks that three dispatchers, each on its own queue (three clients of
// one store), deliver n reminders exactly once although the first crashes mid-way:
// after 150 sends it dies holding the rest of its batch, which the two others send
// once its lease runs out. The two others claim alongside it from the start but send
// only once it has crashed, so that it always crashes mid-way. The crash comes before a send: a crash between a send and
// its Done would repeat that reminder, which the Dispatcher documents.
func ExactlyOnce(t *testing.T, queues [3]reminders.Queue, n int) {
	ExactlyOnceAcross(t, queues, n, nil)
}

// ExactlyOnceAcross is ExactlyOnce with between, when not nil, called after the crash,
// while the crashed dispatcher's batch is still leased and before the survivors claim
// it: a store's failover there must keep the leases and the rest of the queue.
func ExactlyOnceAcross(t *testing.T, queues [3]reminders.Queue, n int, between func()) {
	const batch, lease, crashAfter = 100, time.Minute, 150
	if n < 4*batch {
		t.Fatalf("ExactlyOnce needs at least %d reminders", 4*batch)
	}
	Fill(t, queues[0], n, 500)
	clock := clocktest.New(T0)
	rec := &Recorder{}
	// Only a hang is bounded: a loaded machine may take a while.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	victimCtx, kill := context.WithCancel(ctx)
	defer kill()
	dead := &atomic.Bool{}
	opts := func(workers int) reminders.Options {
		return reminders.Options{Now: clock.Now, Lease: lease, Batch: batch, Workers: workers,
			Logger: slog.New(slog.DiscardHandler)}
	}
	// One worker: its sends and Dones alternate, so the crash falls between a Done
	// and the next send, never between a send and its Done.
	victim := newDispatcher(t, crashable{queues[0], dead}, &crashingSender{rec: rec, after: crashAfter, dead: dead, kill: kill}, opts(1))
	held := heldSender{rec: rec, held: victimCtx.Done()}
	survivors := []*reminders.Dispatcher{newDispatcher(t, queues[1], held, opts(8)), newDispatcher(t, queues[2], held, opts(8))}

	// Everything is due: all three drain the queue until nothing is left to claim.
	var wg sync.WaitGroup
	wg.Go(func() { drain(victimCtx, victim, n) })
	errs := make([]error, len(survivors))
	for i, d := range survivors {
		wg.Go(func() { errs[i] = drain(ctx, d, n) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("survivors: %v", err)
	}
	if !dead.Load() {
		t.Fatalf("the first dispatcher never crashed: the others drained the queue before it sent %d", crashAfter)
	}
	orphans := n - rec.Distinct()
	if orphans <= 0 || orphans > batch {
		t.Fatalf("after the crash %d reminders are left, want some of the crashed dispatcher's batch", orphans)
	}
	if rep := rec.Repeated(); len(rep) > 0 {
		t.Fatalf("delivered more than once before the lease ran out: %q", rep)
	}

	if between != nil {
		between()
	}
	// Once the crashed dispatcher's lease has run out, the survivors send the rest.
	clock.Advance(lease)
	for i, d := range survivors {
		wg.Go(func() { errs[i] = drain(ctx, d, n) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("survivors after the lease: %v", err)
	}
	if rep := rec.Repeated(); len(rep) > 0 {
		t.Fatalf("%d reminders delivered more than once: %q...", len(rep), rep[:min(len(rep), 5)])
	}
	if got := rec.Distinct(); got != n {
		t.Fatalf("%d of %d reminders delivered", got, n)
	}
	failed, err := queues[1].Failed(context.Background())
	if err != nil || len(failed) > 0 {
		t.Fatalf("failed reminders: %d, %v", len(failed), err)
	}
	t.Logf("%d reminders delivered once each; the crashed dispatcher left %d to the others", n, orphans)
}

func newDispatcher(t *testing.T, q reminders.Claimer, s reminders.Sender, opts reminders.Options) *reminders.Dispatcher {
	t.Helper()
	d, err := reminders.NewDispatcher(q, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// drain ticks until a tick sends nothing, an error, or a bound on the ticks a queue
// of n reminders can need.
func drain(ctx context.Context, d *reminders.Dispatcher, n int) error {
	for range n {
		sent, err := d.Tick(ctx)
		if err != nil || sent == 0 {
			return err
		}
	}
	return fmt.Errorf("reminderstest: still sending after %d ticks", n)
}
