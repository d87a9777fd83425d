package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/bookings"
)

// The payment events the engine raises for staff; Event.Booking names the booking.
const (
	// EventBookingPaid says an offer was paid (and the booking confirmed): the card
	// shows the amount and the method.
	EventBookingPaid EventKind = "booking_paid"
	// EventPaymentMismatch says a provider reported a payment of another amount than
	// was due: not applied, for staff to look into. Score is the amount reported, in
	// cents.
	EventPaymentMismatch EventKind = "payment_mismatch"
	// EventBookingRefunded says money went back to the citizen: a paid booking
	// cancelled, or a payment for an offer no longer open. Reason "failed" says the
	// refund could not be made and staff must make it by hand.
	EventBookingRefunded EventKind = "booking_refunded"
)

// Errors of PaymentReceived and PaymentAllowed; they arrive wrapped.
var (
	// ErrNotDue is a payment for a booking that has nothing to pay: no offer, or
	// not one that can be paid now.
	ErrNotDue = errors.New("nothing due on this booking")
	// ErrOfferExpired is a payment for an offer past its deadline.
	ErrOfferExpired = errors.New("the offer has expired")
	// ErrAmountMismatch is a payment of another amount than is due.
	ErrAmountMismatch = errors.New("the amount is not what is due")
	// ErrNoPayments is a payment on an engine that takes none.
	ErrNoPayments = errors.New("payments are not set up")
)

// PaymentRefusal is PaymentAllowed's error: why a booking cannot be paid that
// amount now. The adapter shows Text, already in the citizen's language, as the
// reason of its refusal (Telegram's answerPreCheckoutQuery error_message); Error()
// is for logs and holds no personal data. It unwraps to ErrNotDue, ErrOfferExpired,
// ErrAmountMismatch, bookings.ErrNotFound, ErrUnavailable or ErrNoPayments.
type PaymentRefusal struct {
	Key  string // the text key of Text, e.g. "pay.refuse_expired"
	Text string
	err  error
}

// Error says why the payment was refused, for logs.
func (r *PaymentRefusal) Error() string { return "payment refused: " + r.err.Error() }

// Unwrap returns the sentinel error of the refusal.
func (r *PaymentRefusal) Unwrap() error { return r.err }

// PaymentAllowed says whether booking can be paid amountCents now, for a channel
// that asks before taking the money (Telegram's pre_checkout_query): nil when the
// booking is an open offer, before its deadline, and amountCents is what is left to
// pay; else a *PaymentRefusal. It changes nothing. A store failure
// is a refusal too, wrapping ErrUnavailable: the citizen can try again.
func (e *Engine) PaymentAllowed(ctx context.Context, booking string, amountCents int) error {
	if e.opts.Bookings == nil {
		return e.refusal(defaultLang, "pay.refuse_not_due", ErrNoPayments)
	}
	b, err := e.opts.Bookings.Get(ctx, booking)
	if errors.Is(err, bookings.ErrNotFound) {
		return e.refusal(defaultLang, "pay.refuse_gone", err)
	}
	if err != nil {
		return e.refusal(defaultLang, "pay.refuse_unavailable", fmt.Errorf("%w: check a payment: %w", ErrUnavailable, err))
	}
	switch err := e.payable(b, amountCents); {
	case err == nil:
		return nil
	case errors.Is(err, ErrOfferExpired):
		return e.refusal(b.Lang, "pay.refuse_expired", err)
	case errors.Is(err, ErrAmountMismatch):
		return e.refusal(b.Lang, "pay.refuse_amount", err)
	default:
		return e.refusal(b.Lang, "pay.refuse_not_due", err)
	}
}

func (e *Engine) refusal(lang, key string, err error) *PaymentRefusal {
	if lang == "" {
		lang = defaultLang
	}
	return &PaymentRefusal{Key: key, Text: e.texts.T(lang, key), err: err}
}

// payable reports why b cannot be paid amount now; nil when it can.
func (e *Engine) payable(b bookings.Booking, amount int) error {
	switch {
	case b.Status != bookings.Offered || b.Offer == nil:
		return fmt.Errorf("booking %s is %s: %w", b.ID, b.Status, ErrNotDue)
	case !e.now().Before(b.Offer.Expires):
		return fmt.Errorf("booking %s: %w", b.ID, ErrOfferExpired)
	case amount != b.DueCents():
		return fmt.Errorf("booking %s: %d cents, %d due: %w", b.ID, amount, b.DueCents(), ErrAmountMismatch)
	}
	return nil
}

// paymentOutcome is what applying a payment notice did.
type paymentOutcome int

const (
	paidNow      paymentOutcome = iota // applied: pagata, then confermata
	paidBefore                         // the same event or payment again: nothing to do
	paidTooLate                        // the offer was closed: recorded, to refund at once
	paidMismatch                       // another amount than due: not applied
	paidTwice                          // a second payment of a paid booking: to refund, the booking unchanged
)

