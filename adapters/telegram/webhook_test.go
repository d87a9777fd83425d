package telegram_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/telegram"
)

func TestWebhook(t *testing.T) {
	const secret = "s3cret-webhook-token-0123456789"
	f := newFixture(t, func(o *telegram.Options) {
		o.WebhookURL = "https://wemi.example.org/telegram"
		o.SecretToken = secret
	})
	a, err := telegram.New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, f.engine) }()
	defer func() { cancel(); <-done }()
	srv := httptest.NewServer(a.Webhook(f.engine))
	defer srv.Close()
	waitHealth(t, a, func(h telegram.Health) bool { return h.Connected })
	if url, got := f.fake.Webhook(); url != f.opts.WebhookURL || got != secret {
		t.Fatalf("webhook registered as %q with secret %q", url, got)
	}
	post := func(header string, body []byte) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	_, body := f.fake.NewMessageUpdate(6006, giulia, "ciao")
	if code := post("", body); code != http.StatusUnauthorized {
		t.Errorf("no secret: %d", code)
	}
	if code := post("wrong-secret-wrong-secret", body); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", code)
	}
	if code := post(secret, []byte("{not json")); code != http.StatusBadRequest {
		t.Errorf("garbage: %d", code)
	}
	if n := len(f.fake.Sent(6006)); n != 0 {
		t.Fatalf("refused requests produced %d messages", n)
	}
	if code := post(secret, body); code != http.StatusOK {
		t.Fatalf("good secret: %d", code)
	}
	f.wait(6006, 1)
	// Telegram redelivers: the same update is answered once.
	if code := post(secret, body); code != http.StatusOK {
		t.Fatalf("redelivery: %d", code)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(f.fake.Sent(6006)); n != 1 {
		t.Errorf("a redelivered update was answered %d times", n)
	}
}
