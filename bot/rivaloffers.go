package bot

import (
	"context"
	"errors"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// rivalPaidReason is the reason an offer closed by the payment of another keeps
// (staff read it on the card).
const rivalPaidReason = "chiusa: il cittadino ha pagato un'altra offerta per la stessa richiesta"

// closeRivalOffers closes the citizen's other open offers for the same request once
// one of them is paid: a citizen who asked several providers for the same need (a
// service of the same category, starting the same day) has chosen. Each is declined
// as if by the citizen: its voucher part given back, its reminders gone, staff told.
// It returns how many it closed; a failure leaves that offer to expire by itself.
func (e *Engine) closeRivalOffers(ctx context.Context, paid bookings.Booking, now time.Time) int {
	list, err := e.opts.Bookings.ByConversation(ctx, paid.Conversation)
	if err != nil {
		e.log.ErrorContext(ctx, "list the offers a payment closes failed", "booking", paid.ID, "err", err)
		return 0
	}
	cat := e.opts.Search.Catalogue()
	category := func(service string) catalogue.CategoryID {
		if s, ok := cat.Service(service); ok {
			return s.Category
		}
		return ""
	}
	want := category(paid.Service)
	closed := 0
	for _, b := range list {
		if b.ID == paid.ID || b.Status != bookings.Offered || want == "" || category(b.Service) != want ||
			!sameDay(b.Start, paid.Start, e.rome) {
			continue
		}
		rival, err := e.opts.Bookings.Update(ctx, b.ID, func(x *bookings.Booking) error {
			if x.Status != bookings.Offered {
				return errKeepBooking // paid or closed meanwhile
			}
			return x.Transition(bookings.Refused, "citizen", rivalPaidReason, now)
		})
		if err != nil {
			if !errors.Is(err, errKeepBooking) {
				e.log.ErrorContext(ctx, "close an offer for the same request failed", "booking", b.ID, "err", err)
			}
			continue
		}
		e.cancelReminders(ctx, rival.ID)
		e.giveVoucherBack(ctx, rival)
		channel, _, _ := splitConversation(rival.Conversation)
		e.notify(ctx, []Event{{Kind: EventOfferDeclined, Booking: rival.ID, Card: rival.Card, Conversation: rival.Conversation,
			Channel: channel, Lang: rival.Lang, Reason: rivalPaidReason, At: now}})
		closed++
	}
	return closed
}
