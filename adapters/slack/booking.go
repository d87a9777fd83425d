package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// bookingKind is the card kind of booking requests; the card's ref is the booking id.
const bookingKind = "booking"

// Actions of the booking card. Refusing and proposing another time open a modal, whose
// callback_id is the button's action id.
const (
	verbConfirm = "confirm"
	verbRefuse  = "refuse"
	verbPropose = "propose"
)

// Blocks of the booking modals; a validation error names the block it is about.
const (
	blockReason  = "wemi.booking.reason"
	blockDate    = "wemi.booking.date"
	blockTime    = "wemi.booking.time"
	actionReason = "reason"
	actionDate   = "date"
	actionTime   = "time"
)

// maxReasonRunes bounds the reason of a refusal, as the bookings domain keeps it.
const maxReasonRunes = bookings.MaxReason

// bookingKey orders the desk's work on one booking: its events, the presses on its
// card and the modals' submissions run one after the other, so the card ends up
// showing the last change.
func bookingKey(id string) string { return "booking:" + id }

// weekdayKeys name the days as operators read them on a card, "sab".
var weekdayKeys = [7]string{"weekday.sun", "weekday.mon", "weekday.tue", "weekday.wed",
	"weekday.thu", "weekday.fri", "weekday.sat"}

// when formats a booking's time as operators read it: "sab 28/11 10:00" in Milan.
func (d *Desk) when(t time.Time) string {
	t = t.In(d.loc)
	return d.text(weekdayKeys[t.Weekday()]) + " " + t.Format("02/01 15:04")
}

// bookingEvent shows operators what happened to a booking: a new request becomes a
// card, and what the citizen does later changes the card and is noted in its thread.
func (d *Desk) bookingEvent(ctx context.Context, ev bot.Event) error {
	if d.bookings == nil {
		d.log.InfoContext(ctx, "slack: booking event ignored: the desk has no booking store", "kind", ev.Kind)
		return nil
	}
	if ev.Kind == bot.EventBookingRequested {
		return d.bookingRequested(ctx, ev.Booking)
	}
	if ev.Kind == bot.EventBookingCancelled && ev.Reason == "forgotten" {
		// The booking is erased already: the card, named by the event, keeps only
		// its title and what happened.
		channel, ts, ok := splitThread(ev.Card)
		if !ok {
			return nil // its card never made it
		}
		note := d.text("booking.forgotten_note", "time", d.clock(cmpTime(ev.At, d.now())))
		_, postErr := d.postText(ctx, channel, ts, note)
		redErr := d.RedactCard(ctx, MessageRef{Channel: channel, TS: ts}, bookingKind, ev.Booking, d.text("booking.title"), note)
		return errors.Join(postErr, redErr)
	}
	b, card, err := d.cardOf(ctx, ev.Booking)
	switch ev.Kind {
	case bot.EventBookingRated:
		return d.bookingRated(ctx, ev, card, err)
	case bot.EventReminderFailed:
		return d.reminderFailed(ctx, ev, b, card, err)
	}
	if err != nil {
		return err
	}
	if ev.Kind == bot.EventBookingCancelled && b.Series != "" {
		return d.seriesCancelled(ctx, ev, b, card) // bookingseries.go
	}
	if ev.Kind == bot.EventBookingMoved && ev.Reason == bot.MoveRequestedOf {
		return d.moveRequested(ctx, b, card, ev) // bookingchange.go
	}
	note := d.text("booking.cancelled_note", "time", d.clock(cmpTime(ev.At, d.now())))
	status, actions := d.bookingState(b)
	switch {
	case ev.Kind == bot.EventBookingAnswered && ev.Score == 1:
		note = d.text("booking.accepted_note", "when", d.when(b.Start))
	case ev.Kind == bot.EventBookingAnswered:
		note = d.text("booking.declined_note")
		if b.Status == bookings.Requested && b.Proposed.IsZero() {
			status = d.text("booking.declined") // with the buttons back
		}
	case ev.Kind == bot.EventBookingMoved && ev.Reason == bot.MovedRequest:
		note = d.text("booking.moved_note", "when", d.when(b.Start))
		if b.Status == bookings.Requested {
			status = d.text("booking.moved", "when", d.when(b.Start)) // with the buttons
		}
	case ev.Kind != bot.EventBookingCancelled:
		return nil
	}
	_, postErr := d.postText(ctx, card.Channel, card.TS, note)
	updErr := d.UpdateCard(ctx, card, bookingKind, b.ID, status, actions)
	return errors.Join(postErr, updErr)
}

