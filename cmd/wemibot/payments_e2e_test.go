package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/stripe/stripetest"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/internal/logtest"
)

const e2eWebhookSecret = "whsec_e2e_0123456789abcdef"

// payServer is `serve` built by the real wiring (newServer) on a Redis, with Stripe
// pointed at stripe-mock: the test reaches its engine and stores as staff would, and
// its HTTP front as browsers and Stripe do.
type payServer struct {
	s    *server
	base string // http://127.0.0.1:port
	logs *logtest.Buffer
}

// payEnv is the environment of a replica on srv with Stripe on stripe-mock.
func payEnv(t testing.TB, srv *redistest.Server, mock *stripetest.Mock) map[string]string {
	t.Helper()
	return map[string]string{"WEMI_REDIS_URL": srv.URL(), "WEMI_KEK": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"WEMI_DATA_DIR": t.TempDir(), "WEMI_HTTP_ADDR": "127.0.0.1:0", "WEMI_SESSION_SECRET": strings.Repeat("s", 40),
		"WEMI_STRIPE_SECRET_KEY": "sk_test_e2e", "WEMI_STRIPE_WEBHOOK_SECRET": e2eWebhookSecret,
		"WEMI_STRIPE_API_URL": mock.URL, "WEMI_PUBLIC_URL": "http://127.0.0.1:9"}
}

// startPayServer builds and runs a replica until the test ends.
func startPayServer(t testing.TB, env map[string]string) *payServer {
	t.Helper()
	cfg, err := configFromEnv(env)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logtest.Buffer{}
	c := &cli{cfg: cfg, stdin: strings.NewReader(""), stdout: &logtest.Buffer{}, stderr: logs}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := newServer(ctx, c)
	if err != nil {
		cancel()
		t.Fatalf("newServer: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(waitLimit):
			t.Error("serve did not stop")
		}
		s.Close()
	})
	return &payServer{s: s, base: "http://" + s.listener.Addr().String(), logs: logs}
}

// browser is a citizen's browser on the web chat: a cookie jar and the last seq seen.
type browser struct {
	t       testing.TB
	base    string
	client  *http.Client
	session string
	seq     uint64
	n       atomic.Int64
}

func openChat(t testing.TB, base string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	resp, err := b.client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	for _, c := range jar.Cookies(u) {
		b.session = c.Value
	}
	if b.session == "" {
		t.Fatal("the page gave no session")
	}
	b.say(map[string]any{"text": "/start", "lang": "it"})
	return b
}

// webAnswer is the JSON of an answer or an inbox.
type webAnswer struct {
	Replies []struct {
		Seq     uint64 `json:"seq"`
		HTML    string `json:"html"`
		Buttons [][]struct {
			Label string `json:"label"`
			Data  string `json:"data"`
			URL   string `json:"url"`
		} `json:"buttons"`
		Document *struct {
			Name string `json:"name"`
		} `json:"document"`
	} `json:"replies"`
}

func (a webAnswer) text() string {
	var b strings.Builder
	for _, r := range a.Replies {
		b.WriteString(r.HTML + "\n")
	}
	return b.String()
}

// button finds a button by a word of its label.
func (a webAnswer) button(label string) (data, link string, ok bool) {
	for _, r := range a.Replies {
		for _, row := range r.Buttons {
			for _, btn := range row {
				if strings.Contains(btn.Label, label) {
					return btn.Data, btn.URL, true
				}
			}
		}
	}
	return "", "", false
}

func (b *browser) say(msg map[string]any) webAnswer {
	b.t.Helper()
	msg["id"] = fmt.Sprintf("m%d", b.n.Add(1))
	body, _ := json.Marshal(msg)
	resp, err := b.client.Post(b.base+"/api/messages", "application/json", bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a webAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != http.StatusOK {
		b.t.Fatalf("POST /api/messages: %d, %v", resp.StatusCode, err)
	}
	return a
}

// inbox collects what reached the page on the bot's initiative.
func (b *browser) inbox() webAnswer {
	b.t.Helper()
	resp, err := b.client.Get(fmt.Sprintf("%s/api/inbox?after=%d", b.base, b.seq))
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a webAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET /api/inbox: %d, %v", resp.StatusCode, err)
	}
	for _, r := range a.Replies {
		b.seq = max(b.seq, r.Seq)
	}
	return a
}

