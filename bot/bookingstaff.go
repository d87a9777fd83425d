package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/bookings"
)

// BookingActionKind says what staff did with a booking request.
type BookingActionKind string

// What staff can do with a booking.
const (
	BookingConfirm BookingActionKind = "confirm" // the provider takes it: the citizen gets a calendar file and reminders
	BookingRefuse  BookingActionKind = "refuse"  // with a Reason the citizen reads
	BookingPropose BookingActionKind = "propose" // another start time (Proposed) the citizen accepts or declines
	// BookingOffer answers with an offer: PriceCents to pay by Expires, with a Note.
	// A price of 0 confirms at once (a free service skips payment).
	BookingOffer BookingActionKind = "offer"
)

// BookingAction is staff acting on a booking.
type BookingAction struct {
	Kind     BookingActionKind
	Booking  string
	Operator string // first name, recorded in the booking's history
	Reason   string
	Proposed time.Time
	// For BookingOffer: the total price in euro cents, the deadline (in the future
	// and before the start), and a note for the citizen (at most bookings.MaxNote
	// runes).
	PriceCents int
	Expires    time.Time
	Note       string
}

// ErrProposalPast is returned for a proposed time that is not in the future.
var ErrProposalPast = errors.New("the proposed time has passed")

// proposalAllowed checks staff's proposed time against the service's booking rules
// (a *bookings.RuleError, wrapped, says which); a service gone from the catalogue
// has no rules left to break.
func (e *Engine) proposalAllowed(b *bookings.Booking, at, now time.Time) error {
	s, ok := e.opts.Search.Catalogue().Service(b.Service)
	if !ok {
		return nil
	}
	if err := bookings.CheckTime(s, at, b.Quantity, now, e.rome); err != nil {
		return fmt.Errorf("propose %s for booking %s: %w", at.In(e.rome).Format("2006-01-02 15:04"), b.ID, err)
	}
	return nil
}

// BookingFromStaff applies staff's action to a booking, schedules or cancels its
// reminders and tells the citizen on their channel. It returns the booking as it is
// now; bookings.ErrTransition (wrapped) when the booking cannot change that way (the
// citizen cancelled it meanwhile), ErrOfferExpiry or ErrOfferPrice for an offer's bad
// terms, and ErrNotDelivered when the change was made but the citizen could not be
// told.
func (e *Engine) BookingFromStaff(ctx context.Context, a BookingAction) (bookings.Booking, error) {
	if e.opts.Bookings == nil {
		return bookings.Booking{}, errors.New("bot: no booking store")
	}
	now := e.now()
	if a.Kind == BookingPropose && !a.Proposed.After(now) {
		return bookings.Booking{}, ErrProposalPast
	}
	by := operatorName(a.Operator)
	b, err := e.opts.Bookings.Update(ctx, a.Booking, func(b *bookings.Booking) error {
		switch a.Kind {
		case BookingConfirm:
			b.Proposed = time.Time{}
			return b.Transition(bookings.Confirmed, by, "", now)
		case BookingRefuse:
			b.Proposed = time.Time{}
			return b.Transition(bookings.Refused, by, truncateRunes(cleanText(a.Reason), 300), now)
		case BookingOffer:
			return e.applyOffer(a, b, by, now)
		case BookingPropose:
			if b.Status != bookings.Requested {
				return fmt.Errorf("%w: propose another time to a booking %s", bookings.ErrTransition, b.Status)
			}
			if err := e.proposalAllowed(b, a.Proposed, now); err != nil {
				return err
			}
			b.Proposed, b.Updated = a.Proposed.In(e.rome), now
			return nil
		}
		return fmt.Errorf("bot: unknown booking action %q", a.Kind)
	})
	if err != nil {
		return b, err
	}
	t := e.citizenTurn(b.Conversation, b.Lang, now)
	if a.Kind == BookingOffer && b.Status == bookings.Offered {
		e.planOffer(ctx, b)
		t.replies = e.flows.booking.offerReplies(t, b)
	} else if a.Kind == BookingOffer {
		a.Kind = BookingConfirm // a price of 0: confirmed at once
	}
	switch a.Kind {
	case BookingConfirm:
		_ = e.scheduleReminders(ctx, b) // logged; Reconcile plans them again
		// The citizen may have cancelled meanwhile: then no confirmation, no
		// reminders, and staff see the booking as it is.
		if fresh, err := e.opts.Bookings.Get(ctx, b.ID); err == nil && fresh.Status != bookings.Confirmed {
			e.cancelReminders(ctx, b.ID)
			return fresh, fmt.Errorf("%w: the booking is %s", bookings.ErrTransition, fresh.Status)
		}
		t.replies = t.e.flows.booking.confirmedReplies(t, b)
	case BookingRefuse:
		e.cancelReminders(ctx, b.ID)
		e.flows.activities.release(ctx, t.cat, b.Activity, b.Session, b.ID)
		back := btn(t.T("button.back_card"), actService, b.Service)
		if b.Activity != "" {
			back = btn(t.T("acts.back_card"), actAct, b.Activity)
		}
		t.Say(Reply{Text: t.T("book.refused", "booking", t.e.flows.booking.bookingLine(t, b)), Buttons: [][]Button{
			{back, btn(t.T("menu.operator"), actOperator)},
			{btn(t.T("button.menu"), actMenu)}}})
	case BookingPropose:
		t.Say(Reply{Text: t.T("book.proposal", "booking", t.e.flows.booking.bookingLine(t, b)), Buttons: [][]Button{
			{btn(t.T("book.accept"), actBook, "accept", b.ID), btn(t.T("book.decline"), actBook, "decline", b.ID)}}})
	}
	channel, user, _ := splitConversation(b.Conversation)
	return b, e.push(ctx, channel, user, withLang(t.replies, t.st.Lang))
}

// citizenTurn builds a turn for a message to a citizen outside their own messages:
// texts in their language, nothing saved.
func (e *Engine) citizenTurn(conversation, lang string, now time.Time) *Turn {
	channel, user, _ := splitConversation(conversation)
	if lang == "" {
		lang = defaultLang
	}
	return &Turn{e: e, cat: e.opts.Search.Catalogue(), m: Message{Channel: channel, UserID: user},
		st: &state{Lang: lang}, now: now}
}
