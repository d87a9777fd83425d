package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/internal/chanhealth"
)

// ErrNotConnected is returned by Push before Run has reached Telegram: the caller
// (the reminder dispatcher, an operator's reply) tries again later.
var ErrNotConnected = errors.New("telegram: not connected to the Bot API yet")

// State is where the adapter stands with Telegram: starting until Run has tried to
// reach it, up when Telegram answers, degraded when it does not answer or refuses
// the bot's calls, while the adapter keeps trying.
type State = chanhealth.State

// The adapter's states.
const (
	StateStarting = chanhealth.StateStarting
	StateUp       = chanhealth.StateUp
	StateDegraded = chanhealth.StateDegraded
)

// Health is the adapter's state and, when it is not up, a short reason that names
// the Bot API method and the kind of failure: never the token, never a chat.
type Health struct {
	chanhealth.Health
	// Connected says Run has reached Telegram once: the bot's username is known and
	// updates are taken (a webhook answers, polling runs).
	Connected bool
}

// health is the adapter's Health, shared by Run and the HTTP calls it observes.
type health struct {
	mu        sync.Mutex
	state     State
	reason    string
	connected bool
	username  string
}

func newHealth() *health { return &health{state: StateStarting} }

func (h *health) get() Health {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Health{Health: chanhealth.Health{State: h.state, Reason: h.reason}, Connected: h.connected}
}

func (h *health) isConnected() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.connected
}

func (h *health) botUsername() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.username
}

// connect records that Telegram was reached, as the bot called username.
func (h *health) connect(username string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.connected, h.username = true, username
	h.state, h.reason = StateUp, ""
}

// degrade records a failure of method.
func (h *health) degrade(method, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.state, h.reason = StateDegraded, method+": "+reason
}

// answered records that Telegram answered a call: the adapter is up again once it
// was connected (before, only Run's connection decides).
func (h *health) answered() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.connected {
		h.state, h.reason = StateUp, ""
	}
}

// failed records that a call of method failed with err. The HTTP client has worded
// failures of the channel as a whole (unreachable, 5xx, a refused token); a call
// refused for what it asked (a 400 to setWebhook: a bad URL) is worded here.
func (h *health) failed(method string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var tgErr *tgbotapi.Error
	refused := errors.As(err, &tgErr) && tgErr.Code >= 400 && tgErr.Code < 500 &&
		tgErr.Code != http.StatusUnauthorized && tgErr.Code != http.StatusNotFound
	switch {
	case refused:
		h.state, h.reason = StateDegraded, fmt.Sprintf("%s: the Bot API refused the call (%d)", method, tgErr.Code)
	case h.state != StateDegraded:
		h.state, h.reason = StateDegraded, method+": the Bot API gave no usable answer"
	}
}

// Health reports the adapter's state with Telegram, for readiness: a Telegram outage
// degrades this channel alone.
func (a *Adapter) Health() Health { return a.health.get() }

// setupMethods are the calls Run makes to reach Telegram; they end with Run's context,
// so that a Bot API that hangs does not hold up a shutdown.
var setupMethods = map[string]bool{"getMe": true, "setWebhook": true, "deleteWebhook": true, "setMyCommands": true}

// observedClient is the HTTP client tgbotapi uses: it tells the adapter's health
// how Telegram answers, and gives the setup calls Run's context.
type observedClient struct {
	next   *ctxClient
	health *health
	mu     sync.Mutex
	setup  context.Context
}

func (c *observedClient) setSetup(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setup = ctx
}

// Do implements tgbotapi.HTTPClient.
func (c *observedClient) Do(r *http.Request) (*http.Response, error) {
	method := path.Base(r.URL.Path)
	if setupMethods[method] {
		c.mu.Lock()
		if c.setup != nil {
			r = r.WithContext(c.setup)
		}
		c.mu.Unlock()
	}
	resp, err := c.next.Do(r)
	switch {
	case err != nil && r.Context().Err() == nil && !errors.Is(err, context.Canceled):
		c.health.degrade(method, "the Bot API is unreachable")
	case err != nil: // the call was cancelled (shutdown): it says nothing of Telegram
	case resp.StatusCode >= 500:
		c.health.degrade(method, fmt.Sprintf("the Bot API answered %d", resp.StatusCode))
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound:
		c.health.degrade(method, "the Bot API refused the token")
	case resp.StatusCode < 300:
		c.health.answered()
	}
	// Other answers (400, 403, 429) concern one call or one chat, not the channel.
	return resp, err
}
