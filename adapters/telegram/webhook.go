package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// maxWebhookBody bounds a webhook request: real updates are a few KB.
const maxWebhookBody = 1 << 20

// secretWarnEvery bounds the warnings about requests with a wrong secret token: the
// first is logged at once, then at most one line, with a count, per interval.
const secretWarnEvery = time.Minute

// Webhook returns the handler of webhook updates, which engine answers. A request
// without the configured secret token gets 401 and is logged without its body (at most
// once a minute, with a count); before Run has reached Telegram, and once it has
// started shutting down, requests get 503 (Telegram retries them later, here or at
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
	if !a.health.isConnected() {
		http.Error(w, "not connected to Telegram yet", http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if a.opts.SecretToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.opts.SecretToken)) != 1 {
		a.badSecret.Warn("remote", r.RemoteAddr)
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
