package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/desk"
)

// Mailbox keeps the messages pushed to a web-chat session until its page collects
// them: the page cannot be reached on the bot's initiative, so it asks. Every replica
// must see the same mailboxes (a push handled on one is collected through another);
// *RecordsMailbox is one.
type Mailbox interface {
	// Deliver appends messages, each a JSON value, to the user's pending ones, in order.
	Deliver(ctx context.Context, user string, messages ...[]byte) error
	// Collect takes the user's pending messages, oldest first, and removes them; none
	// pending is not an error.
	Collect(ctx context.Context, user string) ([][]byte, error)
}

// Bounds of a RecordsMailbox.
const (
	// MaxPending bounds the messages a mailbox keeps: beyond it the oldest are dropped,
	// so that a page nobody opens again cannot grow its mailbox without end.
	MaxPending = 50
	// DefaultMailboxTTL is how long pending messages wait for their page after the
	// last delivery.
	DefaultMailboxTTL = 7 * 24 * time.Hour
)

// mailboxKind is the desk.Records kind of the mailboxes; the id is the session.
const mailboxKind = "webinbox"

// ErrMessageTooLarge is returned by Deliver for messages that do not fit in a mailbox
// even when it drops every older one.
var ErrMessageTooLarge = errors.New("web: pushed messages too large for the mailbox")

// RecordsMailbox keeps mailboxes in desk.Records, one document per session: a JSON list
// of the pending messages.
type RecordsMailbox struct {
	records desk.Records
	ttl     time.Duration
}

var _ Mailbox = (*RecordsMailbox)(nil)

// NewMailbox keeps mailboxes in records; each expires ttl after its last delivery
// (ttl <= 0: DefaultMailboxTTL).
func NewMailbox(records desk.Records, ttl time.Duration) *RecordsMailbox {
	if ttl <= 0 {
		ttl = DefaultMailboxTTL
	}
	return &RecordsMailbox{records: records, ttl: ttl}
}

// Deliver implements Mailbox. It keeps the newest MaxPending messages, and drops older
// ones too while the document would exceed what desk.Records stores.
func (m *RecordsMailbox) Deliver(ctx context.Context, user string, messages ...[]byte) error {
	if len(messages) == 0 {
		return nil
	}
	added := make([]json.RawMessage, len(messages))
	for i, msg := range messages {
		var b bytes.Buffer
		if err := json.Compact(&b, msg); err != nil {
			return fmt.Errorf("deliver to web mailbox: message %d is not JSON: %w", i, err)
		}
		added[i] = b.Bytes()
	}
	_, err := m.records.Update(ctx, mailboxKind, user, m.ttl, func(old []byte) ([]byte, error) {
		var pending []json.RawMessage
		if old != nil && json.Unmarshal(old, &pending) != nil {
			pending = nil // unreadable: start afresh rather than block every delivery
		}
		return boundedList(append(pending, added...), len(added))
	})
	if err != nil {
		return fmt.Errorf("deliver to web mailbox: %w", err)
	}
	return nil
}

// boundedList encodes the newest MaxPending messages, dropping more of the oldest
// while the document is too large, but never any of the last keep (the delivery at
// hand: losing part of it silently would be worse than refusing it).
func boundedList(msgs []json.RawMessage, keep int) ([]byte, error) {
	if len(msgs) > MaxPending {
		msgs = msgs[len(msgs)-MaxPending:]
		keep = min(keep, MaxPending)
	}
	for {
		doc := encodeList(msgs)
		err := desk.ValidateDoc(doc)
		if err == nil {
			return doc, nil
		}
		if len(msgs) <= keep {
			return nil, errors.Join(ErrMessageTooLarge, err)
		}
		msgs = msgs[1:]
	}
}

// encodeList writes a JSON array of compact JSON values.
func encodeList(msgs []json.RawMessage) []byte {
	return append(append([]byte("["), bytes.Join(toBytes(msgs), []byte(","))...), ']')
}

func toBytes(msgs []json.RawMessage) [][]byte {
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		out[i] = m
	}
	return out
}

// Collect implements Mailbox. An empty mailbox costs one read; a full one is taken and
// deleted in one atomic update, so two pages of one session never both get a message.
func (m *RecordsMailbox) Collect(ctx context.Context, user string) ([][]byte, error) {
	if _, err := m.records.Get(ctx, mailboxKind, user); errors.Is(err, desk.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("collect web mailbox: %w", err)
	}
	var taken []byte
	_, err := m.records.Update(ctx, mailboxKind, user, m.ttl, func(old []byte) ([]byte, error) {
		taken = old // Update may call this again after a conflict: keep the last read
		return nil, nil
	})
	if err != nil {
		return nil, fmt.Errorf("collect web mailbox: %w", err)
	}
	if taken == nil {
		return nil, nil // another page of the session collected it in between
	}
	var pending []json.RawMessage
	if err := json.Unmarshal(taken, &pending); err != nil {
		// Removed all the same, so that the mailbox works again from the next delivery.
		return nil, fmt.Errorf("collect web mailbox: unreadable document dropped: %w", err)
	}
	return toBytes(pending), nil
}
