package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/bookings"
)

// refunded is what went back to the citizen.
type refunded struct {
	card, voucher int    // cents by card, and the voucher part given back
	ref           string // the provider's refund id
	failed        bool   // some of it could not be given back: staff must do it
}

// giveBack pays back cents of what was paid for b: the card part first, through
// Payments.Refunder, then the voucher part, through Vouchers.Unspend, which gives the
// whole part back or nothing (so a voucher part is returned only when all of it is
// due). It records the refund in the booking (rimborsata, when the lifecycle allows)
// and tells staff; a refund that fails is logged and reported to staff (Reason
// "failed") to be made by hand, and the booking keeps what did go back.
func (e *Engine) giveBack(ctx context.Context, b bookings.Booking, cents int) (bookings.Booking, refunded) {
	var r refunded
	p := b.Payment
	if p == nil || cents <= 0 {
		return b, r
	}
	card := min(cents, p.CardCents)
	if card > 0 {
		if e.opts.Payments.Refunder == nil {
			r.failed = true
		} else if ref, err := e.opts.Payments.Refunder.Refund(ctx, *p, card); err != nil {
			e.log.ErrorContext(ctx, "refund by the payment provider failed", "booking", b.ID, "provider", p.Provider, "err", err)
			r.failed = true
		} else {
			r.card, r.ref = card, ref
		}
	}
	if voucher := cents - card; voucher > 0 && voucher >= p.VoucherCents && p.VoucherCode != "" {
		if e.opts.Payments.Vouchers == nil {
			r.failed = true
		} else if err := e.opts.Payments.Vouchers.Unspend(ctx, p.VoucherCode, b.ID); err != nil {
			e.log.ErrorContext(ctx, "give a voucher part back failed", "booking", b.ID, "err", err)
			r.failed = true
		} else {
			r.voucher = p.VoucherCents
		}
	}
	now := e.now()
	after, err := e.opts.Bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
		if b.Payment == nil {
			return errKeepBooking
		}
		b.Payment.RefundedCents += r.card + r.voucher
		if r.ref != "" {
			b.Payment.RefundRef = r.ref
		}
		if r.voucher > 0 {
			b.Payment.VoucherCode = "" // given back: no longer needed
		}
		b.Updated = now
		if r.card+r.voucher > 0 && bookings.CanTransition(b.Status, bookings.Refunded) {
			return b.Transition(bookings.Refunded, "wemi", "", now)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errKeepBooking) {
		// The money went back; only the record of it is missing: staff see it.
		e.log.ErrorContext(ctx, "record a refund failed", "booking", b.ID, "err", err)
		r.failed = true
	} else if err == nil {
		b = after
	}
	reason := ""
	if r.failed {
		reason = "failed"
	}
	channel, _, _ := splitConversation(b.Conversation)
	e.notify(ctx, []Event{{Kind: EventBookingRefunded, Booking: b.ID, Card: b.Card, Conversation: b.Conversation,
		Channel: channel, Lang: b.Lang, Score: r.card + r.voucher, Reason: reason, At: now}})
	return b, r
}

// refundLatePayment gives back at once a payment for an offer no longer open, and
// says so to the citizen.
func (e *Engine) refundLatePayment(ctx context.Context, b bookings.Booking, now time.Time) (bookings.Booking, []Reply, error) {
	e.log.WarnContext(ctx, "payment for an offer no longer open: refunding", "booking", b.ID, "status", b.Status)
	status := b.Status
	b, r := e.giveBack(ctx, b, b.Payment.CardCents+b.Payment.VoucherCents)
	t := e.citizenTurn(b.Conversation, b.Lang, now)
	key := "pay.late_refunded"
	if r.failed {
		key = "pay.late_refund_pending"
	}
	t.Say(Reply{Text: t.T(key, "service", e.flows.booking.bookingName(t, b), "amount", t.euros(b.Payment.CardCents+b.Payment.VoucherCents)),
		Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("menu.operator"), actOperator)}}})
	sentinel := ErrNotDue
	if status == bookings.Expired {
		sentinel = ErrOfferExpired
	}
	return b, t.replies, fmt.Errorf("payment for booking %s (%s): refunded: %w", b.ID, status, sentinel)
}

// refundSecondPayment gives back a payment for a booking paid already by another
// one (two payment pages both completed): the booking keeps the first.
func (e *Engine) refundSecondPayment(ctx context.Context, b bookings.Booking, n PaymentNotice, now time.Time) (bookings.Booking, []Reply, error) {
	e.log.WarnContext(ctx, "a second payment for a paid booking: refunding it", "booking", b.ID, "provider", n.Provider)
	second := bookings.Payment{Method: n.Method, CardCents: n.AmountCents, Provider: n.Provider, Ref: n.Ref, EventID: n.EventID, At: now}
	failed := e.opts.Payments.Refunder == nil
	if !failed {
		if _, err := e.opts.Payments.Refunder.Refund(ctx, second, n.AmountCents); err != nil {
			e.log.ErrorContext(ctx, "refund of a second payment failed", "booking", b.ID, "err", err)
			failed = true
		}
	}
	reason := ""
	if failed {
		reason = "failed"
	}
	channel, _, _ := splitConversation(b.Conversation)
	e.notify(ctx, []Event{{Kind: EventBookingRefunded, Booking: b.ID, Card: b.Card, Conversation: b.Conversation,
		Channel: channel, Lang: b.Lang, Score: n.AmountCents, Reason: reason, At: now}})
	t := e.citizenTurn(b.Conversation, b.Lang, now)
	key := "pay.twice_refunded"
	if failed {
		key = "pay.late_refund_pending"
	}
	t.Say(Reply{Text: t.T(key, "service", e.flows.booking.bookingName(t, b), "amount", t.euros(n.AmountCents)),
		Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings)}}})
	return b, t.replies, fmt.Errorf("second payment for booking %s: refunded: %w", b.ID, ErrNotDue)
}

// refundOnCancel pays back a paid booking the citizen cancelled, within its
// service's policy, and returns what the citizen reads about it ("" when nothing
// was paid).
func (e *Engine) refundOnCancel(ctx context.Context, t *Turn, b bookings.Booking) string {
	if b.PaidCents() == 0 {
		return ""
	}
	paid := b.PaidCents() - b.Payment.RefundedCents
	s, _ := t.cat.Service(b.Service)
	due := paid
	if s != nil {
		due = bookings.Refundable(s.Rules.Refund, paid, b.Start, t.now)
	}
	if due <= 0 {
		return t.T("pay.cancel_no_refund", "amount", t.euros(paid))
	}
	_, r := e.giveBack(ctx, b, due)
	var text string
	if r.card > 0 {
		text = t.T("pay.cancel_refund_card", "amount", t.euros(r.card))
	}
	if r.voucher > 0 {
		text += "\n" + t.T("pay.cancel_refund_voucher", "amount", t.euros(r.voucher))
	}
	if r.failed {
		text += "\n" + t.T("pay.cancel_refund_pending")
	}
	if kept := paid - r.card - r.voucher; kept > 0 && !r.failed {
		text += "\n" + t.T("pay.cancel_policy_kept", "amount", t.euros(kept))
	}
	return text
}
