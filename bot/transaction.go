package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// txEnd says what a conversation transaction does with the state once its work is
// done.
type txEnd int

const (
	txSave   txEnd = iota // save the state (and mark the update handled)
	txForget              // erase everything the store keeps about the conversation
	txDrop                // leave the stored state as it was
)

// errPanic marks a panic recovered while a conversation's lock was held.
var errPanic = errors.New("bot: panic")

// tx is a conversation's state while a transaction holds its lock.
type tx struct {
	Session       // the store's session: its Count of messages in the rate window
	st      state // the state, decoded; zero when unknown
	known   bool  // the store had a state of this version
	// keepFor, when set, is how long the state saved and the update's handled mark
	// are kept, instead of IdleTTL and DedupeTTL.
	keepFor time.Duration
}

// transact applies one update — a citizen's message or an operator's action — to a
// conversation: it waits for the conversation's turn in this process (arrival
// order) and for its lock in the store (across replicas), decodes the state, runs
// work, and then saves the state, erases the conversation or leaves it as work says.
// The lock is released on every path, a panic in work included (logged, and
// returned wrapping errPanic).
//
// It returns ErrDuplicate, without calling work, for an update handled before; an
// error wrapping ErrUnavailable when the store could not be reached, before work
// (which then did not run) or after it (nothing was saved or erased).
func (e *Engine) transact(ctx context.Context, conv, update string, work func(x *tx) txEnd) (err error) {
	unqueue := e.queue(conv)
	defer unqueue()
	sess, err := e.begin(ctx, conv, update)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if sess.Duplicate {
		return ErrDuplicate
	}
	defer func() {
		// A bug must not take the process down nor leave the conversation locked.
		if r := recover(); r != nil {
			channel, _, _ := splitConversation(conv)
			e.log.ErrorContext(ctx, "bot: panic while handling a message", "channel", channel, "panic", fmt.Sprint(r))
			e.release(ctx, sess, 2*time.Second)
			err = fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	x := &tx{Session: sess}
	x.st, x.known = decodeState(sess.State)
	switch work(x) {
	case txDrop:
		e.release(ctx, sess, time.Second)
		return nil
	case txForget:
		if err := e.opts.Store.Forget(ctx, conv); err != nil {
			e.release(ctx, sess, time.Second)
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return nil
	}
	buf := encodeBuffer()
	data, err := x.st.appendEncoding((*buf)[:0], e.opts.JSONState)
	defer putEncodeBuffer(buf, data) // once Commit, which keeps no reference to it, returned
	if err != nil {
		e.release(ctx, sess, time.Second)
		return fmt.Errorf("encode state: %w", err)
	}
	idle, dedupe := e.opts.IdleTTL, e.opts.DedupeTTL
	if x.keepFor > 0 {
		idle, dedupe = x.keepFor, min(dedupe, x.keepFor)
	}
	if err := e.opts.Store.Commit(ctx, sess, Commit{State: data, IdleTTL: idle, DedupeTTL: dedupe}); err != nil {
		if !errors.Is(err, ErrLockLost) {
			// Give the lock back if the store can still be reached, so that a retry
			// does not wait for it to expire.
			e.release(ctx, sess, time.Second)
		}
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// release gives a session's lock back, trying for at most wait even when ctx is done.
func (e *Engine) release(ctx context.Context, sess Session, wait time.Duration) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wait)
	defer cancel()
	if err := e.opts.Store.Release(rctx, sess); err != nil {
		e.log.WarnContext(ctx, "release conversation lock failed", "err", err)
	}
}

// begin waits for the conversation's lock, retrying while another message of the
// same conversation is being handled.
func (e *Engine) begin(ctx context.Context, conv, update string) (Session, error) {
	ctx, cancel := context.WithTimeout(ctx, e.opts.LockWait)
	defer cancel()
	wait := 2 * time.Millisecond
	for {
		sess, err := e.opts.Store.Begin(ctx, Begin{Conversation: conv, UpdateID: update,
			LockTTL: e.opts.LockTTL, RateWindow: e.opts.RateWindow})
		if !errors.Is(err, ErrLocked) {
			return sess, err
		}
		select {
		case <-ctx.Done():
			return Session{}, fmt.Errorf("wait for conversation: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, 100*time.Millisecond)
	}
}

// queue waits for the conversation's turn in this process and returns the function
// that ends it.
func (e *Engine) queue(conv string) func() {
	e.mu.Lock()
	q, ok := e.queues[conv]
	if !ok {
		q = queues.Get().(*convQueue)
		e.queues[conv] = q
	}
	q.waiting++
	e.mu.Unlock()
	q.turn <- struct{}{}
	return func() {
		<-q.turn
		e.mu.Lock()
		q.waiting--
		if q.waiting == 0 {
			delete(e.queues, conv)
			queues.Put(q) // nobody else holds it: the map was its only other holder
		}
		e.mu.Unlock()
	}
}

// queues recycles conversation queues: one is taken and given back on most messages.
var queues = sync.Pool{New: func() any { return &convQueue{turn: make(chan struct{}, 1)} }}
