package sealed

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/vault"
)

// Queue seals the conversation a reminder goes to, its only personal data, with that
// conversation's key: the store keeps "vault:" and the sealed bytes in base64 in its
// place. The fields the queue orders and finds reminders by (ids, booking, times)
// stay in clear. A claimed reminder whose key was shredded is dropped (marked done):
// its citizen erased their data.
type Queue struct {
	inner reminders.Queue
	v     *vault.Vault
}

var _ reminders.Queue = (*Queue)(nil)

// sealedPrefix starts a sealed conversation as the queue stores it.
const sealedPrefix = "vault:"

// NewQueue returns inner with its reminders' conversations sealed by v.
func NewQueue(inner reminders.Queue, v *vault.Vault) *Queue {
	return &Queue{inner: inner, v: v}
}

// sealReminder returns r with its conversation sealed, for the key's longest life
// (vault.Options.KeyTTL): reminders and their dead letters have no expiry of their
// own.
func (q *Queue) sealReminder(ctx context.Context, kr *vault.Keyring, r reminders.Reminder) (reminders.Reminder, error) {
	var sealed []byte
	err := kr.Do(ctx, func() (err error) {
		sealed, err = kr.Seal(r.Conversation, []byte(r.Conversation))
		return err
	})
	if err != nil {
		return r, fmt.Errorf("reminder %s: seal the conversation: %w", r.ID, err)
	}
	r.Conversation = sealedPrefix + base64.RawURLEncoding.EncodeToString(sealed)
	return r, nil
}

// openReminder returns r with its conversation opened; one stored in clear stays.
func (q *Queue) openReminder(ctx context.Context, kr *vault.Keyring, r reminders.Reminder) (reminders.Reminder, error) {
	b64, ok := strings.CutPrefix(r.Conversation, sealedPrefix)
	if !ok {
		return r, nil
	}
	sealed, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return r, fmt.Errorf("reminder %s: %w", r.ID, vault.ErrCorrupt)
	}
	plain, err := open(ctx, kr, sealed)
	if err != nil {
		return r, fmt.Errorf("reminder %s: open the conversation: %w", r.ID, err)
	}
	r.Conversation = string(plain)
	return r, nil
}

// Plan implements reminders.Planner. It validates every reminder before sealing any.
func (q *Queue) Plan(ctx context.Context, rs ...reminders.Reminder) error {
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("plan reminders: %w", err)
		}
	}
	kr := q.v.Keyring()
	out := make([]reminders.Reminder, len(rs))
	for i, r := range rs {
		var err error
		if out[i], err = q.sealReminder(ctx, kr, r); err != nil {
			return fmt.Errorf("plan reminders: %w", err)
		}
	}
	return q.inner.Plan(ctx, out...)
}

// Cancel implements reminders.Planner.
func (q *Queue) Cancel(ctx context.Context, ids ...string) error {
	return q.inner.Cancel(ctx, ids...)
}

// CancelBooking implements reminders.Planner.
func (q *Queue) CancelBooking(ctx context.Context, booking string) error {
	return q.inner.CancelBooking(ctx, booking)
}

// Claim implements reminders.Claimer. Reminders whose key was shredded are marked done
// and left out; one that cannot be opened otherwise becomes a dead letter.
func (q *Queue) Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]reminders.Claimed, error) {
	cs, claimErr := q.inner.Claim(ctx, now, lease, max)
	kr := q.v.Keyring()
	out := cs[:0]
	var errs []error
	for _, c := range cs {
		r, err := q.openReminder(ctx, kr, c.Reminder)
		switch {
		case errors.Is(err, vault.ErrShredded):
			errs = append(errs, q.inner.Done(ctx, c))
			continue
		case errors.Is(err, vault.ErrCorrupt):
			errs = append(errs, err, q.inner.Fail(ctx, c, reminders.UnreadableError+": "+err.Error()))
			continue
		case err != nil:
			// The key could not be fetched: the lease runs out and another claim tries.
			errs = append(errs, err)
			continue
		}
		c.Reminder = r
		out = append(out, c)
	}
	return out, errors.Join(append([]error{claimErr}, errs...)...)
}

// Done implements reminders.Claimer.
func (q *Queue) Done(ctx context.Context, c reminders.Claimed) error {
	return q.inner.Done(ctx, c)
}

// Retry implements reminders.Claimer.
func (q *Queue) Retry(ctx context.Context, c reminders.Claimed, at time.Time, errText string) error {
	r, err := q.sealReminder(ctx, q.v.Keyring(), c.Reminder)
	if err != nil {
		return fmt.Errorf("retry reminder: %w", err)
	}
	c.Reminder = r
	return q.inner.Retry(ctx, c, at, errText)
}

// Fail implements reminders.Claimer.
func (q *Queue) Fail(ctx context.Context, c reminders.Claimed, errText string) error {
	r, err := q.sealReminder(ctx, q.v.Keyring(), c.Reminder)
	if err != nil {
		return fmt.Errorf("fail reminder: %w", err)
	}
	c.Reminder = r
	return q.inner.Fail(ctx, c, errText)
}

// Pending implements reminders.Inspector, leaving out reminders whose key was
// shredded.
func (q *Queue) Pending(ctx context.Context, booking string) ([]reminders.Reminder, error) {
	rs, err := q.inner.Pending(ctx, booking)
	if err != nil {
		return nil, err
	}
	return q.openAll(ctx, rs, false)
}

// Failed implements reminders.Inspector. A dead letter whose conversation cannot be
// opened is listed all the same, without its conversation.
func (q *Queue) Failed(ctx context.Context) ([]reminders.Reminder, error) {
	rs, err := q.inner.Failed(ctx)
	if err != nil {
		return nil, err
	}
	return q.openAll(ctx, rs, true)
}

// openAll opens the conversations of rs; keep keeps those that cannot be opened, with
// no conversation, instead of leaving them out.
func (q *Queue) openAll(ctx context.Context, rs []reminders.Reminder, keep bool) ([]reminders.Reminder, error) {
	kr := q.v.Keyring()
	out := rs[:0]
	for _, r := range rs {
		opened, err := q.openReminder(ctx, kr, r)
		switch {
		case errors.Is(err, vault.ErrShredded), errors.Is(err, vault.ErrCorrupt):
			if !keep {
				continue
			}
			opened.Conversation = ""
		case err != nil:
			return nil, err
		}
		out = append(out, opened)
	}
	return out, nil
}
