package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/time/rate"
)

// Sender delivers reminders to citizens; the engine implements it.
type Sender interface {
	// Send builds the reminder's message from its booking as it is now and sends it
	// to r.Conversation. nil means the reminder is done: sent, or with nothing left
	// to say (the booking was cancelled). An error wrapping ErrPermanent fails the
	// reminder at once; any other is retried with backoff. Send must return once ctx
	// is done: ctx ends before the reminder's lease does, so that no other
	// dispatcher claims the reminder while it is being sent. Send may see a reminder
	// again after a dispatcher stopped between sending it and recording it (see
	// Dispatcher): a Sender that must never repeat one remembers r.ID and r.Due.
	Send(ctx context.Context, r Reminder) error
}

// Defaults of Options.
const (
	DefaultLease       = time.Minute
	DefaultBatch       = 100
	DefaultWorkers     = 8
	DefaultMaxAttempts = 5
	DefaultSpec        = "@every 10s"
)

// Bounds of the default Backoff.
const (
	firstBackoff = 30 * time.Second
	maxBackoff   = 30 * time.Minute
)

// storeTimeout bounds the store call that records how a send went. It runs even when
// the tick's context is cancelled: a reminder sent must be marked done, or it goes out
// again.
const storeTimeout = 5 * time.Second

// jobBudget is how long one cron run keeps claiming batches when there is a backlog
// (after an outage); the next run carries on. maxDrainTicks bounds a Drain whose
// context has no deadline.
const (
	jobBudget     = 30 * time.Second
	maxDrainTicks = 1000
)

// Options configure a Dispatcher; zero values mean the defaults.
type Options struct {
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// Location is the time zone of the quiet hours; nil means Europe/Rome.
	Location *time.Location
	// Lease is how long a claim lasts: a reminder claimed by a dispatcher that died
	// goes out this long later, from another. Sends are cut off at 90% of it.
	Lease time.Duration
	// Batch is the most reminders one Tick claims (at most MaxClaim); with a
	// RateLimit, fewer, so that a batch can be sent within half a lease.
	Batch int
	// Workers is how many sends a Tick makes at once.
	Workers int
	// MaxAttempts is how many failed sends (or lapsed leases) make a reminder a
	// dead letter.
	MaxAttempts int
	// Backoff says how long to wait before trying a reminder again after its
	// attempts-th failure; nil means Backoff.
	Backoff func(attempts int) time.Duration
	// RateLimit caps this dispatcher's sends per second, for the channel's limits:
	// with several replicas, each gets its share of the channel's limit. Zero means
	// no limit. Burst is the most sent at once (default: one second's worth). The
	// channel's own sender may hold messages back further (Telegram's one a second
	// per chat); the send's deadline bounds that wait.
	RateLimit rate.Limit
	Burst     int
	// Spec is the cron schedule of AddTo; empty means DefaultSpec.
	Spec string
	// OnFail, when set, is told of each reminder made a dead letter, once it is kept
	// among the failed: the place to let staff know. It must not block for long.
	OnFail func(ctx context.Context, r Reminder)
	// Logger receives what happened to reminders that did not go out as planned; nil
	// means slog.Default(). It gets reminder ids, never conversations.
	Logger *slog.Logger
}

// Dispatcher claims due reminders from the queue and sends them. Any number of
// dispatchers, in any number of replicas, can share one queue.
//
// What is guaranteed: a reminder is leased to one dispatcher at a time and removed
// only by the claim that sent it, so each reminder is sent once, also when a
// dispatcher dies after claiming it (another sends it when the lease runs out). The
// one exception is a dispatcher that stops between the channel accepting a message
// and Done recording it, a window of one store round trip: that reminder goes out
// again when its lease runs out (at least once, never lost). Nothing is dropped
// silently: a failed send is retried with backoff, up to MaxAttempts, and then kept
// as a dead letter (Inspector.Failed) and logged.
//
// The quiet hours hold at send time too: nothing goes out from 21:00 to 08:00, also
// when a reminder is claimed late (every replica was down) or retried. A reminder
// claimed then waits until 08:00, without counting an attempt; a retry that backoff
// puts then waits until 08:00 likewise. A Before reminder whose service has started
// by then is dropped instead, with a warning: a reminder of the past is noise.
type Dispatcher struct {
	queue   Claimer
	sender  Sender
	opts    Options
	loc     *time.Location
	batch   int
	limiter *rate.Limiter
	log     *slog.Logger
	running atomic.Bool // a cron run is in progress
}

