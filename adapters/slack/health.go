package slack

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/internal/chanhealth"
)

// State is where the desk stands with Slack: starting while Verify, or the Socket
// Mode connection, is under way; up when Slack answers (and the Socket Mode
// connection is up when there is one); degraded when Slack does not answer, or
// refuses a token, while the desk keeps trying.
type State = chanhealth.State

// The desk's states.
const (
	StateStarting = chanhealth.StateStarting
	StateUp       = chanhealth.StateUp
	StateDegraded = chanhealth.StateDegraded
)

// Health is the desk's state and, when it is not up, a short reason naming the part
// that fails and how: never a token, never an operator's or a citizen's words.
type Health = chanhealth.Health

// health follows the two ways the desk reaches Slack: the Web API (bot token) and,
// in Socket Mode, the connection (app-level token).
type health struct {
	mu           sync.Mutex
	apiUp        bool   // a Web API call succeeded
	apiReason    string // why the last Web API call failed for the whole desk; "" when fine
	socket       bool   // Socket Mode is in use
	socketUp     bool   // its connection is up
	socketReason string // why it is not; "" when fine or never tried
}

func (h *health) get() Health {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.socketReason != "":
		return Health{State: StateDegraded, Reason: h.socketReason}
	case h.apiReason != "":
		return Health{State: StateDegraded, Reason: h.apiReason}
	case !h.apiUp || (h.socket && !h.socketUp):
		return Health{State: StateStarting}
	}
	return Health{State: StateUp}
}

// called records how a Web API call ended: a failure that concerns the whole desk (a
// refused token, Slack unreachable or failing) degrades it, any success clears that.
func (h *health) called(method string, err error) {
	if method == "response_url" {
		return // another host, which an operator's request named
	}
	reason := deskWideFailure(err)
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case err == nil:
		h.apiUp, h.apiReason = true, ""
	case reason != "":
		h.apiReason = method + ": " + reason
	}
}

// deskWideFailure words a failure that stops every call, "" for one that concerns a
// single call (channel_not_found, invalid_blocks, a rate limit).
func deskWideFailure(err error) string {
	if err == nil || errors.Is(err, context.Canceled) {
		return ""
	}
	if se, ok := errors.AsType[slackapi.SlackErrorResponse](err); ok {
		switch se.Err {
		case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive":
			return "Slack refused the bot token"
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			return "Slack is failing"
		}
		return ""
	}
	if sc, ok := errors.AsType[slackapi.StatusCodeError](err); ok && sc.Code >= http.StatusInternalServerError {
		return fmt.Sprintf("Slack answered %d", sc.Code)
	}
	if _, ok := errors.AsType[net.Error](err); ok || errors.Is(err, context.DeadlineExceeded) {
		return "Slack is unreachable"
	}
	return ""
}

// socketConnecting records a Socket Mode connection attempt: one that follows a
// connection that was up means Slack dropped it; a retry keeps the reason it failed.
func (h *health) socketConnecting() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.socket = true
	if h.socketUp {
		h.socketUp, h.socketReason = false, "Socket Mode: reconnecting"
	}
}

// socketConnected records that the Socket Mode connection is up.
func (h *health) socketConnected() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.socket, h.socketUp, h.socketReason = true, true, ""
}

// socketDown records that the Socket Mode connection failed, for reason.
func (h *health) socketDown(reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.socket, h.socketUp, h.socketReason = true, false, "Socket Mode: "+reason
}

// Health reports the desk's state with Slack, for readiness: a Slack outage degrades
// the staff desk alone.
func (d *Desk) Health() Health { return d.health.get() }

// Verify asks Slack who the bot is (auth.test), again and again with growing pauses
// from minWait to maxWait, with jitter, until Slack answers or ctx ends: it tells
// Health that the bot token works. Nothing waits for it: the desk serves meanwhile.
func (d *Desk) Verify(ctx context.Context, minWait, maxWait time.Duration) {
	wait := max(minWait, time.Millisecond)
	for attempt := 1; ; attempt++ {
		_, _, err := d.whoami(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		pause := wait/2 + rand.N(wait/2+1)
		d.log.WarnContext(ctx, "slack: auth.test failed; trying again", "attempt", attempt, "retry_in", pause.Round(time.Millisecond), "err", err)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, max(maxWait, minWait))
	}
}
