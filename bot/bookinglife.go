package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// The booking events the engine raises for staff; Event.Booking names the booking.
const (
	EventBookingRequested EventKind = "booking_requested"
	EventBookingCancelled EventKind = "booking_cancelled" // by the citizen
	EventBookingAnswered  EventKind = "booking_answered"  // the citizen accepted (Score 1) or declined (Score 0) another time
	EventBookingRated     EventKind = "booking_rated"     // Score 1-5, after the service
	// EventReminderFailed says a reminder could not reach the citizen, for good:
	// Reason is its kind, Offset how long before the service it was due.
	EventReminderFailed EventKind = "reminder_failed"
)

// submitBooking turns the draft into a booking request for staff.
func (bf *bookingFlow) submitBooking(ctx context.Context, t *Turn, s *catalogue.Service) {
	d := t.st.Draft
	start := bf.bookingStart(t)
	if !start.After(t.now) {
		// The draft was left open too long: the time has passed.
		d.Day, d.Minute = time.Time{}, -1
		bf.askDay(t, s, t.T("book.day_past"))
		return
	}
	cents, ok := bookings.Estimate(s, d.Quantity, d.Shared)
	if !ok {
		cents = -1
	}
	if d.ID == "" {
		d.ID = bookings.NewID()
	}
	b := bookings.Booking{ID: d.ID, Conversation: t.m.Conversation(), Lang: t.st.Lang, FirstName: t.m.FirstName,
		Service: s.ID, Start: start, Quantity: d.Quantity, Shared: d.Shared, ForWhom: d.ForWhom, Municipio: d.Municipio,
		Note: d.Note, EstimateCents: cents, Status: bookings.Requested,
		History: []bookings.Change{{Status: bookings.Requested, At: t.now, By: "citizen"}}, Created: t.now, Updated: t.now}
	if err := t.e.opts.Bookings.Create(ctx, b); errors.Is(err, bookings.ErrTooMany) {
		t.Say(Reply{Text: t.T("book.too_many"), Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings)}}})
		return
	} else if err != nil {
		t.e.log.ErrorContext(ctx, "save a booking failed", "err", err)
		t.Say(Reply{Text: t.T("book.failed"), Buttons: [][]Button{{btn(t.T("button.retry"), actBook, "ok")}}})
		return
	}
	t.st.Draft, t.st.Flow = nil, ""
	ev := t.Event(EventBookingRequested, "", false)
	ev.Recent, ev.Booking = nil, b.ID
	t.Raise(ev)
	t.Say(Reply{Text: t.T("book.sent", "service", t.titleText(s), "when", t.whenText(start)),
		Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}})
}

// maxListedBookings bounds /prenotazioni.
const maxListedBookings = 8

