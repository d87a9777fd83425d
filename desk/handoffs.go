package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/comune-milano/wemibot/records"
)

// Handoff is a citizen's conversation handed to the operators, as the desk keeps it
// while it is open. It names the citizen by first name only; it is deleted when the
// handoff closes.
type Handoff struct {
	ID           string    `json:"id"`
	Conversation string    `json:"conversation"` // the engine's conversation id
	Channel      string    `json:"channel"`      // "telegram", "web"
	Lang         string    `json:"lang"`
	FirstName    string    `json:"first_name,omitempty"`
	Reason       string    `json:"reason"`
	Priority     bool      `json:"priority,omitempty"`
	Opened       time.Time `json:"opened"`
	// Thread is the desk platform's reference to the handoff's thread (for Slack,
	// "<channel id>/<ts>"); empty until the thread is posted.
	Thread     string    `json:"thread,omitempty"`
	Operator   string    `json:"operator,omitempty"`    // who claimed it, by name
	OperatorID string    `json:"operator_id,omitempty"` // and by the platform's user id
	Claimed    time.Time `json:"claimed,omitzero"`
	// Closed marks what is left of a closed handoff: its id, thread and opening time,
	// nothing about the citizen. It stops a late event from opening it again.
	Closed bool `json:"closed,omitempty"`
}

// Waited returns how long the handoff has been open at now.
func (h Handoff) Waited(now time.Time) time.Duration { return now.Sub(h.Opened) }

// Record kinds the desk keeps.
const (
	kindHandoff = "handoff"
	kindThread  = "thread" // thread reference -> threadRef
)

// ErrClosed is returned for a handoff that was open once and is now closed.
var ErrClosed = errors.New("desk: handoff closed")

// threadRef maps a thread back to its handoff; it outlives the handoff (marked
// closed) so that a late reply in the thread is told the conversation is over.
type threadRef struct {
	Handoff string `json:"handoff"`
	Closed  bool   `json:"closed,omitempty"`
}

// Handoffs keeps the open handoffs in records shared by the replicas.
type Handoffs struct {
	records records.Records
	// ttl bounds how long a forgotten handoff survives: a handoff nobody closes
	// disappears with the citizen's conversation.
	ttl time.Duration
}

// NewHandoffs returns the handoffs kept in recs; ttl is how long an open handoff and
// its thread reference live (the conversation's idle expiry is a good choice).
func NewHandoffs(recs records.Records, ttl time.Duration) *Handoffs {
	return &Handoffs{records: recs, ttl: ttl}
}

// Open records a new open handoff; opening one that exists changes nothing.
func (s *Handoffs) Open(ctx context.Context, h Handoff) error {
	if h.ID == "" || h.Conversation == "" {
		return errors.New("desk: handoff without id or conversation")
	}
	_, err := s.records.Update(ctx, kindHandoff, h.ID, s.ttl, func(old []byte) ([]byte, error) {
		if old != nil {
			if was, err := decodeHandoff(old); err == nil && was.Closed {
				return nil, ErrClosed
			}
			return old, nil
		}
		return json.Marshal(h)
	})
	if err != nil {
		return fmt.Errorf("open handoff %s: %w", h.ID, err)
	}
	return nil
}

// Get returns an open handoff: records.ErrNotFound when there is none, ErrClosed
// (with what is left of it: its thread) when it was closed.
func (s *Handoffs) Get(ctx context.Context, id string) (Handoff, error) {
	b, err := s.records.Get(ctx, kindHandoff, id)
	if err != nil {
		return Handoff{}, fmt.Errorf("get handoff %s: %w", id, err)
	}
	h, err := decodeHandoff(b)
	if err == nil && h.Closed {
		return h, ErrClosed
	}
	return h, err
}

// SetThread records where the handoff's thread is, both ways.
func (s *Handoffs) SetThread(ctx context.Context, id, thread string) (Handoff, error) {
	ref, err := json.Marshal(threadRef{Handoff: id})
	if err != nil {
		return Handoff{}, err
	}
	if _, err := s.records.Update(ctx, kindThread, thread, s.ttl, func([]byte) ([]byte, error) { return ref, nil }); err != nil {
		return Handoff{}, fmt.Errorf("record thread of handoff %s: %w", id, err)
	}
	return s.modify(ctx, id, func(h *Handoff) error { h.Thread = thread; return nil })
}

