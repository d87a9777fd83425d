package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/comune-milano/wemibot/bot"
)

// ErrNoMailbox is returned by Push when the outbox has no Mailbox: the web chat cannot
// receive pushed messages.
var ErrNoMailbox = errors.New("web: the web chat cannot receive pushed messages: no mailbox configured")

// Outbox is how the engine reaches a web-chat citizen on its own initiative (an
// operator's reply, a reminder): it keeps the replies, rendered as answers are, in the
// session's mailbox, from which the page collects them (GET /api/inbox). It is built
// before the engine, whose Pusher it is, on the Mailbox the Server reads.
type Outbox struct {
	mailbox Mailbox
}

var _ bot.Pusher = (*Outbox)(nil)

// NewOutbox returns the outbox of the mailboxes in mailbox; nil: Push fails with
// ErrNoMailbox.
func NewOutbox(mailbox Mailbox) *Outbox { return &Outbox{mailbox: mailbox} }

// Push implements bot.Pusher: user is the web conversation's user id, the session.
func (o *Outbox) Push(ctx context.Context, user string, replies []bot.Reply) error {
	if o.mailbox == nil {
		return ErrNoMailbox
	}
	if !wellFormed(user) {
		// The id is a session cookie: a credential, kept out of the error.
		return errors.New("web: push: the user is not a web-chat session")
	}
	if len(replies) == 0 {
		return nil
	}
	rendered := render(replies, nil, "")
	messages := make([][]byte, len(rendered))
	for i, r := range rendered {
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("web: push: encode reply: %w", err)
		}
		messages[i] = b
	}
	if err := o.mailbox.Deliver(ctx, mailboxID(user), messages...); err != nil {
		return fmt.Errorf("web: push: %w", err)
	}
	return nil
}

// mailboxID names a session's mailbox. The session is a credential (the HttpOnly
// cookie) and store errors, hence logs, quote record ids: the mailbox is named by a
// digest of the session instead, which nobody can turn back into it (the session is
// 256 random bits). The prefix keeps this digest apart from any other of a session.
func mailboxID(sess string) string {
	sum := sha256.Sum256([]byte("wemibot web mailbox v1\x00" + sess))
	return hex.EncodeToString(sum[:])
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

// pushedReply is a reply of the inbox: an answer's reply and its number in the
// mailbox, with which the page acknowledges it.
type pushedReply struct {
	Seq uint64 `json:"seq"`
	webReply
}

// inbox hands the page the replies pushed to its session, oldest first, in the shape of
// an answer to a message ({"replies": [...]}, each reply with its "seq").
//
// The page asks with after, the highest seq it has shown (0 for none): the replies up
// to it are forgotten, those above it returned, and kept until a later poll
// acknowledges them, so that a response that never reaches the page loses nothing.
// A poll without after comes from a page loaded before acknowledgements existed,
// which shows whatever it gets: what it gets is acknowledged at once.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.requestSession(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	query := r.URL.Query()
	after, err := strconv.ParseUint(query.Get("after"), 10, 64)
	legacyPage := !query.Has("after")
	if err != nil && !legacyPage {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "after must be the seq of the last reply shown, or 0"})
		return
	}
	if !s.allowKey("inbox|"+sess, pollRate, pollBurst) {
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "polling too fast"})
		return
	}
	replies := []pushedReply{}
	if s.opts.Mailbox != nil {
		ctx, cancel := context.WithTimeout(r.Context(), pollTimeout)
		defer cancel()
		box := mailboxID(sess)
		pending, err := s.opts.Mailbox.Collect(ctx, box, after)
		if err == nil && legacyPage && len(pending) > 0 {
			_, err = s.opts.Mailbox.Collect(ctx, box, pending[len(pending)-1].Seq)
		}
		if err != nil {
			s.log.Warn("web: inbox unavailable", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "inbox unavailable, retry later"})
			return
		}
		for _, p := range pending {
			reply := pushedReply{Seq: p.Seq}
			if err := json.Unmarshal(p.Message, &reply.webReply); err != nil {
				// Not written by Push: skipped, and forgotten once a later one is
				// acknowledged.
				s.log.Warn("web: inbox: unreadable pushed reply", "seq", p.Seq, "err", err)
				continue
			}
			replies = append(replies, reply)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"replies": replies})
}
