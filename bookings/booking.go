// Package bookings is the domain of booking a WeMi service: a citizen's request for a
// service at a time, its lifecycle (requested, then confirmed or refused by staff,
// cancelled or concluded), the price estimate, the slots a service offers, the dates
// citizens type, the calendar file sent with a confirmation, and the Store that keeps
// bookings in the shared records (package records). It imports no platform SDK.
//
// Times are Europe/Rome wall-clock times, correct across daylight-saving changes.
package bookings

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/records"
)

// Status is where a booking is in its lifecycle. The values are Italian because staff
// read them on the desk and they are stored.
type Status string

// The statuses of a booking.
const (
	Requested Status = "inoltrata"
	Offered   Status = "offerta" // the provider answered with an offer (price, expiry) to pay or decline
	Paid      Status = "pagata"  // the offer was paid (card, Telegram, voucher): staff confirm next
	Confirmed Status = "confermata"
	Refused   Status = "rifiutata" // by staff, or the citizen declined the offer
	Cancelled Status = "annullata"
	Expired   Status = "scaduta"    // the offer was not taken by its deadline
	Refunded  Status = "rimborsata" // a paid booking cancelled and paid back (all or part)
	Done      Status = "conclusa"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case Requested, Offered, Paid, Confirmed, Refused, Cancelled, Expired, Refunded, Done:
		return true
	}
	return false
}

// next lists the statuses each status may change to; the others are final.
// A free service (or one paid to the provider directly, with no payment set up)
// goes from inoltrata to confermata; a paid one through offerta and pagata. A paid
// booking that is cancelled may then be refunded; so may an offer that expired or
// was declined and then paid all the same (a payment page left open past the
// deadline): the money goes back at once.
var next = map[Status][]Status{
	Requested: {Offered, Confirmed, Refused, Cancelled},
	Offered:   {Paid, Confirmed, Refused, Cancelled, Expired},
	Paid:      {Confirmed, Cancelled, Refunded},
	Confirmed: {Cancelled, Done, Refunded},
	Cancelled: {Refunded},
	Expired:   {Refunded},
	Refused:   {Refunded},
}

// CanTransition reports whether a booking in status from may change to status to.
func CanTransition(from, to Status) bool {
	for _, s := range next[from] {
		if s == to {
			return true
		}
	}
	return false
}

// The values of Booking.ForWhom: the citizen, or a relative they book for.
const (
	ForSelf     = "self"
	ForRelative = "relative"
)

// Bounds on a booking's fields, checked by Validate.
const (
	// MaxNote is the longest note a citizen may add, in runes.
	MaxNote = 300
	// MaxReason is the longest reason kept for a change, in runes; Transition cuts
	// longer ones.
	MaxReason = 300
	// MaxQuantity is the most hours or units one booking may ask for.
	MaxQuantity = 100
	maxName     = 64            // first name, language, service id, operator: runes
	maxConvID   = records.MaxID // the conversation names its index record
	// maxHistory is well above the request and the five changes the lifecycle allows:
	// a longer history is a bug somewhere.
	maxHistory = 16
)

// Errors of the bookings domain; they arrive wrapped, so test them with errors.Is.
var (
	// ErrTransition is a status change the lifecycle does not allow.
	ErrTransition = errors.New("bookings: status change not allowed")
	// ErrReasonRequired is a refusal without a reason.
	ErrReasonRequired = errors.New("bookings: a refusal needs a reason")
	// ErrNotFound is a booking that does not exist (or has expired).
	ErrNotFound = errors.New("bookings: booking not found")
	// ErrInvalid is a booking whose fields break the rules Validate checks.
	ErrInvalid = errors.New("bookings: invalid booking")
	// ErrExists is Store.Create of an id another conversation's booking has.
	ErrExists = errors.New("bookings: booking id already taken")
	// ErrTooMany is Store.Create for a conversation whose last MaxPerConversation
	// bookings are all still active.
	ErrTooMany = errors.New("bookings: too many active bookings")
)

