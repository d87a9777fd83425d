package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/reminders"
)

// sendOfferReminders sends the offer reminders of booking id due by the clock's
// time, as the dispatcher would, and returns what reached citizen u1.
func sendOfferReminders(t *testing.T, h *harness, box *inbox, queue reminders.Queue, id string) []bot.Reply {
	t.Helper()
	pending, err := queue.Pending(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range pending {
		if (r.Kind == reminders.OfferDue || r.Kind == reminders.OfferExpiry) && !r.Due.After(h.clock.Now()) {
			if err := h.engine.Send(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
	}
	return box.take("u1")
}

// An offer is reminded before its deadline and expires at it: the citizen is told,
// staff too, Paga says it is over, and a payment that comes all the same goes back at
// once.
func TestOfferExpires(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue, pay := payHarness(t, store)
		ctx := context.Background()
		id := requested(t, h, bs, bookableService(t))
		got := offer(t, h, box, id, 4550)
		h.clock.Set(h.clock.Now().Add(10 * time.Hour)) // halfway through 20 hours
		reminded := sendOfferReminders(t, h, box, queue, id)
		if len(reminded) != 1 || !strings.Contains(reminded[0].Text, "Promemoria") {
			t.Fatalf("reminder: %+v", reminded)
		}
		h.clock.Set(h.clock.Now().Add(10 * time.Hour))
		if err := h.engine.PaymentAllowed(ctx, id, 4550); !errors.Is(err, bot.ErrOfferExpired) {
			t.Fatalf("PaymentAllowed at the deadline: %v", err)
		}
		expired := sendOfferReminders(t, h, box, queue, id)
		if len(expired) != 1 || !strings.Contains(expired[0].Text, "scaduta") {
			t.Fatalf("expiry: %+v", expired)
		}
		if b, _ := bs.Get(ctx, id); b.Status != bookings.Expired {
			t.Fatalf("status %s", b.Status)
		}
		if eventsOf(h, bot.EventOfferExpired) != 1 {
			t.Error("staff not told of the expiry")
		}
		// Sending the expiry again (another replica's late claim) does nothing.
		if again := sendOfferReminders(t, h, box, queue, id); len(again) != 0 {
			t.Errorf("told twice: %+v", again)
		}
		c := h.citizen(t, "u1")
		c.replies = got
		c.press("Paga").expect("scaduta")
		b, err := h.engine.PaymentReceived(ctx, notice(id, 4550, "evt_late"))
		if !errors.Is(err, bot.ErrOfferExpired) || b.Status != bookings.Refunded || b.Payment.RefundedCents != 4550 {
			t.Fatalf("late payment: %+v, %v", b, err)
		}
		if r := pay.refunded(); len(r) != 1 || r[0] != 4550 {
			t.Errorf("refunds: %v", r)
		}
		if told := box.take("u1"); len(told) != 1 || !strings.Contains(told[0].Text, "restituiamo") {
			t.Errorf("late payment told: %+v", told)
		}
		// The late event again: refunded once.
		if _, err := h.engine.PaymentReceived(ctx, notice(id, 4550, "evt_late")); err != nil || len(pay.refunded()) != 1 {
			t.Errorf("late event again: %v, refunds %v", err, pay.refunded())
		}
	})
}

// The citizen declines an offer after confirming: rifiutata, staff told; its
// buttons then say it is closed.
func TestOfferDeclined(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue, _ := payHarness(t, store)
		ctx := context.Background()
		id := requested(t, h, bs, bookableService(t))
		c := h.citizen(t, "u1")
		c.replies = offer(t, h, box, id, 4550)
		c.press("Rifiuta").expect("Vuoi davvero rifiutare").press("No, torna").expect("Offerta per")
		c.press("Rifiuta").press("Sì, rifiuta").expect("hai rifiutato l'offerta")
		b, _ := bs.Get(ctx, id)
		if b.Status != bookings.Refused || b.History[len(b.History)-1].By != "citizen" {
			t.Fatalf("declined: %+v", b)
		}
		if p, _ := queue.Pending(ctx, id); len(p) != 0 {
			t.Errorf("reminders left: %+v", p)
		}
		if eventsOf(h, bot.EventOfferDeclined) != 1 {
			t.Error("staff not told")
		}
		c.pressData("pay:go:" + id).expect("non accettata")
		c.pressData("mybook").expect("non accettata").expectNot("Motivo", "rifiutata dal cittadino")
	})
}

