// Package reminders decides when the reminders of a booked service go out (ForBooking)
// and sends each of them once, whichever replica claims it (Dispatcher). Reminders wait
// in a Queue shared by every replica: adapters/redis implements it for several
// replicas, adapters/bolt for one process; reminders/reminderstest is the contract
// both pass. The package imports no SDK and no store.
package reminders

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says what a reminder is for.
type Kind string

// The kinds of reminder.
const (
	// Before reminds the citizen of a service ahead of it, Offset before its start.
	Before Kind = "before"
	// Followup asks the citizen, after the service, to rate it.
	Followup Kind = "followup"
	// OfferDue reminds the citizen of an offer to pay, Offset before it expires;
	// Start is the offer's deadline.
	OfferDue Kind = "offer-due"
	// OfferExpiry expires an offer not paid by its deadline (Start, and Due).
	OfferExpiry Kind = "offer-expiry"
)

// Reminder is one message due to a citizen about a booking. It holds no text: the
// Sender builds the message from the booking when it sends, so a booking changed or
// cancelled since is never announced as it was. It holds no personal data either,
// beyond the conversation it goes to.
type Reminder struct {
	// ID is unique across every booking: ForBooking makes Booking + ":" + a suffix per
	// kind and offset ("b42:before-24h", "b42:followup"). Planning a reminder with the
	// ID of another replaces it, which is how a booking is rescheduled.
	ID string `json:"id"`
	// Booking is the id of the booking, for CancelBooking and for the Sender.
	Booking string `json:"booking"`
	// Conversation is the engine's "channel:user" the reminder goes to.
	Conversation string `json:"conversation"`
	Kind         Kind   `json:"kind"`
	// Offset is, for Before, how long before the start the reminder was asked for;
	// zero for Followup.
	Offset time.Duration `json:"offset,omitempty"`
	// Start is when the service starts: the Dispatcher drops a Before reminder it
	// claims after that.
	Start time.Time `json:"start"`
	// Due is when the reminder goes out.
	Due time.Time `json:"due"`
	// Attempts counts the sends that failed, and the leases that ran out before the
	// reminder was done (its dispatcher died or stalled).
	Attempts int `json:"attempts,omitempty"`
	// LastError says why the last attempt failed, without personal data.
	LastError string `json:"last_error,omitempty"`
}

// Limits checked by Validate, so that a reminder stays a small record whatever the
// booking side passes.
const (
	MaxID           = 200 // bytes of ID
	MaxBooking      = 128 // bytes of Booking
	MaxConversation = 256 // bytes of Conversation
	// MaxErrorText bounds LastError: longer texts are cut.
	MaxErrorText = 256
)

// Validate reports what is wrong with a reminder; stores call it before storing one.
// Ids may hold any character but a NUL, which the Redis store uses as a separator.
func (r Reminder) Validate() error {
	switch {
	case r.ID == "" || len(r.ID) > MaxID || strings.ContainsRune(r.ID, 0):
		return fmt.Errorf("reminder id %q: empty, longer than %d bytes or holding a NUL", r.ID, MaxID)
	case r.Booking == "" || len(r.Booking) > MaxBooking || strings.ContainsRune(r.Booking, 0):
		return fmt.Errorf("reminder %s: booking id empty, longer than %d bytes or holding a NUL", r.ID, MaxBooking)
	case r.Conversation == "" || len(r.Conversation) > MaxConversation:
		return fmt.Errorf("reminder %s: conversation empty or longer than %d bytes", r.ID, MaxConversation)
	case (r.Kind == Before || r.Kind == OfferDue) && r.Offset <= 0:
		return fmt.Errorf("reminder %s: a %q reminder needs a positive offset", r.ID, r.Kind)
	case (r.Kind == Followup || r.Kind == OfferExpiry) && r.Offset != 0:
		return fmt.Errorf("reminder %s: a %q reminder has no offset", r.ID, r.Kind)
	case r.Kind != Before && r.Kind != Followup && r.Kind != OfferDue && r.Kind != OfferExpiry:
		return fmt.Errorf("reminder %s: unknown kind %q", r.ID, r.Kind)
	case r.Start.IsZero() || r.Due.IsZero():
		return fmt.Errorf("reminder %s: no start or due time", r.ID)
	case r.Attempts < 0 || len(r.LastError) > MaxErrorText:
		return fmt.Errorf("reminder %s: negative attempts or error text over %d bytes", r.ID, MaxErrorText)
	}
	return nil
}

// Claimed is a reminder a dispatcher has taken from the queue: nobody else can take it
// until Until, and only the holder of Token can mark it done, retry or fail it.
type Claimed struct {
	Reminder
	// Token proves the claim: Done, Retry and Fail check it.
	Token string
	// Until is when the lease runs out and another dispatcher may claim the reminder.
	Until time.Time
}

// Retried is what a store keeps when c is put back in the queue, due at at: errText
// empty postpones it without counting an attempt (a follow-up claimed during the quiet
// hours); otherwise the attempt is counted and errText recorded. Stores call it so
// that both record the same thing.
func (c Claimed) Retried(at time.Time, errText string) Reminder {
	r := c.Reminder
	r.Due = at
	if errText != "" {
		r.Attempts++
		r.LastError = TrimError(errText)
	}
	return r
}

// Failed is what a store keeps as the dead letter of c, given up with errText: the
// failed attempt counts.
func (c Claimed) Failed(errText string) Reminder {
	r := c.Reminder
	r.Attempts++
	r.LastError = TrimError(errText)
	return r
}

