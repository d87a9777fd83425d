package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/vouchers"
)

// Errors a Vouchers implementation returns from Spend, wrapped, so that the citizen
// gets the right answer; any other error is a failure of the store. An unknown code
// and another holder's tax code get the same answer, so that guessing tells nothing
// about which codes exist.
var (
	// ErrVoucherUnknown is a code the Comune's list does not have.
	ErrVoucherUnknown = vouchers.ErrUnknown
	// ErrVoucherHolder is a tax code that is not the voucher holder's.
	ErrVoucherHolder = vouchers.ErrHolder
	// ErrVoucherExpired is a voucher past its validity.
	ErrVoucherExpired = vouchers.ErrExpired
	// ErrVoucherCancelled is a voucher staff cancelled.
	ErrVoucherCancelled = vouchers.ErrCancelled
	// ErrVoucherEmpty is a voucher with no balance left.
	ErrVoucherEmpty = vouchers.ErrSpent
	// ErrVoucherNotYetValid is a voucher whose validity has not begun.
	ErrVoucherNotYetValid = vouchers.ErrNotYetValid
	// ErrVoucherLocked is a code, or a booking, with too many failed attempts.
	ErrVoucherLocked = vouchers.ErrLocked
)

// flowVoucher waits for a voucher's code, then its holder's tax code.
const flowVoucher = "voucher"

// voucherDraft is a voucher payment being asked for. The code is kept only until the
// tax code comes; the tax code is never kept.
type voucherDraft struct {
	Booking string `json:"b"`
	Code    string `json:"c,omitempty"`
}

// Bounds of a voucher's code, once spaces and dashes are gone.
const (
	minVoucherCode = 4
	maxVoucherCode = 32
)

// askVoucher starts paying an offer with a voucher: the code first.
func (bf *bookingFlow) askVoucher(t *Turn, b bookings.Booking) {
	if !bf.takesVoucher(t, b) {
		t.Stale()
		return
	}
	t.st.Flow, t.st.Voucher = flowVoucher, &voucherDraft{Booking: b.ID}
	t.Say(Reply{Text: t.T("pay.voucher_ask_code"), Buttons: [][]Button{{btn(t.T("pay.voucher_cancel"), actPay, payShow, b.ID)}}})
}

// voucherText takes the voucher's code, then the holder's tax code, and spends the
// voucher on the offer.
func (bf *bookingFlow) voucherText(ctx context.Context, t *Turn, text string) {
	d := t.st.Voucher
	if d == nil {
		t.st.resetFlow()
		t.Stale()
		return
	}
	back := [][]Button{{btn(t.T("pay.voucher_cancel"), actPay, payShow, d.Booking)}}
	if d.Code == "" {
		code, ok := voucherCode(text)
		if !ok {
			t.Say(Reply{Text: t.T("pay.voucher_code_invalid"), Buttons: back})
			return
		}
		d.Code = code
		t.Say(Reply{Text: t.T("pay.voucher_ask_taxcode"), Buttons: back})
		return
	}
	tax := strings.ToUpper(strings.Join(strings.Fields(text), ""))
	if !vouchers.ValidTaxCode(tax) {
		t.Say(Reply{Text: t.T("pay.voucher_taxcode_invalid"), Buttons: back})
		return
	}
	code := d.Code
	t.st.resetFlow() // neither the code nor the tax code stays in the state
	b, ok := bf.ownBooking(ctx, t, d.Booking)
	if !ok || !bf.offerOpen(t, b) {
		return
	}
	bf.spendVoucher(ctx, t, b, code, tax)
}

