// Package sealed applies the vault to the stores: decorators of bot.Store,
// records.Records and reminders.Queue that seal personal data before it is stored and
// open it when it is read, with the key of the citizen it is about, so that the domain
// packages keep their data as before. Data whose key was shredded reads as absent.
package sealed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/records"
	"github.com/comune-milano/wemibot/vault"
)

// Records seals the documents of a records.Records that hold personal data, each with
// the key of its subject:
//
//   - kinds whose record id is the subject's conversation: "bookings-of" and
//     "domestic-of" (the indexes of a citizen's bookings and Tate/Colf/Badanti
//     records);
//   - "webinbox", whose id is the mailbox of a web session (itself a pseudonym of the
//     session): its key is shredded with the conversation through Options.Aliases;
//   - every document with a top-level "conversation" string: bookings, requests and
//     applications, open handoffs, and any kind added later that names its citizen.
//
// Documents of other kinds, and those without a conversation, hold no personal data
// and are stored in clear: "thread" (a Slack thread's handoff id), "slack.cardlease",
// "slack.closed" and "slack.digest" (Slack references and days), "slack.domestic" (a
// card's reference), "slack.erasure" (a pending erasure: no personal data),
// "stripe.event" (a payment event handled: its booking id and when), closed
// handoffs (rewritten with only their id, thread and times) and the vault's own keys.
// Documents stored in clear before the vault was in place are read as they are, and
// sealed when next written.
type Records struct {
	inner records.Records
	v     *vault.Vault
}

var _ records.Records = (*Records)(nil)

// NewRecords returns inner with its personal documents sealed by v.
func NewRecords(inner records.Records, v *vault.Vault) *Records {
	return &Records{inner: inner, v: v}
}

// subjectOf returns whose data the document doc of a kind is; empty when it holds none.
func subjectOf(kind, id string, doc []byte) string {
	switch kind {
	case "bookings-of", "domestic-of", "webinbox":
		return id
	case vault.KeyKind:
		return ""
	}
	var named struct {
		Conversation string `json:"conversation"`
	}
	if json.Unmarshal(doc, &named) != nil {
		return ""
	}
	return named.Conversation
}

// Get implements records.Records. A document whose key was shredded is not found.
func (r *Records) Get(ctx context.Context, kind, id string) ([]byte, error) {
	doc, err := r.inner.Get(ctx, kind, id)
	if err != nil {
		return nil, err
	}
	plain, err := open(ctx, r.v.Keyring(), doc)
	switch {
	case errors.Is(err, vault.ErrShredded):
		return nil, fmt.Errorf("get record %s: %w (its key was shredded)", kind, records.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("get record %s: %w", kind, err)
	}
	return plain, nil
}

// Update implements records.Records, sealing for ttl (0: the key's longest life,
// vault.Options.KeyTTL), so that the key lives as long as the document. fn sees nil for a document whose key was
// shredded. The keys are fetched outside the store's transaction: an attempt that
// meets a key not at hand fails, the key is fetched, and the update starts again
// (fn must have no side effects, as records.Records says).
func (r *Records) Update(ctx context.Context, kind, id string, ttl time.Duration, fn func(old []byte) ([]byte, error)) ([]byte, error) {
	kr := r.v.Keyring()
	var stored []byte
	err := kr.Do(ctx, func() error {
		_, err := r.inner.Update(ctx, kind, id, ttl, func(old []byte) ([]byte, error) {
			plain, err := openAtHand(kr, old)
			if err != nil {
				return nil, err
			}
			next, err := fn(plain)
			if err == nil && next != nil {
				err = records.ValidateDoc(next)
			}
			if err != nil {
				return nil, err
			}
			stored = next
			subject := ""
			if next != nil {
				subject = subjectOf(kind, id, next)
			}
			if subject == "" {
				return next, nil
			}
			return kr.SealFor(subject, next, ttl)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// List implements records.Records, leaving out the documents whose key was shredded
// and those that fail to open.
func (r *Records) List(ctx context.Context, kind string) ([][]byte, error) {
	docs, err := r.inner.List(ctx, kind)
	if err != nil {
		return nil, err
	}
	kr := r.v.Keyring()
	out := docs[:0]
	for _, doc := range docs {
		plain, err := open(ctx, kr, doc)
		switch {
		case errors.Is(err, vault.ErrShredded), errors.Is(err, vault.ErrCorrupt):
			continue
		case err != nil:
			return nil, fmt.Errorf("list records %s: %w", kind, err)
		}
		out = append(out, plain)
	}
	return out, nil
}

// open opens a stored document with kr, fetching its key when needed; a document
// stored in clear is returned as it is.
func open(ctx context.Context, kr *vault.Keyring, doc []byte) ([]byte, error) {
	if !vault.IsSealed(doc) {
		return doc, nil
	}
	var plain []byte
	err := kr.Do(ctx, func() (err error) {
		plain, err = kr.Open(doc)
		return err
	})
	return plain, err
}

// openAtHand opens a document inside a store's transaction: nil stays nil, a shredded
// one reads as nil, and a key not at hand fails the attempt for Keyring.Do.
func openAtHand(kr *vault.Keyring, doc []byte) ([]byte, error) {
	if doc == nil || !vault.IsSealed(doc) {
		return doc, nil
	}
	plain, err := kr.Open(doc)
	if errors.Is(err, vault.ErrShredded) {
		return nil, nil
	}
	return plain, err
}