// A voucher that covers the whole price confirms the booking with a receipt that
// names it masked; one that covers part leaves the rest to pay by card, which the
// provider's notice completes, recording both parts. Wrong codes and holders get
// polite answers, and neither code stays in the conversation.
func TestVoucherPayments(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, _, pay := payHarness(t, store)
		ctx := context.Background()
		s := voucherService(t)
		whole := requested(t, h, bs, s)
		c := h.citizen(t, "u1")
		c.replies = offer(t, h, box, whole, 2000)
		c.press("Paga con voucher").expect("codice del voucher")
		c.say("<b>nope</b>").expect("non sembra un codice voucher")
		c.say("WRONG-9999").expect("codice fiscale")
		c.say("RSSMRA80A01F205Y").expect("non sembra corretto") // a wrong check letter
		c.say("rssmra80a01f205x").expect("non corrispondono")
		// Another holder's tax code gets the same answer as an unknown code.
		c.press("Prova un altro voucher").say("VOUCH1234").say("BNCGLI85M41F205B").expect("non corrispondono")
		c.press("Prova un altro voucher").say("VOUCH 1234").say(holderTaxCode)
		c.expect("Ricevuta", "Pagato con: voucher", "1234", "20 €")
		b, _ := bs.Get(ctx, whole)
		if b.Status != bookings.Confirmed || b.Payment.Method != bookings.MethodVoucher || b.Payment.VoucherCents != 2000 {
			t.Fatalf("paid by voucher: %+v %+v", b, b.Payment)
		}
		// Another booking: the 10 € left on the voucher, then the rest by card.
		part := requested(t, h, bs, s)
		c.replies = offer(t, h, box, part, 4550)
		c.press("Paga con voucher").say("vouch1234").say("RSSMRA80A01F205X").expect("Il voucher ha coperto 10 €", "35,50 €")
		c.expectButtons("Paga 35,50").expectNot("Paga con voucher")
		if err := h.engine.PaymentAllowed(ctx, part, 4550); !errors.Is(err, bot.ErrAmountMismatch) {
			t.Errorf("the whole price after a voucher part: %v", err)
		}
		if _, err := h.engine.PaymentReceived(ctx, notice(part, 3550, "evt_rest")); err != nil {
			t.Fatal(err)
		}
		b, _ = bs.Get(ctx, part)
		if p := b.Payment; b.Status != bookings.Confirmed || p.CardCents != 3550 || p.VoucherCents != 1000 || p.Method != bookings.MethodCard {
			t.Fatalf("two parts: %s %+v", b.Status, p)
		}
		if r := box.take("u1"); len(r) != 1 || !strings.Contains(r[0].Text, "1234 (10 €) e carta o PayPal (35,50 €)") {
			t.Errorf("receipt of two parts: %+v", r)
		}
		// The codes never stay in the conversation's state or its recent lines.
		if raw := stateOf(t, h, "test:u1"); strings.Contains(raw, "VOUCH") || strings.Contains(raw, "RSSMRA") {
			t.Errorf("a code kept in the state: %s", raw)
		}
		// A third offer: the voucher is empty.
		empty := requested(t, h, bs, s)
		c.replies = offer(t, h, box, empty, 1000)
		c.press("Paga con voucher").say("VOUCH1234").say(holderTaxCode).expect("non è rimasto credito")
		_ = pay
	})
}