// bookings lists the citizen's bookings, newest first, with what can be done.
func (bf *bookingFlow) bookings(ctx context.Context, t *Turn) {
	var list []bookings.Booking
	if t.e.opts.Bookings != nil {
		var err error
		if list, err = t.e.opts.Bookings.ByConversation(ctx, t.m.Conversation()); err != nil {
			t.e.log.ErrorContext(ctx, "list bookings failed", "err", err)
			t.Say(Reply{Text: t.T("book.list_failed"), Buttons: t.MainMenu()})
			return
		}
	}
	if len(list) == 0 {
		t.Say(Reply{Text: t.T("bookings.none"), Buttons: [][]Button{
			{btn(t.T("menu.search"), actSearch), btn(t.T("menu.operator"), actOperator)},
			{btn(t.T("button.menu"), actMenu)}}})
		return
	}
	var b strings.Builder
	b.WriteString(t.T("book.list_title"))
	var rows [][]Button
	for i, bk := range list {
		if i == maxListedBookings {
			break
		}
		fmt.Fprintf(&b, "\n\n%d. %s", i+1, bf.bookingLine(t, bk))
		switch {
		case bk.Status == bookings.Offered && bk.Offer != nil && t.now.Before(bk.Offer.Expires):
			rows = append(rows, []Button{btn(t.T("pay.see_offer_n", "n", strconv.Itoa(i+1)), actPay, payShow, bk.ID),
				btn(t.T("book.cancel_n", "n", strconv.Itoa(i+1)), actBook, "cancel", bk.ID)})
		case bk.Status == bookings.Requested && !bk.Proposed.IsZero():
			rows = append(rows, []Button{btn(t.T("book.accept_n", "n", strconv.Itoa(i+1)), actBook, "accept", bk.ID),
				btn(t.T("book.decline_n", "n", strconv.Itoa(i+1)), actBook, "decline", bk.ID)})
		case movable(bk, t.now): // bookingmove.go
			rows = append(rows, []Button{btn(t.T("book.move_n", "n", strconv.Itoa(i+1)), actBook, "move", bk.ID),
				btn(t.T("book.cancel_n", "n", strconv.Itoa(i+1)), actBook, "cancel", bk.ID)})
		case bk.Active() && bk.Start.After(t.now):
			rows = append(rows, []Button{btn(t.T("book.cancel_n", "n", strconv.Itoa(i+1)), actBook, "cancel", bk.ID)})
		}
	}
	rows = append(rows, []Button{btn(t.T("button.menu"), actMenu)})
	t.Say(Reply{Text: b.String(), Buttons: rows})
}

// bookingName is the title of a booking's service, in the citizen's language, for a
// reply's text; its id when the catalogue no longer has it.
func (bf *bookingFlow) bookingName(t *Turn, b bookings.Booking) string {
	if s, ok := t.cat.Service(b.Service); ok {
		return t.titleText(s)
	}
	if a, ok := t.cat.Activity(b.Activity); ok {
		return Literal(t.e.flows.activities.title(t, a))
	}
	return Literal(b.Service)
}

// bookingLine is one booking in a list: service, when, status.
func (bf *bookingFlow) bookingLine(t *Turn, b bookings.Booking) string {
	name := bf.bookingName(t, b)
	status := t.T("status." + string(b.Status))
	if b.Status == bookings.Requested && !b.Proposed.IsZero() {
		status = t.T("book.status_proposed")
	}
	line := t.T("book.line", "service", name, "when", t.whenText(b.Start), "status", status)
	if b.Series != "" {
		line = "🔁 " + line // one date of a weekly series
	}
	line += bf.paymentLine(t, b)
	if b.Status == bookings.Refused && b.Reason != "" && b.Reason != declinedReason && b.Reason != rivalPaidReason {
		line += "\n" + t.T("book.reason", "reason", b.Reason)
	}
	if b.Status == bookings.Requested && !b.Proposed.IsZero() {
		line += "\n" + t.T("book.proposed", "when", t.whenText(b.Proposed))
	}
	return line
}

// ownBooking loads a booking of this conversation; anything else is "no longer valid".
func (bf *bookingFlow) ownBooking(ctx context.Context, t *Turn, id string) (bookings.Booking, bool) {
	if t.e.opts.Bookings == nil || !bookings.ValidID(id) {
		t.Stale()
		return bookings.Booking{}, false
	}
	b, err := t.e.opts.Bookings.Get(ctx, id)
	if err != nil || b.Conversation != t.m.Conversation() {
		if err != nil && !errors.Is(err, bookings.ErrNotFound) {
			t.e.log.ErrorContext(ctx, "load a booking failed", "err", err)
		}
		t.Stale()
		return bookings.Booking{}, false
	}
	return b, true
}

