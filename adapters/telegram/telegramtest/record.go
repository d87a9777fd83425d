package telegramtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Sent returns, in order, every successful send and edit the bot made in chatID.
// Refused calls and calls whose connection was dropped before they took effect are not
// there.
func (s *Server) Sent(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentLocked(chatID)
}

func (s *Server) sentLocked(chatID int64) []Sent {
	c, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	out := make([]Sent, len(c.sent))
	for i, rec := range c.sent {
		out[i] = rec.clone()
	}
	return out
}

// WaitSent blocks until the bot made at least n successful sends or edits in chatID
// (the entries of Sent) and returns them all. When ctx ends first it returns what was
// there with an error wrapping ctx.Err().
func (s *Server) WaitSent(ctx context.Context, chatID int64, n int) ([]Sent, error) {
	err := s.waitFor(ctx, func() bool {
		c, ok := s.chats[chatID]
		return ok && len(c.sent) >= n
	})
	got := s.Sent(chatID)
	if err != nil {
		return got, fmt.Errorf("wait for %d messages to chat %d, got %d: %w", n, chatID, len(got), err)
	}
	return got, nil
}

// Calls returns how many requests for method, with the bot's token, the fake received,
// whatever their outcome: refused, failed by injection, dropped or answered. Method names are
// case-insensitive, as in the API.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[strings.ToLower(method)]
}

// AnsweredCallbacks returns the callback query ids the bot answered, in order.
func (s *Server) AnsweredCallbacks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.answered)
}

// SendTimes returns when each successful send to chatID (sendMessage, sendLocation,
// sendDocument) was accepted, in order, for tests of the per-chat limit of about one
// message a second. Edits are not sends.
func (s *Server) SendTimes(chatID int64) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	return slices.Clone(c.sendTimes)
}

// AllSendTimes returns when each successful send to any chat was accepted, in order,
// for tests of the overall limit of about 30 messages a second.
func (s *Server) AllSendTimes() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sendTimes)
}
