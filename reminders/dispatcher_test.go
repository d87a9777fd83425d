package reminders_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/reminders/reminderstest"
)

// senderFunc is a Sender made of a function.
type senderFunc func(ctx context.Context, r reminders.Reminder) error

func (f senderFunc) Send(ctx context.Context, r reminders.Reminder) error { return f(ctx, r) }

// fixture is a dispatcher on a real queue (the embedded store) with a fake clock.
type fixture struct {
	t     *testing.T
	queue *bolt.Store
	clock *clocktest.Clock
	log   *bytes.Buffer
	d     *reminders.Dispatcher
}

func newFixture(t *testing.T, start time.Time, s reminders.Sender, opts reminders.Options) *fixture {
	t.Helper()
	queue, err := bolt.Open(filepath.Join(t.TempDir(), "wemi.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = queue.Close() })
	f := &fixture{t: t, queue: queue, clock: clocktest.New(start), log: &bytes.Buffer{}}
	opts.Now = f.clock.Now
	opts.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: f.log}, nil))
	if f.d, err = reminders.NewDispatcher(queue, s, opts); err != nil {
		t.Fatal(err)
	}
	return f
}

// lockedWriter serialises the writes of concurrent workers' logs.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (f *fixture) plan(rs ...reminders.Reminder) {
	f.t.Helper()
	if err := f.queue.Plan(context.Background(), rs...); err != nil {
		f.t.Fatal(err)
	}
}

// tick runs one Tick and checks how many it sent.
func (f *fixture) tick(want int) {
	f.t.Helper()
	sent, err := f.d.Tick(context.Background())
	if err != nil || sent != want {
		f.t.Fatalf("Tick at %v: sent %d, %v; want %d", f.clock.Now(), sent, err, want)
	}
}

func (f *fixture) pending(booking string) []reminders.Reminder {
	f.t.Helper()
	rs, err := f.queue.Pending(context.Background(), booking)
	if err != nil {
		f.t.Fatal(err)
	}
	return rs
}

func (f *fixture) failed() []reminders.Reminder {
	f.t.Helper()
	rs, err := f.queue.Failed(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return rs
}

var t0 = reminderstest.T0 // noon in Milan

func TestDispatcherSendsDueReminders(t *testing.T) {
	rec := &reminderstest.Recorder{}
	f := newFixture(t, t0, rec, reminders.Options{})
	f.plan(reminderstest.Reminder("b:1", "b", t0.Add(-time.Minute)), reminderstest.Reminder("b:2", "b", t0),
		reminderstest.Reminder("b:3", "b", t0.Add(time.Minute)))
	f.tick(2)
	if got := f.pending("b"); len(got) != 1 || got[0].ID != "b:3" {
		t.Fatalf("pending after the tick: %v, want b:3", got)
	}
	f.tick(0)
	f.clock.Advance(time.Minute)
	f.tick(1)
	if rec.Distinct() != 3 || rec.Total() != 3 {
		t.Fatalf("sent %d reminders in %d sends, want 3 once each", rec.Distinct(), rec.Total())
	}
}

func TestDispatcherRetriesWithBackoff(t *testing.T) {
	fails := 2
	s := senderFunc(func(context.Context, reminders.Reminder) error {
		if fails > 0 {
			fails--
			return errors.New("channel down")
		}
		return nil
	})
	backoff := func(attempts int) time.Duration { return time.Duration(attempts) * time.Minute }
	f := newFixture(t, t0, s, reminders.Options{Backoff: backoff, Workers: 1})
	f.plan(reminderstest.Reminder("b:1", "b", t0))
	f.tick(0)
	got := f.pending("b")
	if len(got) != 1 || got[0].Attempts != 1 || got[0].LastError != "channel down" || !got[0].Due.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after a failed send: %+v; want attempt 1 recorded, due a minute later", got)
	}
	f.tick(0) // not due yet
	f.clock.Advance(time.Minute)
	f.tick(0)
	if got := f.pending("b"); len(got) != 1 || got[0].Attempts != 2 || !got[0].Due.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("after the second failure: %+v; want attempt 2, due two minutes later", got)
	}
	f.clock.Advance(2 * time.Minute)
	f.tick(1)
	if got := f.pending("b"); len(got) != 0 {
		t.Fatalf("still pending after the send: %+v", got)
	}
	if !strings.Contains(f.log.String(), "will retry") {
		t.Errorf("retries not logged:\n%s", f.log)
	}
}