// A voucher part spent on an offer goes back when the offer is declined.
func TestVoucherPartGivenBack(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, _, pay := payHarness(t, store)
		ctx := context.Background()
		id := requested(t, h, bs, voucherService(t))
		c := h.citizen(t, "u1")
		c.replies = offer(t, h, box, id, 4550)
		c.press("Paga con voucher").say("VOUCH1234").say(holderTaxCode).expect("Il voucher ha coperto 30 €")
		c.press("Rifiuta").press("Sì, rifiuta")
		if len(pay.unspent) != 1 || pay.balance != 3000 {
			t.Fatalf("voucher given back: %v, balance %d", pay.unspent, pay.balance)
		}
		if b, _ := bs.Get(ctx, id); b.Payment != nil {
			t.Errorf("voucher part still recorded: %+v", b.Payment)
		}
	})
}

// A paid booking cancelled by the citizen is refunded by its service's policy,
// through the provider, and the citizen reads what comes back and what does not.
func TestRefundOnCancel(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, _, pay := payHarness(t, store)
		ctx := context.Background()
		s := bookableService(t)
		id := requested(t, h, bs, s)
		offer(t, h, box, id, 4550)
		b, err := h.engine.PaymentReceived(ctx, notice(id, 4550, "evt_1"))
		if err != nil {
			t.Fatal(err)
		}
		box.take("u1")
		// What the service's policy gives back a day before the start.
		due := bookings.Refundable(s.Rules.Refund, 4550, b.Start, h.clock.Now())
		if due == 0 {
			t.Fatalf("the policy of %s refunds nothing a day ahead: pick another service", s.ID)
		}
		c := h.citizen(t, "u1")
		c.pressData("book:cancel:"+id).press("Sì").expect("annullata", "Ti restituiamo "+euros(due)+" sulla carta")
		if due < 4550 {
			c.expect(euros(4550-due) + " non vengono rimborsati")
		}
		b, _ = bs.Get(ctx, id)
		if b.Status != bookings.Refunded || b.Payment.RefundedCents != due || b.Payment.RefundRef != "re_1" {
			t.Fatalf("after the cancellation: %s %+v", b.Status, b.Payment)
		}
		if r := pay.refunded(); len(r) != 1 || r[0] != due {
			t.Errorf("refunds %v", r)
		}
		if eventsOf(h, bot.EventBookingRefunded) != 1 {
			t.Error("staff not told of the refund")
		}
	})
}

// Refundable follows the policy: everything early, a part later, nothing at the end.
func TestRefundablePolicy(t *testing.T) {
	start := monday10(t).Add(48 * time.Hour)
	p := catalogueRefund(24*time.Hour, 6*time.Hour, 50)
	for _, c := range []struct {
		before time.Duration
		want   int
	}{{48 * time.Hour, 1000}, {24 * time.Hour, 1000}, {12 * time.Hour, 500}, {time.Hour, 0}, {-time.Hour, 0}} {
		if got := bookings.Refundable(p, 1000, start, start.Add(-c.before)); got != c.want {
			t.Errorf("%s before: %d, want %d", c.before, got, c.want)
		}
	}
}

// "Come pago?" and its translations explain the open offer with its buttons, or how
// paying works.
func TestHowToPay(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, _, _ := payHarness(t, store)
		for _, c := range []struct{ user, lang, text, want string }{
			{"u2", "it", "come si paga?", "Ecco come si paga su WeMi"},
			{"u11", "en", "how do I pay?", "This is how paying works on WeMi"},
			{"u3", "es", "¿cómo pago?", "Así se paga en WeMi"},
			{"u4", "fr", "comment payer ?", "Voici comment on paie sur WeMi"},
			{"u5", "ro", "cum plătesc?", "Iată cum se plătește pe WeMi"},
			{"u6", "uk", "як оплатити?", "Ось як платити на WeMi"},
			{"u7", "ru", "сколько нужно платить?", "Вот как платить на WeMi"},
			{"u8", "ar", "كيف أدفع؟", "هكذا يتم الدفع على WeMi"},
			{"u9", "zh", "怎么付款？", "在 WeMi 上这样付款"},
			{"u10", "en", "can I pay with a voucher", "voucher"},
		} {
			conv := h.citizen(t, c.user)
			conv.lang = c.lang
			conv.say(c.text).expect(c.want)
		}
		id := requested(t, h, bs, bookableService(t))
		h.citizen(t, "u1").say("come pago?").expect("aspetta l'offerta del fornitore", "Ecco come si paga")
		offer(t, h, box, id, 4550)
		c := h.citizen(t, "u1")
		c.update = 1
		c.say("quanto devo pagare per la prenotazione?").expect("Offerta per", "45,50").expectButtons("Paga 45,50")
	})
}

