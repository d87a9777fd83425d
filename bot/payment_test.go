package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/reminders"
)

// payments are hand fakes of the payment provider and the vouchers: they record
// what the engine asked of them.
type payments struct {
	mu        sync.Mutex
	links     []bot.PaymentRequest
	refunds   []int
	refundErr error
	spends    int
	unspent   []string
	// voucher is the one voucher the fake knows: its code, holder and balance.
	code, holder string
	balance      int
	spendErr     error
	spent        map[string]int // by booking
}

func (p *payments) CheckoutLink(_ context.Context, r bot.PaymentRequest) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.links = append(p.links, r)
	return fmt.Sprintf("https://pay.example.org/s/%d", len(p.links)), nil
}

func (p *payments) Refund(_ context.Context, _ bookings.Payment, cents int) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refundErr != nil {
		return "", p.refundErr
	}
	p.refunds = append(p.refunds, cents)
	return fmt.Sprintf("re_%d", len(p.refunds)), nil
}

func (p *payments) Spend(_ context.Context, code, taxCode, booking string, cents int) (int, string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.spends++
	switch {
	case p.spendErr != nil:
		return 0, "", p.spendErr
	case code != p.code:
		return 0, "", bot.ErrVoucherUnknown
	case taxCode != p.holder:
		return 0, "", bot.ErrVoucherHolder
	}
	if p.spent == nil {
		p.spent = map[string]int{}
	}
	if n, ok := p.spent[booking]; ok {
		return n, "****" + code[len(code)-4:], nil
	}
	n := min(cents, p.balance)
	p.balance -= n
	p.spent[booking] = n
	return n, "****" + code[len(code)-4:], nil
}

func (p *payments) Unspend(_ context.Context, code, booking string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.balance += p.spent[booking]
	delete(p.spent, booking)
	p.unspent = append(p.unspent, booking)
	return nil
}

func (p *payments) refunded() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int(nil), p.refunds...)
}

// A valid codice fiscale (check letter included) for the fake voucher's holder.
const holderTaxCode = "RSSMRA80A01F205X"

// payHarness is the booking harness with payments by checkout link, refunds and
// vouchers through the fake.
func payHarness(t *testing.T, store bot.Store, tweak ...func(*bot.Options)) (*harness, *inbox, *bookings.Store, reminders.Queue, *payments) {
	t.Helper()
	p := &payments{code: "VOUCH1234", holder: holderTaxCode, balance: 3000}
	h, box, bs, queue := bookingHarness(t, store, append([]func(*bot.Options){func(o *bot.Options) {
		o.Payments = bot.Payments{Checkout: p, Refunder: p, Vouchers: p}
	}}, tweak...)...)
	return h, box, bs, queue, p
}

// voucherService is a service that takes vouchers and costs by the hour.
func voucherService(t *testing.T) *catalogue.Service {
	t.Helper()
	for _, s := range testIndex(t).Catalogue().Services {
		if s.Cost.Voucher && !s.Cost.Free && s.Delivery.Individual && s.Organization != nil && len(s.Municipi) > 0 {
			return s
		}
	}
	t.Fatal("no service that takes vouchers in the bundled catalogue")
	return nil
}

// requested stores a booking request of s by citizen u1 for Tuesday 24 November 2026
// at 10:00, as the booking flow does, and returns its id.
func requested(t *testing.T, h *harness, bs *bookings.Store, s *catalogue.Service) string {
	t.Helper()
	now := h.clock.Now()
	start := monday10(t).Add(24 * time.Hour)
	cents, _ := bookings.Estimate(s, 2, false)
	b := bookings.Booking{ID: bookings.NewID(), Conversation: "test:u1", Lang: "it", FirstName: "Giulia", Service: s.ID,
		Start: start, Quantity: 2, ForWhom: bookings.ForSelf, Municipio: s.Municipi[0], EstimateCents: cents,
		Status: bookings.Requested, History: []bookings.Change{{Status: bookings.Requested, At: now, By: "citizen"}},
		Created: now, Updated: now}
	if err := bs.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return b.ID
}

// offer makes staff's offer of cents on booking id, due in 20 hours (before the
// service starts), and returns what reached the citizen.
func offer(t *testing.T, h *harness, box *inbox, id string, cents int) []bot.Reply {
	t.Helper()
	_, err := h.engine.BookingFromStaff(context.Background(), bot.BookingAction{Kind: bot.BookingOffer, Booking: id,
		Operator: "Sara", PriceCents: cents, Expires: h.clock.Now().Add(20 * time.Hour), Note: "Materiali inclusi"})
	if err != nil {
		t.Fatal(err)
	}
	return box.take("u1")
}