// bookingRated notes the citizen's rating of a booked service in its card's thread,
// or in the channel when the card never made it.
func (d *Desk) bookingRated(ctx context.Context, ev bot.Event, card MessageRef, err error) error {
	score := strconv.Itoa(ev.Score)
	switch {
	case errors.Is(err, errNoCard):
		_, err = d.postText(ctx, d.channel, "", d.text("booking.rating_orphan", "score", score, "ref", Escape(ev.Booking)))
		return err
	case err != nil:
		return err
	}
	_, err = d.postText(ctx, card.Channel, card.TS, d.text("booking.rating", "score", score))
	return err
}

// reminderFailed tells operators, in the booking card's thread (or in the channel
// when the card never made it), that a reminder did not reach the citizen, so that
// someone can call them instead.
func (d *Desk) reminderFailed(ctx context.Context, ev bot.Event, b bookings.Booking, card MessageRef, err error) error {
	key, orphan := "booking.followup_failed", "booking.followup_failed_orphan"
	args := []string{"channel", d.channelName(ev.Channel), "when", d.when(b.Start), "ref", Escape(ev.Booking)}
	if ev.Offset > 0 {
		ahead := d.duration(ev.Offset)
		switch {
		case ev.Offset == time.Hour:
			ahead = d.text("duration.one_hour")
		case ev.Offset%time.Hour == 0:
			ahead = d.text("duration.whole_hours", "h", strconv.Itoa(int(ev.Offset/time.Hour)))
		}
		key, orphan = "booking.reminder_failed", "booking.reminder_failed_orphan"
		args = append(args, "ahead", ahead)
	}
	switch {
	case errors.Is(err, errNoCard):
		_, err = d.postText(ctx, d.channel, "", d.text(orphan, args...))
		return err
	case err != nil:
		return err
	}
	_, err = d.postText(ctx, card.Channel, card.TS, d.text(key, args...))
	return err
}

// bookingRequested posts a new booking's card and records it in the booking, for the
// events that follow.
func (d *Desk) bookingRequested(ctx context.Context, id string) error {
	b, err := d.bookings.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("load booking: %w", err)
	}
	if b.Card != "" {
		return nil // posted already
	}
	if b.Series != "" {
		return d.seriesRequested(ctx, b) // bookingseries.go
	}
	at, err := d.PostCard(ctx, d.channel, d.bookingCard(b))
	if err != nil {
		return err
	}
	b, err = d.bookings.Update(ctx, id, func(b *bookings.Booking) error {
		b.Card = at.String()
		return nil
	})
	if err != nil {
		return fmt.Errorf("record the card of booking %s: %w", id, err)
	}
	if b.Status != bookings.Requested || !b.Proposed.IsZero() {
		// Changed while the card was on its way (by another replica's hand).
		status, actions := d.bookingState(b)
		return d.UpdateCard(ctx, at, bookingKind, b.ID, status, actions)
	}
	return nil
}

// errNoCard is a booking whose card was never posted (Slack failed then).
var errNoCard = errors.New("no card")

// cardOf returns a booking with its card, waiting up to the desk's ThreadWait for
// another replica to post it.
func (d *Desk) cardOf(ctx context.Context, id string) (bookings.Booking, MessageRef, error) {
	deadline := time.Now().Add(d.wait)
	wait := 50 * time.Millisecond
	for {
		b, err := d.bookings.Get(ctx, id)
		if err != nil {
			return b, MessageRef{}, fmt.Errorf("load booking: %w", err)
		}
		if channel, ts, ok := splitThread(b.Card); ok {
			return b, MessageRef{Channel: channel, TS: ts}, nil
		}
		if time.Now().Add(wait).After(deadline) {
			return b, MessageRef{}, fmt.Errorf("booking %s: %w", id, errNoCard)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return b, MessageRef{}, ctx.Err()
		case <-t.C:
		}
		wait *= 2
	}
}

