package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/bookings"
)

// MoveAction is staff answering a citizen's request to move a confirmed booking
// (Booking.MoveTo): Accept moves it, else it stays as it was.
type MoveAction struct {
	Booking  string
	Operator string // first name, recorded in the booking's history
	Accept   bool
}

// ErrNoMoveRequest is an answer to a move request the booking no longer has: the
// citizen cancelled it, or another operator answered first.
var ErrNoMoveRequest = errors.New("bot: no move request to answer")

// MoveFromStaff applies staff's answer to a move request. Accepted, the booking's
// start changes (with a history entry), its reminders are planned again for the new
// time (those of the old one go) and the citizen gets the new calendar file; refused,
// the citizen is told the booking stays as it was. The new time is checked against
// the service's rules again (a *bookings.RuleError, wrapped, when it no longer fits:
// nothing changes). ErrNoMoveRequest when there is nothing to answer; ErrNotDelivered
// when the change was made but the citizen could not be told.
func (e *Engine) MoveFromStaff(ctx context.Context, a MoveAction) (bookings.Booking, error) {
	if e.opts.Bookings == nil {
		return bookings.Booking{}, errors.New("bot: no booking store")
	}
	now := e.now()
	by := operatorName(a.Operator)
	var from time.Time
	b, err := e.opts.Bookings.Update(ctx, a.Booking, func(b *bookings.Booking) error {
		if b.Status != bookings.Confirmed || b.MoveTo.IsZero() {
			return fmt.Errorf("answer the move of booking %s (%s): %w", b.ID, b.Status, ErrNoMoveRequest)
		}
		from, b.Updated = b.Start, now
		to := b.MoveTo
		b.MoveTo = time.Time{}
		if !a.Accept {
			b.History = append(b.History, bookings.Change{Status: b.Status, At: now, By: by,
				Reason: "spostamento a " + to.In(e.rome).Format("2006-01-02 15:04") + " non accettato"})
			return nil
		}
		if !to.After(now) {
			return fmt.Errorf("move booking %s: %w", b.ID, ErrProposalPast)
		}
		if err := e.proposalAllowed(b, to, now); err != nil {
			return err
		}
		b.Start = to.In(e.rome)
		b.History = append(b.History, bookings.Change{Status: b.Status, At: now, By: by,
			Reason: "spostata da " + from.In(e.rome).Format("2006-01-02 15:04")})
		return nil
	})
	if err != nil {
		return b, err
	}
	t := e.citizenTurn(b.Conversation, b.Lang, now)
	bf := e.flows.booking
	if a.Accept {
		_ = e.scheduleReminders(ctx, b) // the old time's reminders go; logged, Reconcile plans again
		t.replies = bf.confirmedReplies(t, b)
		t.replies[0].Text = t.T("book.move_accepted", "service", bf.bookingName(t, b), "from", t.whenText(from),
			"when", t.whenText(b.Start))
	} else {
		t.Say(Reply{Text: t.T("book.move_refused", "booking", bf.bookingLine(t, b)),
			Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("menu.operator"), actOperator)}}})
	}
	channel, user, _ := splitConversation(b.Conversation)
	return b, e.push(ctx, channel, user, withLang(t.replies, t.st.Lang))
}
