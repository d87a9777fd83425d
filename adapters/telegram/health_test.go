package telegram_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/internal/logtest"
	"github.com/comune-milano/wemibot/internal/outagetest"
)

// waitHealth waits until the adapter's health satisfies ok, failing after 10 s.
func waitHealth(t *testing.T, a *telegram.Adapter, ok func(telegram.Health) bool) telegram.Health {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h := a.Health()
		if ok(h) {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("health stayed %+v", h)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// degradedBy reports a health degraded with a reason that contains want.
func degradedBy(want string) func(telegram.Health) bool {
	return func(h telegram.Health) bool {
		return h.State == telegram.StateDegraded && strings.Contains(h.Reason, want)
	}
}

// Telegram down at start (connection refused, then 502): New makes no call, Run keeps
// trying with growing pauses and reports why, Push and the webhook refuse politely;
// once the Bot API is back the bot connects, publishes its menu and answers, without
// a restart.
func TestRunWaitsForTelegramToComeBack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		down   func(*outagetest.Front)
		reason string
	}{
		{"connection refused", (*outagetest.Front).Refuse, "getMe: the Bot API is unreachable"},
		{"bad gateway", func(f *outagetest.Front) { f.Fail(http.StatusBadGateway) }, "getMe: the Bot API answered 502"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs logtest.Buffer
			f := newFixture(t, func(o *telegram.Options) {
				o.RetryMin, o.RetryMax = 5*time.Millisecond, 20*time.Millisecond
				o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			})
			front := outagetest.New(t, f.fake.URL())
			tc.down(front)
			f.opts.APIEndpoint = front.URL() + "/bot%s/%s"
			a, err := telegram.New(f.opts)
			if err != nil {
				t.Fatalf("New with Telegram down: %v", err)
			}
			if h := a.Health(); h.State != telegram.StateStarting || h.Connected {
				t.Errorf("health before Run: %+v", h)
			}
			a.SetCommands(f.engine.Texts())
			f.run(a)
			h := waitHealth(t, a, degradedBy(tc.reason))
			if h.Connected || a.Username() != "" {
				t.Errorf("connected while down: %+v @%s", h, a.Username())
			}
			if err := a.Push(t.Context(), "5005", []bot.Reply{{Text: "ciao"}}); !errors.Is(err, telegram.ErrNotConnected) {
				t.Errorf("push while down: %v", err)
			}
			// A few more attempts while down.
			for start, deadline := front.Requests(), time.Now().Add(10*time.Second); tc.name == "bad gateway" &&
				front.Requests() < start+3 && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
			front.Pass()
			waitHealth(t, a, func(h telegram.Health) bool { return h.State == telegram.StateUp && h.Connected })
			if a.Username() != telegramtest.BotUsername {
				t.Errorf("username %q", a.Username())
			}
			f.fake.PushMessage(5005, giulia, "/aiuto")
			f.wait(5005, 1)
			if err := a.Push(t.Context(), "5005", []bot.Reply{{Text: "di nuovo qui"}}); err != nil {
				t.Errorf("push once up: %v", err)
			}
			for deadline := time.Now().Add(10 * time.Second); len(f.fake.Commands()) < len(bot.Languages()); time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("command menu in %d languages", len(f.fake.Commands()))
				}
			}
			if strings.Contains(logs.String(), token) {
				t.Error("the logs show the token")
			}
			if !strings.Contains(logs.String(), "getMe failed; trying again") {
				t.Errorf("no warning while down:\n%s", logs.String())
			}
		})
	}
}

// A shutdown while Telegram is still unreachable ends Run cleanly, without an error.
func TestRunStopsCleanlyWhileTelegramIsDown(t *testing.T) {
	f := newFixture(t, func(o *telegram.Options) { o.RetryMin, o.RetryMax = 5*time.Millisecond, 10*time.Millisecond })
	front := outagetest.New(t, f.fake.URL())
	front.Fail(http.StatusServiceUnavailable)
	f.opts.APIEndpoint = front.URL() + "/bot%s/%s"
	a, err := telegram.New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	stop := f.run(a) // fails the test if Run returns an error
	waitHealth(t, a, degradedBy("answered 503"))
	stop()
}