// bookingCard is the card operators see for a booking request: what, by whom, when,
// how much, for whom and where, and the citizen's note.
func (d *Desk) bookingCard(b bookings.Booking) Card {
	service, provider, unit := b.Service, "", ""
	if d.search != nil {
		if s, ok := d.search.Catalogue().Service(b.Service); ok {
			service, unit = s.Name, string(s.Cost.Unit)
			if s.Organization != nil {
				provider = s.Organization.Name
			}
		}
	}
	quantity := strconv.Itoa(b.Quantity)
	if unit != "" {
		quantity = d.quantityText(b.Quantity, unit)
	}
	if b.Activity != "" {
		// An enrolment in an activity: its title, who runs it, the places held.
		service, provider, quantity = d.activityFields(b)
	}
	delivery, who := d.text("booking.individual"), d.text("booking.for_self")
	if b.Shared {
		delivery = d.text("booking.shared")
	}
	if b.ForWhom == bookings.ForRelative {
		who = d.text("booking.for_relative")
	}
	channel, _, _ := strings.Cut(b.Conversation, ":")
	when := d.when(b.Start)
	c := Card{Kind: bookingKind, Ref: b.ID, Title: d.text("booking.title"),
		Fallback: d.text("booking.fallback", "service", Escape(service), "when", when),
		Fields: []CardField{
			{Label: d.text("booking.field_service"), Value: service},
			{Label: d.text("booking.field_provider"), Value: provider},
			{Label: d.text("booking.field_when"), Value: when},
			{Label: d.text("booking.field_quantity"), Value: quantity},
			{Label: d.text("booking.field_delivery"), Value: delivery},
			{Label: d.text("booking.field_for"), Value: who},
			{Label: d.text("booking.field_municipio"), Value: strconv.Itoa(b.Municipio)},
			{Label: d.text("booking.field_price"), Value: d.price(b.EstimateCents)},
			{Label: d.text("booking.field_citizen"), Value: cmp.Or(b.FirstName, d.text("handoff.citizen"))},
			{Label: d.text("booking.field_channel"), Value: d.text("booking.channel_lang",
				"channel", d.texts.textOr("channel."+channel, channel), "lang", d.texts.textOr("lang."+b.Lang, b.Lang))},
		},
		Context: []string{d.text("booking.how"), d.text("booking.ref", "id", Escape(b.ID))},
		Actions: d.bookingActions(),
	}
	if b.Note != "" {
		c.Body = d.text("booking.note", "note", b.Note) // the card escapes its body
	}
	return c
}

// price is an estimate as operators read it: "€ 1.234,50", free, or to be agreed.
func (d *Desk) price(cents int) string {
	switch {
	case cents < 0:
		return d.text("booking.price_tbd")
	case cents == 0:
		return d.text("booking.price_free")
	}
	euros := strconv.Itoa(cents / 100)
	for i := len(euros) - 3; i > 0; i -= 3 {
		euros = euros[:i] + "." + euros[i:]
	}
	return fmt.Sprintf("€ %s,%02d", euros, cents%100)
}

// bookingActions are the buttons of a booking waiting for staff.
func (d *Desk) bookingActions() []CardAction {
	return []CardAction{
		{Verb: verbConfirm, Label: d.text("booking.confirm"), Style: "primary"},
		{Verb: verbRefuse, Label: d.text("booking.refuse"), Style: "danger"},
		{Verb: verbPropose, Label: d.text("booking.propose")},
	}
}

// bookingState is a card's status line and buttons for a booking as it is stored.
func (d *Desk) bookingState(b bookings.Booking) (string, []CardAction) {
	last := bookings.Change{At: b.Updated}
	if n := len(b.History); n > 0 {
		last = b.History[n-1]
	}
	if line := d.paymentState(b, last); line != "" {
		return line, nil
	}
	switch b.Status {
	case bookings.Requested:
		if !b.Proposed.IsZero() {
			return d.text("booking.proposed", "when", d.when(b.Proposed)), nil
		}
		if b.Series != "" {
			return "", d.seriesActions()
		}
		return "", d.bookingActions()
	case bookings.Confirmed:
		if last.By == "citizen" {
			return d.text("booking.accepted", "when", d.when(b.Start)), nil
		}
		return d.text("booking.confirmed", "name", Escape(last.By), "time", d.clock(last.At)), nil
	case bookings.Refused:
		return d.text("booking.refused", "name", Escape(last.By), "reason", escapeLine(b.Reason)), nil
	case bookings.Cancelled:
		return d.text("booking.cancelled", "time", d.clock(last.At)), nil
	case bookings.Done:
		return d.text("booking.done"), nil
	}
	return Escape(string(b.Status)), nil
}

// onBookingCard handles the booking card's buttons: Conferma applies at once; Rifiuta
// and Proponi altro orario ask for the reason or the time in a modal.
func (d *Desk) onBookingCard(ctx context.Context, e Engine, p CardPress) (CardResult, error) {
	if d.bookings == nil {
		return CardResult{}, ErrUnknownAction
	}
	switch p.Verb {
	case verbConfirm:
		// A series is confirmed whole, with no online offer: its price is agreed with
		// the provider (bookingseries.go).
		if b, err := d.bookings.Get(ctx, p.Ref); err == nil && b.Series == "" && d.needsOffer(b) {
			return d.openBookingModal(ctx, p) // the price and deadline first
		}
		a := bot.BookingAction{Kind: bot.BookingConfirm, Booking: p.Ref, Operator: p.Operator}
		b, err := d.applyBookingAction(ctx, e, a) // the booking, or its whole series
		return d.afterBookingAction(ctx, p.Card, a, b, err)
	case verbRefuse, verbPropose:
		return d.openBookingModal(ctx, p)
	}
	return CardResult{}, ErrUnknownAction
}