// On a channel that pays natively, Paga sends an invoice, and the payment comes back
// in the conversation: its receipt is the turn's answer, even during a handoff.
func TestPaymentInTheTurn(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, _, _ := payHarness(t, store, func(o *bot.Options) { o.Payments.Invoices = map[string]bool{"test": true} })
		ctx := context.Background()
		id := requested(t, h, bs, bookableService(t))
		c := h.citizen(t, "u1")
		c.replies = offer(t, h, box, id, 4550)
		c.press("Paga")
		if len(c.replies) != 1 || c.replies[0].Invoice == nil || c.replies[0].Invoice.AmountCents != 4550 ||
			c.replies[0].Invoice.Payload != id || c.replies[0].Invoice.Currency != "EUR" {
			t.Fatalf("invoice: %+v", c.replies)
		}
		c.say("/operatore")
		n := bot.PaymentNotice{Booking: id, AmountCents: 4550, Method: bookings.MethodTelegram, Provider: "telegram", Ref: "ch_1", EventID: "ch_1"}
		c.send(bot.Message{Payment: &n}).expect("Ricevuta", "pagamento in Telegram")
		if b, _ := bs.Get(ctx, id); b.Status != bookings.Confirmed {
			t.Fatalf("status %s", b.Status)
		}
		// Someone else's booking paid from this chat is not applied.
		other := requested(t, h, bs, bookableService(t))
		_ = other
		n2 := bot.PaymentNotice{Booking: bookings.NewID(), AmountCents: 100, Method: bookings.MethodTelegram, Provider: "telegram", Ref: "ch_2", EventID: "ch_2"}
		c.send(bot.Message{Payment: &n2}).expect("Non sono riuscito a registrare il pagamento")
	})
}

// stateOf reads a conversation's saved state as the store keeps it.
func stateOf(t *testing.T, h *harness, conversation string) string {
	t.Helper()
	ctx := context.Background()
	s, err := h.store.Begin(ctx, bot.Begin{Conversation: conversation, LockTTL: time.Second, RateWindow: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer h.store.Release(ctx, s)
	return string(s.State)
}

func catalogueRefund(full, partial time.Duration, percent int) catalogue.RefundPolicy {
	return catalogue.RefundPolicy{FullBefore: full, PartialBefore: partial, PartialPercent: percent}
}

// An offer whose expiry reminder was lost is expired by the periodic repair.
func TestReconcileExpiresOffers(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue, _ := payHarness(t, store)
		ctx := context.Background()
		id := requested(t, h, bs, bookableService(t))
		offer(t, h, box, id, 4550)
		if err := queue.CancelBooking(ctx, id); err != nil {
			t.Fatal(err)
		}
		h.clock.Set(h.clock.Now().Add(22 * time.Hour))
		done, err := h.engine.Reconcile(ctx)
		if err != nil || done.Expired != 1 {
			t.Fatalf("Reconcile = %+v, %v", done, err)
		}
		if b, _ := bs.Get(ctx, id); b.Status != bookings.Expired {
			t.Errorf("status %s", b.Status)
		}
		if told := box.take("u1"); len(told) != 1 || !strings.Contains(told[0].Text, "scaduta") {
			t.Errorf("citizen told %+v", told)
		}
		if done, _ := h.engine.Reconcile(ctx); done.Expired != 0 {
			t.Errorf("expired twice: %+v", done)
		}
	})
}

// euros writes cents as the Italian texts do: "45,50 €", "45 €".
func euros(cents int) string {
	if cents%100 == 0 {
		return fmt.Sprintf("%d €", cents/100)
	}
	return fmt.Sprintf("%d,%02d €", cents/100, cents%100)
}
