package slack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
)

// A weekly series of bookings (bookings.Booking.Series) is one card: its first booking
// names it, every booking of the series records the card, and staff confirm or refuse
// the series whole. Another time is agreed with the citizen, not proposed on the card.

// seriesOf returns the bookings of b's series, by start.
func (d *Desk) seriesOf(ctx context.Context, b bookings.Booking) ([]bookings.Booking, error) {
	if b.Series == "" {
		return []bookings.Booking{b}, nil
	}
	list, err := d.bookings.ByConversation(ctx, b.Conversation)
	if err != nil {
		return nil, fmt.Errorf("load the series of booking %s: %w", b.ID, err)
	}
	list = slices.DeleteFunc(list, func(o bookings.Booking) bool { return o.Series != b.Series })
	slices.SortFunc(list, func(a, b bookings.Booking) int { return a.Start.Compare(b.Start) })
	return list, nil
}

// seriesRequested posts the card of a new series and records it in each of its
// bookings, so that what happens to any date finds the card.
func (d *Desk) seriesRequested(ctx context.Context, b bookings.Booking) error {
	list, err := d.seriesOf(ctx, b)
	if err != nil {
		return err
	}
	at, err := d.PostCard(ctx, d.channel, d.seriesCard(b, list))
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range list {
		if _, err := d.bookings.Update(ctx, o.ID, func(o *bookings.Booking) error {
			o.Card = at.String()
			return nil
		}); err != nil && !errors.Is(err, bookings.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("record the card of series %s: %w", b.Series, err)
	}
	return nil
}

// seriesCard is the booking card of a series: "ogni mar e gio, dal 8/12 al 29/12, 6
// appuntamenti", and the dates.
func (d *Desk) seriesCard(b bookings.Booking, list []bookings.Booking) Card {
	c := d.bookingCard(b)
	c.Title = d.text("booking.series_title")
	c.Fallback = d.text("booking.series_fallback", "when", d.seriesWhen(list))
	for i := range c.Fields {
		if c.Fields[i].Label == d.text("booking.field_when") {
			c.Fields[i].Value = d.seriesWhen(list)
		}
	}
	dates := make([]string, len(list))
	for i, o := range list {
		dates[i] = d.when(o.Start)
	}
	body := d.text("booking.series_dates", "dates", strings.Join(dates, ", "))
	if c.Body != "" {
		body += "\n" + c.Body
	}
	c.Body = body
	c.Context[0] = d.text("booking.series_how")
	c.Actions = d.seriesActions()
	return c
}

// seriesWhen is a series as operators read it: "ogni mar e gio, dal 8/12 al 29/12
// alle 10:00, 6 appuntamenti".
func (d *Desk) seriesWhen(list []bookings.Booking) string {
	if len(list) == 0 {
		return ""
	}
	var days []time.Weekday
	for _, o := range list {
		if wd := o.Start.In(d.loc).Weekday(); !slices.Contains(days, wd) {
			days = append(days, wd)
		}
	}
	slices.SortFunc(days, func(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 })
	names := make([]string, len(days))
	for i, wd := range days {
		names[i] = d.text(weekdayKeys[wd])
	}
	list0, last := list[0].Start.In(d.loc), list[len(list)-1].Start.In(d.loc)
	joined := strings.Join(names, ", ")
	if n := len(names); n > 1 {
		joined = strings.Join(names[:n-1], ", ") + d.text("booking.series_and") + names[n-1]
	}
	return d.text("booking.series_when", "days", joined, "from", list0.Format("2/1"), "to", last.Format("2/1"),
		"time", list0.Format("15:04"), "n", strconv.Itoa(len(list)))
}

// seriesActions are the buttons of a series waiting for staff.
func (d *Desk) seriesActions() []CardAction {
	return []CardAction{
		{Verb: verbConfirm, Label: d.text("booking.series_confirm"), Style: "primary"},
		{Verb: verbRefuse, Label: d.text("booking.series_refuse"), Style: "danger"},
	}
}

// applyBookingAction applies staff's action to the booking, or to its whole series,
// and returns the booking as it is now (for a series, the first booking that
// changed, else the first).
func (d *Desk) applyBookingAction(ctx context.Context, e Engine, a bot.BookingAction) (bookings.Booking, error) {
	b, err := d.bookings.Get(ctx, a.Booking)
	if err != nil || b.Series == "" {
		return e.BookingFromStaff(ctx, a)
	}
	list, err := e.SeriesFromStaff(ctx, a)
	for _, o := range list {
		if o.Status != bookings.Cancelled {
			return o, err
		}
	}
	if len(list) > 0 {
		return list[0], err
	}
	return b, err
}

// seriesCancelled notes in the series' thread a date the citizen cancelled, or the
// whole series; the card changes only when no date is left.
func (d *Desk) seriesCancelled(ctx context.Context, ev bot.Event, b bookings.Booking, card MessageRef) error {
	note := d.text("booking.series_date_cancelled", "when", d.when(b.Start))
	if ev.Reason == bot.SeriesCancelled {
		note = d.text("booking.series_cancelled_note", "time", d.clock(cmpTime(ev.At, d.now())))
	}
	_, postErr := d.postText(ctx, card.Channel, card.TS, note)
	list, err := d.seriesOf(ctx, b)
	if err != nil {
		return errors.Join(postErr, err)
	}
	if slices.ContainsFunc(list, func(o bookings.Booking) bool { return o.Active() }) {
		return postErr
	}
	status, _ := d.bookingState(b)
	return errors.Join(postErr, d.UpdateCard(ctx, card, bookingKind, list[0].ID, status, nil))
}
