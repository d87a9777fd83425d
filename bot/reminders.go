package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/reminders"
)

// ReminderQueue is what the engine does with booking reminders; adapters/redis and
// adapters/bolt implement it (reminders.Queue).
type ReminderQueue interface {
	reminders.Planner
	Pending(ctx context.Context, booking string) ([]reminders.Reminder, error)
}

// scheduleReminders plans a confirmed booking's reminders. The new ones are planned
// first (a reminder's id names its booking and kind, so planning replaces), then
// those no longer due (an earlier start's) are cancelled: a failure halfway leaves
// reminders planned, never none. The error is logged and returned; Reconcile plans
// again what is missing.
func (e *Engine) scheduleReminders(ctx context.Context, b bookings.Booking) error {
	if e.opts.Reminders == nil {
		return nil
	}
	unit := catalogue.CostUnit("")
	if s, ok := e.opts.Search.Catalogue().Service(b.Service); ok {
		unit = s.Cost.Unit
	}
	policy := e.opts.ReminderPolicy
	if policy.Location == nil {
		policy.Location = e.rome
	}
	rs, err := reminders.ForBooking(reminders.Booking{ID: b.ID, Conversation: b.Conversation, Start: b.Start, End: b.End(unit)}, policy, e.now())
	if err == nil && len(rs) > 0 {
		err = e.opts.Reminders.Plan(ctx, rs...)
	}
	if err == nil {
		var pending []reminders.Reminder
		if pending, err = e.opts.Reminders.Pending(ctx, b.ID); err == nil {
			keep := map[string]bool{}
			for _, r := range rs {
				keep[r.ID] = true
			}
			var stale []string
			for _, p := range pending {
				if !keep[p.ID] {
					stale = append(stale, p.ID)
				}
			}
			if len(stale) > 0 {
				err = e.opts.Reminders.Cancel(ctx, stale...)
			}
		}
	}
	if err != nil {
		e.log.ErrorContext(ctx, "plan a booking's reminders failed", "err", err)
		return fmt.Errorf("plan reminders: %w", err)
	}
	return nil
}

// cancelReminders removes a booking's reminders.
func (e *Engine) cancelReminders(ctx context.Context, booking string) {
	if e.opts.Reminders == nil {
		return
	}
	if err := e.opts.Reminders.CancelBooking(ctx, booking); err != nil {
		e.log.ErrorContext(ctx, "cancel a booking's reminders failed", "err", err)
	}
}

var _ reminders.Sender = (*Engine)(nil)

// Send implements reminders.Sender: it builds the reminder from the booking as it is
// now. A booking cancelled, refused or moved since has nothing to say (the moved one
// has reminders of its own); after the service, the booking is concluded and the
// citizen asked for a rating.
func (e *Engine) Send(ctx context.Context, r reminders.Reminder) error {
	if e.opts.Bookings == nil {
		return fmt.Errorf("%w: no booking store", reminders.ErrPermanent)
	}
	b, err := e.opts.Bookings.Get(ctx, r.Booking)
	if errors.Is(err, bookings.ErrNotFound) {
		return nil // erased by the citizen
	}
	if err != nil {
		return fmt.Errorf("load the booking of a reminder: %w", err)
	}
	if b.Conversation != r.Conversation {
		return nil
	}
	now := e.now()
	t := e.citizenTurn(b.Conversation, b.Lang, now)
	name := t.e.flows.booking.bookingName(t, b)
	switch r.Kind {
	case reminders.OfferDue, reminders.OfferExpiry:
		ot, err := e.sendOfferReminder(ctx, r, b)
		if ot == nil || err != nil {
			return err
		}
		t = ot
	case reminders.Before:
		if b.Status != bookings.Confirmed || !b.Start.Equal(r.Start) {
			return nil
		}
		t.Say(Reply{Text: t.T("reminder.before", "service", name, "when", t.whenText(b.Start)),
			Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings)}}})
	case reminders.Followup:
		if !b.Start.Equal(r.Start) {
			return nil // moved since: its own follow-up comes later
		}
		if b.Status == bookings.Confirmed {
			if b, err = e.opts.Bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
				return b.Transition(bookings.Done, "wemi", "", now)
			}); err != nil && !errors.Is(err, bookings.ErrTransition) {
				return fmt.Errorf("conclude a booking: %w", err)
			}
		}
		if b.Status != bookings.Done {
			return nil
		}
		stars := make([]Button, 0, 5)
		for i := 1; i <= 5; i++ {
			stars = append(stars, btn(t.T("handoff.rate_button", "n", strconv.Itoa(i)), actBook, "rate", b.ID+"."+strconv.Itoa(i)))
		}
		t.Say(Reply{Text: t.T("reminder.followup", "service", name), Buttons: [][]Button{stars}})
	default:
		return fmt.Errorf("%w: unknown reminder kind %q", reminders.ErrPermanent, r.Kind)
	}
	channel, user, _ := splitConversation(b.Conversation)
	if e.opts.Pushers[channel] == nil {
		return fmt.Errorf("%w: channel %s cannot receive reminders", reminders.ErrPermanent, channel)
	}
	return e.push(ctx, channel, user, withLang(t.replies, t.st.Lang))
}

