package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// Moving a booking ("vorrei spostarla a venerdì", or "Sposta" in the bookings list):
// the booking form asks for a new day and time under the same rules, shows the change
// and applies it. A request still waiting for staff moves at once (a history entry,
// a note on the staff card); a confirmed one becomes a change request that staff
// handle on the card.

// EventBookingMoved is the citizen moving a booking: Reason is "moved" for a request
// still waiting for staff (its start changed), "change_requested" for a confirmed
// one (staff decide); At is when.
const EventBookingMoved EventKind = "booking_moved"

// IntentReschedule asks to move a booking to another day or time: Arg is the text.
const IntentReschedule Intent = "reschedule"

// intentReschedule names the phrases that ask to move a booking.
const intentReschedule = "reschedule"

// The reasons of EventBookingMoved.
const (
	MovedRequest    = "moved"
	MoveRequestedOf = "change_requested"
)

// movable reports whether the citizen may still move a booking: waiting for staff
// or confirmed, and not started.
func movable(b bookings.Booking, now time.Time) bool {
	return (b.Status == bookings.Requested || b.Status == bookings.Confirmed) && b.Start.After(now)
}

// reschedule answers a message asking to move a booking: with one booking to move,
// its form starts at once (with the day the message names, if any); with several,
// the citizen chooses; with none, the message is a search after all.
func (bf *bookingFlow) reschedule(ctx context.Context, t *Turn, in Interpretation) {
	var list []bookings.Booking
	if t.e.opts.Bookings != nil {
		all, err := t.e.opts.Bookings.ByConversation(ctx, t.m.Conversation())
		if err != nil {
			t.e.log.ErrorContext(ctx, "list bookings to move failed", "err", err)
			t.Say(Reply{Text: t.T("book.list_failed"), Buttons: t.MainMenu()})
			return
		}
		for _, b := range all {
			if movable(b, t.now) {
				list = append(list, b)
			}
		}
	}
	switch len(list) {
	case 0:
		t.Say(Reply{Text: t.T("book.move_none"), Buttons: [][]Button{
			{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}})
	case 1:
		bf.startMove(t, list[0], in.Text)
	default:
		rows := [][]Button{}
		for i, b := range list {
			if i == maxListedBookings {
				break
			}
			rows = append(rows, []Button{btn(t.T("book.move_pick", "n", strconv.Itoa(i+1), "service", bf.bookingName(t, b), "when", t.whenText(b.Start)), actBook, "move", b.ID)})
		}
		rows = append(rows, []Button{btn(t.T("button.menu"), actMenu)})
		t.Say(Reply{Text: t.T("book.move_which"), Buttons: rows})
	}
}

// moveButton starts moving the booking a "Sposta" button names.
func (bf *bookingFlow) moveButton(ctx context.Context, t *Turn, id string) {
	if t.e.opts.Bookings == nil || !bookings.ValidID(id) {
		t.Stale() // forged, or from a bot that no longer books
		return
	}
	b, err := t.e.opts.Bookings.Get(ctx, id)
	switch {
	case errors.Is(err, bookings.ErrNotFound) || err == nil && b.Conversation != t.m.Conversation():
		t.Stale()
	case err != nil:
		t.e.log.ErrorContext(ctx, "read a booking to move failed", "err", err)
		t.Say(Reply{Text: t.T("book.list_failed"), Buttons: t.MainMenu()})
	case !movable(b, t.now):
		t.Text("book.not_active", "status", t.T("status."+string(b.Status)))
	default:
		bf.startMove(t, b, "")
	}
}

// startMove fills the booking form with the booking as it is, all but its day and
// time, and asks for them; a day and a time in text are taken at once.
func (bf *bookingFlow) startMove(t *Turn, b bookings.Booking, text string) {
	s, ok := t.cat.Service(b.Service)
	if !ok {
		t.Say(Reply{Text: t.T("book.service_gone"), Buttons: t.MainMenu()})
		return
	}
	t.st.Flow = flowBook
	t.st.Draft = &bookingDraft{Service: s.ID, Move: b.ID, MoveFrom: b.Start, Minute: -1, Quantity: b.Quantity,
		Shared: b.Shared, SharedSet: true, ForWhom: b.ForWhom, Municipio: b.Municipio, Note: b.Note, NoteDone: true}
	t.Text("book.move_start", "booking", bf.bookingLine(t, b))
	if w, ok := bookings.ParseWhen(hoursInDigits(text), t.now, t.e.rome); ok && w.HasDate {
		bf.setDay(t, s, w.Day, w.HasTime, w.Minute)
		return
	}
	bf.askBooking(t, s)
}

// moveSummary shows the change and asks to confirm it.
func (bf *bookingFlow) moveSummary(t *Turn, s *catalogue.Service) {
	d := t.st.Draft
	t.Say(Reply{Text: t.T("book.move_summary", "service", t.titleText(s), "from", t.whenText(d.MoveFrom),
		"to", t.whenText(bf.bookingStart(t))),
		Buttons: [][]Button{{btn(t.T("book.move_confirm"), actBook, "moveok")},
			{btn(t.T("book.other_day"), actBook, "reday"), btn(t.T("book.abandon"), actBook, "x")}}})
}

// applyMove moves the booking, or asks staff to, once the rules are checked again
// against the booking as it is now.
func (bf *bookingFlow) applyMove(ctx context.Context, t *Turn, s *catalogue.Service) {
	d := t.st.Draft
	start := bf.bookingStart(t)
	if err := bookings.CheckStart(s, start, d.Quantity, t.now, t.e.rome); err != nil {
		d.Day, d.Minute = time.Time{}, -1
		bf.askDay(t, s, bf.ruleText(t, s, err))
		return
	}
	reason := MovedRequest
	b, err := t.e.opts.Bookings.Update(ctx, d.Move, func(b *bookings.Booking) error {
		if b.Conversation != t.m.Conversation() || !movable(*b, t.now) {
			return fmt.Errorf("%w: move a booking %s", bookings.ErrTransition, b.Status)
		}
		note := "spostamento richiesto a " + start.Format("2006-01-02 15:04")
		if b.Status == bookings.Requested {
			note = "spostata da " + b.Start.In(t.e.rome).Format("2006-01-02 15:04")
			b.Start, b.Proposed = start, time.Time{}
		} else {
			reason = MoveRequestedOf // staff decide (MoveFromStaff); the booking keeps its time until then
			b.MoveTo = start
		}
		b.Updated = t.now
		b.History = append(b.History, bookings.Change{Status: b.Status, At: t.now, By: "citizen", Reason: note})
		return nil
	})
	t.st.Draft, t.st.Flow = nil, ""
	switch {
	case errors.Is(err, bookings.ErrTransition) || errors.Is(err, bookings.ErrNotFound):
		t.Text("book.not_active", "status", t.T("status."+string(b.Status)))
		return
	case err != nil:
		t.e.log.ErrorContext(ctx, "move a booking failed", "err", err)
		t.Say(Reply{Text: t.T("book.failed"), Buttons: t.MainMenu()})
		return
	}
	ev := t.Event(EventBookingMoved, reason, false)
	ev.Recent, ev.Query, ev.Booking, ev.At, ev.Moved = nil, "", b.ID, t.now, start
	t.Raise(ev)
	key := "book.moved"
	if reason == MoveRequestedOf {
		key = "book.move_asked"
	}
	t.Say(Reply{Text: t.T(key, "service", t.titleText(s), "when", t.whenText(start)),
		Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}})
}