func notice(id string, cents int, event string) bot.PaymentNotice {
	return bot.PaymentNotice{Booking: id, AmountCents: cents, Method: bookings.MethodCard, Provider: "stripe",
		Ref: "pi_" + event, EventID: event, ReceiptURL: "https://pay.example.org/receipt/" + event}
}

func eventsOf(h *harness, kind bot.EventKind) int {
	n := 0
	for _, ev := range h.staff.all() {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// An offer reaches the citizen with its price, note, deadline and buttons; Paga
// makes a fresh checkout link; the provider's notice confirms the booking once, with
// a receipt and the calendar file, whatever how many times it comes.
func TestOfferPaidOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue, pay := payHarness(t, store)
		ctx := context.Background()
		s := bookableService(t)
		id := requested(t, h, bs, s)
		got := offer(t, h, box, id, 4550)
		if len(got) != 1 || !strings.Contains(got[0].Text, "45,50") || !strings.Contains(got[0].Text, "Materiali inclusi") ||
			!strings.Contains(got[0].Text, "entro martedì 24 novembre alle 06:00") {
			t.Fatalf("offer: %+v", got)
		}
		if p, _ := queue.Pending(ctx, id); len(p) != 2 || p[0].Kind != reminders.OfferDue || p[1].Kind != reminders.OfferExpiry {
			t.Fatalf("offer reminders: %+v", p)
		}
		c := h.citizen(t, "u1")
		c.replies = got
		c.expectButtons("Paga 45,50", "Rifiuta")
		c.press("Paga").expect("pagina di pagamento")
		if b := c.findButton("Apri la pagina"); b == nil || b.URL != "https://pay.example.org/s/1" || b.Data != "" {
			t.Fatalf("link button: %+v", b)
		}
		if len(pay.links) != 1 || pay.links[0].AmountCents != 4550 || pay.links[0].Booking != id {
			t.Fatalf("checkout asked: %+v", pay.links)
		}
		if err := h.engine.PaymentAllowed(ctx, id, 4550); err != nil {
			t.Fatalf("PaymentAllowed: %v", err)
		}
		b, err := h.engine.PaymentReceived(ctx, notice(id, 4550, "evt_1"))
		if err != nil || b.Status != bookings.Confirmed || b.Payment == nil || b.Payment.CardCents != 4550 {
			t.Fatalf("PaymentReceived = %+v, %v", b, err)
		}
		receipt := box.take("u1")
		if len(receipt) != 1 || receipt[0].Document == nil || !strings.Contains(receipt[0].Text, "Ricevuta WEMI-"+strings.ToUpper(id)) ||
			!strings.Contains(receipt[0].Text, "carta o PayPal") || receipt[0].Buttons[0][0].URL == "" {
			t.Fatalf("receipt: %+v", receipt)
		}
		if got := b.History; len(got) != 4 || got[2].Status != bookings.Paid || got[3].Status != bookings.Confirmed {
			t.Errorf("history: %+v", got)
		}
		p, _ := queue.Pending(ctx, id)
		for _, r := range p {
			if r.Kind == reminders.OfferDue || r.Kind == reminders.OfferExpiry {
				t.Errorf("offer reminder left after payment: %s", r.ID)
			}
		}
		if len(p) == 0 {
			t.Error("no service reminders after payment")
		}
		// The same event again, and the same payment by another event: nothing.
		for _, n := range []bot.PaymentNotice{notice(id, 4550, "evt_1"), {Booking: id, AmountCents: 4550, Ref: "pi_evt_1", EventID: "evt_other", Provider: "stripe"}} {
			if again, err := h.engine.PaymentReceived(ctx, n); err != nil || again.Status != bookings.Confirmed {
				t.Fatalf("again: %+v %v", again, err)
			}
		}
		if more := box.take("u1"); len(more) != 0 {
			t.Errorf("sent again: %+v", more)
		}
		if n := eventsOf(h, bot.EventBookingPaid); n != 1 {
			t.Errorf("%d paid events", n)
		}
		if err := h.engine.PaymentAllowed(ctx, id, 4550); !errors.Is(err, bot.ErrNotDue) {
			t.Errorf("PaymentAllowed on a paid booking: %v", err)
		}
		// A second payment (another payment page, paid too) goes back; the booking
		// keeps the first.
		second, err := h.engine.PaymentReceived(ctx, notice(id, 4550, "evt_2"))
		if !errors.Is(err, bot.ErrNotDue) || second.Payment.Ref != "pi_evt_1" || second.Status != bookings.Confirmed {
			t.Errorf("second payment: %+v, %v", second, err)
		}
		if r := pay.refunded(); len(r) != 1 || r[0] != 4550 {
			t.Errorf("refunds %v", r)
		}
		if told := box.take("u1"); len(told) != 1 || !strings.Contains(told[0].Text, "Avevi già pagato") {
			t.Errorf("second payment told: %+v", told)
		}
		c.pressData("mybook").expect("pagato 45,50 €", "confermata")
	})
}

