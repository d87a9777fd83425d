package slack

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
)

// verbOffer is the offer modal's callback: Conferma on a request that is paid for,
// when citizens pay online.
const verbOffer = "offer"

// Blocks of the offer modal.
const (
	blockPrice      = "wemi.offer.price"
	blockExpDate    = "wemi.offer.date"
	blockExpTime    = "wemi.offer.time"
	blockOfferNote  = "wemi.offer.note"
	actionPrice     = "price"
	actionOfferNote = "note"
)

// defaultOfferFor is how long an offer stays open unless the operator says otherwise.
const defaultOfferFor = 48 * time.Hour

// needsOffer reports whether Conferma on b opens the offer modal: citizens pay
// online, and the service is not free.
func (d *Desk) needsOffer(b bookings.Booking) bool {
	if !d.offers || b.EstimateCents == 0 {
		return false
	}
	if d.search != nil {
		if s, ok := d.search.Catalogue().Service(b.Service); ok && s.Cost.Free {
			return false
		}
	}
	return true
}

// offerModal asks for an offer's price (the estimate filled in, in euro), its
// deadline (48 hours on, or before the start) and a note for the citizen.
func (d *Desk) offerModal(b bookings.Booking) slackapi.ModalViewRequest {
	plain := func(s string) *slackapi.TextBlockObject {
		return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
	}
	price := slackapi.NewPlainTextInputBlockElement(plain(d.text("offer.price_placeholder")), actionPrice)
	if b.EstimateCents > 0 {
		price.InitialValue = euroInput(b.EstimateCents)
	}
	price.MaxLength = 12
	expires := d.defaultExpiry(b)
	date := slackapi.NewDatePickerBlockElement(actionDate)
	date.InitialDate = expires.Format(time.DateOnly)
	clock := slackapi.NewTimePickerBlockElement(actionTime)
	clock.InitialTime = expires.Format("15:04")
	if name := d.loc.String(); strings.Contains(name, "/") {
		clock.Timezone = name
	}
	note := slackapi.NewPlainTextInputBlockElement(plain(d.text("offer.note_placeholder")), actionOfferNote)
	note.Multiline, note.MaxLength = true, bookings.MaxNote
	noteBlock := slackapi.NewInputBlock(blockOfferNote, plain(d.text("offer.note_label")), plain(d.text("offer.note_hint")), note)
	noteBlock.Optional = true
	return d.modal(b, verbOffer, d.text("offer.title"), d.text("offer.submit"),
		slackapi.NewInputBlock(blockPrice, plain(d.text("offer.price_label")), plain(d.text("offer.price_hint")), price),
		slackapi.NewInputBlock(blockExpDate, plain(d.text("offer.date_label")), nil, date),
		slackapi.NewInputBlock(blockExpTime, plain(d.text("offer.time_label")), plain(d.text("offer.time_hint")), clock),
		noteBlock)
}

// defaultExpiry is an offer's default deadline: 48 hours on, on the hour, or an hour
// before the service starts when that comes first.
func (d *Desk) defaultExpiry(b bookings.Booking) time.Time {
	at := d.now().In(d.loc).Add(defaultOfferFor).Truncate(time.Hour)
	if limit := b.Start.In(d.loc).Add(-time.Hour); limit.Before(at) {
		at = limit
	}
	return at
}

// offerSubmission reads and checks the offer modal: the action to apply, or the
// errors to show under the blocks.
func (d *Desk) offerSubmission(ctx context.Context, a bot.BookingAction, values map[string]map[string]slackapi.BlockAction) (bot.BookingAction, *slackapi.ViewSubmissionResponse) {
	a.Kind = bot.BookingOffer
	cents, ok := parseEuro(values[blockPrice][actionPrice].Value)
	if !ok || cents > bot.MaxOfferCents {
		return a, invalid(blockPrice, d.text("offer.price_invalid"))
	}
	a.PriceCents = cents
	a.Note = strings.TrimSpace(values[blockOfferNote][actionOfferNote].Value)
	if utf8.RuneCountInString(a.Note) > bookings.MaxNote {
		return a, invalid(blockOfferNote, d.text("offer.note_too_long", "max", strconv.Itoa(bookings.MaxNote)))
	}
	if cents == 0 {
		return a, nil // free: confirmed at once, whatever the deadline says
	}
	day, dayErr := time.ParseInLocation(time.DateOnly, values[blockExpDate][actionDate].SelectedDate, d.loc)
	at, atErr := time.Parse("15:04", values[blockExpTime][actionTime].SelectedTime)
	switch {
	case dayErr != nil:
		return a, invalid(blockExpDate, d.text("booking.date_required"))
	case atErr != nil:
		return a, invalid(blockExpTime, d.text("booking.time_required"))
	}
	a.Expires = time.Date(day.Year(), day.Month(), day.Day(), at.Hour(), at.Minute(), 0, 0, d.loc)
	if !a.Expires.After(d.now()) {
		return a, invalid(blockExpTime, d.text("offer.expiry_past"))
	}
	b, err := d.bookings.Get(ctx, a.Booking)
	if err == nil && !a.Expires.Before(b.Start) {
		return a, invalid(blockExpDate, d.text("offer.expiry_after_start", "when", d.when(b.Start)))
	}
	return a, nil // a store failure: the engine says so when it applies the offer
}

