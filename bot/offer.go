package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/reminders"
)

// The offer events the engine raises for staff; Event.Booking names the booking.
const (
	// EventOfferDeclined says the citizen declined an offer (rifiutata).
	EventOfferDeclined EventKind = "offer_declined"
	// EventOfferExpired says an offer was not paid by its deadline (scaduta).
	EventOfferExpired EventKind = "offer_expired"
	// EventVoucherPart says a voucher paid part of an offer (Score, in cents): the
	// rest is to pay by card.
	EventVoucherPart EventKind = "voucher_part"
)

// Errors of BookingFromStaff with a BookingOffer.
var (
	// ErrOfferExpiry is an offer whose deadline is not in the future, or not
	// before the service starts.
	ErrOfferExpiry = errors.New("the offer's deadline must be in the future and before the service starts")
	// ErrOfferPrice is an offer price below zero or above MaxOfferCents.
	ErrOfferPrice = errors.New("the offer's price is out of range")
)

// MaxOfferCents bounds an offer's price: 20.000 euro, far above any WeMi service.
const MaxOfferCents = 2_000_000

// actPay is the offers' buttons: pay:<step>:<booking id>.
const actPay = "pay"

// Steps of the offers' buttons.
const (
	payGo      = "go"    // Paga: a fresh checkout link, or an invoice
	payVoucher = "vou"   // Paga con voucher: asks for the code
	payDecline = "no"    // Rifiuta: asks to confirm
	payDeclYes = "noyes" // declines
	payShow    = "show"  // shows the offer again
)

// declinedReason is the reason a declined offer keeps (staff read it; the citizen
// does not, since they declined it themselves).
const declinedReason = "offerta rifiutata dal cittadino"

// offerCheck checks an offer's terms before it is applied to b.
func offerCheck(a BookingAction, b *bookings.Booking, now time.Time) error {
	switch {
	case a.PriceCents < 0 || a.PriceCents > MaxOfferCents:
		return fmt.Errorf("%w: %d cents", ErrOfferPrice, a.PriceCents)
	case !a.Expires.After(now) || !a.Expires.Before(b.Start):
		return ErrOfferExpiry
	}
	return nil
}

// applyOffer makes b an offer, inside the store's atomic update: a price of 0
// confirms it (a free service skips payment).
func (e *Engine) applyOffer(a BookingAction, b *bookings.Booking, by string, now time.Time) error {
	b.Proposed = time.Time{}
	if a.PriceCents == 0 {
		return b.Transition(bookings.Confirmed, by, "", now)
	}
	if err := offerCheck(a, b, now); err != nil {
		return err
	}
	if err := b.Transition(bookings.Offered, by, "", now); err != nil {
		return err
	}
	note := truncateRunes(cleanText(a.Note), bookings.MaxNote)
	b.Offer = &bookings.Offer{PriceCents: a.PriceCents, Expires: a.Expires.In(e.rome), By: by, At: now, Note: note}
	return nil
}

// planOffer plans an offer's reminder and expiry; a failure is logged (the offer can
// still be paid until its deadline, which PaymentAllowed checks by itself).
func (e *Engine) planOffer(ctx context.Context, b bookings.Booking) {
	if e.opts.Reminders == nil || b.Offer == nil {
		return
	}
	rs := reminders.ForOffer(reminders.Offer{Booking: b.ID, Conversation: b.Conversation, Made: b.Offer.At,
		Expires: b.Offer.Expires}, e.now(), e.rome)
	if len(rs) == 0 {
		return
	}
	if err := e.opts.Reminders.Plan(ctx, rs...); err != nil {
		e.log.ErrorContext(ctx, "plan an offer's reminders failed", "booking", b.ID, "err", err)
	}
}

// deadlineText is an offer's deadline as the citizen reads it: "martedì 8 dicembre
// alle 18:00", in Europe/Rome.
func (t *Turn) deadlineText(at time.Time) string {
	at = at.In(t.e.rome)
	return t.T("pay.deadline", "weekday", t.T(fmt.Sprintf("pay.weekday.%d", at.Weekday())),
		"day", fmt.Sprint(at.Day()), "month", t.T(fmt.Sprintf("pay.month.%d", at.Month())), "time", at.Format("15:04"))
}

// offerReplies show the citizen an offer with what they can do: pay (by card or on
// the channel, with a voucher when the service takes them) or decline.
func (bf *bookingFlow) offerReplies(t *Turn, b bookings.Booking) []Reply {
	o := b.Offer
	if o == nil {
		return nil
	}
	var text strings.Builder
	text.WriteString(t.T("pay.offer", "service", bf.bookingName(t, b), "when", t.whenText(b.Start),
		"price", t.euros(o.PriceCents), "deadline", t.deadlineText(o.Expires)))
	if o.Note != "" {
		text.WriteString("\n" + t.T("pay.offer_note", "note", Literal(o.Note)))
	}
	if p := b.Payment; p != nil && p.VoucherCents > 0 {
		text.WriteString("\n" + t.T("pay.offer_voucher_part", "voucher", t.euros(p.VoucherCents), "code", Literal(p.Voucher),
			"rest", t.euros(b.DueCents())))
	}
	return []Reply{{Text: text.String(), Buttons: bf.offerButtons(t, b)}}
}

