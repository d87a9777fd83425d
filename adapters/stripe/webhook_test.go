package stripe_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/stripe"
	"github.com/comune-milano/wemibot/adapters/stripe/stripetest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/internal/logtest"
)

const whsec = "whsec_test_wemibot_0123456789"

// payments is a hand-written stand-in for the engine: it records the notices and
// answers with fail, when set.
type payments struct {
	mu      sync.Mutex
	notices []bot.PaymentNotice
	fail    func(n bot.PaymentNotice) error
}

func (p *payments) PaymentReceived(_ context.Context, n bot.PaymentNotice) (bookings.Booking, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notices = append(p.notices, n)
	if p.fail != nil {
		if err := p.fail(n); err != nil {
			return bookings.Booking{}, err
		}
	}
	return bookings.Booking{ID: n.Booking}, nil
}

func (p *payments) got() []bot.PaymentNotice {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bot.PaymentNotice(nil), p.notices...)
}

// rig is one webhook on a real Redis.
type rig struct {
	srv  *redistest.Server
	pay  *payments
	hook http.Handler
	logs *logtest.Buffer
}

func redisClient(t *testing.T, srv *redistest.Server) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Network: "unix", Addr: srv.Socket(), DialTimeout: time.Second,
		ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// newHook builds a webhook (a replica) on srv.
