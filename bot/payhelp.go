package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// payHelp answers "come pago?": the open offer in focus with its buttons, or else how
// paying works on WeMi (online by card or PayPal, the Comune's vouchers, free
// services), or, when the bot takes no payment, that the provider says how.
func (bf *bookingFlow) payHelp(ctx context.Context, t *Turn) {
	offer, waiting, ok := bf.openOffer(ctx, t)
	if ok {
		t.replies = append(t.replies, bf.offerReplies(t, offer)...)
		return
	}
	online := t.e.paysOnline(t.m.Channel) || t.e.opts.Payments.Vouchers != nil
	key := "pay.help_offline"
	if online {
		key = "pay.help"
	}
	text := t.T(key)
	if online && waiting.ID != "" {
		text = t.T("pay.help_waiting", "service", bf.bookingName(t, waiting)) + "\n\n" + text
	}
	if s, ok := t.cat.Service(t.st.Focus); ok {
		if how := bf.serviceCost(t, s); how != "" {
			text += "\n\n" + t.T("pay.help_focus", "service", t.titleText(s)) + "\n" + how
		}
	}
	t.Say(Reply{Text: text, Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}})
}

// openOffer returns the conversation's latest offer that can be paid now; else, in
// waiting, its latest request still waiting for an offer (zero when none).
func (bf *bookingFlow) openOffer(ctx context.Context, t *Turn) (offer, waiting bookings.Booking, ok bool) {
	if t.e.opts.Bookings == nil {
		return offer, waiting, false
	}
	list, err := t.e.opts.Bookings.ByConversation(ctx, t.m.Conversation())
	if err != nil {
		t.e.log.WarnContext(ctx, "list bookings for a payment question failed", "err", err)
		return offer, waiting, false
	}
	for _, b := range list { // newest first
		switch {
		case b.Status == bookings.Offered && b.Offer != nil && t.now.Before(b.Offer.Expires):
			return b, waiting, true
		case b.Status == bookings.Requested && b.Start.After(t.now) && waiting.ID == "":
			waiting = b
		}
	}
	return offer, waiting, false
}

// paymentLine is what a booking's line in /prenotazioni says about paying: the
// offer's price and deadline, what was paid and how, what was refunded.
func (bf *bookingFlow) paymentLine(t *Turn, b bookings.Booking) string {
	var lines []string
	if b.Status == bookings.Offered && b.Offer != nil {
		lines = append(lines, t.T("pay.line_offer", "price", t.euros(b.Offer.PriceCents), "deadline", t.deadlineText(b.Offer.Expires)))
	}
	if p := b.Payment; p != nil && p.Method != "" {
		lines = append(lines, t.T("pay.line_paid", "amount", t.euros(p.CardCents+p.VoucherCents), "number", receiptNumber(b)))
	}
	if p := b.Payment; p != nil && p.RefundedCents > 0 {
		lines = append(lines, t.T("pay.line_refunded", "amount", t.euros(p.RefundedCents)))
	}
	if len(lines) == 0 {
		return ""
	}
	return "\n" + strings.Join(lines, "\n")
}

// howProviderTakesPayment is what a confirmation says when the bot took no payment
// for a service that is not free: how the provider takes it, from the catalogue's
// cost data.
func (bf *bookingFlow) howProviderTakesPayment(t *Turn, b bookings.Booking) string {
	if b.Payment != nil || b.Offer != nil || b.EstimateCents == 0 {
		return ""
	}
	s, ok := t.cat.Service(b.Service)
	if !ok || s.Cost.Free {
		return ""
	}
	return t.T("pay.how_provider") + "\n" + bf.serviceCost(t, s)
}

// serviceCost says how a service's cost can be met: the catalogue's note (in
// Italian), vouchers, the ISEE reduction. "" when the catalogue says nothing.
func (bf *bookingFlow) serviceCost(t *Turn, s *catalogue.Service) string {
	var lines []string
	if s.Cost.Free {
		return t.T("pay.cost_free")
	}
	if s.Cost.Note != "" {
		lines = append(lines, t.T("pay.cost_note", "note", Literal(truncateRunes(s.Cost.Note, 300))))
	}
	if s.Cost.Voucher {
		lines = append(lines, t.T("pay.cost_voucher"))
	}
	if r := s.Cost.ISEE; r != nil && r.ReductionPercent > 0 {
		lines = append(lines, t.T("pay.cost_isee", "percent", strconv.Itoa(r.ReductionPercent), "isee", t.euros(r.MaxISEE*100)))
	}
	return strings.Join(lines, "\n")
}