// offerButtons are an open offer's buttons.
func (bf *bookingFlow) offerButtons(t *Turn, b bookings.Booking) [][]Button {
	pay := t.T("pay.pay", "amount", t.euros(b.DueCents()))
	rows := [][]Button{}
	if t.e.paysOnline(t.m.Channel) {
		rows = append(rows, []Button{btn(pay, actPay, payGo, b.ID)})
	}
	if bf.takesVoucher(t, b) {
		rows = append(rows, []Button{btn(t.T("pay.with_voucher"), actPay, payVoucher, b.ID)})
	}
	return append(rows, []Button{btn(t.T("pay.decline"), actPay, payDecline, b.ID)})
}

// paysOnline reports whether citizens on channel can pay online: natively
// (Payments.Invoices) or on a hosted page (Payments.Checkout).
func (e *Engine) paysOnline(channel string) bool {
	return e.opts.Payments.Invoices[channel] || e.opts.Payments.Checkout != nil
}

// takesVoucher reports whether b's offer can be paid with a voucher: vouchers are
// set up, the service takes them, and none was spent on it yet.
func (bf *bookingFlow) takesVoucher(t *Turn, b bookings.Booking) bool {
	if t.e.opts.Payments.Vouchers == nil || (b.Payment != nil && b.Payment.VoucherCents > 0) {
		return false
	}
	s, ok := t.cat.Service(b.Service)
	return ok && s.Cost.Voucher
}

// onPayButton handles the offers' buttons.
func (bf *bookingFlow) onPayButton(ctx context.Context, t *Turn, arg string) {
	step, id, _ := strings.Cut(arg, ":")
	b, ok := bf.ownBooking(ctx, t, id)
	if !ok {
		return
	}
	if step == payShow && b.Status == bookings.Offered && b.Offer != nil && t.now.Before(b.Offer.Expires) {
		t.replies = append(t.replies, bf.offerReplies(t, b)...)
		return
	}
	if !bf.offerOpen(t, b) {
		return
	}
	switch step {
	case payGo:
		bf.payLink(ctx, t, b)
	case payVoucher:
		bf.askVoucher(t, b)
	case payDecline:
		t.Say(Reply{Text: t.T("pay.decline_ask", "service", bf.bookingName(t, b)), Buttons: [][]Button{
			{btn(t.T("pay.decline_yes"), actPay, payDeclYes, b.ID), btn(t.T("pay.decline_no"), actPay, payShow, b.ID)}}})
	case payDeclYes:
		bf.declineOffer(ctx, t, b.ID)
	case payShow:
		t.replies = append(t.replies, bf.offerReplies(t, b)...)
	default:
		t.Stale()
	}
}

// offerOpen says, when b's offer can no longer be paid, why; it reports whether it
// can.
func (bf *bookingFlow) offerOpen(t *Turn, b bookings.Booking) bool {
	switch {
	case b.Status == bookings.Offered && b.Offer != nil && t.now.Before(b.Offer.Expires):
		return true
	case b.Status == bookings.Expired || b.Status == bookings.Offered:
		t.Say(Reply{Text: t.T("pay.expired", "service", bf.bookingName(t, b)), Buttons: [][]Button{
			{btn(t.T("button.back_card"), actService, b.Service), btn(t.T("menu.operator"), actOperator)}}})
	case b.Status == bookings.Paid || b.Status == bookings.Confirmed:
		t.Say(Reply{Text: t.T("pay.already_paid"), Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings)}}})
	default:
		t.Say(Reply{Text: t.T("book.not_active", "status", t.T("status."+string(b.Status))), Buttons: t.MainMenu()})
	}
	return false
}

// payLink answers Paga: an invoice on a channel that pays natively, else a fresh
// link to the hosted payment page.
func (bf *bookingFlow) payLink(ctx context.Context, t *Turn, b bookings.Booking) {
	due := b.DueCents()
	title := truncateRunes(bf.bookingName(t, b), 32)
	desc := truncateRunes(t.T("pay.description", "when", t.whenText(b.Start), "id", receiptNumber(b)), 255)
	if t.e.opts.Payments.Invoices[t.m.Channel] {
		t.Say(Reply{Text: t.T("pay.invoice_intro", "amount", t.euros(due)),
			Invoice: &Invoice{Title: title, Description: desc, Payload: b.ID, Currency: "EUR", AmountCents: due}})
		return
	}
	co := t.e.opts.Payments.Checkout
	if co == nil {
		t.Stale()
		return
	}
	url, err := co.CheckoutLink(ctx, PaymentRequest{Booking: b.ID, AmountCents: due, Title: title, Description: desc, Lang: t.st.Lang,
		Expires: b.Offer.Expires})
	if err != nil || !safeURL(url) {
		t.e.log.ErrorContext(ctx, "make a payment link failed", "booking", b.ID, "err", err)
		t.Say(Reply{Text: t.T("pay.link_failed"), Buttons: [][]Button{{btn(t.T("button.retry"), actPay, payGo, b.ID)}}})
		return
	}
	t.Say(Reply{Text: t.T("pay.link", "amount", t.euros(due), "deadline", t.deadlineText(b.Offer.Expires)),
		Buttons: [][]Button{{{Label: t.T("pay.open_page"), URL: url}}, {btn(t.T("menu.bookings"), actBookings)}}})
}

