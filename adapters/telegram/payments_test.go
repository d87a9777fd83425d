package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/internal/logtest"
)

const paymentToken = "284685063:TEST:secret-provider-token"

// payingEngine is a hand-written engine that takes payments: handle answers messages,
// allowed checks a payment; the messages it got are kept.
type payingEngine struct {
	texts   *bot.Texts
	handle  func(m bot.Message) []bot.Reply
	allowed func(ctx context.Context, booking string, cents int) error

	mu  sync.Mutex
	got []bot.Message
}

func (e *payingEngine) Handle(_ context.Context, m bot.Message) ([]bot.Reply, error) {
	e.mu.Lock()
	e.got = append(e.got, m)
	e.mu.Unlock()
	if e.handle == nil {
		return nil, nil
	}
	return e.handle(m), nil
}

func (e *payingEngine) PaymentAllowed(ctx context.Context, booking string, cents int) error {
	return e.allowed(ctx, booking, cents)
}

func (e *payingEngine) Texts() *bot.Texts { return e.texts }

func (e *payingEngine) messages() []bot.Message {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]bot.Message(nil), e.got...)
}

func newPayingEngine(t *testing.T) *payingEngine {
	t.Helper()
	texts, err := bot.LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	return &payingEngine{texts: texts, allowed: func(context.Context, string, int) error { return nil }}
}