func newHook(t *testing.T, srv *redistest.Server, pay *payments, receipts *stripe.Client) (http.Handler, *logtest.Buffer) {
	t.Helper()
	logs := &logtest.Buffer{}
	h, err := stripe.NewWebhook(stripe.WebhookOptions{Secret: whsec, Payments: pay, Receipts: receipts,
		Marks: redis.New(redisClient(t, srv), redis.Options{Prefix: "wh"}), Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return h, logs
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{srv: redistest.Start(t), pay: &payments{}}
	r.hook, r.logs = newHook(t, r.srv, r.pay, nil)
	return r
}

// deliver posts body to h with the signature header sig and returns the status.
func deliver(t *testing.T, h http.Handler, body []byte, sig string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/stripe/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if sig != "" {
		req.Header.Set("Stripe-Signature", sig)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

func paidEvent(id, booking string, cents int) []byte {
	return stripetest.Event(id, "checkout.session.completed",
		stripetest.Session{Booking: booking, AmountCents: cents, PaymentIntent: "pi_" + booking})
}

func TestWebhookAppliesAPaidSession(t *testing.T) {
	r := newRig(t)
	body := paidEvent("evt_1", "bk-1", 4550)
	if code := deliver(t, r.hook, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	got := r.pay.got()
	want := bot.PaymentNotice{Booking: "bk-1", AmountCents: 4550, Method: bookings.MethodCard, Provider: "stripe",
		Ref: "pi_bk-1", EventID: "evt_1"}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("notices = %+v, want [%+v]", got, want)
	}
}

func TestWebhookSameEventTwiceAndOnTwoReplicasIsAppliedOnce(t *testing.T) {
	r := newRig(t)
	other, _ := newHook(t, r.srv, r.pay, nil) // a second replica on the same Redis
	body := paidEvent("evt_twice", "bk-2", 1200)
	for i, h := range []http.Handler{r.hook, r.hook, other} {
		if code := deliver(t, h, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, code)
		}
	}
	if n := len(r.pay.got()); n != 1 {
		t.Fatalf("the engine was told %d times, want once", n)
	}
}

func TestWebhookConcurrentRedeliveriesReachAnIdempotentEngine(t *testing.T) {
	// Stripe may deliver one event to two replicas at once: both can pass the mark
	// before either writes it, and the engine's own idempotency (by event id) decides.
	r := newRig(t)
	other, _ := newHook(t, r.srv, r.pay, nil)
	body := paidEvent("evt_race", "bk-3", 900)
	var wg sync.WaitGroup
	for _, h := range []http.Handler{r.hook, other, r.hook, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code := deliver(t, h, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusOK {
				t.Errorf("status %d", code)
			}
		}()
	}
	wg.Wait()
	for _, n := range r.pay.got() {
		if n.EventID != "evt_race" {
			t.Errorf("notice without the event id: %+v", n)
		}
	}
	if n := len(r.pay.got()); n < 1 || n > 4 {
		t.Fatalf("%d notices", n)
	}
}

func TestWebhookRefusesForgedOldAndUnsignedRequests(t *testing.T) {
	r := newRig(t)
	body := paidEvent("evt_forged", "bk-4", 100)
	tampered := bytes.Replace(body, []byte(`"amount_total":100`), []byte(`"amount_total":1`), 1)
	tests := []struct {
		name string
		body []byte
		sig  string
	}{
		{"wrong secret", body, stripetest.Sign("whsec_someone_else", body, time.Now())},
		{"tampered body", tampered, stripetest.Sign(whsec, body, time.Now())},
		{"six minutes old", body, stripetest.Sign(whsec, body, time.Now().Add(-6*time.Minute))},
		{"unsigned", body, ""},
		{"garbage header", body, "t=abc,v1=zz"},
		{"not json", []byte("hello"), stripetest.Sign(whsec, []byte("hello"), time.Now())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := deliver(t, r.hook, tt.body, tt.sig); code != http.StatusBadRequest {
				t.Errorf("status %d, want 400", code)
			}
		})
	}
	if n := len(r.pay.got()); n != 0 {
		t.Fatalf("%d forged payments applied", n)
	}
	lines := r.logs.Lines("webhook requests refused")
	if len(lines) != 1 {
		t.Fatalf("%d warnings for %d refused requests, want 1 (rate-limited):\n%s", len(lines), len(tests), r.logs)
	}
	if strings.Contains(r.logs.String(), "bk-4") || strings.Contains(r.logs.String(), whsec) {
		t.Errorf("the log shows the body or the secret:\n%s", r.logs)
	}
}

func TestWebhookRefusesAnOversizedBody(t *testing.T) {
	r := newRig(t)
	body := append(paidEvent("evt_big", "bk-5", 100), bytes.Repeat([]byte(" "), stripe.MaxWebhookBody)...)
	if code := deliver(t, r.hook, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", code)
	}
	if n := len(r.pay.got()); n != 0 {
		t.Fatalf("%d payments applied", n)
	}
}

func TestWebhookAcknowledgesWhatItDoesNotActOn(t *testing.T) {
	r := newRig(t)
	for _, body := range [][]byte{
		stripetest.Event("evt_exp", "checkout.session.expired", stripetest.Session{Booking: "bk-6", AmountCents: 100, PaymentStatus: "unpaid"}),
		stripetest.Event("evt_unpaid", "checkout.session.completed", stripetest.Session{Booking: "bk-6", AmountCents: 100, PaymentStatus: "unpaid"}),
		stripetest.Event("evt_usd", "checkout.session.completed", stripetest.Session{Booking: "bk-6", AmountCents: 100, Currency: "usd"}),
		stripetest.Event("evt_noref", "checkout.session.completed", stripetest.Session{AmountCents: 100, ID: "cs_test_x"}),
		stripetest.Event("evt_failed", "checkout.session.async_payment_failed", stripetest.Session{Booking: "bk-6", AmountCents: 100}),
	} {
		if code := deliver(t, r.hook, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusOK {
			t.Errorf("status %d, want 200", code)
		}
	}
	if n := len(r.pay.got()); n != 0 {
		t.Fatalf("%d payments applied", n)
	}
	// A bank transfer completes later: the async success is applied.
	body := stripetest.Event("evt_async", "checkout.session.async_payment_succeeded", stripetest.Session{Booking: "bk-6", AmountCents: 100, PaymentIntent: "pi_6"})
	if code := deliver(t, r.hook, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if got := r.pay.got(); len(got) != 1 || got[0].Booking != "bk-6" || got[0].EventID != "evt_async" {
		t.Fatalf("notices = %+v", got)
	}
}

func TestWebhookStoreDownAsksStripeToRetry(t *testing.T) {
	r := newRig(t)
	r.srv.Stop()
	body := paidEvent("evt_down", "bk-7", 300)
	if code := deliver(t, r.hook, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", code)
	}
	if n := len(r.pay.got()); n != 0 {
		t.Fatalf("applied while the store was down")
	}
	r.srv.Restart()
	if code := deliver(t, r.hook, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusOK {
		t.Fatalf("after the restart: status %d", code)
	}
	if n := len(r.pay.got()); n != 1 {
		t.Fatalf("%d notices after the retry, want 1", n)
	}
}

func TestWebhookEngineUnavailableIsRetriedAndRefusalIsNot(t *testing.T) {
	r := newRig(t)
	var down = true
	r.pay.fail = func(n bot.PaymentNotice) error {
		switch {
		case n.Booking == "bk-gone":
			return fmt.Errorf("payment for booking bk-gone: %w", bookings.ErrNotFound)
		case n.Booking == "bk-late":
			return fmt.Errorf("booking bk-late: %w", bot.ErrOfferExpired)
		case n.Booking == "bk-odd":
			return errors.New("something unforeseen")
		case down:
			return fmt.Errorf("%w: record a payment: %w", bot.ErrUnavailable, errors.New("redis: connection refused"))
		}
		return nil
	}
	body := paidEvent("evt_retry", "bk-8", 300)
	if code := deliver(t, r.hook, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusServiceUnavailable {
		t.Fatalf("engine unavailable: status %d, want 503", code)
	}
	r.pay.mu.Lock()
	down = false
	r.pay.mu.Unlock()
	if code := deliver(t, r.hook, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusOK {
		t.Fatalf("redelivery: status %d", code)
	}
	if code := deliver(t, r.hook, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusOK {
		t.Fatalf("third delivery: status %d", code)
	}
	if n := len(r.pay.got()); n != 2 {
		t.Fatalf("engine told %d times, want 2 (failed, applied; the third is marked)", n)
	}
	before := len(r.pay.got())
	for _, b := range []string{"bk-gone", "bk-late"} {
		ev := paidEvent("evt_"+b, b, 300)
		for range 2 {
			if code := deliver(t, r.hook, ev, stripetest.Sign(whsec, ev, time.Now())); code != http.StatusOK {
				t.Fatalf("%s: status %d, want 200 (handled: Stripe retrying changes nothing)", b, code)
			}
		}
	}
	if n := len(r.pay.got()) - before; n != 2 {
		t.Errorf("handled refusals reached the engine %d times, want 2 (their redeliveries are marked)", n)
	}
	odd := paidEvent("evt_odd", "bk-odd", 300)
	if code := deliver(t, r.hook, odd, stripetest.Sign(whsec, odd, time.Now())); code != http.StatusInternalServerError {
		t.Errorf("an unforeseen failure: status %d, want 500 (Stripe tries again)", code)
	}
}

func TestWebhookFindsTheReceiptLink(t *testing.T) {
	mock := stripetest.Start(t)
	srv := redistest.Start(t)
	pay := &payments{}
	hook, _ := newHook(t, srv, pay, newClient(t, mock.URL, time.Now()))
	body := paidEvent("evt_receipt", "bk-9", 4550)
	if code := deliver(t, hook, body, stripetest.Sign(whsec, body, time.Now())); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	got := pay.got()
	if len(got) != 1 || !strings.HasPrefix(got[0].ReceiptURL, "https://") {
		t.Fatalf("notices = %+v, want a receipt link from stripe-mock's charge", got)
	}
}

func TestNewWebhookNeedsItsParts(t *testing.T) {
	srv := redistest.Start(t)
	marks := redis.New(redisClient(t, srv), redis.Options{})
	for _, o := range []stripe.WebhookOptions{
		{Payments: &payments{}, Marks: marks},
		{Secret: whsec, Marks: marks},
		{Secret: whsec, Payments: &payments{}},
	} {
		if _, err := stripe.NewWebhook(o); err == nil {
			t.Errorf("NewWebhook(%+v) accepted", o)
		}
	}
}