// ReminderFailed tells staff that a reminder will not reach the citizen (the
// dispatcher gave up on it), so that someone can call them instead: for
// reminders.Options.OnFail. A booking erased, no longer confirmed or already begun
// needs nobody's call.
func (e *Engine) ReminderFailed(ctx context.Context, r reminders.Reminder) {
	if e.opts.Bookings == nil {
		return
	}
	b, err := e.opts.Bookings.Get(ctx, r.Booking)
	if err != nil {
		if !errors.Is(err, bookings.ErrNotFound) {
			e.log.WarnContext(ctx, "a failed reminder not shown to staff: booking not loaded", "reminder", r.ID, "err", err)
		}
		return
	}
	if r.Kind == reminders.OfferExpiry || r.Kind == reminders.OfferDue {
		return // the offer's deadline holds whatever the message did
	}
	if r.Kind == reminders.Before && (b.Status != bookings.Confirmed || !b.Start.Equal(r.Start) || !e.now().Before(b.Start)) {
		return // nothing to call about: cancelled, moved, or the service has begun
	}
	channel, _, _ := splitConversation(b.Conversation)
	e.notify(ctx, []Event{{Kind: EventReminderFailed, Conversation: b.Conversation, Channel: channel,
		Lang: b.Lang, Booking: b.ID, Card: b.Card, Reason: string(r.Kind), Offset: r.Offset, At: e.now()}})
}

// Reconciled says what Reconcile did.
type Reconciled struct {
	Replanned, Reposted, Concluded int
	// Expired counts offers past their deadline whose expiry never ran (its
	// reminder lost): expired now, the citizen and staff told.
	Expired int
}

// Reconcile repairs what a failure left behind, for a periodic job (one replica at a
// time): confirmed bookings to come without reminders get them again; requests whose
// staff card never made it are raised again; bookings over for a day (with the
// follow-up off or failing) are concluded; offers an hour past their deadline whose
// expiry never ran are expired.
func (e *Engine) Reconcile(ctx context.Context) (Reconciled, error) {
	var done Reconciled
	if e.opts.Bookings == nil {
		return done, nil
	}
	all, err := e.opts.Bookings.All(ctx)
	if err != nil {
		return done, fmt.Errorf("reconcile bookings: %w", err)
	}
	now := e.now()
	var errs []error
	for _, b := range all {
		unit := catalogue.CostUnit("")
		if s, ok := e.opts.Search.Catalogue().Service(b.Service); ok {
			unit = s.Cost.Unit
		}
		switch {
		case b.Status == bookings.Offered && b.Offer != nil && b.Offer.Expires.Add(time.Hour).Before(now) &&
			!reminders.Quiet(now, e.rome):
			// An hour late, out of the quiet hours (when the dispatcher holds the
			// expiry back too): its reminder was lost.
			r := reminders.Reminder{ID: b.ID + ":" + string(reminders.OfferExpiry), Booking: b.ID, Conversation: b.Conversation,
				Kind: reminders.OfferExpiry, Start: b.Offer.Expires, Due: b.Offer.Expires}
			if err := e.Send(ctx, r); err != nil && !errors.Is(err, reminders.ErrPermanent) {
				errs = append(errs, err)
				continue
			}
			done.Expired++
		case b.Status == bookings.Confirmed && b.End(unit).Add(24*time.Hour).Before(now):
			if _, err := e.opts.Bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
				return b.Transition(bookings.Done, "wemi", "", now)
			}); err != nil && !errors.Is(err, bookings.ErrTransition) {
				errs = append(errs, err)
				continue
			}
			done.Concluded++
		case b.Status == bookings.Confirmed && b.Start.After(now) && e.opts.Reminders != nil:
			pending, err := e.opts.Reminders.Pending(ctx, b.ID)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if len(pending) == 0 {
				if err := e.scheduleReminders(ctx, b); err != nil {
					errs = append(errs, err)
					continue
				}
				if p, _ := e.opts.Reminders.Pending(ctx, b.ID); len(p) > 0 {
					done.Replanned++
				}
			}
		case b.Status == bookings.Requested && b.Card == "" && e.opts.Staff != nil && b.Created.Before(now.Add(-2*time.Minute)):
			channel, _, _ := splitConversation(b.Conversation)
			e.notify(ctx, []Event{{Kind: EventBookingRequested, Booking: b.ID, Conversation: b.Conversation, Channel: channel,
				Lang: b.Lang, FirstName: b.FirstName, At: now}})
			done.Reposted++
		}
	}
	if n, err := e.repostDomestic(ctx, now); err != nil {
		errs = append(errs, err)
	} else {
		done.Reposted += n
	}
	return done, errors.Join(errs...)
}

// repostDomestic raises again the open requests and applications whose staff card
// never made it.
func (e *Engine) repostDomestic(ctx context.Context, now time.Time) (int, error) {
	if e.opts.Domestic == nil || e.opts.Staff == nil {
		return 0, nil
	}
	reqs, err := e.opts.Domestic.AllRequests(ctx)
	if err != nil {
		return 0, fmt.Errorf("reconcile requests: %w", err)
	}
	apps, err := e.opts.Domestic.AllApplications(ctx)
	if err != nil {
		return 0, fmt.Errorf("reconcile applications: %w", err)
	}
	late := now.Add(-2 * time.Minute)
	var events []Event
	for _, r := range reqs {
		if r.Card == "" && r.Closed.IsZero() && r.Created.Before(late) {
			channel, _, _ := splitConversation(r.Conversation)
			events = append(events, Event{Kind: EventDomesticRequest, Booking: r.ID, Conversation: r.Conversation,
				Channel: channel, Lang: r.Lang, FirstName: r.FirstName, At: now})
		}
	}
	for _, a := range apps {
		if a.Card == "" && a.Closed.IsZero() && a.Created.Before(late) {
			channel, _, _ := splitConversation(a.Conversation)
			events = append(events, Event{Kind: EventApplication, Booking: a.ID, Conversation: a.Conversation,
				Channel: channel, Lang: a.Lang, FirstName: a.FirstName, At: now})
		}
	}
	e.notify(ctx, events)
	return len(events), nil
}