// runPaying runs an adapter with a payment token for engine until the test ends.
func runPaying(t *testing.T, fake *telegramtest.Server, engine telegram.Engine, logs *logtest.Buffer) {
	t.Helper()
	a, err := telegram.New(telegram.Options{Token: token, APIEndpoint: fake.Endpoint(), PollTimeout: time.Second,
		GlobalRate: -1, ChatRate: -1, ShutdownTimeout: 5 * time.Second, PaymentToken: paymentToken,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, engine) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func TestOfferGoesOutAsAnInvoiceWithALinkButtonBeside(t *testing.T) {
	fake := telegramtest.New(t, token)
	e := newPayingEngine(t)
	e.handle = func(m bot.Message) []bot.Reply {
		return []bot.Reply{
			{Text: "La tua offerta", Buttons: [][]bot.Button{{{Label: "Paga online", URL: "https://checkout.stripe.com/c/pay/cs_test_1"}}}},
			{Invoice: &bot.Invoice{Title: "Assistenza domiciliare per anziani a Milano", Description: "martedì 8 dicembre, 3 ore",
				Payload: "bk-42", Currency: "EUR", AmountCents: 4550}},
		}
	}
	logs := &logtest.Buffer{}
	runPaying(t, fake, e, logs)
	const chat = 2001
	fake.PushMessage(chat, giulia, "pago")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sent, err := fake.WaitSent(ctx, chat, 2)
	if err != nil {
		t.Fatal(err)
	}
	link := sent[0].Keyboard
	if len(link) != 1 || link[0][0].URL != "https://checkout.stripe.com/c/pay/cs_test_1" || link[0][0].CallbackData != "" {
		t.Errorf("link button = %+v, want an inline url button", link)
	}
	in := sent[1].Invoice
	if sent[1].Method != "sendInvoice" || in == nil {
		t.Fatalf("second message = %+v, want an invoice", sent[1])
	}
	if in.ProviderToken != paymentToken || in.Currency != "EUR" || in.Payload != "bk-42" || in.Total() != 4550 {
		t.Errorf("invoice = %+v", *in)
	}
	if n := len([]rune(in.Title)); n > 32 {
		t.Errorf("title of %d characters, Telegram takes 32", n)
	}
	if strings.Contains(logs.String(), paymentToken) || strings.Contains(logs.String(), "secret-provider") {
		t.Errorf("the payment token reached the log:\n%s", logs)
	}
}

func TestPreCheckoutAnsweredByTheEngine(t *testing.T) {
	fake := telegramtest.New(t, token)
	e := newPayingEngine(t)
	var asked sync.Map
	e.allowed = func(_ context.Context, booking string, cents int) error {
		asked.Store(booking, cents)
		switch booking {
		case "bk-ok":
			return nil
		case "bk-expired":
			return &bot.PaymentRefusal{Key: "pay.refuse_expired", Text: "The offer has expired."}
		case "bk-down":
			return fmt.Errorf("%w: check a payment: %w", bot.ErrUnavailable, errors.New("connection refused"))
		}
		return fmt.Errorf("booking %s: %w", booking, bookings.ErrNotFound)
	}
	runPaying(t, fake, e, &logtest.Buffer{})
	english := telegramtest.User{ID: 2002, FirstName: "Ann", LanguageCode: "en-GB"}
	tests := []struct {
		booking  string
		currency string
		ok       bool
		want     string // in the refusal
	}{
		{"bk-ok", "EUR", true, ""},
		{"bk-gone", "EUR", false, "no longer possible"},
		{"bk-down", "EUR", false, "right now"},
		{"bk-expired", "EUR", false, "The offer has expired."},
		{"bk-ok", "USD", false, "no longer possible"},
	}
	for _, tt := range tests {
		t.Run(tt.booking+"-"+tt.currency, func(t *testing.T) {
			_, q := fake.PushPreCheckout(2002, english, tt.booking, tt.currency, 4550)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			a, err := fake.WaitPreCheckoutAnswer(ctx, q)
			if err != nil {
				t.Fatalf("no answer to the pre-checkout query: %v", err)
			}
			if a.OK != tt.ok || !strings.Contains(a.ErrorMessage, tt.want) {
				t.Errorf("answer = %+v, want ok=%v with %q", a, tt.ok, tt.want)
			}
		})
	}
	if v, _ := asked.Load("bk-ok"); v != 4550 {
		t.Errorf("the engine was asked about %v cents", v)
	}
	if n := len(e.messages()); n != 0 {
		t.Errorf("pre-checkout queries reached the conversation: %d messages", n)
	}
}

func TestPreCheckoutAnsweredWhileTheEngineHangs(t *testing.T) {
	// An engine stuck on a store that does not answer: Telegram still gets a refusal
	// before its 10 s (the fake refuses a later answer, as Telegram does).
	fake := telegramtest.New(t, token)
	e := newPayingEngine(t)
	e.allowed = func(ctx context.Context, _ string, _ int) error {
		<-ctx.Done()
		return ctx.Err()
	}
	runPaying(t, fake, e, &logtest.Buffer{})
	_, q := fake.PushPreCheckout(2003, giulia, "bk-1", "EUR", 100)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	a, err := fake.WaitPreCheckoutAnswer(ctx, q)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	if a.OK || !strings.Contains(a.ErrorMessage, "Riprova") && !strings.Contains(a.ErrorMessage, "riprova") {
		t.Errorf("answer = %+v, want a refusal asking to try again, in Italian", a)
	}
}

func TestSuccessfulPaymentReachesTheEngineAsAPayment(t *testing.T) {
	fake := telegramtest.New(t, token)
	e := newPayingEngine(t)
	runPaying(t, fake, e, &logtest.Buffer{})
	const chat = 2004
	fake.PushSuccessfulPayment(chat, giulia, telegramtest.Payment{Currency: "EUR", TotalAmount: 4550, InvoicePayload: "bk-42",
		TelegramPaymentChargeID: "6001234567_tg", ProviderPaymentChargeID: "ch_3Pay"})
	fake.PushSuccessfulPayment(chat, giulia, telegramtest.Payment{Currency: "USD", TotalAmount: 100, InvoicePayload: "bk-43",
		TelegramPaymentChargeID: "6001234568_tg", ProviderPaymentChargeID: "ch_3Other"})
	deadline := time.Now().Add(10 * time.Second)
	for len(e.messages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	got := e.messages()
	if len(got) != 2 {
		t.Fatalf("%d messages reached the engine, want 2", len(got))
	}
	want := bot.PaymentNotice{Booking: "bk-42", AmountCents: 4550, Method: bookings.MethodTelegram, Provider: "telegram",
		Ref: "6001234567_tg/ch_3Pay", EventID: "telegram:6001234567_tg"}
	if p := got[0].Payment; p == nil || *p != want || got[0].UserID != "2004" || got[0].Channel != "telegram" {
		t.Errorf("message = %+v (payment %+v), want %+v", got[0], p, want)
	}
	if got[1].Payment != nil || got[1].Unsupported == "" {
		t.Errorf("a payment in dollars became %+v", got[1])
	}
}

func TestInvoiceWithoutATokenIsNotSent(t *testing.T) {
	fake := telegramtest.New(t, token)
	e := newPayingEngine(t)
	e.handle = func(bot.Message) []bot.Reply {
		return []bot.Reply{{Text: "Offerta"}, {Invoice: &bot.Invoice{Title: "X", Payload: "bk-1", Currency: "EUR", AmountCents: 100}}}
	}
	logs := &logtest.Buffer{}
	a, err := telegram.New(telegram.Options{Token: token, APIEndpoint: fake.Endpoint(), PollTimeout: time.Second,
		GlobalRate: -1, ChatRate: -1, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, e) }()
	defer func() { cancel(); <-done }()
	fake.PushMessage(2005, giulia, "pago")
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if _, err := fake.WaitSent(wctx, 2005, 1); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(logs.Lines("without a payment token")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if fake.Calls("sendInvoice") != 0 || len(logs.Lines("without a payment token")) == 0 {
		t.Errorf("sendInvoice calls %d; log:\n%s", fake.Calls("sendInvoice"), logs)
	}
}
