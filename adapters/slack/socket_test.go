package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/adapters/slack"
	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/search/searchtest"
)

// Every Socket Mode envelope is acknowledged, whether the desk acts on it or not, and
// a press it cannot route is answered to the presser only.
func TestSocketModeAcksEveryEnvelope(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	envelopes := []string{
		e.srv.PushEvent(slacktest.MessageEvent("C0ELSEWHERE", giulia.ID, "buongiorno a tutti", "1700000100.000001", "")),
		e.srv.PushEvent(map[string]any{"type": "app_mention", "user": giulia.ID, "text": "<@U0WEMIBOT> ciao", "channel": operators, "ts": "1700000100.000002"}),
		e.srv.PushEvent(slacktest.MessageEvent(operators, giulia.ID, "un thread qualunque", "1700000100.000004", "1700000100.000003")),
		e.srv.PushInteraction(e.srv.BlockAction(giulia.ID, operators, "1700000100.000005", "wemi.booking.confirm", "b1")),
		e.srv.PushInteraction(e.srv.BlockAction(giulia.ID, operators, "1700000100.000006", "altro", "x")),
		e.srv.PushSlashCommand("/wemi", "aiuto", giulia.ID, operators),
	}
	for _, id := range envelopes {
		e.ack(ctx, id)
	}
	got, err := e.srv.WaitEphemerals(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	unknown := 0
	for _, eph := range got {
		if eph.User != giulia.ID {
			t.Errorf("ephemeral to %s, want %s", eph.User, giulia.ID)
		}
		if strings.Contains(eph.Text, "non è più disponibile") {
			unknown++
		}
	}
	if unknown != 2 {
		t.Errorf("%d answers to unroutable presses, want 2: %+v", unknown, got)
	}
	if posts := e.srv.Posts(operators); len(posts) != 0 {
		t.Errorf("the desk posted %+v", posts)
	}
}

// Run returns nil when its context ends, and an error when Slack refuses the
// app-level token or no engine is given.
func TestRunEnds(t *testing.T) {
	srv := slacktest.New(t)
	store := openBolt(t)
	handoffs := desk.NewHandoffs(store, time.Hour)
	engine, err := bot.New(bot.Options{Search: searchtest.Bundled(t), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, appToken string
		engine         slack.Engine
		cancel         bool
		wantErr        bool
	}{
		{"context ends", srv.AppToken(), engine, true, false},
		{"token refused", "xapp-1-forged", engine, false, true},
		{"no engine", srv.AppToken(), nil, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := slackapi.New(srv.BotToken(), slackapi.OptionAPIURL(srv.APIURL()), slackapi.OptionAppLevelToken(tt.appToken))
			d, err := slack.New(slack.Options{API: api, Channel: operators, Handoffs: handoffs, Once: store})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- d.Run(ctx, tt.engine) }()
			if tt.cancel {
				if err := srv.WaitFor(ctx, func() bool { return srv.Connections() > 0 }); err != nil {
					t.Fatal(err)
				}
				cancel()
			}
			// Run returns at the latest when ctx's deadline passes.
			if err := <-done; (err != nil) != tt.wantErr || ctx.Err() == context.DeadlineExceeded {
				t.Errorf("Run = %v (context: %v), want an error: %v", err, ctx.Err(), tt.wantErr)
			}
		})
	}
}
