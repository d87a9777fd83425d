package slack_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/adapters/slack"
	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/internal/outagetest"
	"github.com/comune-milano/wemibot/search/searchtest"
)

// waitDeskHealth waits until the desk's health satisfies ok, failing after 20 s.
func waitDeskHealth(t *testing.T, d *slack.Desk, ok func(slack.Health) bool) slack.Health {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		h := d.Health()
		if ok(h) {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("desk health stayed %+v", h)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func deskDegradedBy(want string) func(slack.Health) bool {
	return func(h slack.Health) bool { return h.State == slack.StateDegraded && strings.Contains(h.Reason, want) }
}

func deskUp(h slack.Health) bool { return h.State == slack.StateUp }

// newHealthDesk builds a desk that reaches Slack at apiURL with the given tokens.
func newHealthDesk(t *testing.T, apiURL, botToken, appToken string) *slack.Desk {
	t.Helper()
	store := openBolt(t)
	api := slackapi.New(botToken, slackapi.OptionAPIURL(apiURL), slackapi.OptionAppLevelToken(appToken))
	d, err := slack.New(slack.Options{API: api, Channel: operators, Handoffs: desk.NewHandoffs(store, time.Hour), Once: store})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Slack down at start (connection refused): the desk builds and runs, says why it is
// degraded, and is up once Slack is back, without a restart; Socket Mode included.
func TestDeskWaitsForSlackToComeBack(t *testing.T) {
	srv := slacktest.New(t)
	front := outagetest.New(t, strings.TrimSuffix(srv.APIURL(), "/"))
	front.Refuse()
	d := newHealthDesk(t, front.URL()+"/", srv.BotToken(), srv.AppToken())
	if h := d.Health(); h.State != slack.StateStarting {
		t.Errorf("health before any call: %+v", h)
	}
	engine, err := bot.New(bot.Options{Search: searchtest.Bundled(t), Store: openBolt(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 2)
	go func() { done <- d.Run(ctx, engine) }()
	go func() { d.Verify(ctx, 5*time.Millisecond, 20*time.Millisecond); done <- nil }()
	defer func() { cancel(); <-done; <-done }()
	waitDeskHealth(t, d, deskDegradedBy("Socket Mode: Slack is unreachable"))
	front.Pass()
	waitDeskHealth(t, d, deskUp)
	if srv.Connections() == 0 {
		t.Error("up without a Socket Mode connection")
	}
}

// The Web API failing degrades the desk with the reason, a good answer brings it back;
// a refused token is told apart, and neither reason shows a token.
func TestDeskHealthFollowsTheWebAPI(t *testing.T) {
	srv := slacktest.New(t)
	front := outagetest.New(t, strings.TrimSuffix(srv.APIURL(), "/"))
	front.Fail(http.StatusBadGateway)
	d := newHealthDesk(t, front.URL()+"/", srv.BotToken(), srv.AppToken())
	ctx, cancel := context.WithCancel(t.Context())
	verified := make(chan struct{})
	go func() { d.Verify(ctx, 5*time.Millisecond, 20*time.Millisecond); close(verified) }()
	defer func() { cancel(); <-verified }()
	waitDeskHealth(t, d, deskDegradedBy("auth.test: Slack answered 502"))
	front.Pass()
	waitDeskHealth(t, d, deskUp)

	wrong := newHealthDesk(t, srv.APIURL(), "xoxb-1-forged", srv.AppToken())
	go wrong.Verify(ctx, 5*time.Millisecond, 20*time.Millisecond)
	h := waitDeskHealth(t, wrong, deskDegradedBy("auth.test: Slack refused the bot token"))
	if strings.Contains(h.Reason, "xoxb") || strings.Contains(h.Reason, "forged") {
		t.Errorf("the reason shows the token: %q", h.Reason)
	}
}

// Slack refusing the app-level token stops Socket Mode with a reason; the desk's
// caller tries again later.
func TestDeskHealthWithARefusedAppToken(t *testing.T) {
	srv := slacktest.New(t)
	d := newHealthDesk(t, srv.APIURL(), srv.BotToken(), "xapp-1-forged")
	engine, err := bot.New(bot.Options{Search: searchtest.Bundled(t), Store: openBolt(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := d.Run(ctx, engine); err == nil {
		t.Fatal("Run with a refused app-level token succeeded")
	}
	if h := d.Health(); h.State != slack.StateDegraded || !strings.Contains(h.Reason, "Socket Mode: Slack refused the app-level token") {
		t.Errorf("health: %+v", h)
	}
}
