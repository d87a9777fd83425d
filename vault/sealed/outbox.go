package sealed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/vault"
)

// Outbox seals the payload of every item (a reply: a chat id and a citizen's words)
// with the key of its lane, which the channels name by the conversation id. Keys and
// lanes stay in clear: the store orders and finds items by them. A claimed item whose
// key was shredded is dropped (marked done): its citizen erased their data, and the
// replies queued before the erasure are not sent after it.
type Outbox struct {
	inner outbox.Store
	v     *vault.Vault
}

var _ outbox.Store = (*Outbox)(nil)

// NewOutbox returns inner with its items' payloads sealed by v.
func NewOutbox(inner outbox.Store, v *vault.Vault) *Outbox {
	return &Outbox{inner: inner, v: v}
}

// Put implements outbox.Store, sealing every payload before storing any.
func (o *Outbox) Put(ctx context.Context, now time.Time, items ...outbox.Item) (int, error) {
	if err := outbox.Validate(items); err != nil {
		return 0, err
	}
	sealed := make([]outbox.Item, len(items))
	for i, it := range items {
		payload, err := o.v.Seal(ctx, it.Lane, it.Payload)
		if err != nil {
			return 0, fmt.Errorf("outbox put: seal: %w", err)
		}
		sealed[i] = outbox.Item{Key: it.Key, Lane: it.Lane, Payload: payload}
	}
	return o.inner.Put(ctx, now, sealed...)
}

// Claim implements outbox.Store, opening the payloads; the items whose key was
// shredded are dropped, and those that do not open become dead letters.
func (o *Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]outbox.Claimed, error) {
	claimed, err := o.inner.Claim(ctx, now, lease, max)
	if err != nil {
		return nil, err
	}
	out := claimed[:0]
	var errs []error
	for _, c := range claimed {
		plain, err := o.v.Open(ctx, c.Payload)
		switch {
		case err == nil:
			c.Payload = plain
			out = append(out, c)
		case errors.Is(err, vault.ErrShredded):
			errs = append(errs, o.inner.Done(ctx, now, c))
		default:
			errs = append(errs, o.inner.Bury(ctx, now, c, "unreadable: "+err.Error()))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return out, fmt.Errorf("outbox claim: drop unreadable items: %w", err)
	}
	return out, nil
}

// Done implements outbox.Store.
func (o *Outbox) Done(ctx context.Context, now time.Time, c outbox.Claimed) error {
	return o.inner.Done(ctx, now, c)
}

// Retry implements outbox.Store.
func (o *Outbox) Retry(ctx context.Context, c outbox.Claimed, at time.Time, reason string) error {
	return o.inner.Retry(ctx, c, at, reason)
}

// Bury implements outbox.Store.
func (o *Outbox) Bury(ctx context.Context, now time.Time, c outbox.Claimed, reason string) error {
	return o.inner.Bury(ctx, now, c, reason)
}

// Release implements outbox.Store.
func (o *Outbox) Release(ctx context.Context, now time.Time, c outbox.Claimed) error {
	return o.inner.Release(ctx, now, c)
}

// Dead implements outbox.Store, opening the payloads: a dead letter whose key was
// shredded, or that does not open, is listed with no payload.
func (o *Outbox) Dead(ctx context.Context, now time.Time) ([]outbox.Dead, error) {
	dead, err := o.inner.Dead(ctx, now)
	if err != nil {
		return nil, err
	}
	for i, d := range dead {
		if dead[i].Payload, err = o.v.Open(ctx, d.Payload); err != nil {
			dead[i].Payload = nil
		}
	}
	return dead, nil
}
