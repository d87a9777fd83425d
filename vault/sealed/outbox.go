package sealed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/vault"
)

// Outbox seals each waiting message's payload (a reply's text, the chat it goes to)
// with the key of its lane, the conversation it goes to ("telegram:<chat id>"). A
// claimed message whose key was shredded is dropped: its citizen erased their data,
// and a reply to them must not go out afterwards.
type Outbox struct {
	inner outbox.Store
	v     *vault.Vault
}

var _ outbox.Store = (*Outbox)(nil)

// NewOutbox returns inner with its payloads sealed by v.
func NewOutbox(inner outbox.Store, v *vault.Vault) *Outbox { return &Outbox{inner: inner, v: v} }

// payloadTTL is how long a payload's key must live: a day waiting (as long as the
// store remembers its idempotency key), then DeadTTL as a dead letter. A reply still
// waiting after that reads as shredded, and is dropped: it is stale.
const payloadTTL = outbox.KeyTTL + outbox.DeadTTL

// Put seals the items' payloads, then queues them.
func (o *Outbox) Put(ctx context.Context, now time.Time, items ...outbox.Item) (int, error) {
	if err := outbox.Validate(items); err != nil {
		return 0, err
	}
	sealedItems := make([]outbox.Item, len(items))
	for i, it := range items {
		p, err := o.v.SealFor(ctx, it.Lane, it.Payload, payloadTTL)
		if err != nil {
			return 0, fmt.Errorf("outbox: seal a payload: %w", err)
		}
		it.Payload = p
		sealedItems[i] = it
	}
	return o.inner.Put(ctx, now, sealedItems...)
}

// Claim leases items and opens their payloads; one whose key was shredded is removed
// and not handed out, one that cannot be read becomes a dead letter.
func (o *Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]outbox.Claimed, error) {
	claimed, err := o.inner.Claim(ctx, now, lease, max)
	out := claimed[:0]
	var errs []error
	for _, c := range claimed {
		plain, oerr := o.v.Open(ctx, c.Payload)
		switch {
		case errors.Is(oerr, vault.ErrShredded):
			errs = append(errs, o.inner.Done(ctx, now, c))
		case oerr != nil:
			errs = append(errs, o.inner.Bury(ctx, now, c, "unreadable: "+oerr.Error()))
		default:
			c.Payload = plain
			out = append(out, c)
		}
	}
	if e := errors.Join(errs...); e != nil {
		err = errors.Join(err, fmt.Errorf("outbox: drop unreadable payloads: %w", e))
	}
	return out, err
}

// Done, Retry, Bury and Release act on the lease: the payload plays no part.
func (o *Outbox) Done(ctx context.Context, now time.Time, c outbox.Claimed) error {
	return o.inner.Done(ctx, now, c)
}

// Retry makes the item due again at at.
func (o *Outbox) Retry(ctx context.Context, c outbox.Claimed, at time.Time, reason string) error {
	return o.inner.Retry(ctx, c, at, reason)
}

// Bury makes the item a dead letter, its payload still sealed in the store.
func (o *Outbox) Bury(ctx context.Context, now time.Time, c outbox.Claimed, reason string) error {
	return o.inner.Bury(ctx, now, c, reason)
}

// Release ends a lease of an item not attempted.
func (o *Outbox) Release(ctx context.Context, now time.Time, c outbox.Claimed) error {
	return o.inner.Release(ctx, now, c)
}

// Dead returns the dead letters, their payloads opened where their keys still exist
// (nil where they were shredded).
func (o *Outbox) Dead(ctx context.Context, now time.Time) ([]outbox.Dead, error) {
	dead, err := o.inner.Dead(ctx, now)
	for i := range dead {
		plain, oerr := o.v.Open(ctx, dead[i].Payload)
		if oerr != nil {
			plain = nil
		}
		dead[i].Payload = plain
	}
	return dead, err
}
