package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/comune-milano/wemibot/reminders"
)

// The Store is also the reminders' queue, in the same file; one read-write
// transaction per call makes each call atomic. Its buckets, whose values start with an
// expiry like the others' (forever: reminders leave only when done or cancelled):
//
//	reminders         id -> the reminder and its state, as JSON (remRecord)
//	reminders.queue   timeKey(t) + id -> nothing, where t is a pending reminder's due
//	                  time or a claimed one's lease deadline: Claim reads it in order
//	                  up to now
//	reminders.failed  timeKey(due) + id -> nothing, for the dead letters
//	reminders.booking pairKey(booking, id) -> nothing, for CancelBooking and Pending
var (
	remindersBucket = []byte("reminders")
	remQueueBucket  = []byte("reminders.queue")
	remFailedBucket = []byte("reminders.failed")
	remBookingBkt   = []byte("reminders.booking")
)

var _ reminders.Queue = (*Store)(nil)

// The states of a stored reminder.
const (
	remPending = "pending"
	remClaimed = "claimed"
	remFailed  = "failed"
)

// remRecord is a stored reminder.
type remRecord struct {
	reminders.Reminder
	State string    `json:"state"`
	Token string    `json:"token,omitempty"`
	Until time.Time `json:"until,omitzero"`
}

// remTx is one transaction's view of the reminders' buckets.
type remTx struct {
	all, queue, failed, booking *bbolt.Bucket
}

func newRemTx(tx *bbolt.Tx) remTx {
	return remTx{all: tx.Bucket(remindersBucket), queue: tx.Bucket(remQueueBucket),
		failed: tx.Bucket(remFailedBucket), booking: tx.Bucket(remBookingBkt)}
}

// get returns the stored reminder id, or ok false. A record that does not decode is
// an error wrapping an *unreadableError.
func (t remTx) get(id string) (rec remRecord, ok bool, err error) {
	v, ok := live(t.all.Get([]byte(id)), time.Time{})
	if !ok {
		return remRecord{}, false, nil
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return remRecord{}, false, fmt.Errorf("reminder %s: %w", id, &unreadableError{partial: rec.Reminder, err: err})
	}
	return rec, true, nil
}

// unreadableError says that a stored reminder does not decode; partial is what did.
type unreadableError struct {
	partial reminders.Reminder
	err     error
}

func (e *unreadableError) Error() string { return "unreadable: " + e.err.Error() }
func (e *unreadableError) Unwrap() error { return e.err }

// deadLetter returns, when err says a stored reminder id does not decode, the dead
// letter that takes its place, due at at if nothing says when.
func deadLetter(err error, id string, at time.Time) (reminders.Reminder, bool) {
	var bad *unreadableError
	if !errors.As(err, &bad) {
		return reminders.Reminder{}, false
	}
	return reminders.Unreadable(bad.partial, id, bad.err, at), true
}

// unindex removes rec from the index of its state and of its booking.
func (t remTx) unindex(rec remRecord) error {
	var err error
	switch rec.State {
	case remPending:
		err = t.queue.Delete(timeKey(rec.Due, rec.ID))
	case remClaimed:
		err = t.queue.Delete(timeKey(rec.Until, rec.ID))
	case remFailed:
		err = t.failed.Delete(timeKey(rec.Due, rec.ID))
	}
	if err != nil {
		return err
	}
	return t.booking.Delete(pairKey(rec.Booking, rec.ID))
}

// put stores rec and indexes it.
func (t remTx) put(rec remRecord) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := put(t.all, []byte(rec.ID), forever, data); err != nil {
		return err
	}
	switch rec.State {
	case remPending:
		err = put(t.queue, timeKey(rec.Due, rec.ID), forever, nil)
	case remClaimed:
		err = put(t.queue, timeKey(rec.Until, rec.ID), forever, nil)
	case remFailed:
		err = put(t.failed, timeKey(rec.Due, rec.ID), forever, nil)
	}
	if err != nil {
		return err
	}
	return put(t.booking, pairKey(rec.Booking, rec.ID), forever, nil)
}

// remove deletes the reminder id wherever it is; an unknown id is no error, nor is
// an unreadable one.
func (t remTx) remove(id string) error {
	rec, ok, err := t.get(id)
	if _, bad := deadLetter(err, id, time.Time{}); bad {
		return t.purge(id)
	}
	if err != nil || !ok {
		return err
	}
	if err := t.unindex(rec); err != nil {
		return err
	}
	return t.all.Delete([]byte(id))
}