func (bf *bookingFlow) askCancelBooking(ctx context.Context, t *Turn, id string) {
	b, ok := bf.ownBooking(ctx, t, id)
	if !ok {
		return
	}
	if !b.Active() {
		t.Say(Reply{Text: t.T("book.not_active", "status", t.T("status."+string(b.Status))), Buttons: t.MainMenu()})
		return
	}
	rows := [][]Button{{btn(t.T("book.cancel_yes"), actBook, "cancelyes", b.ID), btn(t.T("book.cancel_no"), actBookings)}}
	if b.Series != "" {
		rows = append(rows, []Button{btn(t.T("book.series_cancel_all"), actBook, "cancelser", b.ID)})
	}
	t.Say(Reply{Text: t.T("book.cancel_ask", "booking", bf.bookingLine(t, b)), Buttons: rows})
}

// cancelBooking cancels a booking at the citizen's request: staff are told and its
// reminders go.
func (bf *bookingFlow) cancelBooking(ctx context.Context, t *Turn, id string) {
	if _, ok := bf.ownBooking(ctx, t, id); !ok {
		return
	}
	var was bookings.Status
	b, err := t.e.opts.Bookings.Update(ctx, id, func(b *bookings.Booking) error {
		was = b.Status
		return b.Transition(bookings.Cancelled, "citizen", "", t.now)
	})
	if errors.Is(err, bookings.ErrTransition) {
		t.Say(Reply{Text: t.T("book.not_active", "status", t.T("status."+string(b.Status))), Buttons: t.MainMenu()})
		return
	}
	if err != nil {
		t.e.log.ErrorContext(ctx, "cancel a booking failed", "err", err)
		t.Say(Reply{Text: t.T("book.failed"), Buttons: t.MainMenu()})
		return
	}
	t.e.cancelReminders(ctx, b.ID)
	t.e.flows.activities.release(ctx, t.cat, b.Activity, b.Session, b.ID)
	ev := t.Event(EventBookingCancelled, "", false)
	ev.Recent, ev.Query, ev.Booking = nil, "", b.ID
	t.Raise(ev) // before the refund's event: the card says cancelled, then refunded
	text := t.T("book.cancelled")
	if was == bookings.Offered {
		t.e.giveVoucherBack(ctx, b)
	} else if refund := t.e.refundOnCancel(ctx, t, b); refund != "" {
		text += "\n\n" + refund
	}
	t.Say(Reply{Text: text, Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}})
}

// answerProposal is the citizen accepting or declining the time staff proposed.
func (bf *bookingFlow) answerProposal(ctx context.Context, t *Turn, id string, accept bool) {
	if _, ok := bf.ownBooking(ctx, t, id); !ok {
		return
	}
	var proposed time.Time
	b, err := t.e.opts.Bookings.Update(ctx, id, func(b *bookings.Booking) error {
		proposed = b.Proposed
		if b.Status != bookings.Requested || proposed.IsZero() {
			return errNoProposal
		}
		if accept && !proposed.After(t.now) {
			return errProposalPast
		}
		b.Proposed = time.Time{}
		if !accept {
			b.Updated = t.now
			return nil
		}
		b.Start = proposed
		return b.Transition(bookings.Confirmed, "citizen", "", t.now)
	})
	if errors.Is(err, errNoProposal) {
		t.Say(Reply{Text: t.T("book.no_proposal"), Buttons: t.MainMenu()})
		return
	}
	if errors.Is(err, errProposalPast) {
		t.Say(Reply{Text: t.T("book.proposal_past"), Buttons: t.MainMenu()})
		return
	}
	if err != nil {
		t.e.log.ErrorContext(ctx, "answer a proposal failed", "err", err)
		t.Say(Reply{Text: t.T("book.failed"), Buttons: t.MainMenu()})
		return
	}
	ev := t.Event(EventBookingAnswered, "", false)
	ev.Recent, ev.Query, ev.Booking = nil, "", b.ID
	if accept {
		ev.Score = 1
		_ = t.e.scheduleReminders(ctx, b) // logged; Reconcile plans them again
		t.replies = append(t.replies, bf.confirmedReplies(t, b)...)
	} else {
		t.Say(Reply{Text: t.T("book.declined_proposal"), Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}})
	}
	t.Raise(ev)
}

