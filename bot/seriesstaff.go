package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// ErrSeriesAction is staff proposing another time, or making an offer, for a whole
// series: a series is confirmed or refused whole; another time, or a price paid
// online, is agreed with the citizen directly.
var ErrSeriesAction = errors.New("bot: a whole series can only be confirmed or refused")

// Series returns the bookings of the series the booking id is one of, by start:
// every booking of its conversation with the same Series (just the booking, when it
// is not part of one).
func (e *Engine) Series(ctx context.Context, id string) ([]bookings.Booking, error) {
	if e.opts.Bookings == nil {
		return nil, errors.New("bot: no booking store")
	}
	b, err := e.opts.Bookings.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load the series of %s: %w", id, err)
	}
	if b.Series == "" {
		return []bookings.Booking{b}, nil
	}
	list, err := e.opts.Bookings.ByConversation(ctx, b.Conversation)
	if err != nil {
		return nil, fmt.Errorf("load the series of %s: %w", id, err)
	}
	list = slices.DeleteFunc(list, func(o bookings.Booking) bool { return o.Series != b.Series })
	slices.SortFunc(list, func(a, b bookings.Booking) int { return a.Start.Compare(b.Start) })
	return list, nil
}

// SeriesFromStaff applies staff's confirmation or refusal to every booking of the
// series a.Booking is one of, each atomically, and tells the citizen once: the
// dates, with one calendar file for all of them when confirmed. Bookings the citizen
// cancelled meanwhile (or that changed otherwise) are left as they are. It returns
// the series as it is now; bookings.ErrTransition (wrapped) when none could change,
// ErrSeriesAction for anything else, ErrNotDelivered when the citizen could not be told.
func (e *Engine) SeriesFromStaff(ctx context.Context, a BookingAction) ([]bookings.Booking, error) {
	if a.Kind != BookingConfirm && a.Kind != BookingRefuse {
		return nil, fmt.Errorf("%s: %w", a.Kind, ErrSeriesAction)
	}
	list, err := e.Series(ctx, a.Booking)
	if err != nil {
		return nil, err
	}
	now := e.now()
	by := operatorName(a.Operator)
	reason := truncateRunes(cleanText(a.Reason), 300)
	var changed []bookings.Booking
	for i, b := range list {
		to := bookings.Confirmed
		if a.Kind == BookingRefuse {
			to = bookings.Refused
		}
		after, err := e.opts.Bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
			b.Proposed = time.Time{}
			return b.Transition(to, by, reason, now)
		})
		list[i] = after
		switch {
		case errors.Is(err, bookings.ErrTransition) || errors.Is(err, bookings.ErrNotFound):
			list[i] = b
			continue // cancelled meanwhile: it stays so
		case err != nil:
			return list, fmt.Errorf("%s the series of %s: %w", a.Kind, a.Booking, err)
		}
		if to == bookings.Confirmed {
			_ = e.scheduleReminders(ctx, after) // one set per date; logged, Reconcile plans again
			// Cancelled by the citizen meanwhile: no reminders, and not among the dates confirmed.
			if fresh, err := e.opts.Bookings.Get(ctx, after.ID); err == nil && fresh.Status != bookings.Confirmed {
				e.cancelReminders(ctx, after.ID)
				list[i] = fresh
				continue
			}
		} else {
			e.cancelReminders(ctx, after.ID)
		}
		changed = append(changed, after)
	}
	if len(changed) == 0 {
		return list, fmt.Errorf("%w: no booking of the series can be changed", bookings.ErrTransition)
	}
	t := e.citizenTurn(changed[0].Conversation, changed[0].Lang, now)
	t.replies = e.flows.booking.seriesAnswer(t, changed, a.Kind == BookingConfirm)
	channel, user, _ := splitConversation(changed[0].Conversation)
	return list, e.push(ctx, channel, user, withLang(t.replies, t.st.Lang))
}

// seriesAnswer tells the citizen what staff made of their series: the dates confirmed,
// with a calendar file for them all, or refused with the reason.
func (bf *bookingFlow) seriesAnswer(t *Turn, bs []bookings.Booking, confirmed bool) []Reply {
	name, place, unit := bs[0].Service, "", catalogue.CostUnit("")
	if s, ok := t.cat.Service(bs[0].Service); ok {
		name, unit = t.serviceTitle(s), s.Cost.Unit
		place = bookings.Place(s, t.T("ics.at_home", "zone", strconv.Itoa(bs[0].Municipio)), t.T("ics.online"))
	}
	dates := make([]string, len(bs))
	for i, b := range bs {
		dates[i] = "• " + t.whenText(b.Start)
	}
	count := t.Plural("book.series_count", len(bs), "n", strconv.Itoa(len(bs)))
	buttons := [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}
	if !confirmed {
		return []Reply{{Text: t.T("book.series_refused", "service", Literal(name), "count", count,
			"dates", strings.Join(dates, "\n"), "reason", Literal(bs[0].Reason)), Buttons: buttons}}
	}
	ics := bookings.SeriesICS(bs, name, place, t.T("book.ics_description", "service", name), unit, t.now)
	return []Reply{{Text: t.T("book.series_confirmed", "service", Literal(name), "count", count, "dates", strings.Join(dates, "\n")),
		Document: &Document{Name: "wemi-" + bs[0].Series + ".ics", MIME: "text/calendar", Data: ics}, Buttons: buttons}}
}
