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

// submitSeries sends one booking request per date of the series, sharing a Series
// id, and tells staff once (the first booking names the series). A conversation
// keeps at most bookings.MaxPerConversation bookings that may still happen: a series
// that would pass it is refused whole, before anything is stored, so the citizen is
// never left with half a series. A failure halfway leaves the requests made so far
// to a retry, which makes the same ones (their ids are kept in the draft).
func (bf *bookingFlow) submitSeries(ctx context.Context, t *Turn, s *catalogue.Service) {
	d := t.st.Draft
	starts, _ := bf.seriesStarts(t, s)
	if len(starts) == 0 || !starts[0].After(t.now) {
		d.Series.Until = time.Time{}
		bf.askBooking(t, s)
		return
	}
	if len(d.Series.IDs) != len(starts) {
		d.Series.ID, d.Series.IDs = bookings.NewID(), make([]string, len(starts))
		for i := range starts {
			d.Series.IDs[i] = bookings.NewID()
		}
	}
	conv := t.m.Conversation()
	list, err := t.e.opts.Bookings.ByConversation(ctx, conv)
	if err != nil {
		bf.seriesFailed(ctx, t, err)
		return
	}
	active := 0
	for _, b := range list {
		if b.Active() && b.Series != d.Series.ID { // a retry's own requests count once
			active++
		}
	}
	if active+len(starts) > bookings.MaxPerConversation {
		t.Say(Reply{Text: t.T("book.series_too_many", "n", strconv.Itoa(len(starts)),
			"free", strconv.Itoa(max(0, bookings.MaxPerConversation-active))),
			Buttons: [][]Button{{btn(t.T("book.series_change_days"), actBook, "rep"), btn(t.T("menu.bookings"), actBookings)}}})
		return
	}
	cents, ok := bookings.Estimate(s, d.Quantity, d.Shared)
	if !ok {
		cents = -1
	}
	for i, at := range starts {
		b := bookings.Booking{ID: d.Series.IDs[i], Conversation: conv, Lang: t.st.Lang, FirstName: t.m.FirstName,
			Service: s.ID, Start: at, Quantity: d.Quantity, Shared: d.Shared, ForWhom: d.ForWhom, Municipio: d.Municipio,
			Note: d.Note, EstimateCents: cents, Status: bookings.Requested, Series: d.Series.ID,
			History: []bookings.Change{{Status: bookings.Requested, At: t.now, By: "citizen"}}, Created: t.now, Updated: t.now}
		if err := t.e.opts.Bookings.Create(ctx, b); err != nil {
			bf.seriesFailed(ctx, t, err)
			return
		}
	}
	t.st.Draft, t.st.Flow = nil, ""
	ev := t.Event(EventBookingRequested, "", false)
	ev.Recent, ev.Booking = nil, d.Series.IDs[0]
	t.Raise(ev)
	t.Say(Reply{Text: t.T("book.series_sent", "service", t.titleText(s), "count",
		t.Plural("book.series_count", len(starts), "n", strconv.Itoa(len(starts))), "first", t.whenText(starts[0]),
		"last", t.whenText(starts[len(starts)-1])),
		Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}})
}

// seriesFailed tells the citizen a series could not be sent, with a retry.
func (bf *bookingFlow) seriesFailed(ctx context.Context, t *Turn, err error) {
	if errors.Is(err, bookings.ErrTooMany) {
		t.Say(Reply{Text: t.T("book.too_many"), Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings)}}})
		return
	}
	t.e.log.ErrorContext(ctx, "save a recurring booking failed", "err", err)
	t.Say(Reply{Text: t.T("book.failed"), Buttons: [][]Button{{btn(t.T("button.retry"), actBook, "rok")}}})
}

// seriesOf returns the bookings of a conversation's series that may still happen and
// have not started, by start.
func (bf *bookingFlow) seriesOf(ctx context.Context, t *Turn, series string) ([]bookings.Booking, error) {
	list, err := t.e.opts.Bookings.ByConversation(ctx, t.m.Conversation())
	if err != nil {
		return nil, fmt.Errorf("list the series %s: %w", series, err)
	}
	var out []bookings.Booking
	for i := len(list) - 1; i >= 0; i-- {
		if b := list[i]; b.Series == series && b.Active() && b.Start.After(t.now) {
			out = append(out, b)
		}
	}
	return out, nil
}

// cancelSeries cancels every date still to come of the series the booking id is one
// of: staff are told once, the reminders go.
func (bf *bookingFlow) cancelSeries(ctx context.Context, t *Turn, id string) {
	first, ok := bf.ownBooking(ctx, t, id)
	if !ok {
		return
	}
	if first.Series == "" {
		bf.cancelBooking(ctx, t, id)
		return
	}
	list, err := bf.seriesOf(ctx, t, first.Series)
	if err != nil {
		t.e.log.ErrorContext(ctx, "cancel a series failed", "err", err)
		t.Say(Reply{Text: t.T("book.failed"), Buttons: t.MainMenu()})
		return
	}
	cancelled := 0
	for _, b := range list {
		_, err := t.e.opts.Bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
			return b.Transition(bookings.Cancelled, "citizen", "", t.now)
		})
		if errors.Is(err, bookings.ErrTransition) || errors.Is(err, bookings.ErrNotFound) {
			continue // changed meanwhile
		}
		if err != nil {
			t.e.log.ErrorContext(ctx, "cancel a booking of a series failed", "err", err)
			t.Say(Reply{Text: t.T("book.failed"), Buttons: [][]Button{{btn(t.T("button.retry"), actBook, "cancelser", id)}}})
			return
		}
		t.e.cancelReminders(ctx, b.ID)
		cancelled++
	}
	if cancelled > 0 {
		ev := t.Event(EventBookingCancelled, SeriesCancelled, false)
		ev.Recent, ev.Query, ev.Booking = nil, "", list[0].ID
		t.Raise(ev)
	}
	t.Say(Reply{Text: t.T("book.series_cancelled", "count", t.Plural("book.series_count", cancelled, "n", strconv.Itoa(cancelled))),
		Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}})
}

// SeriesCancelled is the Reason of an EventBookingCancelled for a whole series: the
// citizen cancelled every date still to come; Booking names one of them.
const SeriesCancelled = "series"