// Once connected, failing calls degrade the channel and a good answer brings it back
// up; a refused token is told apart from an outage.
func TestHealthFollowsTheBotAPI(t *testing.T) {
	f := newFixture(t, func(o *telegram.Options) { o.RetryMin, o.RetryMax = 5*time.Millisecond, 10*time.Millisecond })
	front := outagetest.New(t, f.fake.URL())
	f.opts.APIEndpoint = front.URL() + "/bot%s/%s"
	a, err := telegram.New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	f.run(a)
	waitHealth(t, a, func(h telegram.Health) bool { return h.State == telegram.StateUp })
	front.Fail(http.StatusBadGateway)
	waitHealth(t, a, degradedBy("getUpdates: the Bot API answered 502"))
	front.Pass()
	waitHealth(t, a, func(h telegram.Health) bool { return h.State == telegram.StateUp })

	wrong := newFixture(t, func(o *telegram.Options) {
		o.Token = "999:wrong"
		o.RetryMin, o.RetryMax = 5*time.Millisecond, 10*time.Millisecond
	})
	wrong.opts.APIEndpoint = f.fake.Endpoint()
	b, err := telegram.New(wrong.opts)
	if err != nil {
		t.Fatal(err)
	}
	wrong.run(b)
	h := waitHealth(t, b, degradedBy("getMe: the Bot API refused the token"))
	if strings.Contains(h.Reason, "999") {
		t.Errorf("the reason shows the token: %q", h.Reason)
	}
}

// Webhook requests before Run reached Telegram get 503, which Telegram retries.
func TestWebhookBeforeConnecting(t *testing.T) {
	const secret = "s3cret-webhook-token-0123456789"
	f := newFixture(t, func(o *telegram.Options) {
		o.WebhookURL, o.SecretToken = "https://wemi.example.org/telegram", secret
		o.RetryMin, o.RetryMax = 5*time.Millisecond, 10*time.Millisecond
	})
	front := outagetest.New(t, f.fake.URL())
	front.Refuse()
	f.opts.APIEndpoint = front.URL() + "/bot%s/%s"
	a, err := telegram.New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	f.run(a)
	srv := httptest.NewServer(a.Webhook(f.engine))
	defer srv.Close()
	_, body := f.fake.NewMessageUpdate(6007, giulia, "ciao")
	post := func() int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitHealth(t, a, degradedBy("getMe"))
	if code := post(); code != http.StatusServiceUnavailable {
		t.Errorf("webhook before connecting: %d", code)
	}
	front.Pass()
	waitHealth(t, a, func(h telegram.Health) bool { return h.Connected })
	if url, got := f.fake.Webhook(); url != f.opts.WebhookURL || got != secret {
		t.Fatalf("webhook registered as %q with secret %q", url, got)
	}
	if code := post(); code != http.StatusOK {
		t.Errorf("webhook once connected: %d", code)
	}
	f.wait(6007, 1)
}

// A flood of requests with a wrong secret logs one warning, then one line a minute
// with a count; never the secret that was tried.
func TestWrongWebhookSecretsAreLoggedWithARate(t *testing.T) {
	const secret = "s3cret-webhook-token-0123456789"
	var logs logtest.Buffer
	clock := clocktest.New(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	f := newFixture(t, func(o *telegram.Options) {
		o.WebhookURL, o.SecretToken = "https://wemi.example.org/telegram", secret
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		o.Now = clock.Now
	})
	a, err := telegram.New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	f.run(a)
	waitHealth(t, a, func(h telegram.Health) bool { return h.Connected })
	srv := httptest.NewServer(a.Webhook(f.engine))
	defer srv.Close()
	_, body := f.fake.NewMessageUpdate(6008, giulia, "ciao")
	post := func(n int) {
		for range n {
			req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "guess-guess-guess-guess")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong secret: %d", resp.StatusCode)
			}
		}
	}
	refused := func() []string { return logs.Lines("wrong secret token") }
	post(200)
	if got := refused(); len(got) != 1 || !strings.Contains(got[0], "count=1") {
		t.Fatalf("after 200 refusals in a minute: %q", got)
	}
	clock.Advance(time.Minute)
	post(1)
	if got := refused(); len(got) != 2 || !strings.Contains(got[1], "count=200") {
		t.Errorf("a minute later: %q", got)
	}
	if strings.Contains(logs.String(), "guess-guess") || strings.Contains(logs.String(), secret) {
		t.Error("the logs show a secret")
	}
	if n := len(f.fake.Sent(6008)); n != 0 {
		t.Errorf("refused requests produced %d messages", n)
	}
}