var (
	errNoProposal   = errors.New("no proposal to answer")
	errProposalPast = errors.New("the proposed time has passed")
)

// rateBooking records the citizen's rating of a booked service ("<id>.<1-5>").
func (bf *bookingFlow) rateBooking(ctx context.Context, t *Turn, arg string) bool {
	id, score, _ := strings.Cut(arg, ".")
	n, err := strconv.Atoi(score)
	if err != nil || n < 1 || n > 5 {
		t.Stale()
		return false
	}
	if _, ok := bf.ownBooking(ctx, t, id); !ok {
		return false
	}
	b, err := t.e.opts.Bookings.Update(ctx, id, func(b *bookings.Booking) error {
		if b.Status != bookings.Done {
			return bookings.ErrTransition // rated before it took place: a forged button
		}
		b.Rating, b.Updated = n, t.now
		return nil
	})
	if err != nil {
		if !errors.Is(err, bookings.ErrTransition) {
			t.e.log.ErrorContext(ctx, "rate a booking failed", "err", err)
		}
		t.Stale()
		return false
	}
	ev := t.Event(EventBookingRated, "", false)
	ev.Recent, ev.Query, ev.Booking, ev.Score = nil, "", b.ID, n
	t.Raise(ev)
	t.Say(Reply{Text: t.T("handoff.rated"), Buttons: t.MainMenu()})
	return true
}

// confirmedReplies tell the citizen a booking is confirmed, with a calendar file.
func (bf *bookingFlow) confirmedReplies(t *Turn, b bookings.Booking) []Reply {
	name, place, unit := b.Service, "", catalogue.CostUnit("")
	if s, ok := t.cat.Service(b.Service); ok {
		name, unit = t.serviceTitle(s), s.Cost.Unit
		place = bookings.Place(s, t.T("ics.at_home", "zone", strconv.Itoa(b.Municipio)), t.T("ics.online"))
	}
	if a, ok := t.cat.Activity(b.Activity); ok {
		name, place = t.e.flows.activities.title(t, a), t.e.flows.activities.placeLong(a)
	}
	ics := bookings.ICS(b, name, place, t.T("book.ics_description", "service", name), unit, t.now)
	text := t.T("book.confirmed", "service", Literal(name), "when", t.whenText(b.Start))
	if how := bf.howProviderTakesPayment(t, b); how != "" {
		text += "\n\n" + how
	}
	return []Reply{{Text: text,
		Document: &Document{Name: "wemi-" + b.ID + ".ics", MIME: "text/calendar", Data: ics},
		Buttons:  [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}}}
}

// forgetBookings erases a citizen's bookings with the rest of their data: the ones
// still active are cancelled for staff (who learn nothing else) and lose their
// reminders. A failure is logged; the bookings then expire on their own.
func (e *Engine) forgetBookings(ctx context.Context, t *Turn) []Event {
	if e.opts.Bookings == nil {
		return nil
	}
	conv := t.m.Conversation()
	list, err := e.opts.Bookings.ByConversation(ctx, conv)
	if err != nil {
		e.log.ErrorContext(ctx, "list bookings to erase failed", "err", err)
		return nil
	}
	var events []Event
	for _, b := range list {
		e.cancelReminders(ctx, b.ID)
		if b.Active() {
			e.flows.activities.release(ctx, t.cat, b.Activity, b.Session, b.ID) // an enrolment's places
		}
		if b.Status == bookings.Offered {
			e.giveVoucherBack(ctx, b) // a voucher part of an offer never paid in full
		}
		if b.Active() || b.Card != "" {
			// The booking is gone by the time staff hear of it: the event carries
			// its card, which must forget the citizen too.
			events = append(events, Event{Kind: EventBookingCancelled, Booking: b.ID, Card: b.Card, Conversation: conv,
				Channel: t.m.Channel, Reason: "forgotten", At: t.now})
		}
	}
	if err := e.opts.Bookings.Forget(ctx, conv); err != nil {
		e.log.ErrorContext(ctx, "erase bookings failed", "err", err)
	}
	return events
}