// purge deletes the record id and every index entry of it. Unlike remove it needs no
// readable record, so it scans the indexes: it is for the rare unreadable one.
func (t remTx) purge(id string) error {
	if err := t.all.Delete([]byte(id)); err != nil {
		return err
	}
	byTime := func(k []byte) bool { return len(k) > 8 && string(k[8:]) == id }
	byBooking := func(k []byte) bool { head := pairHead(k); return head != nil && string(k[len(head):]) == id }
	for b, match := range map[*bbolt.Bucket]func([]byte) bool{t.queue: byTime, t.failed: byTime, t.booking: byBooking} {
		var stale [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if match(k) {
				stale = append(stale, bytes.Clone(k))
			}
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// update runs fn in a read-write transaction on the reminders' buckets, after checking
// ctx, and wraps its error with what.
func (s *Store) update(ctx context.Context, what string, fn func(t remTx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := s.db.Update(func(tx *bbolt.Tx) error { return fn(newRemTx(tx)) }); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Plan implements reminders.Planner, all reminders in one transaction.
func (s *Store) Plan(ctx context.Context, rs ...reminders.Reminder) error {
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("plan reminders: %w", err)
		}
	}
	return s.update(ctx, "plan reminders", func(t remTx) error {
		for _, r := range rs {
			if err := t.remove(r.ID); err != nil {
				return err
			}
			if err := t.put(remRecord{Reminder: r, State: remPending}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Cancel implements reminders.Planner.
func (s *Store) Cancel(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.update(ctx, "cancel reminders", func(t remTx) error {
		for _, id := range ids {
			if err := t.remove(id); err != nil {
				return err
			}
		}
		return nil
	})
}

// CancelBooking implements reminders.Planner.
func (s *Store) CancelBooking(ctx context.Context, booking string) error {
	if booking == "" {
		return errors.New("cancel reminders: empty booking id")
	}
	return s.update(ctx, "cancel reminders of booking "+booking, func(t remTx) error {
		for _, id := range bookingIDs(t.booking, booking) {
			if err := t.remove(id); err != nil {
				return err
			}
		}
		return nil
	})
}

// bookingIDs returns the ids of a booking's reminders.
func bookingIDs(b *bbolt.Bucket, booking string) []string {
	prefix := pairKey(booking, "")
	var ids []string
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, string(k[len(prefix):]))
	}
	return ids
}

// Claim implements reminders.Claimer in one transaction. An unreadable reminder is
// made a dead letter in the same transaction, and reported after it commits.
func (s *Store) Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]reminders.Claimed, error) {
	if err := reminders.ValidateClaim(lease, max); err != nil {
		return nil, err
	}
	until := now.Add(lease)
	token := newToken()
	var (
		claimed []reminders.Claimed
		buried  []error
	)
	err := s.update(ctx, "claim reminders", func(t remTx) error {
		var keys [][]byte
		// Keys sort by time, then id: those before the next millisecond are due.
		end := timeKey(now.Add(time.Millisecond), "")
		c := t.queue.Cursor()
		for k, _ := c.First(); k != nil && len(keys) < max && bytes.Compare(k, end) < 0; k, _ = c.Next() {
			if len(k) > len(end) {
				keys = append(keys, bytes.Clone(k))
			}
		}
		for i, key := range keys {
			id := string(key[len(end):])
			rec, ok, err := t.get(id)
			if dead, bad := deadLetter(err, id, now); bad {
				if err := t.bury(dead); err != nil {
					return err
				}
				buried = append(buried, fmt.Errorf("%w; made a dead letter", err))
				continue
			}
			switch {
			case err != nil:
				return err
			case !ok:
				// An entry without its reminder would take a place in every claim.
				if err := t.queue.Delete(key); err != nil {
					return err
				}
				continue
			}
			if err := t.unindex(rec); err != nil {
				return err
			}
			if rec.State == remClaimed {
				rec.Reminder = reminders.Lapsed(rec.Reminder, 1)
			}
			rec.State, rec.Token, rec.Until = remClaimed, fmt.Sprintf("%s:%d", token, i+1), until
			if err := t.put(rec); err != nil {
				return err
			}
			claimed = append(claimed, reminders.Claimed{Reminder: rec.Reminder, Token: rec.Token, Until: until})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(buried) > 0 {
		return claimed, fmt.Errorf("claim reminders: %w", errors.Join(buried...))
	}
	return claimed, nil
}

// bury puts dead in place of an unreadable reminder with its id.
func (t remTx) bury(dead reminders.Reminder) error {
	if err := t.purge(dead.ID); err != nil {
		return err
	}
	return t.put(remRecord{Reminder: dead, State: remFailed})
}

// Done implements reminders.Claimer in one transaction.
func (s *Store) Done(ctx context.Context, c reminders.Claimed) error {
	return s.settle(ctx, "done", c, func(t remTx, rec remRecord) error {
		return t.all.Delete([]byte(rec.ID))
	})
}

// Retry implements reminders.Claimer in one transaction.
func (s *Store) Retry(ctx context.Context, c reminders.Claimed, at time.Time, errText string) error {
	return s.settle(ctx, "retry", c, func(t remTx, _ remRecord) error {
		return t.put(remRecord{Reminder: c.Retried(at, errText), State: remPending})
	})
}

// Fail implements reminders.Claimer in one transaction.
func (s *Store) Fail(ctx context.Context, c reminders.Claimed, errText string) error {
	return s.settle(ctx, "fail", c, func(t remTx, _ remRecord) error {
		return t.put(remRecord{Reminder: c.Failed(errText), State: remFailed})
	})
}

// settle ends c's claim, if its token still holds it, and then runs next: the claimed
// record is already out of its indexes.
func (s *Store) settle(ctx context.Context, op string, c reminders.Claimed, next func(remTx, remRecord) error) error {
	return s.update(ctx, op+" reminder "+c.ID, func(t remTx) error {
		rec, ok, err := t.get(c.ID)
		switch {
		case err != nil:
			return err
		case !ok || rec.State != remClaimed || rec.Token != c.Token:
			return reminders.ErrLeaseLost
		}
		if err := t.unindex(rec); err != nil {
			return err
		}
		return next(t, rec)
	})
}

// Pending implements reminders.Inspector.
func (s *Store) Pending(ctx context.Context, booking string) ([]reminders.Reminder, error) {
	if booking == "" {
		return nil, errors.New("pending reminders: empty booking id")
	}
	var rs []reminders.Reminder
	err := s.view(ctx, "pending reminders of booking "+booking, func(t remTx) error {
		for _, id := range bookingIDs(t.booking, booking) {
			rec, ok, err := t.get(id)
			if err != nil {
				return err
			}
			if ok && rec.State != remFailed {
				rs = append(rs, rec.Reminder)
			}
		}
		return nil
	})
	slices.SortStableFunc(rs, func(a, b reminders.Reminder) int { return a.Due.Compare(b.Due) })
	return rs, err
}

// Failed implements reminders.Inspector.
func (s *Store) Failed(ctx context.Context) ([]reminders.Reminder, error) {
	var rs []reminders.Reminder
	err := s.view(ctx, "failed reminders", func(t remTx) error {
		c := t.failed.Cursor()
		for k, _ := c.First(); k != nil && len(rs) < reminders.MaxList; k, _ = c.Next() {
			if len(k) <= 8 {
				continue
			}
			id := string(k[8:])
			rec, ok, err := t.get(id)
			if dead, bad := deadLetter(err, id, keyTime(k)); bad {
				rs = append(rs, dead)
				continue
			}
			if err != nil {
				return err
			}
			if ok {
				rs = append(rs, rec.Reminder)
			}
		}
		return nil
	})
	return rs, err
}

// view runs fn in a read-only transaction, after checking ctx.
func (s *Store) view(ctx context.Context, what string, fn func(t remTx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := s.db.View(func(tx *bbolt.Tx) error { return fn(newRemTx(tx)) }); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// keyTime is the time a timeKey starts with.
func keyTime(key []byte) time.Time {
	return time.UnixMilli(int64(binary.BigEndian.Uint64(key) ^ (1 << 63)))
}

// timeKey is t at millisecond precision, 8 bytes that sort like the times (the sign
// bit flipped), followed by id.
func timeKey(t time.Time, id string) []byte {
	key := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(id)), uint64(t.UnixMilli())^(1<<63))
	return append(key, id...)
}
