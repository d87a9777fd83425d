package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/reminders/reminderstest"
	"github.com/comune-milano/wemibot/vault"
)

// stalledChannel is a reminders.Sender whose channel never answers: a send returns
// only when its context ends. started is closed at the first send.
type stalledChannel struct {
	once    sync.Once
	started chan struct{}
}

func (s *stalledChannel) Send(ctx context.Context, _ reminders.Reminder) error {
	s.once.Do(func() { close(s.started) })
	<-ctx.Done()
	return ctx.Err()
}

// A stop while a scheduled job runs: the jobs run on contexts derived from serve's,
// so ending it cancels the reminder being sent, which goes back to the queue, and the
// scheduler stops at once instead of waiting out the reminder's one-minute lease: the
// README's 10 s shutdown holds.
func TestSchedulerStopsWhileAJobRuns(t *testing.T) {
	raw, err := bolt.Open(filepath.Join(t.TempDir(), "wemibot.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(raw, []vault.KEK{vault.NewKEK()}, vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store := newSealedStores(raw, v)
	t.Cleanup(func() { store.Close() })
	channel := &stalledChannel{started: make(chan struct{})}
	noon := func() time.Time { return reminderstest.T0 } // out of the quiet hours
	dispatcher, err := reminders.NewDispatcher(store, channel, reminders.Options{Spec: "@every 1s", Now: noon,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Plan(t.Context(), reminderstest.Reminder("b1:before-2h", "b1", reminderstest.T0)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stop, err := startScheduler(ctx, scheduled{store: store, dispatcher: dispatcher}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-channel.started:
	case <-time.After(waitLimit):
		stop()
		t.Fatal("the reminder was never sent")
	}
	start := time.Now()
	cancel()
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(waitLimit):
		t.Fatal("the scheduler did not stop")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the scheduler took %v to stop, with a job running", took)
	}
	pending, err := store.Pending(context.Background(), "b1")
	if err != nil || len(pending) != 1 || pending[0].Attempts != 0 {
		t.Errorf("the reminder being sent at the stop: %+v, %v; want it pending again, no attempt counted", pending, err)
	}
}
