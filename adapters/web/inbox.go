package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/comune-milano/wemibot/bot"
)

// ErrNoMailbox is returned by Push when the server has no Mailbox: the web chat cannot
// receive pushed messages.
var ErrNoMailbox = errors.New("web: the web chat cannot receive pushed messages: no mailbox configured")

var _ bot.Pusher = (*Server)(nil)

// Push implements bot.Pusher: it keeps the replies, rendered as answers are, in the
// session's mailbox, from which the page collects them (GET /api/inbox).
func (s *Server) Push(ctx context.Context, user string, replies []bot.Reply) error {
	if s.opts.Mailbox == nil {
		return ErrNoMailbox
	}
	if !validSession(user) {
		// The id is a session cookie: a credential, kept out of the error.
		return errors.New("web: push: the user is not a web-chat session")
	}
	if len(replies) == 0 {
		return nil
	}
	rendered := render(replies)
	messages := make([][]byte, len(rendered))
	for i, r := range rendered {
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("web: push: encode reply: %w", err)
		}
		messages[i] = b
	}
	if err := s.opts.Mailbox.Deliver(ctx, user, messages...); err != nil {
		return fmt.Errorf("web: push: %w", err)
	}
	return nil
}

// Polls of /api/inbox have their own per-session limit, apart from messages: a page
// polls every few seconds whatever its citizen does, and a poll must never take the
// place of a message the citizen sends. The limit only stops a page gone wrong (a
// loop); the page itself polls at most every 4 s.
const (
	pollRate    = rate.Limit(1)
	pollBurst   = 5
	pollTimeout = 5 * time.Second
)

// inbox hands the page the replies pushed to its session, oldest first, in the shape of
// an answer to a message ({"replies": [...]}), and forgets them.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	sess, ok := requestSession(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if !s.allowKey("inbox|"+sess, pollRate, pollBurst) {
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "polling too fast"})
		return
	}
	replies := []json.RawMessage{}
	if s.opts.Mailbox != nil {
		ctx, cancel := context.WithTimeout(r.Context(), pollTimeout)
		defer cancel()
		pending, err := s.opts.Mailbox.Collect(ctx, sess)
		if err != nil {
			s.log.Warn("web: inbox unavailable", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "inbox unavailable, retry later"})
			return
		}
		for _, p := range pending {
			replies = append(replies, p)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"replies": replies})
}
