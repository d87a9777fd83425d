package telegram

import (
	"context"
	"sync"
)

// settling holds back the delivery of a chat's replies while the update they answer
// is still being handled here: they reach the outbox before the engine saves the
// state (so a crash loses none), but must not reach the citizen before it is saved —
// an operator answering a handoff the reply announces would find none yet. Another
// replica's dispatcher polls the outbox and could, rarely, send them a few
// milliseconds early.
type settling struct {
	mu    sync.Mutex
	chats map[int64]chan struct{} // closed when the chat's update is handled
}

// begin marks chat's update as being handled; the returned func ends it.
func (s *settling) begin(chat int64) (end func()) {
	done := make(chan struct{})
	s.mu.Lock()
	if s.chats == nil {
		s.chats = map[int64]chan struct{}{}
	}
	s.chats[chat] = done
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		if s.chats[chat] == done {
			delete(s.chats, chat)
		}
		s.mu.Unlock()
		close(done)
	}
}

// wait returns once no update of chat is being handled, or when ctx ends.
func (s *settling) wait(ctx context.Context, chat int64) error {
	s.mu.Lock()
	done := s.chats[chat]
	s.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
