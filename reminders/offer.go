package reminders

import "time"

// DefaultOfferDue is how long before an offer's deadline the citizen is reminded of
// it; an offer open for less than twice as long is reminded halfway.
const DefaultOfferDue = 12 * time.Hour

// Offer is what an offer's reminders are computed from: its booking, when it was
// made and when it expires.
type Offer struct {
	Booking      string
	Conversation string
	Made         time.Time
	Expires      time.Time
}

// ForOffer returns an offer's reminders: one to the citizen DefaultOfferDue before the
// deadline (halfway for a short offer), out of the quiet hours, left out when no time
// is left for it; and the expiry at the deadline. Both have the deadline as Start, so
// a reminder of an offer changed since (another deadline) is recognised as stale. A
// deadline already past at now gives none.
func ForOffer(o Offer, now time.Time, loc *time.Location) []Reminder {
	if !o.Expires.After(now) || o.Booking == "" {
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	mk := func(kind Kind, off time.Duration, due time.Time) Reminder {
		return Reminder{ID: o.Booking + ":" + string(kind), Booking: o.Booking, Conversation: o.Conversation,
			Kind: kind, Offset: off, Start: o.Expires, Due: due}
	}
	var out []Reminder
	off := DefaultOfferDue
	if window := o.Expires.Sub(o.Made); window < 2*DefaultOfferDue {
		off = window / 2
	}
	if off >= time.Minute {
		if due, ok := beforeDue(o.Expires.Add(-off), o.Expires, now, loc); ok && due.After(now) {
			out = append(out, mk(OfferDue, o.Expires.Sub(due), due))
		}
	}
	return append(out, mk(OfferExpiry, 0, o.Expires))
}

// endsAtStart reports whether a reminder of kind k is pointless once its Start has
// come: a reminder before a service, or before an offer's deadline.
func (k Kind) endsAtStart() bool { return k == Before || k == OfferDue }
