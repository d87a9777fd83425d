package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/reminders"
)

// checkout is a hand fake of the payment provider: links and refunds.
type checkout struct{}

func (checkout) CheckoutLink(context.Context, bot.PaymentRequest) (string, error) {
	return "https://pay.example.org/s/1", nil
}

func (checkout) Refund(_ context.Context, _ bookings.Payment, cents int) (string, error) {
	return "re_1", nil
}

func withPayments(o *envOptions) {
	o.bookings = true
	o.payments = bot.Payments{Checkout: checkout{}, Refunder: checkout{}}
}

func offerValues(price, date, clock, note string) map[string]map[string]any {
	return map[string]map[string]any{
		"wemi.offer.price": {"price": map[string]any{"type": "plain_text_input", "value": price}},
		"wemi.offer.date":  {"date": map[string]any{"type": "datepicker", "selected_date": date}},
		"wemi.offer.time":  {"time": map[string]any{"type": "timepicker", "selected_time": clock}},
		"wemi.offer.note":  {"note": map[string]any{"type": "plain_text_input", "value": note}},
	}
}

// With payments on, Conferma opens the offer modal with the estimate and a deadline
// 48 hours on; bad input keeps it open; an offer reaches the citizen and the card
// shows it; the payment, then a cancellation with its refund, show on the card too.
func TestOfferFromTheCard(t *testing.T) {
	e := newEnv(t, withPayments)
	ctx := testContext(t)
	card, b := e.book(ctx, "")
	e.pressCard(ctx, marco.ID, card, "confirm", b.ID)
	views, err := e.srv.WaitViews(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	v := views[0]
	raw := string(v.Raw)
	for _, want := range []string{`"callback_id":"wemi.booking.offer"`, `"initial_value":"` + euro(b.EstimateCents) + `"`,
		`"initial_date":"2026-03-04"`, `"initial_time":"10:00"`, `"timezone":"Europe/Rome"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("offer modal lacks %s:\n%s", want, raw)
		}
	}
	if s := e.status(ctx, b.ID); s != bookings.Requested {
		t.Fatalf("status %s before the offer", s)
	}
	for _, c := range []struct {
		name   string
		values map[string]map[string]any
		block  string
		want   string
	}{
		{"no price", offerValues("quarantacinque", "2026-03-04", "10:00", ""), "wemi.offer.price", "prezzo in euro"},
		{"negative", offerValues("-5", "2026-03-04", "10:00", ""), "wemi.offer.price", "prezzo in euro"},
		{"past", offerValues("45,50", "2026-03-01", "10:00", ""), "wemi.offer.time", "già passata"},
		{"after the start", offerValues("45,50", "2026-03-08", "10:00", ""), "wemi.offer.date", "prima dell'inizio"},
		{"no date", offerValues("45,50", "", "10:00", ""), "wemi.offer.date", "Scegli il giorno"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var resp slackapi.ViewSubmissionResponse
			payload := e.submit(ctx, marco.ID, v, c.values)
			if err := json.Unmarshal(payload, &resp); err != nil || resp.ResponseAction != slackapi.RAErrors ||
				!strings.Contains(resp.Errors[c.block], c.want) {
				t.Errorf("answered %s, want an error on %s", payload, c.block)
			}
		})
	}
	if n := len(e.inbox.all()); n != 0 {
		t.Fatalf("the citizen got %d messages from invalid offers", n)
	}
	if payload := e.submit(ctx, marco.ID, v, offerValues("€ 45,50", "2026-03-04", "18:00", "Materiali <inclusi>")); payload != nil {
		t.Fatalf("valid offer answered %s", payload)
	}
	got := e.inbox.wait(ctx, t, 1)
	if !strings.Contains(got[0].Text, "45,50") || !strings.Contains(got[0].Text, "mercoledì 4 marzo alle 18:00") ||
		!strings.Contains(got[0].Text, "Materiali <inclusi>") {
		t.Errorf("the citizen got %q", got[0].Text)
	}
	e.waitCard(ctx, card.TS, "Offerta di € 45,50 inviata da Marco")
	if s := e.status(ctx, b.ID); s != bookings.Offered {
		t.Fatalf("status %s after the offer", s)
	}

	if _, err := e.engine.PaymentReceived(ctx, bot.PaymentNotice{Booking: b.ID, AmountCents: 4550, Method: bookings.MethodCard,
		Provider: "stripe", Ref: "pi_1", EventID: "evt_1"}); err != nil {
		t.Fatal(err)
	}
	e.waitCard(ctx, card.TS, "Pagata € 45,50 con carta o PayPal (Stripe)")
	e.waitThread(ctx, card.TS, "Il cittadino ha pagato € 45,50")

	e.send(bot.Message{Button: "book:cancelyes:" + b.ID})
	e.waitCard(ctx, card.TS, "Rimborsati € 45,50")
	if s := e.status(ctx, b.ID); s != bookings.Refunded {
		t.Errorf("status %s after the cancellation", s)
	}
}

// A price of 0 in the modal confirms at once: free services skip payment.
func TestOfferOfNothingConfirms(t *testing.T) {
	e := newEnv(t, withPayments)
	ctx := testContext(t)
	card, b := e.book(ctx, "")
	e.pressCard(ctx, marco.ID, card, "confirm", b.ID)
	views, err := e.srv.WaitViews(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if payload := e.submit(ctx, marco.ID, views[0], offerValues("0", "", "", "")); payload != nil {
		t.Fatalf("answered %s", payload)
	}
	got := e.inbox.wait(ctx, t, 1)
	if !strings.Contains(got[0].Text, "Prenotazione confermata") || got[0].Document == nil {
		t.Errorf("the citizen got %q", got[0].Text)
	}
	e.waitCard(ctx, card.TS, "Confermata da Marco")
}

// Without payments, Conferma confirms at once and the citizen learns that the
// provider takes the payment.
func TestConfirmWithoutPayments(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, b := e.book(ctx, "")
	e.pressCard(ctx, marco.ID, card, "confirm", b.ID)
	got := e.inbox.wait(ctx, t, 1)
	if !strings.Contains(got[0].Text, "Prenotazione confermata") || !strings.Contains(got[0].Text, "direttamente con il fornitore") {
		t.Errorf("the citizen got %q", got[0].Text)
	}
	if n := len(e.srv.Views()); n != 0 {
		t.Errorf("%d modals opened", n)
	}
}

// euro writes cents as the modal fills the price in: "45,50", "45".
func euro(cents int) string {
	if cents%100 == 0 {
		return strconv.Itoa(cents / 100)
	}
	return fmt.Sprintf("%d,%02d", cents/100, cents%100)
}

// An offer that expires, and one the citizen declines, show so on their cards (the
// offers are made through the engine: the card learns of them from the events).
func TestOfferExpiredAndDeclinedOnTheCard(t *testing.T) {
	e := newEnv(t, withPayments)
	ctx := testContext(t)
	card, b := e.book(ctx, "")
	expires := e.clock.Now().Add(24 * time.Hour)
	if _, err := e.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingOffer, Booking: b.ID, Operator: "Marco",
		PriceCents: 4550, Expires: expires}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(expires)
	if err := e.engine.Send(ctx, reminders.Reminder{ID: b.ID + ":offer-expiry", Booking: b.ID, Conversation: b.Conversation,
		Kind: reminders.OfferExpiry, Start: expires, Due: expires}); err != nil {
		t.Fatal(err)
	}
	e.waitCard(ctx, card.TS, "Offerta di € 45,50 scaduta")
	e.waitThread(ctx, card.TS, "L'offerta è scaduta senza pagamento")

	card2, b2 := e.book(ctx, "seconda")
	if _, err := e.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingOffer, Booking: b2.ID, Operator: "Marco",
		PriceCents: 3000, Expires: e.clock.Now().Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	e.send(bot.Message{Button: "pay:noyes:" + b2.ID})
	e.waitCard(ctx, card2.TS, "Il cittadino ha rifiutato l'offerta di € 30")
	if s := e.status(ctx, b2.ID); s != bookings.Refused {
		t.Errorf("status %s", s)
	}
}
