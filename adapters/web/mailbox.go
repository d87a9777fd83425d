package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/comune-milano/wemibot/records"
)

// Mailbox keeps the messages pushed to a web-chat session until its page has shown
// them: the page cannot be reached on the bot's initiative, so it asks, and it says
// which messages it has shown, so that a response lost on the way (a dropped
// connection, a tab closed) loses no message. Every replica must see the same
// mailboxes (a push handled on one is collected through another); *RecordsMailbox is
// one.
//
// A mailbox is named by box. Store errors quote record ids, so the Server and the
// Outbox never name a mailbox by the session (a credential: the HttpOnly cookie),
// only by a digest of it.
type Mailbox interface {
	// Deliver appends messages, each a JSON value, to the mailbox's pending ones, in
	// order, numbering them: each gets a Seq above every earlier one of the mailbox.
	Deliver(ctx context.Context, box string, messages ...[]byte) error
	// Collect acknowledges the messages numbered up to after, which the page has
	// shown, removing them, and returns the pending ones numbered above it, oldest
	// first, which stay until acknowledged in turn (or until the mailbox expires).
	// None pending is not an error.
	Collect(ctx context.Context, box string, after uint64) ([]Pending, error)
}

// Pending is a message waiting in a mailbox.
type Pending struct {
	// Seq numbers the message in its mailbox: greater than every message's delivered
	// before it.
	Seq uint64
	// Message is the JSON value delivered, compacted.
	Message []byte
}

// Bounds of a RecordsMailbox.
const (
	// MaxPending bounds the messages a mailbox keeps: beyond it the oldest are dropped,
	// so that a page nobody opens again cannot grow its mailbox without end.
	MaxPending = 50
	// DefaultMailboxTTL is how long a mailbox lives after its last delivery or
	// acknowledgement; unacknowledged messages wait that long for their page.
	DefaultMailboxTTL = 7 * 24 * time.Hour
)

// mailboxKind is the records.Records kind of the mailboxes; the id is the box.
const mailboxKind = "webinbox"

// ErrMessageTooLarge is returned by Deliver for messages that do not fit in a mailbox
// even when it drops every older one.
var ErrMessageTooLarge = errors.New("web: pushed messages too large for the mailbox")

// RecordsMailbox keeps mailboxes in records.Records, one document per box.
type RecordsMailbox struct {
	records records.Records
	ttl     time.Duration
	now     func() time.Time
}

var _ Mailbox = (*RecordsMailbox)(nil)

// NewMailbox keeps mailboxes in recs; each expires ttl after its last delivery or
// acknowledgement (ttl <= 0: DefaultMailboxTTL).
func NewMailbox(recs records.Records, ttl time.Duration) *RecordsMailbox {
	if ttl <= 0 {
		ttl = DefaultMailboxTTL
	}
	return &RecordsMailbox{records: recs, ttl: ttl, now: time.Now}
}

// mailboxDoc is a mailbox as stored. It stays, emptied, after its messages are
// acknowledged, so that the numbering goes on from Last.
type mailboxDoc struct {
	// Last is the Seq of the latest message delivered.
	Last    uint64          `json:"last"`
	Pending []storedMessage `json:"pending"`
}

type storedMessage struct {
	Seq uint64          `json:"seq"`
	Msg json.RawMessage `json:"msg"`
}

// newDoc starts an empty mailbox. Its numbering starts from the clock, not from zero,
// so that it stays above that of an earlier mailbox of the session (expired, or
// dropped unreadable) whose numbers a page may still hold: asking with one of those,
// the page would otherwise acknowledge the new mailbox's first messages unseen.
func (m *RecordsMailbox) newDoc() mailboxDoc {
	return mailboxDoc{Last: uint64(max(m.now().UnixMilli(), 0))}
}

// readDoc decodes a mailbox stored as this version stores it.
func readDoc(b []byte) (mailboxDoc, error) {
	var doc mailboxDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return mailboxDoc{}, err
	}
	return doc, nil
}