func TestDispatcherGivesUpAfterMaxAttempts(t *testing.T) {
	sends := 0
	s := senderFunc(func(context.Context, reminders.Reminder) error { sends++; return errors.New("timeout") })
	var told []reminders.Reminder
	onFail := func(_ context.Context, r reminders.Reminder) { told = append(told, r) }
	f := newFixture(t, t0, s, reminders.Options{MaxAttempts: 3, Backoff: func(int) time.Duration { return time.Minute }, OnFail: onFail})
	f.plan(reminderstest.Reminder("b:1", "b", t0))
	for range 5 {
		f.tick(0)
		f.clock.Advance(time.Minute)
	}
	if sends != 3 {
		t.Fatalf("%d sends, want 3", sends)
	}
	got := f.failed()
	if len(got) != 1 || got[0].Attempts != 3 || got[0].LastError != "timeout" {
		t.Fatalf("failed: %+v; want b:1 after 3 attempts", got)
	}
	if len(told) != 1 || told[0].ID != "b:1" || told[0].Booking != "b" || told[0].Attempts != 3 {
		t.Errorf("OnFail was told %+v; want b:1 once, after 3 attempts", told)
	}
	if !strings.Contains(f.log.String(), "failed for good") || !strings.Contains(f.log.String(), "b:1") {
		t.Errorf("giving up not logged:\n%s", f.log)
	}
}

func TestDispatcherPermanentErrorFailsAtOnce(t *testing.T) {
	s := senderFunc(func(context.Context, reminders.Reminder) error {
		return fmt.Errorf("telegram: bot blocked: %w", reminders.ErrPermanent)
	})
	f := newFixture(t, t0, s, reminders.Options{})
	f.plan(reminderstest.Reminder("b:1", "b", t0))
	f.tick(0)
	if got := f.failed(); len(got) != 1 || got[0].Attempts != 1 || !strings.Contains(got[0].LastError, "bot blocked") {
		t.Fatalf("failed: %+v; want b:1 after one attempt", got)
	}
}

// TestDispatcherQuietHoursAtSendTime: nothing goes out in the quiet hours, also when
// reminders are claimed late in the evening (the replicas were down): they wait until
// 08:00, unless their service starts by then.
func TestDispatcherQuietHoursAtSendTime(t *testing.T) {
	rome := loadRome(t)
	evening := time.Date(2026, 6, 10, 22, 30, 0, 0, rome)
	morning := time.Date(2026, 6, 11, 8, 0, 0, 0, rome)
	rec := &reminderstest.Recorder{}
	f := newFixture(t, evening, rec, reminders.Options{})
	before := reminders.Reminder{ID: "b1:before-24h", Booking: "b1", Conversation: "web:1", Kind: reminders.Before,
		Offset: 24 * time.Hour, Start: time.Date(2026, 6, 11, 10, 0, 0, 0, rome), Due: time.Date(2026, 6, 10, 20, 59, 0, 0, rome)}
	tooLate := reminders.Reminder{ID: "b2:before-2h", Booking: "b2", Conversation: "web:2", Kind: reminders.Before,
		Offset: 2 * time.Hour, Start: evening.Add(-30 * time.Minute), Due: evening.Add(-150 * time.Minute)}
	followup := reminders.Reminder{ID: "b3:followup", Booking: "b3", Conversation: "web:3", Kind: reminders.Followup,
		Start: evening.Add(-4 * time.Hour), Due: evening.Add(-time.Hour)}
	// Its service starts at 07:30, before the quiet hours end.
	early := reminders.Reminder{ID: "b4:before-2h", Booking: "b4", Conversation: "web:4", Kind: reminders.Before,
		Offset: 2 * time.Hour, Start: morning.Add(-30 * time.Minute), Due: time.Date(2026, 6, 10, 20, 59, 0, 0, rome)}
	f.plan(before, tooLate, followup, early)
	f.tick(0)
	if rec.Total() != 0 {
		t.Fatalf("%d reminders sent at 22:30", rec.Total())
	}
	for _, b := range []string{"b1", "b3"} {
		if got := f.pending(b); len(got) != 1 || got[0].Attempts != 0 || !got[0].Due.Equal(morning) {
			t.Fatalf("%s at 22:30: %+v; want postponed to 08:00 without an attempt", b, got)
		}
	}
	for _, b := range []string{"b2", "b4"} {
		if got := f.pending(b); len(got) != 0 {
			t.Fatalf("%s: the reminder of a service starting before 08:00 is still there: %+v", b, got)
		}
	}
	if got := f.failed(); len(got) != 0 {
		t.Fatalf("failed: %+v, want none", got)
	}
	if log := f.log.String(); !strings.Contains(log, "quiet hours") || !strings.Contains(log, "b4:before-2h") ||
		strings.Contains(log, "web:") {
		t.Errorf("dropped reminder not logged, or logged with its conversation:\n%s", log)
	}
	f.clock.Advance(morning.Sub(evening) - time.Second) // 07:59:59
	f.tick(0)
	f.clock.Advance(time.Second)
	f.tick(2)
	if rec.Distinct() != 2 || rec.Repeated() != nil {
		t.Fatalf("sent %d reminders at 08:00, want 2 once each", rec.Distinct())
	}
}

