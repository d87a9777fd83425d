package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Store keeps each conversation's state, serialises the handling of a conversation
// across goroutines and replicas (a lock held in the store), remembers which updates
// were already handled, and counts messages for rate limiting. A typical message costs
// two calls: Begin and Commit (or Release). Implementations: adapters/redis (several
// replicas) and adapters/bolt (one process, the default).
type Store interface {
	// Begin starts handling one update of a conversation. Unless the update was
	// handled before (Session.Duplicate, and no lock is taken), it takes the
	// conversation's lock for LockTTL, counts the message in the current RateWindow and
	// loads the state. It returns ErrLocked, at once, when another handler holds the
	// lock: the caller retries.
	Begin(ctx context.Context, b Begin) (Session, error)
	// Commit saves the new state with an expiry of IdleTTL, records the session's
	// update as handled for DedupeTTL and releases the lock, all at once. It returns
	// ErrLockLost, saving nothing, when the lock expired (whether or not another
	// handler has taken it since) or was removed by Forget.
	Commit(ctx context.Context, s Session, c Commit) error
	// Release gives the lock back without saving anything.
	Release(ctx context.Context, s Session) error
	// Forget erases everything the store keeps about a conversation: its state, its
	// rate counter, its handled-update markers and its lock (so a session still open
	// cannot write erased data back).
	Forget(ctx context.Context, conversation string) error
}

// Begin is what Store.Begin needs to know.
type Begin struct {
	Conversation string // channel-qualified id, e.g. "telegram:12345"
	UpdateID     string // the channel's id of this update; empty when it has none
	LockTTL      time.Duration
	RateWindow   time.Duration
}

// Session is one update being handled.
type Session struct {
	Conversation string
	UpdateID     string
	Token        string // proves ownership of the lock
	Duplicate    bool   // the update was handled before: nothing else is set
	// State is nil for a conversation the store does not know (new or expired). Its
	// bytes are the caller's: the store neither keeps nor changes them after Begin
	// returns, so the engine decodes the state's strings in place.
	State []byte
	Count int // messages of this conversation in the current rate window, this one included
}

// Commit is what Store.Commit saves.
type Commit struct {
	// State is only read during Commit: the store keeps no reference to it once
	// Commit returns, so the engine encodes every state into the same few buffers.
	State     []byte
	IdleTTL   time.Duration // the conversation is forgotten after this long without messages
	DedupeTTL time.Duration // how long the update id is remembered
}

// Store errors.
var (
	ErrLocked   = errors.New("conversation is locked by another handler")
	ErrLockLost = errors.New("conversation lock expired or was removed")
)

// Redact shortens a conversation id for errors and logs: the channel stays, the
// citizen's chat id (personal data) does not.
func Redact(conversation string) string {
	channel, _, _ := strings.Cut(conversation, ":")
	return channel + ":…"
}

// ErrNoConversation is returned by a store for a call without a conversation id.
var ErrNoConversation = errors.New("empty conversation id")

// Validate reports what is wrong with a Begin: stores call it before any work.
func (b Begin) Validate() error {
	switch {
	case b.Conversation == "":
		return ErrNoConversation
	case b.LockTTL <= 0:
		return fmt.Errorf("lock TTL %v is not positive", b.LockTTL)
	case b.RateWindow <= 0:
		return fmt.Errorf("rate window %v is not positive", b.RateWindow)
	}
	return nil
}

// Validate reports what is wrong with a Commit of a session.
func (c Commit) Validate(s Session) error {
	switch {
	case c.IdleTTL <= 0:
		return fmt.Errorf("idle TTL %v is not positive", c.IdleTTL)
	case s.UpdateID != "" && c.DedupeTTL <= 0:
		return fmt.Errorf("dedupe TTL %v is not positive", c.DedupeTTL)
	}
	return nil
}