// openDoc decodes a stored mailbox for an update: nil is a new one, and so is one
// that cannot be read (readable reports it), rather than block every delivery. A JSON
// list is a mailbox stored before messages were numbered: they are numbered now.
func (m *RecordsMailbox) openDoc(old []byte) (doc mailboxDoc, readable bool) {
	if old == nil {
		return m.newDoc(), true
	}
	if doc, err := readDoc(old); err == nil {
		return doc, true
	}
	var unnumbered []json.RawMessage
	if json.Unmarshal(old, &unnumbered) != nil {
		return m.newDoc(), false
	}
	doc = m.newDoc()
	doc.add(unnumbered...)
	return doc, true
}

// add numbers messages and appends them.
func (d *mailboxDoc) add(msgs ...json.RawMessage) {
	for _, msg := range msgs {
		d.Last++
		d.Pending = append(d.Pending, storedMessage{Seq: d.Last, Msg: msg})
	}
}

// holdsUpTo reports whether a message numbered up to after is pending.
func (d mailboxDoc) holdsUpTo(after uint64) bool {
	return len(d.Pending) > 0 && d.Pending[0].Seq <= after
}

// since returns the pending messages numbered above after.
func (d mailboxDoc) since(after uint64) []Pending {
	var out []Pending
	for _, p := range d.Pending {
		if p.Seq > after {
			out = append(out, Pending{Seq: p.Seq, Message: p.Msg})
		}
	}
	return out
}

// Deliver implements Mailbox. It keeps the newest MaxPending messages, and drops older
// ones too while the document would exceed what records.Records stores.
func (m *RecordsMailbox) Deliver(ctx context.Context, box string, messages ...[]byte) error {
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
	_, err := m.records.Update(ctx, mailboxKind, box, m.ttl, func(old []byte) ([]byte, error) {
		doc, _ := m.openDoc(old)
		doc.add(added...)
		return boundedDoc(doc, len(added))
	})
	if err != nil {
		return fmt.Errorf("deliver to web mailbox: %w", err)
	}
	return nil
}

// boundedDoc encodes a mailbox with its newest MaxPending messages, dropping more of
// the oldest while the document is too large, but never any of the last keep (the
// delivery at hand: losing part of it silently would be worse than refusing it).
func boundedDoc(doc mailboxDoc, keep int) ([]byte, error) {
	if len(doc.Pending) > MaxPending {
		doc.Pending = doc.Pending[len(doc.Pending)-MaxPending:]
		keep = min(keep, MaxPending)
	}
	for {
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		err = records.ValidateDoc(b)
		if err == nil {
			return b, nil
		}
		if len(doc.Pending) <= keep {
			return nil, errors.Join(ErrMessageTooLarge, err)
		}
		doc.Pending = doc.Pending[1:]
	}
}

// Collect implements Mailbox. When nothing is to be acknowledged (the common case of
// every poll) it costs one read; otherwise the acknowledged messages are removed in
// one atomic update, which returns what is pending then.
func (m *RecordsMailbox) Collect(ctx context.Context, box string, after uint64) ([]Pending, error) {
	old, err := m.records.Get(ctx, mailboxKind, box)
	if errors.Is(err, records.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("collect web mailbox: %w", err)
	}
	if doc, err := readDoc(old); err == nil && !doc.holdsUpTo(after) {
		return doc.since(after), nil
	}
	var dropped bool
	stored, err := m.records.Update(ctx, mailboxKind, box, m.ttl, func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, nil // expired in between: nothing to acknowledge
		}
		doc, readable := m.openDoc(old)
		dropped = !readable // Update may call this again after a conflict: keep the last
		doc.Pending = slices.DeleteFunc(doc.Pending, func(p storedMessage) bool { return p.Seq <= after })
		return boundedDoc(doc, 0)
	})
	if err != nil {
		return nil, fmt.Errorf("collect web mailbox: %w", err)
	}
	if dropped {
		return nil, errors.New("collect web mailbox: unreadable document replaced by an empty mailbox")
	}
	if stored == nil {
		return nil, nil
	}
	doc, err := readDoc(stored)
	if err != nil {
		return nil, fmt.Errorf("collect web mailbox: %w", err)
	}
	return doc.since(after), nil
}
