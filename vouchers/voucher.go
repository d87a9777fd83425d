// Package vouchers keeps the Comune di Milano's welfare vouchers: staff import the
// Comune's list (a CSV file), citizens pay all or part of a booking with a code, and
// staff cancel and restore them. A voucher names its holder only by a keyed hash of
// the holder's tax code, and its spends name bookings only: the package keeps no
// personal data in clear. Vouchers live in the shared records (package records), so
// every replica sees the same balance, and a balance is spent once however many ask.
package vouchers

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// State is where a voucher is in its life, as stored and shown to staff.
type State string

// The states of a voucher. A voucher is importato until its validity starts, then
// attivo; staff can make it annullato, and restore the state it had before.
const (
	Imported  State = "importato"
	Active    State = "attivo"
	Cancelled State = "annullato"
)

// Errors Spend, Unspend and the staff's operations return, wrapped. A chat should
// answer ErrUnknown and ErrHolder with the same sentence, so that a wrong guess does
// not tell whether the code exists.
var (
	// ErrUnknown: no voucher has this code (or the code has no voucher's shape).
	ErrUnknown = errors.New("vouchers: unknown code")
	// ErrHolder: the tax code given is not the holder's.
	ErrHolder = errors.New("vouchers: not the holder's tax code")
	// ErrNotYetValid: the voucher's validity has not started.
	ErrNotYetValid = errors.New("vouchers: not valid yet")
	// ErrExpired: the voucher's validity is over.
	ErrExpired = errors.New("vouchers: expired")
	// ErrCancelled: staff cancelled the voucher (or Cancel on a cancelled one).
	ErrCancelled = errors.New("vouchers: cancelled")
	// ErrSpent: nothing is left on the voucher.
	ErrSpent = errors.New("vouchers: balance spent")
	// ErrLocked: too many failed attempts on this code, or for this booking; try
	// again later.
	ErrLocked = errors.New("vouchers: too many failed attempts")
	// ErrNotCancelled: Restore on a voucher that is not cancelled.
	ErrNotCancelled = errors.New("vouchers: not cancelled")
	// ErrTooManySpends: the voucher already pays for MaxSpends bookings.
	ErrTooManySpends = errors.New("vouchers: too many spends")
	// ErrInvalid: an argument out of bounds (an amount, a booking id).
	ErrInvalid = errors.New("vouchers: invalid request")
)

// Bounds of one voucher's record, which must stay well under records.MaxDoc.
const (
	// MaxSpends bounds the spends a voucher keeps; given-back ones make room first.
	MaxSpends = 100
	// maxHistory bounds the events kept; the oldest after the import go first.
	maxHistory = 100
)