// TestDispatcherRetryOutOfQuietHours: a retry that backoff puts in the quiet hours
// waits until 08:00, unless the service starts by then.
func TestDispatcherRetryOutOfQuietHours(t *testing.T) {
	rome := loadRome(t)
	evening := time.Date(2026, 6, 10, 20, 59, 0, 0, rome)
	morning := time.Date(2026, 6, 11, 8, 0, 0, 0, rome)
	down := true
	s := senderFunc(func(context.Context, reminders.Reminder) error {
		if down {
			return errors.New("channel down")
		}
		return nil
	})
	f := newFixture(t, evening, s, reminders.Options{Workers: 1, Backoff: func(int) time.Duration { return 10 * time.Minute }})
	before := reminders.Reminder{ID: "b1:before-24h", Booking: "b1", Conversation: "web:1", Kind: reminders.Before,
		Offset: 24 * time.Hour, Start: morning.Add(2 * time.Hour), Due: evening}
	early := reminders.Reminder{ID: "b2:before-2h", Booking: "b2", Conversation: "web:2", Kind: reminders.Before,
		Offset: 2 * time.Hour, Start: morning.Add(-30 * time.Minute), Due: evening}
	followup := reminders.Reminder{ID: "b3:followup", Booking: "b3", Conversation: "web:3", Kind: reminders.Followup,
		Start: evening.Add(-4 * time.Hour), Due: evening}
	f.plan(before, early, followup)
	f.tick(0)
	for _, b := range []string{"b1", "b3"} {
		if got := f.pending(b); len(got) != 1 || got[0].Attempts != 1 || !got[0].Due.Equal(morning) {
			t.Fatalf("%s after failing at 20:59: %+v; want a retry at 08:00, one attempt counted", b, got)
		}
	}
	if got := f.pending("b2"); len(got) != 0 || len(f.failed()) != 0 {
		t.Fatalf("the reminder of a service at 07:30 will be retried: %+v", got)
	}
	if !strings.Contains(f.log.String(), "b2:before-2h") {
		t.Errorf("dropped reminder not logged:\n%s", f.log)
	}
	down = false
	f.clock.Advance(morning.Sub(evening))
	f.tick(2)
}