// spendVoucher spends a voucher on b's offer: all of it paid confirms the booking,
// part of it leaves the rest to pay by card.
func (bf *bookingFlow) spendVoucher(ctx context.Context, t *Turn, b bookings.Booking, code, tax string) {
	v := t.e.opts.Payments.Vouchers
	due := b.DueCents()
	spent, masked, err := v.Spend(ctx, code, tax, b.ID, due)
	if err == nil && spent <= 0 {
		err = ErrVoucherEmpty
	}
	if err != nil {
		bf.voucherRefused(ctx, t, b, err)
		return
	}
	spent = min(spent, due)
	paid, err := t.e.opts.Bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
		if b.Status != bookings.Offered || b.Offer == nil || !t.now.Before(b.Offer.Expires) || b.Payment != nil {
			return bookings.ErrTransition // paid, declined or expired meanwhile
		}
		b.Payment = &bookings.Payment{TotalCents: b.Offer.PriceCents, VoucherCents: spent, Voucher: masked, VoucherCode: code, At: t.now}
		if spent < b.Offer.PriceCents {
			b.Updated = t.now
			return nil // the rest by card
		}
		b.Payment.Method = bookings.MethodVoucher
		_ = b.Transition(bookings.Paid, "citizen", "", t.now)
		return b.Transition(bookings.Confirmed, "wemi", "", t.now)
	})
	if err != nil {
		if uerr := v.Unspend(ctx, code, b.ID); uerr != nil {
			t.e.log.ErrorContext(ctx, "give back a voucher not used failed", "booking", b.ID, "err", uerr)
		}
		if errors.Is(err, bookings.ErrTransition) {
			bf.offerOpen(t, paid)
			return
		}
		t.e.log.ErrorContext(ctx, "record a voucher payment failed", "booking", b.ID, "err", err)
		t.Say(Reply{Text: t.T("pay.failed"), Buttons: [][]Button{{btn(t.T("button.retry"), actPay, payVoucher, b.ID)}}})
		return
	}
	t.e.log.InfoContext(ctx, "voucher spent on an offer", "booking", b.ID, "whole", paid.Status == bookings.Confirmed)
	if paid.Status != bookings.Confirmed {
		ev := t.Event(EventVoucherPart, "", false)
		ev.Recent, ev.Query, ev.Booking, ev.Card, ev.Score = nil, "", paid.ID, paid.Card, spent
		t.Raise(ev)
		t.Say(Reply{Text: t.T("pay.voucher_part", "voucher", t.euros(spent), "rest", t.euros(paid.DueCents()),
			"deadline", t.deadlineText(paid.Offer.Expires)), Buttons: bf.offerButtons(t, paid)})
		return
	}
	// Planning the service's reminders cancels the offer's, which it does not plan.
	_ = t.e.scheduleReminders(ctx, paid) // logged; Reconcile plans them again
	ev := t.Event(EventBookingPaid, "", false)
	ev.Recent, ev.Query, ev.Booking, ev.Card = nil, "", paid.ID, paid.Card
	t.Raise(ev)
	t.replies = append(t.replies, bf.receiptReplies(t, paid, "")...)
}

// voucherRefused tells the citizen why the voucher could not pay, politely, with a
// way on.
func (bf *bookingFlow) voucherRefused(ctx context.Context, t *Turn, b bookings.Booking, err error) {
	key := ""
	for _, k := range []struct {
		err error
		key string
	}{{ErrVoucherUnknown, "pay.voucher_unknown"}, {ErrVoucherHolder, "pay.voucher_unknown"},
		{ErrVoucherExpired, "pay.voucher_expired"}, {ErrVoucherCancelled, "pay.voucher_cancelled"},
		{ErrVoucherEmpty, "pay.voucher_empty"}, {ErrVoucherNotYetValid, "pay.voucher_not_yet"},
		{ErrVoucherLocked, "pay.voucher_locked"}} {
		if errors.Is(err, k.err) {
			key = k.key
			break
		}
	}
	if key == "" {
		t.e.log.ErrorContext(ctx, "spend a voucher failed", "booking", b.ID, "err", err)
		key = "pay.voucher_failed"
	}
	rows := [][]Button{{btn(t.T("pay.voucher_retry"), actPay, payVoucher, b.ID)}}
	if t.e.paysOnline(t.m.Channel) {
		rows = append(rows, []Button{btn(t.T("pay.pay", "amount", t.euros(b.DueCents())), actPay, payGo, b.ID)})
	}
	rows = append(rows, []Button{btn(t.T("menu.operator"), actOperator)})
	t.Say(Reply{Text: t.T(key), Buttons: rows})
}

// voucherCode normalises a typed voucher code: upper case, without spaces and
// dashes; ok is false for anything but 4-32 letters and digits.
func voucherCode(text string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(text) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if b.Len() == maxVoucherCode {
				return "", false
			}
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return b.String(), b.Len() >= minVoucherCode
}
