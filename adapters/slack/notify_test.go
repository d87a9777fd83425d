package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
)

// A relay Slack refuses for a passing reason is posted again; one it refuses for good
// is logged, without personal data. Either way the citizen's conversation goes on
// undisturbed: the bot stays quiet and reports no error.
func TestRelayWhenSlackFails(t *testing.T) {
	tests := []struct {
		name      string
		fault     func(*slacktest.Server)
		delivered bool
	}{
		{"internal error", func(s *slacktest.Server) { s.FailNext("chat.postMessage", 1, "internal_error") }, true},
		{"rate limited", func(s *slacktest.Server) { s.RateLimitNext("chat.postMessage", 1, 1) }, true},
		{"not in channel", func(s *slacktest.Server) { s.FailNext("chat.postMessage", 3, "not_in_channel") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := testContext(t)
			card, _ := e.openHandoff(ctx)
			tt.fault(e.srv)
			if got := e.say("mi servirebbe per il sabato"); len(got) != 0 {
				t.Errorf("the bot answered %q", texts(got))
			}
			if tt.delivered {
				if relay := e.waitPost(ctx, 2); relay.ThreadTS != card.TS || !strings.Contains(relay.Text, "per il sabato") {
					t.Errorf("relay %q in thread %q", relay.Text, relay.ThreadTS)
				}
				return
			}
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := e.desk.Drain(dctx); err != nil {
				t.Fatal(err)
			}
			if n := len(e.srv.Posts(operators)); n != 1 {
				t.Errorf("%d posts, want only the card", n)
			}
			logs := e.logs.String()
			if !strings.Contains(logs, "staff event not shown to operators") || !strings.Contains(logs, "not_in_channel") {
				t.Errorf("the failure was not logged:\n%s", logs)
			}
			for _, private := range []string{"Maria", "sabato", "telegram:42"} {
				if strings.Contains(logs, private) {
					t.Errorf("the logs hold %q:\n%s", private, logs)
				}
			}
		})
	}
}

// A citizen's message that arrives before its handoff's card (the handoff was opened
// on a replica that failed to post it) gets a card of its own, marked late.
func TestRelayWithoutCard(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	// The card's post fails for good: the handoff is open, with no thread.
	e.srv.FailNext("chat.postMessage", 1, "channel_not_found")
	e.say("/operatore")
	if err := e.srv.WaitFor(ctx, func() bool { return e.srv.Calls("chat.postMessage") >= 1 }); err != nil {
		t.Fatal(err)
	}
	e.say("c'è qualcuno?")
	card := e.waitPost(ctx, 1)
	relay := e.waitPost(ctx, 2)
	if !strings.Contains(card.VisibleText(), "creata in ritardo") || len(card.ActionIDs()) != 2 {
		t.Errorf("late card: %v\n%s", card.ActionIDs(), card.VisibleText())
	}
	if relay.ThreadTS != card.TS || !strings.Contains(relay.Text, "c'è qualcuno?") {
		t.Errorf("relay %q in thread %q", relay.Text, relay.ThreadTS)
	}
}

// An emergency without a handoff (the engine could not open one) still alerts the
// channel.
func TestAlertWithoutHandoff(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	err := e.desk.Notify(ctx, bot.Event{Kind: bot.EventEmergency, Priority: true, Channel: "web", Reason: "violence",
		Recent: []bot.Line{{From: "user", Text: "mi picchia <!channel>", At: monday10}}, At: monday10})
	if err != nil {
		t.Fatal(err)
	}
	alert := e.waitPost(ctx, 1)
	text := alert.VisibleText()
	if !strings.HasPrefix(alert.Text, "<!here>") || !strings.Contains(text, "URGENTE") || !strings.Contains(text, "violenza") ||
		!strings.Contains(text, "mi picchia &lt;!channel&gt;") || len(alert.ActionIDs()) != 0 {
		t.Errorf("alert %q: %v\n%s", alert.Text, alert.ActionIDs(), text)
	}
}

// A rating whose thread the desk no longer knows is posted in the channel.
func TestRatingWithoutThread(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	if err := e.desk.Notify(ctx, bot.Event{Kind: bot.EventRating, Handoff: "0badc0ffee", Score: 5, Channel: "web"}); err != nil {
		t.Fatal(err)
	}
	if note := e.waitPost(ctx, 1); note.ThreadTS != "" || !strings.Contains(note.Text, "5/5") || !strings.Contains(note.Text, "0badc0ffee") {
		t.Errorf("rating note %q in thread %q", note.Text, note.ThreadTS)
	}
}

// OpenHandoffs counts the handoffs open, for the gauge.
func TestOpenHandoffs(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	for i, id := range []string{"h1", "h2"} {
		if err := e.handoffs.Open(ctx, desk.Handoff{ID: id, Conversation: "web:" + id, Channel: "web", Opened: monday10}); err != nil {
			t.Fatal(err)
		}
		if n, err := e.desk.OpenHandoffs(ctx); err != nil || n != i+1 {
			t.Errorf("OpenHandoffs = %d, %v; want %d", n, err, i+1)
		}
	}
}