// forgetDomestic erases a citizen's requests and applications; staff learn the open
// ones are withdrawn, nothing else.
func (e *Engine) forgetDomestic(ctx context.Context, t *Turn) []Event {
	if e.opts.Domestic == nil {
		return nil
	}
	conv := t.m.Conversation()
	reqs, apps, err := e.opts.Domestic.ByConversation(ctx, conv)
	if err != nil {
		// Erased all the same (Forget works from the conversation's index): staff
		// cards are then left to the periodic repair.
		e.log.ErrorContext(ctx, "list requests to erase failed", "err", err)
	}
	var events []Event
	// Every card that shows them must forget them: open or closed.
	for _, r := range reqs {
		if r.Closed.IsZero() || r.Card != "" {
			events = append(events, Event{Kind: EventDomesticWithdrawn, Booking: r.ID, Card: r.Card, Conversation: conv, Channel: t.m.Channel, Reason: "request", Text: "erased", At: t.now})
		}
	}
	for _, a := range apps {
		if a.Closed.IsZero() || a.Card != "" {
			events = append(events, Event{Kind: EventDomesticWithdrawn, Booking: a.ID, Card: a.Card, Conversation: conv, Channel: t.m.Channel, Reason: "application", Text: "erased", At: t.now})
		}
	}
	if err := e.opts.Domestic.Forget(ctx, conv); err != nil {
		e.log.ErrorContext(ctx, "erase requests and applications failed", "err", err)
	}
	return events
}

// ratingWindow is how long after a booked service concluded a bare digit typed by
// the citizen rates it.
const ratingWindow = 48 * time.Hour

// typedBookingAnswer takes a typed answer to what a push asked about a booking, when
// the push is the last thing the citizen heard (they have written nothing since: a
// booking changed after their last message) and the bot waits for nothing else: a
// digit from 1 to 5 rates the service that concluded (within ratingWindow, not rated
// yet); a yes or a no answers the time staff proposed. With two such bookings, the
// text is not taken as an answer. It reports whether it took it.
func (bf *bookingFlow) typedBookingAnswer(ctx context.Context, t *Turn, text string) bool {
	if t.e.opts.Bookings == nil || (t.st.Flow != "" && t.st.Flow != flowSearch) {
		return false
	}
	n, isNumber := bareNumber(text)
	isNumber = isNumber && n >= 1 && n <= 5
	yes := t.e.says(intentYes, text)
	if !isNumber && !yes && !t.e.says(intentNo, text) {
		return false
	}
	list, err := t.e.opts.Bookings.ByConversation(ctx, t.m.Conversation())
	if err != nil {
		t.e.log.WarnContext(ctx, "a typed answer not matched to bookings: the store failed", "err", err)
		return false // the text is taken as it would be without bookings
	}
	var asked []bookings.Booking
	for _, b := range list {
		if !b.Updated.After(t.st.Updated) {
			continue // the citizen has written since: the question is no longer theirs to answer by typing
		}
		switch {
		case isNumber && b.Status == bookings.Done && b.Rating == 0 && t.now.Sub(b.Updated) <= ratingWindow,
			!isNumber && b.Status == bookings.Requested && !b.Proposed.IsZero():
			asked = append(asked, b)
		}
	}
	if len(asked) != 1 {
		return false
	}
	b := asked[0]
	if !isNumber {
		bf.answerProposal(ctx, t, b.ID, yes)
		return true
	}
	if bf.rateBooking(ctx, t, b.ID+"."+strconv.Itoa(n)) {
		t.replies[len(t.replies)-1].Text = t.T("book.rated_typed", "score", strconv.Itoa(n), "service", bf.bookingName(t, b))
	}
	return true
}