// requestBooking stores the citizen's booking request of a bookable service three days
// from now, as the booking flow does, and returns its id.
func (p *payServer) requestBooking(t testing.TB, conversation string) string {
	t.Helper()
	var svc string
	for _, s := range p.s.reloader.live.Catalogue().Services {
		if s.Cost.Individual > 0 && s.Organization != nil && len(s.Municipi) > 0 {
			svc = s.ID
			break
		}
	}
	now := time.Now()
	start := time.Date(now.Year(), now.Month(), now.Day()+3, 10, 0, 0, 0, time.UTC)
	b := bookings.Booking{ID: bookings.NewID(), Conversation: conversation, Lang: "it", FirstName: "Giulia", Service: svc,
		Start: start, Quantity: 2, ForWhom: bookings.ForSelf, Municipio: 1, EstimateCents: 4550,
		Status: bookings.Requested, History: []bookings.Change{{Status: bookings.Requested, At: now, By: "citizen"}},
		Created: now, Updated: now}
	if err := p.s.bookings.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return b.ID
}

// offer is staff's offer of cents on booking id, open until expires.
func (p *payServer) offer(t testing.TB, id string, cents int, expires time.Time) {
	t.Helper()
	if _, err := p.s.engine.BookingFromStaff(context.Background(), bot.BookingAction{Kind: bot.BookingOffer, Booking: id,
		Operator: "Sara", PriceCents: cents, Expires: expires}); err != nil {
		t.Fatalf("offer: %v", err)
	}
}

