package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/reminders"
)

// scheduled is what the scheduler runs.
type scheduled struct {
	store      stores
	desk       *slackDesk // nil without the Slack desk
	dispatcher *reminders.Dispatcher
	engine     *bot.Engine
}

// Intervals of the scheduled work. The repair of what a failure left behind is done by
// one replica each time.
const (
	reconcileEvery = 5 * time.Minute
	sweepEvery     = time.Hour
)

// startScheduler runs the scheduled work (robfig/cron, Europe/Rome): booking
// reminders every 10 seconds, the repair of bookings and of the desk's cards every 5
// minutes, the staff desk's daily digest at 08:00, and every hour the sweep of expired
// records from the embedded store (Redis expires them by itself). Every job runs with
// a context derived from ctx: when ctx ends, the jobs in progress are cancelled. The
// returned function stops the scheduler and waits for a job in progress; calling it
// again does nothing.
func startScheduler(ctx context.Context, jobs scheduled, log *slog.Logger) (stop func(), err error) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return nil, fmt.Errorf("load the Europe/Rome time zone: %w", err)
	}
	sched := cron.New(cron.WithLocation(rome), cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	if _, err := sched.AddFunc("@every "+sweepEvery.String(), func() { sweep(ctx, jobs.store, log) }); err != nil {
		return nil, fmt.Errorf("schedule the sweep of expired records: %w", err)
	}
	if jobs.desk != nil {
		if _, err := jobs.desk.desk.AddTo(ctx, sched); err != nil {
			return nil, fmt.Errorf("schedule the daily digest: %w", err)
		}
	}
	if _, err := jobs.dispatcher.AddTo(ctx, sched); err != nil {
		return nil, fmt.Errorf("schedule the reminders: %w", err)
	}
	if _, err := sched.AddFunc("@every "+reconcileEvery.String(), func() { jobs.repair(ctx, log) }); err != nil {
		return nil, fmt.Errorf("schedule the repair of bookings: %w", err)
	}
	sched.Start()
	var once sync.Once
	return func() { once.Do(func() { <-sched.Stop().Done() }) }, nil
}

// sweep removes the expired records of the store.
func sweep(ctx context.Context, store stores, log *slog.Logger) {
	if n, err := store.Sweep(ctx); err != nil {
		log.Error("sweep expired records failed", "err", err)
	} else if n > 0 {
		log.Info("expired records swept", "records", n)
	}
}

// repair checks bookings and the desk's cards for what a failure left behind, on one
// replica each time.
func (jobs scheduled) repair(ctx context.Context, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, reconcileEvery/2)
	defer cancel()
	turn := time.Now().Truncate(reconcileEvery).Format(time.RFC3339)
	if first, err := jobs.store.Once(ctx, "reconcile:"+turn, reconcileEvery); err != nil || !first {
		return // another replica's turn, or the store is away: next time
	}
	done, err := jobs.engine.Reconcile(ctx)
	if err != nil {
		log.Error("repair of bookings incomplete", "err", err)
	}
	if done != (bot.Reconciled{}) {
		log.Info("bookings repaired", "reminders_replanned", done.Replanned, "requests_reposted", done.Reposted, "concluded", done.Concluded)
	}
	jobs.desk.repair(ctx, log)
}