// TestDispatcherRateLimitWaitIntoQuietHours: a reminder whose turn under the rate
// limit comes after 21:00 is not sent then. The clock runs in real time from
// 20:59:55 (the first send has five seconds, however slow the machine), and one send
// every six seconds is allowed.
func TestDispatcherRateLimitWaitIntoQuietHours(t *testing.T) {
	rome := loadRome(t)
	evening := time.Date(2026, 6, 10, 20, 59, 55, 0, rome)
	morning := time.Date(2026, 6, 11, 8, 0, 0, 0, rome)
	rec := &reminderstest.Recorder{}
	f := newFixture(t, evening, rec, reminders.Options{})
	started := time.Now()
	d, err := reminders.NewDispatcher(f.queue, rec, reminders.Options{RateLimit: 1.0 / 6, Burst: 1,
		Now: func() time.Time { return evening.Add(time.Since(started)) }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	r := reminders.Reminder{ID: "b1:before-2h", Booking: "b1", Conversation: "web:1", Kind: reminders.Before,
		Offset: 2 * time.Hour, Start: morning.Add(2 * time.Hour), Due: evening.Add(-time.Minute)}
	r2 := r
	r2.ID = "b1:before-3h"
	f.plan(r, r2)
	started = time.Now()
	if sent, err := d.Tick(context.Background()); sent != 1 || err != nil {
		t.Fatalf("Tick: sent %d, %v; want 1", sent, err)
	}
	if got := f.pending("b1"); len(got) != 1 || got[0].Attempts != 0 || !got[0].Due.Equal(morning) {
		t.Fatalf("pending after the tick: %+v; want one postponed to 08:00", got)
	}
}

func TestDispatcherRateLimit(t *testing.T) {
	rec := &reminderstest.Recorder{}
	// 100 a second with no burst and a one-second lease: a batch is what can be sent
	// in half a lease, 50, plus the burst.
	f := newFixture(t, t0, rec, reminders.Options{RateLimit: 100, Burst: 1, Lease: time.Second})
	for i := range 60 {
		f.plan(reminderstest.Reminder(fmt.Sprintf("b:%d", i), "b", t0))
	}
	start := time.Now()
	ticks := 0
	for ; rec.Distinct() < 60 && ticks < 10; ticks++ {
		sent, err := f.d.Tick(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// On a slow machine a few may not fit in the lease: they are given back.
		if ticks == 0 && (sent > 51 || sent == 0) {
			t.Fatalf("first tick sent %d, want at most a batch of 51", sent)
		}
	}
	if rec.Distinct() != 60 || rec.Total() != 60 {
		t.Fatalf("%d reminders sent in %d sends after %d ticks, want 60", rec.Distinct(), rec.Total(), ticks)
	}
	// The limiter starts full with one token: 59 more sends take 0.59 s at least.
	if elapsed := time.Since(start); elapsed < 590*time.Millisecond {
		t.Fatalf("60 reminders at 100 a second sent in %v", elapsed)
	}
}

// TestDispatcherRecordsSendDespiteShutdown: a reminder sent while the tick's context
// is cancelled is marked done, not sent again.
func TestDispatcherRecordsSendDespiteShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sends := 0
	s := senderFunc(func(context.Context, reminders.Reminder) error { sends++; cancel(); return nil })
	f := newFixture(t, t0, s, reminders.Options{Workers: 1})
	f.plan(reminderstest.Reminder("b:1", "b", t0))
	if sent, err := f.d.Tick(ctx); sent != 1 || err != nil {
		t.Fatalf("Tick: %d, %v", sent, err)
	}
	if got := f.pending("b"); len(got) != 0 {
		t.Fatalf("sent during shutdown but still pending: %+v", got)
	}
}

// TestDispatcherShutdownGivesBack: a send cut short by shutdown is no failed attempt:
// the reminder is back in the queue at once, for another replica.
func TestDispatcherShutdownGivesBack(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := senderFunc(func(sctx context.Context, _ reminders.Reminder) error { cancel(); return sctx.Err() })
	f := newFixture(t, t0, s, reminders.Options{Workers: 1})
	f.plan(reminderstest.Reminder("b:1", "b", t0), reminderstest.Reminder("b:2", "b", t0))
	if sent, err := f.d.Tick(ctx); sent != 0 || err != nil {
		t.Fatalf("Tick: %d, %v", sent, err)
	}
	got := f.pending("b")
	if len(got) != 2 || got[0].Attempts != 0 || got[1].Attempts != 0 {
		t.Fatalf("after shutdown: %+v; want both pending, no attempt counted", got)
	}
	f.tick(2) // due now, not after a lease
}

// TestDispatcherClaimLost: a reminder rescheduled while it was being sent keeps its
// new time; the tick does not fail.
func TestDispatcherClaimLost(t *testing.T) {
	var f *fixture
	moved := reminderstest.Reminder("b:1", "b", t0.Add(time.Hour))
	s := senderFunc(func(ctx context.Context, _ reminders.Reminder) error { return f.queue.Plan(ctx, moved) })
	f = newFixture(t, t0, s, reminders.Options{})
	f.plan(reminderstest.Reminder("b:1", "b", t0))
	f.tick(1)
	if got := f.pending("b"); len(got) != 1 || !got[0].Due.Equal(moved.Due) {
		t.Fatalf("after a reschedule during the send: %+v; want it due at the new time", got)
	}
	if !strings.Contains(f.log.String(), "claim lost") {
		t.Errorf("lost claim not logged:\n%s", f.log)
	}
}

func TestDispatcherDrainAndAddTo(t *testing.T) {
	rec := &reminderstest.Recorder{}
	f := newFixture(t, t0, rec, reminders.Options{Batch: 100})
	reminderstest.Fill(t, f.queue, 250, 100)
	if sent, err := f.d.Drain(context.Background()); sent != 250 || err != nil {
		t.Fatalf("Drain: %d, %v; want 250", sent, err)
	}
	c := cron.New()
	id, err := f.d.AddTo(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if next := c.Entry(id).Schedule.Next(t0); !next.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("next run after %v: %v, want 10 s later", t0, next)
	}
	bad, err := reminders.NewDispatcher(f.queue, rec, reminders.Options{Spec: "every now and then"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.AddTo(context.Background(), c); err == nil {
		t.Error("AddTo with a bad spec: no error")
	}
}

// Stopping the bot while a run is sending: the run's context ends with the one given
// to AddTo, the send in flight returns, the reminder goes back to the queue without an
// attempt counted, and the cron stops at once instead of waiting out the lease.
func TestDispatcherStopsWithItsContext(t *testing.T) {
	sending := make(chan struct{})
	var once sync.Once
	s := senderFunc(func(ctx context.Context, _ reminders.Reminder) error {
		once.Do(func() { close(sending) })
		<-ctx.Done() // a channel that does not answer
		return ctx.Err()
	})
	f := newFixture(t, t0, s, reminders.Options{Spec: "@every 1s"})
	f.plan(reminderstest.Reminder("b:1", "b", t0))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := cron.New()
	if _, err := f.d.AddTo(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.Start()
	select {
	case <-sending:
	case <-time.After(10 * time.Second):
		c.Stop()
		t.Fatal("the cron run did not send within 10 s")
	}
	cancel()
	select {
	case <-c.Stop().Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the run in progress did not stop within 5 s of the cancellation")
	}
	got := f.pending("b")
	if len(got) != 1 || got[0].ID != "b:1" || got[0].Attempts != 0 {
		t.Errorf("after the stop: %+v; want b:1 pending again, no attempt counted", got)
	}
	if strings.Contains(f.log.String(), "level=ERROR") {
		t.Errorf("a stop logged as an error:\n%s", f.log)
	}
}

func TestNewDispatcherInvalid(t *testing.T) {
	rec := &reminderstest.Recorder{}
	queue := newFixture(t, t0, rec, reminders.Options{}).queue
	for _, tt := range []struct {
		name string
		q    reminders.Claimer
		s    reminders.Sender
		opts reminders.Options
	}{
		{"no queue", nil, rec, reminders.Options{}},
		{"no sender", queue, nil, reminders.Options{}},
		{"negative lease", queue, rec, reminders.Options{Lease: -time.Second}},
		{"batch too big", queue, rec, reminders.Options{Batch: reminders.MaxClaim + 1}},
		{"negative rate", queue, rec, reminders.Options{RateLimit: -1}},
	} {
		if _, err := reminders.NewDispatcher(tt.q, tt.s, tt.opts); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		attempts int
		min, max time.Duration
	}{
		{1, 15 * time.Second, 30 * time.Second},
		{2, 30 * time.Second, time.Minute},
		{6, 8 * time.Minute, 16 * time.Minute},
		{7, 15 * time.Minute, 30 * time.Minute},
		{1000, 15 * time.Minute, 30 * time.Minute},
	} {
		for range 100 {
			if d := reminders.Backoff(tt.attempts); d < tt.min || d >= tt.max {
				t.Fatalf("Backoff(%d) = %v, want in [%v, %v)", tt.attempts, d, tt.min, tt.max)
			}
		}
	}
}