// A payment of another amount than due is not applied, and staff are told; the
// pre-checkout refuses it with a text for the citizen.
func TestPaymentMismatch(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, _, _ := payHarness(t, store)
		ctx := context.Background()
		id := requested(t, h, bs, bookableService(t))
		offer(t, h, box, id, 4550)
		var refusal *bot.PaymentRefusal
		if err := h.engine.PaymentAllowed(ctx, id, 100); !errors.As(err, &refusal) || !errors.Is(err, bot.ErrAmountMismatch) ||
			!strings.Contains(refusal.Text, "importo") {
			t.Fatalf("PaymentAllowed(100) = %v", err)
		}
		b, err := h.engine.PaymentReceived(ctx, notice(id, 100, "evt_x"))
		if !errors.Is(err, bot.ErrAmountMismatch) || b.Status != bookings.Offered || b.Payment != nil {
			t.Fatalf("PaymentReceived(100) = %+v, %v", b, err)
		}
		if eventsOf(h, bot.EventPaymentMismatch) != 1 || len(box.take("u1")) != 0 {
			t.Error("staff not told, or the citizen told")
		}
		// Garbage notices change nothing.
		for _, n := range []bot.PaymentNotice{{Booking: "../etc", AmountCents: 1}, {Booking: id}, {Booking: bookings.NewID(), AmountCents: 5}} {
			if _, err := h.engine.PaymentReceived(ctx, n); err == nil {
				t.Errorf("PaymentReceived(%+v) accepted", n)
			}
		}
	})
}

// Two engines, each with its own client of one Redis server, get the same webhook
// event at once: the booking is paid once and the citizen gets one receipt.
func TestPaymentOnTwoEngines(t *testing.T) {
	srv := redistest.Start(t)
	h, box, bs, _, _ := payHarness(t, redis.New(redisClient(t, srv), redis.Options{}))
	store2 := redis.New(redisClient(t, srv), redis.Options{})
	p := &payments{}
	other, err := bot.New(bot.Options{Search: testIndex(t), Store: store2, Staff: h.staff, Now: h.clock.Now,
		Pushers: map[string]bot.Pusher{"test": box}, Bookings: bookings.NewStore(store2, 90*24*time.Hour),
		Reminders: store2, Payments: bot.Payments{Checkout: p, Refunder: p}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id := requested(t, h, bs, bookableService(t))
	offer(t, h, box, id, 4550)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := h.engine
			if i%2 == 1 {
				e = other
			}
			_, errs[i] = e.PaymentReceived(ctx, notice(id, 4550, "evt_same"))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := box.take("u1"); len(got) != 1 {
		t.Fatalf("%d receipts", len(got))
	}
	if b, _ := bs.Get(ctx, id); b.Status != bookings.Confirmed || len(b.History) != 4 {
		t.Fatalf("booking: %s, %d changes", b.Status, len(b.History))
	}
	if n := eventsOf(h, bot.EventBookingPaid); n != 1 {
		t.Errorf("%d paid events", n)
	}
}

// With Redis down, a payment notice is not applied and says the store is away (the
// provider delivers it again); the pre-checkout refuses. Once Redis is back, the
// same notice applies, once.
func TestPaymentWhileRedisIsDown(t *testing.T) {
	srv := redistest.StartPersistent(t)
	h, box, bs, _, _ := payHarness(t, redis.New(redisClient(t, srv), redis.Options{}))
	ctx := context.Background()
	id := requested(t, h, bs, bookableService(t))
	offer(t, h, box, id, 4550)
	srv.Stop()
	if _, err := h.engine.PaymentReceived(ctx, notice(id, 4550, "evt_1")); !errors.Is(err, bot.ErrUnavailable) {
		t.Fatalf("PaymentReceived with Redis down: %v", err)
	}
	var refusal *bot.PaymentRefusal
	if err := h.engine.PaymentAllowed(ctx, id, 4550); !errors.As(err, &refusal) || !errors.Is(err, bot.ErrUnavailable) ||
		!strings.Contains(refusal.Text, "riprova tra poco") {
		t.Fatalf("PaymentAllowed with Redis down: %v", err)
	}
	if got := box.take("u1"); len(got) != 0 {
		t.Fatalf("told with Redis down: %+v", got)
	}
	srv.Restart()
	for range 2 {
		if b, err := h.engine.PaymentReceived(ctx, notice(id, 4550, "evt_1")); err != nil || b.Status != bookings.Confirmed {
			t.Fatalf("PaymentReceived once Redis is back: %+v, %v", b, err)
		}
	}
	if got := box.take("u1"); len(got) != 1 {
		t.Errorf("%d receipts", len(got))
	}
}
