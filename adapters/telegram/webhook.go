package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// maxWebhookBody bounds a webhook request: real updates are a few KB.
const maxWebhookBody = 1 << 20

// registerWebhook tells Telegram to send updates to the webhook URL, with the secret
// token.
func (a *Adapter) registerWebhook(ctx context.Context) error {
	params := tgbotapi.Params{"url": a.opts.WebhookURL, "secret_token": a.opts.SecretToken}
	if err := a.retry(ctx, func() error { _, err := a.api.MakeRequest("setWebhook", params); return err }); err != nil {
		return fmt.Errorf("telegram: set webhook: %w", err)
	}
	return nil
}

// Webhook returns the handler of webhook updates, which engine answers. A request
// without the configured secret token gets 401 and is logged without its body; once
// Run has started shutting down, requests get 503 (Telegram retries them later, at
// another replica).
func (a *Adapter) Webhook(engine Engine) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.serveWebhook(w, r, engine) })
}

// serveWebhook handles one webhook request.
func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request, engine Engine) {
	a.inFlight.Add(1)
	defer a.inFlight.Done()
	if a.draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if a.opts.SecretToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.opts.SecretToken)) != 1 {
		a.log.Warn("telegram: webhook request refused: missing or wrong secret token", "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var u tgbotapi.Update
	if err := json.NewDecoder(io.LimitReader(r.Body, maxWebhookBody)).Decode(&u); err != nil {
		a.log.Warn("telegram: webhook request refused: not an update", "err", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	// Handled before answering: if this replica dies now, Telegram delivers the
	// update again, and the engine drops it if it was already handled.
	a.handle(context.WithoutCancel(r.Context()), engine, u)
	w.WriteHeader(http.StatusOK)
}