// declineOffer is the citizen declining an offer: rifiutata, the voucher part given
// back, the reminders gone, staff told.
func (bf *bookingFlow) declineOffer(ctx context.Context, t *Turn, id string) {
	b, err := t.e.opts.Bookings.Update(ctx, id, func(b *bookings.Booking) error {
		if b.Status != bookings.Offered {
			return bookings.ErrTransition
		}
		return b.Transition(bookings.Refused, "citizen", declinedReason, t.now)
	})
	if errors.Is(err, bookings.ErrTransition) {
		bf.offerOpen(t, b)
		return
	}
	if err != nil {
		t.e.log.ErrorContext(ctx, "decline an offer failed", "err", err)
		t.Say(Reply{Text: t.T("book.failed"), Buttons: t.MainMenu()})
		return
	}
	t.e.cancelReminders(ctx, b.ID)
	t.e.giveVoucherBack(ctx, b)
	ev := t.Event(EventOfferDeclined, "", false)
	ev.Recent, ev.Query, ev.Booking, ev.Card = nil, "", b.ID, b.Card
	t.Raise(ev)
	t.Say(Reply{Text: t.T("pay.declined"), Buttons: [][]Button{
		{btn(t.T("button.back_card"), actService, b.Service), btn(t.T("menu.bookings"), actBookings)}}})
}

// giveVoucherBack returns the voucher part spent on an offer never paid in full
// (declined or expired), and forgets the code.
func (e *Engine) giveVoucherBack(ctx context.Context, b bookings.Booking) {
	p := b.Payment
	if p == nil || p.Method != "" || p.VoucherCode == "" || e.opts.Payments.Vouchers == nil {
		return
	}
	if err := e.opts.Payments.Vouchers.Unspend(ctx, p.VoucherCode, b.ID); err != nil {
		// Kept in the booking: the next expiry or a staff member can give it back.
		e.log.ErrorContext(ctx, "give a voucher part back failed", "booking", b.ID, "err", err)
		return
	}
	if _, err := e.opts.Bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
		if b.Payment == nil || b.Payment.Method != "" {
			return errKeepBooking
		}
		b.Payment = nil
		return nil
	}); err != nil && !errors.Is(err, errKeepBooking) {
		e.log.ErrorContext(ctx, "record a voucher part given back failed", "booking", b.ID, "err", err)
	}
}

// sendOfferReminder sends an offer's reminder or expires it (reminders.OfferDue and
// OfferExpiry), from the reminders' dispatch: once, whatever replica claims it. A
// reminder of an offer paid, declined or changed since has nothing to do.
func (e *Engine) sendOfferReminder(ctx context.Context, r reminders.Reminder, b bookings.Booking) (*Turn, error) {
	if b.Status != bookings.Offered || b.Offer == nil || !b.Offer.Expires.Equal(r.Start) {
		return nil, nil
	}
	now := e.now()
	t := e.citizenTurn(b.Conversation, b.Lang, now)
	name := e.flows.booking.bookingName(t, b)
	if r.Kind == reminders.OfferDue {
		if !now.Before(b.Offer.Expires) {
			return nil, nil
		}
		t.Say(Reply{Text: t.T("pay.offer_reminder", "service", name, "deadline", t.deadlineText(b.Offer.Expires),
			"price", t.euros(b.DueCents())), Buttons: e.flows.booking.offerButtons(t, b)})
		return t, nil
	}
	b, err := e.opts.Bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
		if b.Status != bookings.Offered || b.Offer == nil || now.Before(b.Offer.Expires) {
			return errKeepBooking // paid meanwhile, or the deadline moved
		}
		return b.Transition(bookings.Expired, "wemi", "", now)
	})
	if errors.Is(err, errKeepBooking) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("expire an offer: %w", err)
	}
	e.giveVoucherBack(ctx, b)
	channel, _, _ := splitConversation(b.Conversation)
	e.notify(ctx, []Event{{Kind: EventOfferExpired, Booking: b.ID, Card: b.Card, Conversation: b.Conversation,
		Channel: channel, Lang: b.Lang, At: now}})
	t.Say(Reply{Text: t.T("pay.expired", "service", name), Buttons: [][]Button{
		{btn(t.T("button.back_card"), actService, b.Service), btn(t.T("menu.operator"), actOperator)}}})
	return t, nil
}