// afterBookingAction turns what the engine made of an operator's action into the
// card's new state. When the citizen could not be told, every operator reads it in
// the card's thread.
func (d *Desk) afterBookingAction(ctx context.Context, card MessageRef, a bot.BookingAction, b bookings.Booking, err error) (CardResult, error) {
	switch {
	case err == nil:
	case errors.Is(err, bot.ErrNotDelivered):
		channel, _, _ := strings.Cut(b.Conversation, ":")
		note := d.text("booking.not_delivered", "channel", d.channelName(channel))
		if _, err := d.postText(ctx, card.Channel, card.TS, note); err != nil {
			d.log.WarnContext(ctx, "slack: could not report an undelivered booking change", "err", err)
		}
	case errors.Is(err, bookings.ErrNotFound):
		return CardResult{Status: d.text("booking.gone"), Notice: d.text("booking.gone")}, nil
	case errors.Is(err, bookings.ErrTransition):
		return d.changedMeanwhile(ctx, a.Booking)
	case errors.Is(err, bot.ErrOfferExpiry):
		return CardResult{Unchanged: true, Notice: d.text("offer.expiry_invalid")}, nil
	case errors.Is(err, bot.ErrOfferPrice):
		return CardResult{Unchanged: true, Notice: d.text("offer.price_invalid")}, nil
	case errors.Is(err, bot.ErrProposalPast):
		return CardResult{Unchanged: true, Notice: d.text("booking.proposal_past")}, nil
	case errors.Is(err, bookings.ErrRule): // the catalogue changed since the modal checked
		_, text := d.ruleText(err)
		return CardResult{Unchanged: true, Notice: text}, nil
	case errors.Is(err, bookings.ErrReasonRequired): // nothing left of it once cleaned
		return CardResult{Unchanged: true, Notice: d.text("booking.reason_required")}, nil
	default:
		return CardResult{}, err
	}
	status, actions := d.bookingState(b)
	if a.Kind == bot.BookingPropose && b.Status == bookings.Requested && !b.Proposed.IsZero() {
		status = d.text("booking.proposed_by", "when", d.when(b.Proposed), "name", Escape(a.Operator))
	}
	return CardResult{Status: status, Actions: actions}, nil
}

// changedMeanwhile is the answer to an action on a booking that is no longer waiting
// for staff (the citizen cancelled it meanwhile): the card shows the booking as it is.
func (d *Desk) changedMeanwhile(ctx context.Context, id string) (CardResult, error) {
	b, err := d.bookings.Get(ctx, id)
	if errors.Is(err, bookings.ErrNotFound) {
		return CardResult{Status: d.text("booking.gone"), Notice: d.text("booking.gone")}, nil
	}
	if err != nil {
		return CardResult{}, err
	}
	status, actions := d.bookingState(b)
	return CardResult{Status: status, Actions: actions,
		Notice: d.text("booking.changed", "status", Escape(string(b.Status)))}, nil
}

// bookingModal is what a booking modal carries back in its private_metadata: which
// booking, and where its card is.
type bookingModal struct {
	Booking string `json:"b"`
	Card    string `json:"c"`
}

// activityFields are the service, provider and quantity fields of an enrolment's
// card: the activity's title and session, who runs it (or the WeMi space), the
// places held.
func (d *Desk) activityFields(b bookings.Booking) (service, provider, quantity string) {
	service, quantity = b.Activity, d.text("booking.places", "n", strconv.Itoa(b.Quantity))
	if d.search == nil {
		return service, provider, quantity
	}
	a, ok := d.search.Catalogue().Activity(b.Activity)
	if !ok {
		return service, provider, quantity
	}
	service = d.text("booking.activity", "title", a.Title, "kind", d.text("activity."+string(a.Kind)))
	if s, ok := a.SessionByID(b.Session); ok {
		service += "\n" + d.text("booking.session", "from", d.day(s.First), "to", d.day(s.Last))
	}
	switch {
	case a.Organization != nil:
		provider = a.Organization.Name
	case a.Space != nil:
		provider = a.Space.Name
	}
	return service, provider, quantity
}

// day formats a catalogue date as operators read it: "lun 14/06".
func (d *Desk) day(c catalogue.Date) string {
	t := c.In(d.loc)
	return d.text(weekdayKeys[t.Weekday()]) + " " + t.Format("02/01")
}