// stripeDelivers posts a signed Checkout event to a replica's webhook, as Stripe does.
func stripeDelivers(t testing.TB, base string, body []byte, sig string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/stripe/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if sig != "" {
		req.Header.Set("Stripe-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func paid(event, booking string, cents int) []byte {
	return stripetest.Event(event, "checkout.session.completed",
		stripetest.Session{Booking: booking, AmountCents: cents, PaymentIntent: "pi_" + strings.ReplaceAll(booking, "-", "")})
}

// The web chat end to end on two replicas sharing a Redis: the offer, the Stripe link
// made on stripe-mock, the signed webhook confirming the booking once (twice, on
// either replica), its reminders planned, the receipt in the citizen's inbox; a
// forged webhook changing nothing; a payment after the offer expired refunded through
// stripe-mock.
func TestWebPaymentEndToEnd(t *testing.T) {
	t.Parallel() // a real server of its own: runs beside the others
	srv, mock := redistest.Start(t), stripetest.Start(t)
	env := payEnv(t, srv, mock)
	a := startPayServer(t, env)
	env2 := payEnv(t, srv, mock)
	env2["WEMI_KEK"] = env["WEMI_KEK"]
	b2 := startPayServer(t, env2)
	ctx := context.Background()

	citizen := openChat(t, a.base)
	id := a.requestBooking(t, "web:"+citizen.session)
	a.offer(t, id, 4550, time.Now().Add(20*time.Hour))
	offer := citizen.inbox()
	payData, _, ok := offer.button("Paga")
	if !ok {
		t.Fatalf("the offer has no Paga button:\n%s", offer.text())
	}
	page := citizen.say(map[string]any{"button": payData})
	link, ok := "", false
	for _, r := range page.Replies {
		for _, row := range r.Buttons {
			for _, btn := range row {
				if btn.URL != "" {
					link, ok = btn.URL, true
				}
			}
		}
	}
	if !ok || !strings.HasPrefix(link, "https://") {
		t.Fatalf("no payment page link after Paga:\n%s %+v", page.text(), page.Replies)
	}

	// A forged event, and one signed too long ago: nothing happens.
	body := paid("evt_e2e_1", id, 4550)
	if code := stripeDelivers(t, a.base, body, stripetest.Sign("whsec_forged", body, time.Now())); code != http.StatusBadRequest {
		t.Errorf("forged webhook: %d", code)
	}
	if code := stripeDelivers(t, a.base, body, stripetest.Sign(e2eWebhookSecret, body, time.Now().Add(-10*time.Minute))); code != http.StatusBadRequest {
		t.Errorf("old webhook: %d", code)
	}
	if bk, _ := a.s.bookings.Get(ctx, id); bk.Status != bookings.Offered {
		t.Fatalf("after forged webhooks the booking is %s", bk.Status)
	}

	// Stripe delivers the event: once to each replica, and again.
	for i, base := range []string{a.base, b2.base, a.base} {
		if code := stripeDelivers(t, base, body, stripetest.Sign(e2eWebhookSecret, body, time.Now())); code != http.StatusOK {
			t.Fatalf("delivery %d: status %d\n%s", i, code, a.logs)
		}
	}
	bk, err := a.s.bookings.Get(ctx, id)
	if err != nil || bk.Status != bookings.Confirmed || bk.Payment == nil || bk.Payment.EventID != "evt_e2e_1" || bk.Payment.CardCents != 4550 {
		t.Fatalf("booking after payment: %+v %+v (%v)", bk, bk.Payment, err)
	}
	if pending, _ := a.s.store.Pending(ctx, id); len(pending) == 0 {
		t.Error("no reminders planned for the confirmed booking")
	}
	receipt := citizen.inbox()
	if n := strings.Count(receipt.text(), "Ricevuta"); n != 1 {
		t.Fatalf("%d receipts reached the citizen, want 1:\n%s", n, receipt.text())
	}
	hasICS := false
	for _, r := range receipt.Replies {
		hasICS = hasICS || (r.Document != nil && strings.HasSuffix(r.Document.Name, ".ics"))
	}
	if !hasICS {
		t.Error("the receipt came without the calendar file")
	}

	// The page Stripe sends the citizen back to, in their language.
	resp, err := http.Get(a.base + "/pay/done?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	back, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(back), "Payment received") || !strings.Contains(string(back), `href="/"`) {
		t.Errorf("return page:\n%s", back)
	}

	// An offer that expires before the citizen pays: the payment that comes all the
	// same is refunded at once through Stripe (stripe-mock), and the citizen told.
	late := a.requestBooking(t, "web:"+citizen.session)
	a.offer(t, late, 2000, time.Now().Add(1500*time.Millisecond))
	citizen.inbox()
	time.Sleep(2 * time.Second)
	lateBody := paid("evt_e2e_late", late, 2000)
	if code := stripeDelivers(t, b2.base, lateBody, stripetest.Sign(e2eWebhookSecret, lateBody, time.Now())); code != http.StatusOK {
		t.Fatalf("late payment: status %d", code)
	}
	lb, _ := a.s.bookings.Get(ctx, late)
	if lb.Status != bookings.Refunded || lb.Payment == nil || !strings.HasPrefix(lb.Payment.RefundRef, "re_") {
		t.Fatalf("late payment: %s %+v", lb.Status, lb.Payment)
	}
	if told := citizen.inbox().text(); !strings.Contains(told, "restitu") {
		t.Errorf("the refund was not told:\n%s", told)
	}
}

// waitSentWith waits until a message to chat from index from on satisfies ok, and
// returns it.
func waitSentWith(t *testing.T, fake *telegramtest.Server, chat int64, from int, what string, ok func(telegramtest.Sent) bool) (telegramtest.Sent, int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		sent := fake.Sent(chat)
		for i := from; i < len(sent); i++ {
			if ok(sent[i]) {
				return sent[i], i
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		fake.WaitSent(ctx, chat, len(sent)+1)
		cancel()
	}
	t.Fatalf("no %s reached chat %d: %+v", what, chat, fake.Sent(chat)[from:])
	return telegramtest.Sent{}, 0
}

// Telegram end to end with Telegram Payments: the offer, Paga sends an invoice (with
// the provider token, never kept), the pre-checkout query is answered ok by the
// engine, successful_payment confirms the booking with a receipt and the calendar
// file, reminders are planned, and the same payment again changes nothing.
func TestTelegramPaymentEndToEnd(t *testing.T) {
	t.Parallel() // a real server of its own: runs beside the others
	srv, mock := redistest.Start(t), stripetest.Start(t)
	fake := telegramtest.New(t, testToken)
	env := payEnv(t, srv, mock)
	env["WEMI_TELEGRAM_TOKEN"], env["WEMI_TELEGRAM_API"] = testToken, fake.Endpoint()
	env["WEMI_TELEGRAM_PAYMENT_TOKEN"] = "284685063:TEST:e2e-provider-token"
	p := startPayServer(t, env)
	ctx := context.Background()
	const chat = 7001
	giulia := telegramtest.User{ID: chat, FirstName: "Giulia", LanguageCode: "it"}
	fake.PushMessage(chat, giulia, "/start")
	waitSentWith(t, fake, chat, 0, "greeting", func(s telegramtest.Sent) bool { return s.Text != "" })

	id := p.requestBooking(t, fmt.Sprintf("telegram:%d", chat))
	p.offer(t, id, 4550, time.Now().Add(20*time.Hour))
	var payData string
	offerMsg, at := waitSentWith(t, fake, chat, 0, "offer with Paga", func(s telegramtest.Sent) bool {
		for _, row := range s.Keyboard {
			for _, b := range row {
				if strings.Contains(b.Text, "Paga") && b.CallbackData != "" {
					payData = b.CallbackData
					return true
				}
			}
		}
		return false
	})
	fake.PushCallback(chat, giulia, offerMsg.MessageID, payData)
	inv, at := waitSentWith(t, fake, chat, at+1, "invoice", func(s telegramtest.Sent) bool { return s.Invoice != nil })
	if inv.Invoice.Payload != id || inv.Invoice.Total() != 4550 || inv.Invoice.Currency != "EUR" ||
		inv.Invoice.ProviderToken != env["WEMI_TELEGRAM_PAYMENT_TOKEN"] {
		t.Fatalf("invoice = %+v", *inv.Invoice)
	}

	_, q := fake.PushPreCheckout(chat, giulia, id, "EUR", 4550)
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ans, err := fake.WaitPreCheckoutAnswer(wctx, q)
	if err != nil || !ans.OK {
		t.Fatalf("pre-checkout: %+v, %v", ans, err)
	}
	pay := telegramtest.Payment{Currency: "EUR", TotalAmount: 4550, InvoicePayload: id,
		TelegramPaymentChargeID: "6100000001_tg", ProviderPaymentChargeID: "ch_3E2e"}
	fake.PushSuccessfulPayment(chat, giulia, pay)
	waitSentWith(t, fake, chat, at+1, "receipt", func(s telegramtest.Sent) bool { return strings.Contains(s.Text, "Ricevuta") })
	waitSentWith(t, fake, chat, at+1, "calendar file", func(s telegramtest.Sent) bool { return strings.HasSuffix(s.DocumentName, ".ics") })
	bk, err := p.s.bookings.Get(ctx, id)
	if err != nil || bk.Status != bookings.Confirmed || bk.Payment == nil || bk.Payment.Method != bookings.MethodTelegram ||
		bk.Payment.Ref != "6100000001_tg/ch_3E2e" {
		t.Fatalf("booking after payment: %s %+v (%v)", bk.Status, bk.Payment, err)
	}
	if pending, _ := p.s.store.Pending(ctx, id); len(pending) == 0 {
		t.Error("no reminders planned")
	}
	// The same payment again (Telegram redelivering another update): no second receipt.
	before := len(fake.Sent(chat))
	fake.PushSuccessfulPayment(chat, giulia, pay)
	fake.PushMessage(chat, giulia, "grazie")
	waitSentWith(t, fake, chat, before, "answer to grazie", func(s telegramtest.Sent) bool { return s.Text != "" && !strings.Contains(s.Text, "Ricevuta") })
	for _, s := range fake.Sent(chat)[before:] {
		if strings.Contains(s.Text, "Ricevuta") {
			t.Errorf("a second receipt: %q", s.Text)
		}
	}
	// A pre-checkout for the booking now paid is refused, in Italian.
	_, q2 := fake.PushPreCheckout(chat, giulia, id, "EUR", 4550)
	if ans, err := fake.WaitPreCheckoutAnswer(wctx, q2); err != nil || ans.OK || ans.ErrorMessage == "" {
		t.Errorf("pre-checkout of a paid booking: %+v, %v", ans, err)
	}
	if strings.Contains(p.logs.String(), "e2e-provider-token") {
		t.Error("the payment token reached the logs")
	}
}