// ByThread returns the open handoff a thread belongs to: ErrClosed when it was
// closed, records.ErrNotFound when the thread is no handoff's.
func (s *Handoffs) ByThread(ctx context.Context, thread string) (Handoff, error) {
	b, err := s.records.Get(ctx, kindThread, thread)
	if err != nil {
		return Handoff{}, fmt.Errorf("find thread: %w", err)
	}
	var ref threadRef
	if err := json.Unmarshal(b, &ref); err != nil {
		return Handoff{}, fmt.Errorf("find thread: %w", err)
	}
	if ref.Closed {
		return Handoff{}, ErrClosed
	}
	h, err := s.Get(ctx, ref.Handoff)
	if errors.Is(err, records.ErrNotFound) || errors.Is(err, ErrClosed) {
		return Handoff{}, ErrClosed
	}
	return h, err
}

// Claim gives the handoff to an operator unless another one has it already: claimed
// says whether this call took it; h says who has it.
func (s *Handoffs) Claim(ctx context.Context, id, operator, operatorID string, at time.Time) (h Handoff, claimed bool, err error) {
	h, err = s.modify(ctx, id, func(h *Handoff) error {
		claimed = false // fn may run more than once
		if h.OperatorID != "" {
			return nil
		}
		h.Operator, h.OperatorID, h.Claimed, claimed = operator, operatorID, at, true
		return nil
	})
	return h, claimed, err
}

// Escalate marks an open handoff urgent: it goes to the top of the waiting list.
func (s *Handoffs) Escalate(ctx context.Context, id string) (Handoff, error) {
	return s.modify(ctx, id, func(h *Handoff) error { h.Priority = true; return nil })
}

// Close closes an open handoff, keeping only what stops it from opening again (its
// id, thread and opening time), and marks its thread closed. It returns the handoff as
// it was, ErrClosed when it was already closed or never opened.
func (s *Handoffs) Close(ctx context.Context, id string) (Handoff, error) {
	var h Handoff
	if _, err := s.records.Update(ctx, kindHandoff, id, s.ttl, func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, ErrClosed
		}
		var err error
		if h, err = decodeHandoff(old); err != nil {
			return nil, err
		}
		if h.Closed {
			return nil, ErrClosed
		}
		return json.Marshal(Handoff{ID: h.ID, Thread: h.Thread, Opened: h.Opened, Closed: true})
	}); err != nil {
		return Handoff{}, fmt.Errorf("close handoff %s: %w", id, err)
	}
	if h.Thread != "" {
		ref, _ := json.Marshal(threadRef{Handoff: id, Closed: true})
		if _, err := s.records.Update(ctx, kindThread, h.Thread, s.ttl, func([]byte) ([]byte, error) { return ref, nil }); err != nil {
			return h, fmt.Errorf("mark thread of handoff %s closed: %w", id, err)
		}
	}
	return h, nil
}

// Waiting returns the open handoffs, oldest first, priority ones before the rest.
func (s *Handoffs) Waiting(ctx context.Context) ([]Handoff, error) {
	docs, err := s.records.List(ctx, kindHandoff)
	if err != nil {
		return nil, fmt.Errorf("list handoffs: %w", err)
	}
	out := make([]Handoff, 0, len(docs))
	for _, d := range docs {
		if h, err := decodeHandoff(d); err == nil && !h.Closed {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b Handoff) int {
		if a.Priority != b.Priority {
			if a.Priority {
				return -1
			}
			return 1
		}
		return a.Opened.Compare(b.Opened)
	})
	return out, nil
}

// modify changes an open handoff atomically.
func (s *Handoffs) modify(ctx context.Context, id string, fn func(*Handoff) error) (Handoff, error) {
	var h Handoff
	_, err := s.records.Update(ctx, kindHandoff, id, s.ttl, func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, ErrClosed
		}
		var err error
		if h, err = decodeHandoff(old); err != nil {
			return nil, err
		}
		if h.Closed {
			return nil, ErrClosed
		}
		if err := fn(&h); err != nil {
			return nil, err
		}
		return json.Marshal(h)
	})
	if err != nil {
		return Handoff{}, fmt.Errorf("update handoff %s: %w", id, err)
	}
	return h, nil
}

func decodeHandoff(b []byte) (Handoff, error) {
	var h Handoff
	if err := json.Unmarshal(b, &h); err != nil {
		return Handoff{}, fmt.Errorf("decode handoff: %w", err)
	}
	return h, nil
}