// parseEuro reads a price in euro as operators type it: "45", "45,50", "€ 1.234,5",
// "45.50". ok is false for anything else, or a negative amount.
func parseEuro(s string) (int, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(strings.TrimSpace(s), "€"), "€"))
	s = strings.ReplaceAll(s, " ", "")
	if s == "" || len(s) > 12 {
		return 0, false
	}
	whole, frac := s, ""
	if i := strings.LastIndexAny(s, ",."); i >= 0 && len(s)-i-1 <= 2 && len(s)-i-1 > 0 {
		whole, frac = s[:i], s[i+1:]
	}
	whole = strings.ReplaceAll(whole, ".", "") // thousands
	if whole == "" {
		whole = "0"
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, false
			}
		}
	}
	euros, err := strconv.Atoi(whole)
	if err != nil || euros > 1_000_000 {
		return 0, false
	}
	cents := 0
	if frac != "" {
		cents, _ = strconv.Atoi(frac)
		if len(frac) == 1 {
			cents *= 10
		}
	}
	return euros*100 + cents, true
}

// euroInput writes cents as an operator types a price: "45,50", "45".
func euroInput(cents int) string {
	if cents%100 == 0 {
		return strconv.Itoa(cents / 100)
	}
	return strconv.Itoa(cents/100) + "," + strconv.Itoa(cents%100/10) + strconv.Itoa(cents%10)
}

// method names a payment method for operators.
func (d *Desk) method(p *bookings.Payment) string {
	m := Escape(p.Method)
	switch p.Method {
	case bookings.MethodCard:
		m = d.text("offer.method_carta")
	case bookings.MethodTelegram:
		m = d.text("offer.method_telegram")
	case bookings.MethodVoucher:
		m = d.text("offer.method_voucher")
	}
	if p.VoucherCents > 0 && p.CardCents > 0 {
		return d.text("offer.method_mixed", "voucher", d.price(p.VoucherCents), "card", d.price(p.CardCents), "method", m)
	}
	return m
}

// paymentState is a card's status line for a booking in the paid lifecycle, or ""
// when the booking is not in it.
func (d *Desk) paymentState(b bookings.Booking, last bookings.Change) string {
	p := b.Payment
	switch {
	case b.Status == bookings.Offered && b.Offer != nil:
		line := d.text("offer.state_offered", "price", d.price(b.Offer.PriceCents), "when", d.when(b.Offer.Expires),
			"name", Escape(b.Offer.By))
		if p != nil && p.VoucherCents > 0 {
			line += "\n" + d.text("offer.state_voucher_part", "amount", d.price(p.VoucherCents))
		}
		return line
	case b.Status == bookings.Expired && b.Offer != nil:
		return d.text("offer.state_expired", "price", d.price(b.Offer.PriceCents), "when", d.when(b.Offer.Expires))
	case b.Status == bookings.Refused && last.By == "citizen" && b.Offer != nil:
		return d.text("offer.state_declined", "price", d.price(b.Offer.PriceCents), "time", d.clock(last.At))
	case b.Status == bookings.Refunded && p != nil:
		return d.text("offer.state_refunded", "amount", d.price(p.RefundedCents), "paid", d.price(p.CardCents+p.VoucherCents))
	case (b.Status == bookings.Paid || b.Status == bookings.Confirmed || b.Status == bookings.Done) && p != nil && p.Method != "":
		line := d.text("offer.state_paid", "amount", d.price(p.CardCents+p.VoucherCents), "method", d.method(p),
			"time", d.clock(p.At))
		if b.Status == bookings.Done {
			line += "\n" + d.text("booking.done")
		}
		return line
	case b.Status == bookings.Cancelled && p != nil && p.Method != "":
		return d.text("booking.cancelled", "time", d.clock(last.At)) + "\n" +
			d.text("offer.state_paid", "amount", d.price(p.CardCents+p.VoucherCents), "method", d.method(p), "time", d.clock(p.At))
	}
	return ""
}

// paymentEvent updates a booking's card for what happened to its offer or payment,
// and notes it in the card's thread.
func (d *Desk) paymentEvent(ctx context.Context, ev bot.Event) error {
	b, card, err := d.cardOf(ctx, ev.Booking)
	if errors.Is(err, errNoCard) && ev.Kind == bot.EventPaymentMismatch {
		_, err = d.postText(ctx, d.channel, "", d.text("offer.mismatch_orphan", "ref", Escape(ev.Booking),
			"amount", d.price(ev.Score), "provider", Escape(ev.Reason)))
		return err
	}
	if err != nil {
		return err
	}
	var note string
	switch ev.Kind {
	case bot.EventBookingPaid:
		if b.Payment != nil {
			note = d.text("offer.paid_note", "amount", d.price(b.Payment.CardCents+b.Payment.VoucherCents), "method", d.method(b.Payment))
		}
	case bot.EventVoucherPart:
		note = d.text("offer.voucher_note", "amount", d.price(ev.Score))
	case bot.EventOfferExpired:
		note = d.text("offer.expired_note")
	case bot.EventOfferDeclined:
		note = d.text("offer.declined_note")
	case bot.EventBookingRefunded:
		note = d.text("offer.refunded_note", "amount", d.price(ev.Score))
		if ev.Reason == "failed" {
			note = d.text("offer.refund_failed_note")
		}
	case bot.EventPaymentMismatch:
		note = d.text("offer.mismatch_note", "amount", d.price(ev.Score), "provider", Escape(ev.Reason))
	}
	var postErr error
	if note != "" {
		_, postErr = d.postText(ctx, card.Channel, card.TS, note)
	}
	status, actions := d.bookingState(b)
	return errors.Join(postErr, d.UpdateCard(ctx, card, bookingKind, b.ID, status, actions))
}