// LapsedError is the LastError of a reminder reclaimed after its lease ran out.
const LapsedError = "lease ran out before the reminder was done"

// Lapsed is what a store hands out when it claims a reminder whose lease ran out n
// times (usually once) since it was last stored: each counts as an attempt, so that a
// reminder that kills every dispatcher claiming it ends among the failed ones instead
// of going round forever.
func Lapsed(r Reminder, n int) Reminder {
	if n > 0 {
		r.Attempts += n
		r.LastError = LapsedError
	}
	return r
}

// UnreadableError starts the LastError of the dead letter a store keeps in place of a
// stored reminder it could not read.
const UnreadableError = "stored reminder unreadable"

// Unreadable is the dead letter a store keeps in place of the stored reminder id that
// it could not decode (err), found at at, so that one corrupt record does not jam the
// queue. partial holds what the decoder did fill in, often nothing: it is kept so
// that an operator can tell whose reminder it was. Due is at when it did not decode.
// Stores call it so that both record the same thing.
func Unreadable(partial Reminder, id string, err error, at time.Time) Reminder {
	r := partial
	r.ID = id
	if r.Due.IsZero() {
		r.Due = at
	}
	r.LastError = TrimError(UnreadableError + ": " + err.Error())
	return r
}

// TrimError cuts s to at most MaxErrorText bytes of valid UTF-8.
func TrimError(s string) string {
	if len(s) <= MaxErrorText {
		return strings.ToValidUTF8(s, "?")
	}
	s = s[:MaxErrorText]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// Planner is what the booking side does with the queue.
type Planner interface {
	// Plan stores reminders, each atomically. A reminder whose ID is already stored
	// replaces it wherever it is: pending (a reschedule), claimed (the claim is
	// dropped, and its holder's Done, Retry or Fail are refused) or failed. Plan
	// validates every reminder before storing any; it is idempotent, so a caller that
	// gets an error plans them all again. (Not "Add": the stores' Add is the desk's
	// tallies'.)
	Plan(ctx context.Context, rs ...Reminder) error
	// Cancel removes reminders by id, atomically, wherever they are (pending, claimed
	// or failed). Unknown ids are ignored.
	Cancel(ctx context.Context, ids ...string) error
	// CancelBooking removes every reminder of a booking, atomically, like Cancel.
	CancelBooking(ctx context.Context, booking string) error
}

// Claimer is what the Dispatcher does with the queue. Times are the caller's (every
// replica's clock is assumed set by NTP) and compared at millisecond precision.
type Claimer interface {
	// Claim atomically takes up to max reminders that are due at now, or whose lease
	// ran out at now, and leases each to the caller until now+lease with a fresh
	// token. Pending reminders come earliest due first. A claim whose lease ran out
	// counts an attempt (see Lapsed). No two callers ever hold the same reminder's
	// lease at once. A stored reminder that cannot be read is not handed out: Claim
	// makes it a dead letter, as Unreadable records it, goes on with the others and
	// returns an error naming it. Reminders returned along with an error are claimed
	// all the same.
	Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]Claimed, error)
	// Done removes a reminder that was sent, atomically and only if c's token still
	// holds its claim, else it returns ErrLeaseLost. A lease that ran out still
	// holds until another claim, re-plan or cancel replaces it.
	Done(ctx context.Context, c Claimed) error
	// Retry puts a claimed reminder back in the queue, due at at, as c.Retried
	// records it, atomically and only if c's token still holds its claim, else it
	// returns ErrLeaseLost.
	Retry(ctx context.Context, c Claimed, at time.Time, errText string) error
	// Fail gives up a claimed reminder: it becomes a dead letter, as c.Failed records
	// it, listed by Failed until re-planned or cancelled; atomically and only if c's
	// token still holds its claim, else it returns ErrLeaseLost.
	Fail(ctx context.Context, c Claimed, errText string) error
}

// Inspector shows what the queue holds, for tests, the booking side and operators.
type Inspector interface {
	// Pending returns a booking's reminders still to send (claimed or not), by due
	// time. A claimed reminder shows as it was stored, without its lease.
	Pending(ctx context.Context, booking string) ([]Reminder, error)
	// Failed returns the dead letters, by due time, at most MaxList of them. A dead
	// letter that cannot be read is listed all the same, as Unreadable records it.
	Failed(ctx context.Context) ([]Reminder, error)
}

// Queue is the whole store contract: adapters/redis and adapters/bolt implement it.
type Queue interface {
	Planner
	Claimer
	Inspector
}

// Bounds of the queue's calls.
const (
	// MaxClaim bounds Claim's max.
	MaxClaim = 1000
	// MaxList bounds the reminders Failed returns.
	MaxList = 1000
)

// ValidateClaim reports what is wrong with a Claim's arguments; stores call it first.
func ValidateClaim(lease time.Duration, max int) error {
	switch {
	case lease < time.Millisecond:
		return fmt.Errorf("reminders: lease %v is shorter than a millisecond", lease)
	case max <= 0 || max > MaxClaim:
		return fmt.Errorf("reminders: claim of %d reminders, want 1 to %d", max, MaxClaim)
	}
	return nil
}

// Errors of the queue and the dispatcher.
var (
	// ErrLeaseLost: the claim is no longer the caller's. Its lease ran out and
	// another dispatcher claimed the reminder, or it was re-planned or cancelled.
	ErrLeaseLost = errors.New("reminders: claim lost")
	// ErrPermanent marks a Sender's error that retrying cannot fix (the citizen
	// blocked the bot, the booking is gone for good): the reminder fails at once.
	ErrPermanent = errors.New("reminders: permanent send failure")
)