// Voucher is one of the Comune's vouchers as stored. It holds no personal data: the
// code is kept as a keyed hash (ID) and its last four characters (Masked), the
// holder as a keyed hash of their tax code.
type Voucher struct {
	ID        string `json:"id"`     // keyed hash of the code: the record's id
	Masked    string `json:"masked"` // "…" and the code's last four characters
	Programme string `json:"programme"`
	// From and Until are the first and last days of validity (YYYY-MM-DD), whole
	// days in the Comune's time zone.
	From  string `json:"from"`
	Until string `json:"until"`
	// Holder is the keyed hash of the holder's tax code, never the tax code.
	Holder       string `json:"holder"`
	AmountCents  int    `json:"amount_cents"`
	BalanceCents int    `json:"balance_cents"`
	State        State  `json:"state"`
	// Before is the state the voucher had when it was cancelled: Restore brings it
	// back.
	Before  State     `json:"before,omitempty"`
	Spends  []Spend   `json:"spends,omitempty"`
	History []Event   `json:"history"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Spend is what one booking took from a voucher.
type Spend struct {
	Booking string    `json:"booking"`
	Cents   int       `json:"cents"`
	At      time.Time `json:"at"`
	// Returned is when the spend was given back (Unspend); zero while it holds.
	Returned time.Time `json:"returned,omitzero"`
}

// Active reports whether the spend still holds.
func (s Spend) Active() bool { return s.Returned.IsZero() }

// What an Event records.
const (
	EventImported  = "importato"
	EventActivated = "attivato"
	EventUpdated   = "aggiornato" // imported again with other data, before any spend
	EventCancelled = "annullato"
	EventRestored  = "ripristinato"
	EventSpent     = "speso"
	EventReturned  = "restituito"
)

// Event is one line of a voucher's history.
type Event struct {
	At      time.Time `json:"at"`
	What    string    `json:"what"`
	By      string    `json:"by,omitempty"` // the operator, "import", or empty for the bot
	Booking string    `json:"booking,omitempty"`
	Cents   int       `json:"cents,omitempty"`
	State   State     `json:"state"` // the state after the event
}

// validity returns the first instant of validity and the first instant after it,
// in loc.
func (v Voucher) validity(loc *time.Location) (start, end time.Time, err error) {
	from, err := time.ParseInLocation(time.DateOnly, v.From, loc)
	if err != nil {
		return start, end, fmt.Errorf("voucher %s: from: %w", v.ID, err)
	}
	until, err := time.ParseInLocation(time.DateOnly, v.Until, loc)
	if err != nil {
		return start, end, fmt.Errorf("voucher %s: until: %w", v.ID, err)
	}
	// AddDate, not 24 hours: a day of a daylight-saving change is 23 or 25 hours.
	return from, until.AddDate(0, 0, 1), nil
}

// activate makes an imported voucher active once its validity has started, dating
// the change from the first day of validity (or the import, if later), so that
// every replica that looks records the same event.
func (v *Voucher) activate(now time.Time, loc *time.Location) {
	if v.State != Imported {
		return
	}
	start, _, err := v.validity(loc)
	if err != nil || now.Before(start) {
		return
	}
	at := start
	if v.Created.After(at) {
		at = v.Created
	}
	v.State = Active
	v.record(Event{At: at, What: EventActivated, State: Active})
}

// usable returns why the voucher cannot be spent at now, nil when it can.
func (v Voucher) usable(now time.Time, loc *time.Location) error {
	start, end, err := v.validity(loc)
	switch {
	case err != nil:
		return err
	case v.State == Cancelled:
		return ErrCancelled
	case now.Before(start):
		return ErrNotYetValid
	case !now.Before(end):
		return ErrExpired
	case v.BalanceCents <= 0:
		return ErrSpent
	}
	return nil
}

// Expired reports whether the voucher's validity is over at now, in loc.
func (v Voucher) Expired(now time.Time, loc *time.Location) bool {
	_, end, err := v.validity(loc)
	return err == nil && !now.Before(end)
}

// spendOf returns the index of booking's spend that still holds, -1 if none.
func (v Voucher) spendOf(booking string) int {
	return slices.IndexFunc(v.Spends, func(s Spend) bool { return s.Booking == booking && s.Active() })
}

// Spent reports whether anything was ever taken from the voucher.
func (v Voucher) Spent() bool { return len(v.Spends) > 0 || v.BalanceCents != v.AmountCents }

// addSpend records a spend, making room by dropping the oldest given-back ones.
func (v *Voucher) addSpend(s Spend) error {
	for len(v.Spends) >= MaxSpends {
		i := slices.IndexFunc(v.Spends, func(s Spend) bool { return !s.Active() })
		if i < 0 {
			return ErrTooManySpends
		}
		v.Spends = slices.Delete(v.Spends, i, i+1)
	}
	v.Spends = append(v.Spends, s)
	return nil
}

// record appends an event to the history, dropping the oldest after the import
// beyond maxHistory.
func (v *Voucher) record(e Event) {
	v.History = append(v.History, e)
	if len(v.History) > maxHistory {
		v.History = slices.Delete(v.History, 1, len(v.History)-maxHistory+1)
	}
}

// Mask returns how a code is shown on receipts, staff cards and reports: "…" and its
// last four letters or digits; only "…" for a code too short to keep a secret.
func Mask(code string) string {
	c := canonicalCode(code)
	if len(c) < minCode {
		return "…"
	}
	return "…" + c[len(c)-4:]
}