// PaymentReceived applies a payment provider's notice that booking n.Booking was
// paid. It is atomic and idempotent: the same event (or the same provider payment)
// again, on any replica, changes nothing, sends nothing and returns the booking and
// nil. A payment of the amount due for an open offer makes it pagata then confermata,
// plans its reminders and sends the citizen the receipt with the calendar file. A
// payment for an offer that expired, was declined or cancelled is refunded at once
// (status rimborsata) and the citizen told; ErrOfferExpired or ErrNotDue, wrapped,
// say so (the provider's event is handled: a webhook answers it as received). A
// payment of another amount is not applied: staff are told, ErrAmountMismatch.
// Store failures wrap ErrUnavailable: the provider should deliver the event again.
func (e *Engine) PaymentReceived(ctx context.Context, n PaymentNotice) (bookings.Booking, error) {
	b, replies, err := e.applyPayment(ctx, n, "")
	if len(replies) > 0 {
		channel, user, _ := splitConversation(b.Conversation)
		// Not the provider's error: the payment is applied, and sending the event
		// again would change nothing. The citizen finds it in /prenotazioni.
		if perr := e.push(ctx, channel, user, withLang(replies, b.Lang)); perr != nil {
			e.log.WarnContext(ctx, "a payment's receipt not delivered", "booking", b.ID, "channel", channel, "err", perr)
		}
	}
	return b, err
}

// paymentInTurn applies a channel's native payment (Telegram's successful_payment)
// inside the citizen's turn: the receipt is the turn's reply.
func (f *bookingFlow) paymentInTurn(ctx context.Context, t *Turn, n PaymentNotice) {
	t.st.remember("user", "(pagamento)", t.now)
	_, replies, err := t.e.applyPayment(ctx, n, t.m.Conversation())
	if err != nil {
		t.e.log.WarnContext(ctx, "a payment in the chat not applied as paid", "provider", n.Provider, "err", err)
	}
	if err != nil && len(replies) == 0 {
		t.Say(Reply{Text: t.T("pay.failed"), Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("menu.operator"), actOperator)}}})
		return
	}
	t.replies = append(t.replies, replies...)
}

// applyPayment applies n and returns the booking as it is now and what the citizen
// must read. conversation, when set, is the one the payment came from: a payment
// for another conversation's booking is refused.
func (e *Engine) applyPayment(ctx context.Context, n PaymentNotice, conversation string) (bookings.Booking, []Reply, error) {
	if e.opts.Bookings == nil {
		return bookings.Booking{}, nil, ErrNoPayments
	}
	if !bookings.ValidID(n.Booking) || n.AmountCents <= 0 {
		return bookings.Booking{}, nil, fmt.Errorf("payment notice for %q of %d cents: %w", truncateRunes(n.Booking, 20), n.AmountCents, ErrNotDue)
	}
	now := e.now()
	var outcome paymentOutcome
	var due int
	b, err := e.opts.Bookings.Update(ctx, n.Booking, func(b *bookings.Booking) error {
		if conversation != "" && b.Conversation != conversation {
			return fmt.Errorf("payment from another conversation: %w", bookings.ErrNotFound)
		}
		outcome, due = e.recordPayment(b, n)
		switch outcome {
		case paidBefore, paidTwice:
			return errKeepBooking
		case paidMismatch:
			return ErrAmountMismatch
		}
		return nil
	})
	switch {
	case errors.Is(err, errKeepBooking) && outcome == paidTwice:
		return e.refundSecondPayment(ctx, b, n, now)
	case errors.Is(err, errKeepBooking):
		return b, nil, nil
	case errors.Is(err, ErrAmountMismatch):
		e.log.WarnContext(ctx, "payment of another amount than due: not applied", "booking", b.ID,
			"provider", n.Provider, "amount_cents", n.AmountCents, "due_cents", due)
		channel, _, _ := splitConversation(b.Conversation)
		e.notify(ctx, []Event{{Kind: EventPaymentMismatch, Booking: b.ID, Card: b.Card, Conversation: b.Conversation,
			Channel: channel, Lang: b.Lang, Score: n.AmountCents, Reason: n.Provider, At: now}})
		return b, nil, fmt.Errorf("payment for booking %s: %d cents, %d due: %w", b.ID, n.AmountCents, due, ErrAmountMismatch)
	case errors.Is(err, bookings.ErrNotFound):
		return b, nil, fmt.Errorf("payment for booking %s: %w", n.Booking, err)
	case err != nil:
		return b, nil, fmt.Errorf("%w: record a payment: %w", ErrUnavailable, err)
	}
	if outcome == paidTooLate {
		e.cancelReminders(ctx, b.ID)
		return e.refundLatePayment(ctx, b, now)
	}
	e.log.InfoContext(ctx, "booking paid", "booking", b.ID, "provider", n.Provider, "method", n.Method)
	// Planning the service's reminders cancels the offer's, which it does not plan.
	_ = e.scheduleReminders(ctx, b) // logged; Reconcile plans them again
	channel, _, _ := splitConversation(b.Conversation)
	e.notify(ctx, []Event{{Kind: EventBookingPaid, Booking: b.ID, Card: b.Card, Conversation: b.Conversation,
		Channel: channel, Lang: b.Lang, At: now}})
	rivals := e.closeRivalOffers(ctx, b, now)
	t := e.citizenTurn(b.Conversation, b.Lang, now)
	replies := e.flows.booking.receiptReplies(t, b, n.ReceiptURL)
	if rivals > 0 {
		replies[0].Text += "\n\n" + t.T("pay.rivals_closed", "n", strconv.Itoa(rivals))
	}
	return b, replies, nil
}

