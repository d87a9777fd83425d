package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/reminders"
)

// scheduleReminders plans a confirmed booking's reminders (a reschedule replaces
// them). A failure is logged: the booking stands, and the citizen has its calendar file.
func (e *Engine) scheduleReminders(ctx context.Context, b bookings.Booking) {
	if e.opts.Reminders == nil {
		return
	}
	unit := catalogue.CostUnit("")
	if s, ok := e.opts.Search.Catalogue().Service(b.Service); ok {
		unit = s.Cost.Unit
	}
	policy := e.opts.ReminderPolicy
	if policy.Location == nil {
		policy.Location = e.rome
	}
	rs, err := reminders.Schedule(reminders.Booking{ID: b.ID, Conversation: b.Conversation, Start: b.Start, End: b.End(unit)}, policy, e.now())
	if err == nil {
		// Times already planned for this booking (an earlier start) go first.
		if err = e.opts.Reminders.CancelBooking(ctx, b.ID); err == nil && len(rs) > 0 {
			err = e.opts.Reminders.Plan(ctx, rs...)
		}
	}
	if err != nil {
		e.log.ErrorContext(ctx, "plan a booking's reminders failed", "err", err)
	}
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
		return err
	}
	if b.Conversation != r.Conversation {
		return nil
	}
	now := e.now()
	t := e.citizenTurn(b, now)
	name := b.Service
	if s, ok := t.cat.Service(b.Service); ok {
		name = t.serviceTitle(s)
	}
	switch r.Kind {
	case reminders.Before:
		if b.Status != bookings.Confirmed || !b.Start.Equal(r.Start) {
			return nil
		}
		t.say(Reply{Text: t.T("reminder.before", "service", name, "when", t.whenText(b.Start)),
			Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings)}}})
	case reminders.Followup:
		if b.Status == bookings.Confirmed {
			if b, err = e.opts.Bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
				return b.Transition(bookings.Done, "wemi", "", now)
			}); err != nil && !errors.Is(err, bookings.ErrTransition) {
				return err
			}
		}
		if b.Status != bookings.Done {
			return nil
		}
		stars := make([]Button, 0, 5)
		for i := 1; i <= 5; i++ {
			stars = append(stars, btn(t.T("handoff.rate_button", "n", strconv.Itoa(i)), actBook, "rate", b.ID+"."+strconv.Itoa(i)))
		}
		t.say(Reply{Text: t.T("reminder.followup", "service", name), Buttons: [][]Button{stars}})
	default:
		return fmt.Errorf("%w: unknown reminder kind %q", reminders.ErrPermanent, r.Kind)
	}
	channel, user, _ := splitConversation(b.Conversation)
	if e.opts.Pushers[channel] == nil {
		return fmt.Errorf("%w: channel %s cannot receive reminders", reminders.ErrPermanent, channel)
	}
	return e.push(ctx, channel, user, withLang(t.replies, t.st.Lang))
}
