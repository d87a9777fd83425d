package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
)

const signingSecret = "wemi-signing-secret-for-tests"

// post sends body to the desk's endpoint at path, signed with secret at ts.
func post(ctx context.Context, t *testing.T, url, secret string, body []byte, ts time.Time) (int, string) {
	t.Helper()
	req, err := slacktest.SignedRequest(ctx, secret, url, body, ts)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(got)
}

// serveDesk serves the desk's Events API endpoints to e's engine, on loopback until
// the test ends.
func serveDesk(t *testing.T, e *env) *httptest.Server {
	t.Helper()
	h, err := e.desk.Handler(signingSecret, e.engine)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// The Events API over HTTP: every request's signature and timestamp are checked,
// forged and stale ones get 401 and change nothing, verified ones are answered at
// once and handled once, whatever Slack repeats.
func TestEventsOverHTTP(t *testing.T) {
	e := newEnv(t, func(o *envOptions) { o.noRun = true })
	ctx := testContext(t)
	srv := serveDesk(t, e)
	card, handoff := e.openHandoff(ctx)

	now := time.Now() // the signature's timestamp is checked against the real clock
	stale := now.Add(-6 * time.Minute)
	reply := func(text string) []byte {
		ts := e.srv.AddUserMessage(operators, giulia.ID, text, card.TS)
		return slacktest.EventCallbackBody("Ev"+ts, slacktest.MessageEvent(operators, giulia.ID, text, ts, card.TS))
	}
	claim, err := slacktest.InteractionCallbackBody(e.srv.BlockAction(giulia.ID, operators, card.TS, "wemi.handoff.claim", handoff.ID))
	if err != nil {
		t.Fatal(err)
	}
	command := slacktest.SlashCommandBody(e.srv.SlashCommand("/wemi", "attese", giulia.ID, operators))
	delivered := reply("Buongiorno, sono Giulia")
	tests := []struct {
		name   string
		path   string
		secret string
		body   []byte
		ts     time.Time
		want   int
	}{
		{"forged event", "/slack/events", "not-the-secret", reply("falso"), now, http.StatusUnauthorized},
		{"stale event", "/slack/events", signingSecret, reply("vecchio"), stale, http.StatusUnauthorized},
		{"forged interaction", "/slack/interactions", "not-the-secret", claim, now, http.StatusUnauthorized},
		{"stale interaction", "/slack/interactions", signingSecret, claim, stale, http.StatusUnauthorized},
		{"forged command", "/slack/commands", "not-the-secret", command, now, http.StatusUnauthorized},
		{"stale command", "/slack/commands", signingSecret, command, stale, http.StatusUnauthorized},
		{"interaction", "/slack/interactions", signingSecret, claim, now, http.StatusOK},
		{"event", "/slack/events", signingSecret, delivered, now, http.StatusOK},
		{"the same event again", "/slack/events", signingSecret, delivered, now, http.StatusOK},
		{"command", "/slack/commands", signingSecret, command, now, http.StatusOK},
		{"too large", "/slack/events", signingSecret, bytes.Repeat([]byte("x"), 2<<20), now, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, body := post(ctx, t, srv.URL+tt.path, tt.secret, tt.body, tt.ts); got != tt.want {
				t.Errorf("status %d (%s), want %d", got, body, tt.want)
			}
		})
	}
	t.Run("unsigned", func(t *testing.T) {
		resp, err := http.Post(srv.URL+"/slack/events", "application/json", bytes.NewReader(delivered))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", resp.StatusCode)
		}
	})
	t.Run("url verification", func(t *testing.T) {
		status, body := post(ctx, t, srv.URL+"/slack/events", signingSecret, slacktest.URLVerificationBody("chal-123"), now)
		var got struct{ Challenge string }
		if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got.Challenge != "chal-123" {
			t.Errorf("status %d, body %q; want the challenge back", status, body)
		}
	})

	checkDrained(ctx, t, e, srv.URL, reply)
}

// checkDrained checks what the verified requests of TestEventsOverHTTP did, once
// Drain has waited for the work they queued, and that the desk at url then takes no
// more work: reply makes the body of an operator's reply.
func checkDrained(ctx context.Context, t *testing.T, e *env, url string, reply func(string) []byte) {
	// Drain waits for the work the verified requests queued.
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := e.desk.Drain(dctx); err != nil {
		t.Fatal(err)
	}
	got := e.inbox.all()
	if len(got) != 2 || !strings.Contains(got[0].Text, "Giulia di WeMi ha preso in carico") || got[1].Text != "*Giulia (WeMi):* Buongiorno, sono Giulia" {
		t.Errorf("the citizen received %q, want the claim and one reply", texts(got))
	}
	if updates := e.srv.Updates(); len(updates) != 1 || !strings.Contains(updates[0].VisibleText(), "Presa in carico da Giulia") {
		t.Errorf("card updates %d, want the one claim", len(updates))
	}
	if eph := e.srv.Ephemerals(); len(eph) != 1 || eph[0].User != giulia.ID || !strings.Contains(eph[0].Text, "richiesta aperta") {
		t.Errorf("ephemerals %+v, want one answer to /wemi attese", eph)
	}
	// After Drain the desk takes no work: Slack is told to retry.
	if status, _ := post(ctx, t, url+"/slack/events", signingSecret, reply("dopo"), time.Now()); status != http.StatusServiceUnavailable {
		t.Errorf("status after Drain %d, want 503", status)
	}
}

func TestHandlerNeedsASecret(t *testing.T) {
	e := newEnv(t, func(o *envOptions) { o.noRun = true })
	if _, err := e.desk.Handler("", e.engine); err == nil {
		t.Error("Handler accepted an empty signing secret")
	}
	if _, err := e.desk.Handler(signingSecret, nil); err == nil {
		t.Error("Handler accepted no engine")
	}
}