// Change is one step of a booking's history.
type Change struct {
	Status Status    `json:"status"`
	At     time.Time `json:"at"`
	// By is "citizen", or the operator's first name.
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
}

// Booking is a citizen's request for a service at a time, and what became of it. It
// names the citizen by first name only.
type Booking struct {
	ID           string `json:"id"`           // random, 12 hex characters (NewID)
	Conversation string `json:"conversation"` // the engine's "channel:user"
	Lang         string `json:"lang"`
	FirstName    string `json:"first_name,omitempty"`
	Service      string `json:"service"` // catalogue service id (the activity's, for an enrolment)
	// Activity and Session name the activity and the session an enrolment is for
	// (catalogue.Activity, Session.ID); empty for a service's booking. Quantity is
	// then the places held.
	Activity string `json:"activity,omitempty"`
	Session  string `json:"session,omitempty"`
	// Start is when the service starts, in Europe/Rome. A booking read back from the
	// Store has the right instant and UTC offset, but a fixed zone: use In(rome) to
	// get the named one.
	Start time.Time `json:"start"`
	// Quantity is hours, or units of the service's cost unit; at least 1.
	Quantity  int    `json:"quantity"`
	Shared    bool   `json:"shared,omitempty"` // in a group, at the shared rate
	ForWhom   string `json:"for_whom"`         // ForSelf or ForRelative
	Municipio int    `json:"municipio"`        // 1-9
	Note      string `json:"note,omitempty"`   // at most MaxNote runes
	// EstimateCents is the estimated price: -1 unknown (to be agreed), 0 free.
	EstimateCents int    `json:"estimate_cents"`
	Status        Status `json:"status"`
	Reason        string `json:"reason,omitempty"` // why it was refused (or cancelled, when given)
	// Proposed is another start staff proposed (zero: none); the booking stays
	// Requested until the citizen answers. Transition clears it when the booking
	// leaves Requested.
	Proposed time.Time `json:"proposed,omitzero"`
	Card     string    `json:"card,omitempty"` // the staff card's reference, set by the desk
	// MoveTo is the start the citizen asked to move a confirmed booking to (zero:
	// none); the booking keeps its Start until staff accept. Transition clears it
	// when the booking leaves confermata.
	MoveTo time.Time `json:"move_to,omitzero"`
	// Series names the recurring request this booking is one of (series.go): the
	// bookings of one series share it, and staff handle them as one request. Empty
	// for a single booking; else the shape of an id (NewID).
	Series string `json:"series,omitempty"`
	// Offer is the provider's offer, once staff made one (status offerta and after).
	Offer *Offer `json:"offer,omitempty"`
	// Payment is what was paid and how, once paid; nil for free services and while
	// unpaid.
	Payment *Payment `json:"payment,omitempty"`
	// Rating is the citizen's rating of the service once concluded, 1-5; 0 none.
	Rating  int       `json:"rating,omitempty"`
	History []Change  `json:"history,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// NewID returns a fresh random booking id: records.NewID, 12 hexadecimal characters.
func NewID() string { return records.NewID() }

// ValidID reports whether id has the shape NewID gives: 12 lowercase hex characters.
// Use it on ids that come back in button payloads before looking them up.
func ValidID(id string) bool { return records.ValidID(id) }

// hourUnit is the cost unit whose quantity is a duration.
const hourUnit catalogue.CostUnit = "ora"

// Hourly reports whether a quantity of unit is a number of hours, so a booking of it
// lasts Quantity hours; any other unit (a session, a meal...) lasts one hour.
func Hourly(unit catalogue.CostUnit) bool { return unit == hourUnit }

// End is when the service ends: Start plus Quantity hours when the unit is "ora"
// (hour), else Start plus one hour. A quantity below 1 counts as 1.
func (b Booking) End(unit catalogue.CostUnit) time.Time {
	return b.Start.Add(duration(unit, b.Quantity))
}

// duration is how long a booking of quantity units lasts.
func duration(unit catalogue.CostUnit, quantity int) time.Duration {
	if !Hourly(unit) || quantity < 1 {
		return time.Hour
	}
	return time.Duration(min(quantity, MaxQuantity)) * time.Hour
}

// Active reports whether the booking may still happen: it is requested, offered,
// paid or confirmed.
func (b Booking) Active() bool {
	switch b.Status {
	case Requested, Offered, Paid, Confirmed:
		return true
	}
	return false
}

// Transition changes the booking's status, following the lifecycle: inoltrata to
// confermata, rifiutata or annullata; confermata to annullata or conclusa; nothing
// else (ErrTransition, wrapped, naming both statuses). A refusal needs a reason
// (ErrReasonRequired). It appends the change to History, sets Updated to at, records
// the reason (cut to MaxReason runes) of a refusal or cancellation, and clears Proposed
// once the booking leaves inoltrata. On error the booking is left as it was.
func (b *Booking) Transition(to Status, by, reason string, at time.Time) error {
	if !CanTransition(b.Status, to) {
		return fmt.Errorf("booking %s from %q to %q: %w", b.ID, b.Status, to, ErrTransition)
	}
	reason = truncate(reason, MaxReason)
	if to == Refused && isBlank(reason) {
		return fmt.Errorf("booking %s: %w", b.ID, ErrReasonRequired)
	}
	if b.Status == Requested {
		b.Proposed = time.Time{}
	}
	if b.Status == Confirmed {
		b.MoveTo = time.Time{} // a change asked of a booking that no longer stands
	}
	if (to == Refused || to == Cancelled) && !isBlank(reason) {
		b.Reason = reason
	}
	b.Status = to
	b.Updated = at
	b.History = append(b.History, Change{Status: to, At: at, By: truncate(by, maxName), Reason: reason})
	return nil
}

// Validate reports what is wrong with a booking before it is stored (ErrInvalid,
// wrapped with the field).
func (b Booking) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("booking %s: %s: %w", b.ID, fmt.Sprintf(format, args...), ErrInvalid)
	}
	switch {
	case !ValidID(b.ID):
		return fmt.Errorf("booking id %q is not 12 hex characters: %w", truncate(b.ID, 20), ErrInvalid)
	case b.Conversation == "" || len(b.Conversation) > maxConvID:
		return bad("conversation empty or longer than %d bytes", maxConvID)
	case b.Service == "" || utf8.RuneCountInString(b.Service) > maxName:
		return bad("service id empty or too long")
	case utf8.RuneCountInString(b.FirstName) > maxName || utf8.RuneCountInString(b.Lang) > maxName:
		return bad("first name or language too long")
	case b.Start.IsZero():
		return bad("no start")
	case b.Quantity < 1 || b.Quantity > MaxQuantity:
		return bad("quantity %d not between 1 and %d", b.Quantity, MaxQuantity)
	case b.ForWhom != ForSelf && b.ForWhom != ForRelative:
		return bad("for whom %q is neither %q nor %q", truncate(b.ForWhom, 20), ForSelf, ForRelative)
	case b.Municipio < 1 || b.Municipio > 9:
		return bad("municipio %d not between 1 and 9", b.Municipio)
	case utf8.RuneCountInString(b.Note) > MaxNote:
		return bad("note longer than %d characters", MaxNote)
	case b.Series != "" && !ValidID(b.Series):
		return bad("series %q is not 12 hex characters", truncate(b.Series, 20))
	case b.EstimateCents < -1:
		return bad("estimate %d below -1", b.EstimateCents)
	case !b.Status.Valid():
		return bad("unknown status %q", truncate(string(b.Status), 20))
	case b.Created.IsZero():
		return bad("no creation time")
	case len(b.History) > maxHistory:
		return bad("history of %d changes", len(b.History))
	}
	return nil
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func isBlank(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}