// NewDispatcher returns a Dispatcher of the reminders in queue through sender.
func NewDispatcher(queue Claimer, sender Sender, opts Options) (*Dispatcher, error) {
	if queue == nil || sender == nil {
		return nil, errors.New("reminders: dispatcher without queue or sender")
	}
	if opts.Lease < 0 || opts.Batch < 0 || opts.Batch > MaxClaim || opts.Workers < 0 ||
		opts.MaxAttempts < 0 || opts.RateLimit < 0 || opts.Burst < 0 {
		return nil, errors.New("reminders: negative dispatcher option, or a batch over MaxClaim")
	}
	loc, err := location(opts.Location)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Backoff == nil {
		opts.Backoff = Backoff
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts.Lease = positive(opts.Lease, DefaultLease)
	opts.Batch = positive(opts.Batch, DefaultBatch)
	opts.Workers = positive(opts.Workers, DefaultWorkers)
	opts.MaxAttempts = positive(opts.MaxAttempts, DefaultMaxAttempts)
	if opts.Spec == "" {
		opts.Spec = DefaultSpec
	}
	d := &Dispatcher{queue: queue, sender: sender, opts: opts, loc: loc, batch: opts.Batch,
		limiter: rate.NewLimiter(rate.Inf, 0), log: opts.Logger}
	if opts.RateLimit > 0 {
		burst := positive(opts.Burst, int(math.Ceil(float64(opts.RateLimit))))
		d.limiter = rate.NewLimiter(opts.RateLimit, burst)
		// A batch that takes longer than the lease to send would be claimed again.
		perHalfLease := float64(opts.RateLimit)*opts.Lease.Seconds()/2 + float64(burst)
		d.batch = max(1, min(d.batch, int(perHalfLease)))
	}
	return d, nil
}

// Backoff is the default wait before the next try after a reminder's attempts-th
// failure: 30 s doubling with each attempt up to 30 min, the second half of it random
// so that reminders failing together (a channel outage) do not retry together.
func Backoff(attempts int) time.Duration {
	d := maxBackoff
	if attempts < 16 {
		d = min(firstBackoff<<max(attempts-1, 0), maxBackoff)
	}
	return d/2 + rand.N(d/2)
}

// Tick claims one batch of due reminders and sends them, Workers at a time, then
// records each outcome in the queue. It returns how many were sent. Errors of sends
// are handled (retried or failed) and logged, not returned; the error is the queue's,
// when a claim or a record failed.
func (d *Dispatcher) Tick(ctx context.Context) (sent int, err error) {
	_, sent, err = d.tick(ctx)
	return sent, err
}

// Drain ticks until a batch comes back short (the backlog is done), an error, or
// maxDrainTicks, and starts no tick once ctx has less than a lease left, so the ticks
// it starts can end. It returns how many reminders were sent.
func (d *Dispatcher) Drain(ctx context.Context) (sent int, err error) {
	for range maxDrainTicks {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d.opts.Lease {
			break
		}
		claimed, n, err := d.tick(ctx)
		sent += n
		if err != nil || claimed < d.batch {
			return sent, err
		}
	}
	return sent, nil
}

// AddTo runs the dispatcher on c, at Options.Spec, until ctx ends. Every replica may
// add it; a run that finds the previous one still draining a backlog does nothing.
// Each run's context is derived from ctx: when ctx ends, a run in progress stops
// claiming and gives back what it has not sent (no attempt counted), so stopping c
// waits at most a store round trip for it.
func (d *Dispatcher) AddTo(ctx context.Context, c *cron.Cron) (cron.EntryID, error) {
	id, err := c.AddFunc(d.opts.Spec, func() { d.run(ctx) })
	if err != nil {
		return 0, fmt.Errorf("reminders: add the dispatcher to cron at %q: %w", d.opts.Spec, err)
	}
	return id, nil
}

// run is one cron run, bounded by its own deadline as well as by ctx.
func (d *Dispatcher) run(ctx context.Context) {
	if ctx.Err() != nil || !d.running.CompareAndSwap(false, true) {
		return
	}
	defer d.running.Store(false)
	job, cancel := context.WithTimeout(ctx, jobBudget+d.opts.Lease)
	defer cancel()
	sent, err := d.Drain(job)
	switch {
	case err != nil && ctx.Err() != nil:
		// Stopping: what was claimed and not sent was given back.
		d.log.InfoContext(job, "reminders: dispatch stopped", "sent", sent, "err", err)
	case err != nil:
		d.log.ErrorContext(job, "reminders: dispatch failed", "sent", sent, "err", err)
	case sent > 0:
		d.log.InfoContext(job, "reminders: sent", "sent", sent)
	}
}

// tick is Tick, also returning how many reminders it claimed.
func (d *Dispatcher) tick(ctx context.Context) (claimed, sent int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, fmt.Errorf("reminders: tick: %w", err)
	}
	batch, claimErr := d.queue.Claim(ctx, d.opts.Now(), d.opts.Lease, d.batch)
	if claimErr != nil {
		// A store may return some reminders along with an error (one it could not
		// read): those are sent, not left to wait for their lease to run out.
		claimErr = fmt.Errorf("reminders: claim: %w", claimErr)
	}
	if len(batch) == 0 {
		return 0, 0, claimErr
	}
	sendCtx, cancel := context.WithTimeout(ctx, d.opts.Lease*9/10)
	defer cancel()
	var (
		mu   sync.Mutex
		errs = []error{claimErr}
		wg   sync.WaitGroup
	)
	next := make(chan Claimed)
	for range min(d.opts.Workers, len(batch)) {
		wg.Go(func() {
			for c := range next {
				ok, err := d.deliver(ctx, sendCtx, c)
				mu.Lock()
				if ok {
					sent++
				}
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, c := range batch {
		next <- c
	}
	close(next)
	wg.Wait()
	return len(batch), sent, errors.Join(errs...)
}

// storeContext bounds one step's store calls by storeTimeout, also when ctx is ending:
// what a send did must be recorded.
func storeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
}

// deliver sends one claimed reminder, or decides not to, and records the outcome. It
// reports whether the reminder was sent; the error is the queue's.
func (d *Dispatcher) deliver(ctx, sendCtx context.Context, c Claimed) (bool, error) {
	store, cancel := storeContext(ctx)
	held, err := d.holdBack(ctx, store, c)
	cancel()
	if held {
		return false, err
	}
	waitErr := d.limiter.Wait(sendCtx)
	// The store's time starts after the wait for the rate limit, however long it was.
	store, cancel = storeContext(ctx)
	defer cancel()
	if waitErr != nil {
		// No time left in the lease (or shutting down): give it back for the next claim.
		return false, d.record(ctx, "give back", c, d.queue.Retry(store, c, d.opts.Now(), ""))
	}
	// The wait for the rate limit may have run into the quiet hours.
	if held, err := d.holdBack(ctx, store, c); held {
		return false, err
	}
	err = d.sender.Send(sendCtx, c.Reminder)
	// Recording the outcome gets its own time too: a paced send may have taken long.
	store, cancel = storeContext(ctx)
	defer cancel()
	switch {
	case err == nil:
		return true, d.record(ctx, "done", c, d.queue.Done(store, c))
	case ctx.Err() != nil:
		// Shutting down is not the reminder's fault: no attempt counted.
		return false, d.record(ctx, "give back", c, d.queue.Retry(store, c, d.opts.Now(), ""))
	case errors.Is(err, ErrPermanent):
		return false, d.fail(store, c, err.Error())
	}
	attempts := c.Attempts + 1
	if attempts >= d.opts.MaxAttempts {
		return false, d.fail(store, c, err.Error())
	}
	at := OutOfQuietAfter(d.opts.Now().Add(d.opts.Backoff(attempts)), d.loc)
	if c.Kind.endsAtStart() && !at.Before(c.Start) {
		d.log.WarnContext(ctx, "reminders: send failed, and the service starts before the next try; dropped",
			"reminder", c.ID, "attempt", attempts, "err", err)
		return false, d.record(ctx, "done", c, d.queue.Done(store, c))
	}
	d.log.WarnContext(ctx, "reminders: send failed, will retry",
		"reminder", c.ID, "attempt", attempts, "retry_at", at, "err", err)
	return false, d.record(ctx, "retry", c, d.queue.Retry(store, c, at, err.Error()))
}

// holdBack decides, at send time, against sending c now: it fails a reminder out of
// attempts, drops a Before reminder whose service has started, and, in the quiet
// hours, postpones c to their end, or drops it when they last until its service
// starts. It reports whether it held c back; the error is the queue's.
func (d *Dispatcher) holdBack(ctx, store context.Context, c Claimed) (bool, error) {
	now := d.opts.Now()
	switch {
	case c.Attempts >= d.opts.MaxAttempts:
		return true, d.fail(store, c, fmt.Sprintf("gave up after %d attempts: %s", c.Attempts, c.LastError))
	case c.Kind.endsAtStart() && !now.Before(c.Start):
		d.log.WarnContext(ctx, "reminders: the service started before its reminder went out; dropped",
			"reminder", c.ID, "due", c.Due, "attempts", c.Attempts)
		return true, d.record(ctx, "done", c, d.queue.Done(store, c))
	case !Quiet(now, d.loc):
		return false, nil
	}
	at := OutOfQuietAfter(now, d.loc)
	if c.Kind.endsAtStart() && !at.Before(c.Start) {
		d.log.WarnContext(ctx, "reminders: claimed in the quiet hours, which last until the service starts; dropped",
			"reminder", c.ID, "due", c.Due, "attempts", c.Attempts)
		return true, d.record(ctx, "done", c, d.queue.Done(store, c))
	}
	// Not an attempt: nothing failed.
	return true, d.record(ctx, "postpone", c, d.queue.Retry(store, c, at, ""))
}

// fail makes c a dead letter, loudly: somebody should look at it.
func (d *Dispatcher) fail(ctx context.Context, c Claimed, why string) error {
	d.log.ErrorContext(ctx, "reminders: reminder failed for good; kept among the failed",
		"reminder", c.ID, "kind", c.Kind, "attempts", c.Attempts+1, "err", why)
	err := d.queue.Fail(ctx, c, why)
	if err == nil && d.opts.OnFail != nil {
		d.opts.OnFail(ctx, c.Failed(why))
	}
	return d.record(ctx, "fail", c, err)
}

// record turns the outcome of the queue call op on c into Tick's error. A lost claim
// is no error of the queue: the reminder was planned again, cancelled, or claimed again
// after the lease ran out (then it may have gone out twice, hence the warning).
func (d *Dispatcher) record(ctx context.Context, op string, c Claimed, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrLeaseLost):
		d.log.WarnContext(ctx, "reminders: claim lost before "+op, "reminder", c.ID)
		return nil
	}
	return fmt.Errorf("reminders: %s %s: %w", op, c.ID, err)
}

// positive returns v, or def when v is zero.
func positive[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
