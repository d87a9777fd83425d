package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/comune-milano/wemibot/outbox"
)

// replies is the adapter's outbox and the dispatcher that sends from it, which Run
// starts: every replica runs one, so a reply is sent by whichever is up.
type replies struct {
	store    outbox.Store
	memory   *outbox.Memory // the store, when Options.Outbox is nil
	dispatch *outbox.Dispatcher

	mu     sync.Mutex
	cancel context.CancelFunc // nil while the dispatcher is not running
	done   chan struct{}
}

func newReplies(opts Options, s *sender, log *slog.Logger) *replies {
	r := &replies{store: opts.Outbox}
	if r.store == nil {
		r.memory = outbox.NewMemory()
		r.store = r.memory
	}
	r.dispatch = outbox.NewDispatcher(r.store, s.deliver, outbox.DispatcherOptions{
		Lease: opts.OutboxLease, Workers: opts.Workers, Logger: log})
	return r
}

// start runs the dispatcher, unless it runs already. It has a context of its own: at
// shutdown it keeps sending the replies kept in memory until stop.
func (r *replies) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		r.dispatch.Run(ctx)
	}(r.done)
}

// backlog is how many replies wait in memory; a durable outbox bounds its own.
func (r *replies) backlog() int {
	if r.memory == nil {
		return 0
	}
	return r.memory.Len()
}

// stop stops the dispatcher, at the latest when ctx ends. A durable outbox keeps
// what is left, for the next start or another replica: the dispatcher stops at once,
// finishing only the calls already made. Replies kept in memory are sent first, and
// those still there when ctx ends are reported lost.
func (r *replies) stop(ctx context.Context) error {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.cancel = nil
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	if r.memory != nil {
		for r.memory.Len() > 0 && sleepCtx(ctx, 20*time.Millisecond) == nil {
		}
	}
	cancel()
	select {
	case <-done:
	case <-ctx.Done():
	}
	if r.memory != nil {
		if n := r.memory.Len(); n > 0 {
			return fmt.Errorf("%d replies not sent: %w", n, ctx.Err())
		}
	}
	return nil
}