// errKeepBooking aborts a booking's Update with nothing to change.
var errKeepBooking = errors.New("booking unchanged")

// recordPayment changes b for a payment notice, inside the store's atomic update (so
// it may run more than once and has no side effect), and says what it did; due is
// what was due.
func (e *Engine) recordPayment(b *bookings.Booking, n PaymentNotice) (paymentOutcome, int) {
	if p := b.Payment; p != nil && p.Method != "" &&
		((n.EventID != "" && p.EventID == n.EventID) || (n.Ref != "" && p.Ref == n.Ref)) {
		return paidBefore, 0
	}
	due := b.DueCents()
	now := e.now()
	pay := bookings.Payment{Method: n.Method, CardCents: n.AmountCents, Provider: n.Provider,
		Ref: n.Ref, EventID: n.EventID, At: now}
	if b.Payment != nil && b.Payment.Method == "" {
		// The voucher part spent before, now completed by card.
		pay.VoucherCents, pay.Voucher, pay.VoucherCode = b.Payment.VoucherCents, b.Payment.Voucher, b.Payment.VoucherCode
	}
	if b.Offer != nil {
		pay.TotalCents = b.Offer.PriceCents
	}
	switch {
	case b.Status == bookings.Offered && b.Offer != nil && now.Before(b.Offer.Expires):
		if n.AmountCents != due {
			return paidMismatch, due
		}
		b.Payment = &pay
		// The offer is the provider's commitment: paid is confirmed.
		_ = b.Transition(bookings.Paid, "citizen", "", now)
		_ = b.Transition(bookings.Confirmed, "wemi", "", now)
		return paidNow, due
	case b.Payment != nil && b.Payment.Method != "":
		// Paid already, by another payment (two payment pages both paid): this
		// one goes back, and the booking keeps the first.
		return paidTwice, 0
	}
	// An offer expired, declined or cancelled, or no offer at all: the money is
	// recorded, to go back at once.
	if b.Status == bookings.Offered {
		_ = b.Transition(bookings.Expired, "wemi", "", now)
	}
	b.Payment = &pay
	b.Updated = now
	return paidTooLate, due
}

// receiptNumber is a booking's receipt number, as the citizen and staff read it.
func receiptNumber(b bookings.Booking) string { return "WEMI-" + strings.ToUpper(b.ID) }

// receiptReplies are the receipt of a paid booking, with the calendar file the
// confirmation brings, and a link to the provider's receipt when there is one.
func (bf *bookingFlow) receiptReplies(t *Turn, b bookings.Booking, receiptURL string) []Reply {
	p := b.Payment
	if p == nil {
		return bf.confirmedReplies(t, b)
	}
	method := t.methodText(p.Method)
	switch {
	case p.VoucherCents > 0 && p.CardCents > 0:
		method = t.T("pay.method_mixed", "voucher", t.euros(p.VoucherCents), "code", Literal(p.Voucher),
			"card", t.euros(p.CardCents), "method", method)
	case p.VoucherCents > 0:
		method = t.T("pay.method_voucher_code", "code", Literal(p.Voucher))
	}
	receipt := t.T("pay.receipt", "number", receiptNumber(b), "service", bf.bookingName(t, b),
		"when", t.whenText(b.Start), "amount", t.euros(p.CardCents+p.VoucherCents), "method", method)
	replies := bf.confirmedReplies(t, b)
	replies[0].Text = receipt + "\n\n" + replies[0].Text
	if safeURL(receiptURL) {
		replies[0].Buttons = append([][]Button{{{Label: t.T("pay.receipt_link"), URL: receiptURL}}}, replies[0].Buttons...)
	}
	return replies
}

// methodText names a payment method for the citizen.
func (t *Turn) methodText(method string) string {
	switch method {
	case bookings.MethodTelegram:
		return t.T("pay.method_telegram")
	case bookings.MethodVoucher:
		return t.T("pay.method_voucher")
	}
	return t.T("pay.method_carta")
}

// safeURL reports whether a provider's link can go on a button: https, bounded.
func safeURL(u string) bool {
	return strings.HasPrefix(u, "https://") && len(u) <= 2048 && !strings.ContainsAny(u, " \n\r\t\"<>")
}
