package stripe_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/stripe"
	"github.com/comune-milano/wemibot/adapters/stripe/stripetest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
)

// recorded is one request that reached stripe-mock through the recording proxy.
type recorded struct {
	Path        string
	Form        url.Values
	Idempotency string
	Auth        string
}

// recorder is a loopback proxy in front of stripe-mock that keeps what the client
// sent: stripe-mock checks every parameter against Stripe's specification, and the
// test reads what was asked.
type recorder struct {
	URL string
	mu  sync.Mutex
	got []recorded
}

func newRecorder(t *testing.T, mock *stripetest.Mock) *recorder {
	t.Helper()
	target, _ := url.Parse(mock.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		rec.mu.Lock()
		rec.got = append(rec.got, recorded{Path: r.URL.Path, Form: form, Idempotency: r.Header.Get("Idempotency-Key"), Auth: r.Header.Get("Authorization")})
		rec.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.got...)
}

const testKey = "sk_test_wemibot"

func newClient(t *testing.T, api string, now time.Time) *stripe.Client {
	t.Helper()
	c, err := stripe.New(stripe.Options{SecretKey: testKey, APIURL: api, PublicURL: "https://wemi.example.org/",
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckoutLinkAsksStripeForOneEuroLineForTheBooking(t *testing.T) {
	mock := stripetest.Start(t)
	rec := newRecorder(t, mock)
	now := time.Date(2026, 12, 7, 10, 20, 0, 0, time.UTC)
	c := newClient(t, rec.URL, now)
	link, err := c.CheckoutLink(context.Background(), bot.PaymentRequest{Booking: "bk-123", AmountCents: 4550,
		Title: "Assistenza domiciliare", Description: "martedì 8 dicembre, 3 ore", Lang: "it",
		Expires: now.Add(48 * time.Hour)})
	if err != nil {
		t.Fatalf("CheckoutLink: %v", err)
	}
	if !strings.HasPrefix(link, "https://") {
		t.Errorf("link %q is not an https page", link)
	}
	reqs := rec.requests()
	if len(reqs) != 1 || reqs[0].Path != "/v1/checkout/sessions" {
		t.Fatalf("requests = %+v, want one POST /v1/checkout/sessions", reqs)
	}
	f := reqs[0].Form
	want := map[string]string{
		"mode": "payment", "client_reference_id": "bk-123", "metadata[booking]": "bk-123",
		"payment_intent_data[metadata][booking]":               "bk-123",
		"line_items[0][quantity]":                              "1",
		"line_items[0][price_data][currency]":                  "eur",
		"line_items[0][price_data][unit_amount]":               "4550",
		"line_items[0][price_data][product_data][name]":        "Assistenza domiciliare",
		"line_items[0][price_data][product_data][description]": "martedì 8 dicembre, 3 ore",
		"success_url": "https://wemi.example.org/pay/done?lang=it",
		"cancel_url":  "https://wemi.example.org/pay/cancelled?lang=it",
		"locale":      "it",
	}
	for k, v := range want {
		if got := f.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// An offer open for two days: the session lives Stripe's longest, from the hour.
	exp, _ := strconv.ParseInt(f.Get("expires_at"), 10, 64)
	if wantExp := now.Truncate(time.Hour).Add(24 * time.Hour).Unix(); exp != wantExp {
		t.Errorf("expires_at = %d, want %d", exp, wantExp)
	}
	if reqs[0].Idempotency == "" || !strings.Contains(reqs[0].Idempotency, "bk-123") {
		t.Errorf("idempotency key %q does not name the booking", reqs[0].Idempotency)
	}
	if !strings.Contains(reqs[0].Auth, testKey) {
		t.Errorf("the secret key did not authenticate the call")
	}
}

func TestCheckoutLinkSameRequestSameIdempotencyKey(t *testing.T) {
	mock := stripetest.Start(t)
	rec := newRecorder(t, mock)
	now := time.Date(2026, 12, 7, 10, 20, 0, 0, time.UTC)
	clock := now
	c, err := stripe.New(stripe.Options{SecretKey: testKey, APIURL: rec.URL, PublicURL: "https://wemi.example.org",
		Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	req := bot.PaymentRequest{Booking: "bk-9", AmountCents: 1200, Title: "Pasti", Lang: "en"}
	for _, at := range []time.Time{now, now.Add(20 * time.Minute)} {
		clock = at
		if _, err := c.CheckoutLink(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	req.AmountCents = 900 // a new offer's price: a new session
	if _, err := c.CheckoutLink(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	if reqs[0].Idempotency != reqs[1].Idempotency {
		t.Errorf("Pay pressed twice within the hour made two keys: %q, %q", reqs[0].Idempotency, reqs[1].Idempotency)
	}
	if reqs[2].Idempotency == reqs[0].Idempotency {
		t.Errorf("another amount reused the key %q", reqs[2].Idempotency)
	}
	if got := reqs[0].Form.Get("locale"); got != "en" {
		t.Errorf("locale = %q, want en", got)
	}
}

func TestSessionExpiryFollowsTheOfferWithinStripesLimits(t *testing.T) {
	mock := stripetest.Start(t)
	rec := newRecorder(t, mock)
	now := time.Date(2026, 3, 29, 0, 40, 0, 0, time.UTC) // the night Italy moves to summer time
	c := newClient(t, rec.URL, now)
	tests := []struct {
		name  string
		offer time.Time
		want  time.Time
	}{
		{"no deadline", time.Time{}, now.Truncate(time.Hour).Add(24 * time.Hour)},
		{"in three hours", now.Add(3 * time.Hour), now.Add(3 * time.Hour)},
		{"in ten minutes", now.Add(10 * time.Minute), now.Add(33 * time.Minute)},
		{"already past", now.Add(-time.Hour), now.Add(33 * time.Minute)},
		{"in a week", now.Add(7 * 24 * time.Hour), now.Truncate(time.Hour).Add(24 * time.Hour)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CheckoutLink(context.Background(), bot.PaymentRequest{Booking: "bk-" + strconv.Itoa(i),
				AmountCents: 500, Title: "X", Lang: "uk", Expires: tt.offer})
			if err != nil {
				t.Fatal(err)
			}
			reqs := rec.requests()
			last := reqs[len(reqs)-1].Form
			exp, _ := strconv.ParseInt(last.Get("expires_at"), 10, 64)
			if exp != tt.want.Unix() {
				t.Errorf("expires_at = %v, want %v", time.Unix(exp, 0).UTC(), tt.want)
			}
			if d := time.Unix(exp, 0).Sub(now); d < 30*time.Minute || d > 24*time.Hour {
				t.Errorf("expiry %v from now is outside Stripe's 30 min – 24 h", d)
			}
			if got := last.Get("locale"); got != "auto" {
				t.Errorf("Ukrainian: locale = %q, want auto (Checkout has no Ukrainian)", got)
			}
		})
	}
}

func TestLocale(t *testing.T) {
	for lang, want := range map[string]string{"it": "it", "en": "en", "es": "es", "fr": "fr", "ro": "ro",
		"ru": "ru", "zh": "zh", "uk": "auto", "ar": "auto", "": "auto", "xx": "auto"} {
		if got := stripe.Locale(lang); got != want {
			t.Errorf("Locale(%q) = %q, want %q", lang, got, want)
		}
	}
}

func TestCheckoutLinkRefusesNothingToPay(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1", time.Now())
	for _, p := range []bot.PaymentRequest{{Booking: "", AmountCents: 100}, {Booking: "bk", AmountCents: 0}, {Booking: "bk", AmountCents: -5}} {
		if _, err := c.CheckoutLink(context.Background(), p); err == nil {
			t.Errorf("CheckoutLink(%+v) made a link", p)
		}
	}
}

func TestStripeUnreachableFailsPromptly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused
	c := newClient(t, "http://"+addr, time.Now())
	_, err = c.CheckoutLink(context.Background(), bot.PaymentRequest{Booking: "bk-1", AmountCents: 100, Title: "X", Lang: "it"})
	if err == nil || !strings.Contains(err.Error(), "bk-1") {
		t.Fatalf("CheckoutLink with Stripe down = %v, want an error naming the booking", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("the error shows the secret key: %v", err)
	}
}

func TestNewChecksItsSettings(t *testing.T) {
	for _, o := range []stripe.Options{
		{SecretKey: "", PublicURL: "https://wemi.example.org"},
		{SecretKey: testKey, PublicURL: ""},
		{SecretKey: testKey, PublicURL: "http://wemi.example.org"},
		{SecretKey: testKey, PublicURL: "https://wemi.example.org/?x=1"},
		{SecretKey: testKey, PublicURL: "ftp://wemi.example.org"},
	} {
		if _, err := stripe.New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
	if _, err := stripe.New(stripe.Options{SecretKey: testKey, PublicURL: "http://127.0.0.1:8080"}); err != nil {
		t.Errorf("plain http on loopback refused: %v", err)
	}
}

func TestRefundThroughStripeMock(t *testing.T) {
	mock := stripetest.Start(t)
	rec := newRecorder(t, mock)
	c := newClient(t, rec.URL, time.Now())
	tests := []struct {
		name     string
		payment  bookings.Payment
		cents    int
		wantForm map[string]string
	}{
		{"checkout payment", bookings.Payment{Method: bookings.MethodCard, Provider: "stripe", Ref: "pi_3Abc", CardCents: 4550}, 4550,
			map[string]string{"payment_intent": "pi_3Abc", "amount": "4550"}},
		{"part of it", bookings.Payment{Method: bookings.MethodCard, Provider: "stripe", Ref: "pi_3Abc", CardCents: 4550}, 1000,
			map[string]string{"payment_intent": "pi_3Abc", "amount": "1000"}},
		{"telegram through stripe", bookings.Payment{Method: bookings.MethodTelegram, Provider: "telegram", Ref: "6543210987_tg/ch_3Xyz", CardCents: 2000}, 2000,
			map[string]string{"charge": "ch_3Xyz", "amount": "2000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, err := c.Refund(context.Background(), tt.payment, tt.cents)
			if err != nil {
				t.Fatalf("Refund: %v", err)
			}
			if !strings.HasPrefix(ref, "re_") {
				t.Errorf("refund id %q", ref)
			}
			reqs := rec.requests()
			last := reqs[len(reqs)-1]
			if last.Path != "/v1/refunds" || last.Idempotency == "" {
				t.Errorf("request %s with key %q", last.Path, last.Idempotency)
			}
			for k, v := range tt.wantForm {
				if got := last.Form.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestRefundRefusesWhatCannotBeRefunded(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1", time.Now())
	paid := bookings.Payment{Provider: "stripe", Ref: "pi_1", CardCents: 1000, RefundedCents: 400}
	for _, tt := range []struct {
		name  string
		p     bookings.Payment
		cents int
	}{
		{"more than is left", paid, 700},
		{"nothing", paid, 0},
		{"no stripe payment", bookings.Payment{Provider: "stripe", Ref: "cs_test_1", CardCents: 1000}, 100},
		{"telegram without provider charge", bookings.Payment{Provider: "telegram", Ref: "tgcharge", CardCents: 1000}, 100},
	} {
		if _, err := c.Refund(context.Background(), tt.p, tt.cents); err == nil {
			t.Errorf("%s: refunded", tt.name)
		}
	}
}
