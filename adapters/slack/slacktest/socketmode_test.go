package slacktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
)

// startSocketClient runs a real socketmode.Client against srv until the test ends. It
// acknowledges every events_api, interactive and slash_commands request, the last with
// a response payload, and forwards them on the returned channel.
func startSocketClient(t *testing.T, srv *slacktest.Server, opts ...socketmode.Option) <-chan socketmode.Event {
	t.Helper()
	api := slackapi.New(srv.BotToken(), slackapi.OptionAPIURL(srv.APIURL()), slackapi.OptionAppLevelToken(srv.AppToken()))
	client := socketmode.New(api, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	received := make(chan socketmode.Event, 16)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := client.RunContext(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("RunContext: %v", err)
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				var payload []any
				switch evt.Type {
				case socketmode.EventTypeSlashCommand:
					payload = append(payload, map[string]any{"text": "Comandi: aiuto, cerca, attese, stats"})
				case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
				default:
					continue
				}
				if err := client.AckCtx(ctx, evt.Request.EnvelopeID, firstOrNil(payload)); err != nil {
					t.Errorf("Ack: %v", err)
				}
				select {
				case received <- evt:
				case <-ctx.Done():
					return
				}
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return received
}

func firstOrNil(v []any) any {
	if len(v) == 0 {
		return nil
	}
	return v[0]
}

func receive(ctx context.Context, t *testing.T, events <-chan socketmode.Event) socketmode.Event {
	t.Helper()
	select {
	case evt := <-events:
		return evt
	case <-ctx.Done():
		t.Fatalf("no Socket Mode event: %v", ctx.Err())
		return socketmode.Event{}
	}
}

func TestSocketModeDeliversAndRecordsAcks(t *testing.T) {
	srv := slacktest.New(t, slacktest.WithUsers(slacktest.User{ID: "U0OPERATOR1", FirstName: "Luca"}))
	ctx := testContext(t)
	// Pushed before any connection: it waits for the client.
	eventEnv := srv.PushEvent(slacktest.MessageEvent("D0CITIZEN1", "U0CITIZEN1", "ciao", "1700000000.000100", ""))
	events := startSocketClient(t, srv)

	evt := receive(ctx, t, events)
	api, ok := evt.Data.(slackevents.EventsAPIEvent)
	msg, _ := api.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || evt.Request.EnvelopeID != eventEnv || msg == nil || msg.Text != "ciao" || msg.User != "U0CITIZEN1" {
		t.Fatalf("event %s = %+v, want the pushed message", evt.Request.EnvelopeID, evt.Data)
	}
	if ack, err := srv.WaitAck(ctx, eventEnv); err != nil || ack.Payload != nil {
		t.Errorf("WaitAck(event) = %+v, %v", ack, err)
	}

	interactionEnv := srv.PushInteraction(srv.BlockAction("U0OPERATOR1", operators, "1700000000.000001", "claim", "h1"))
	evt = receive(ctx, t, events)
	cb, ok := evt.Data.(slackapi.InteractionCallback)
	if !ok || evt.Request.EnvelopeID != interactionEnv || !evt.Request.AcceptsResponsePayload ||
		cb.Type != slackapi.InteractionTypeBlockActions || cb.ActionCallback.BlockActions[0].Value != "h1" || cb.User.Name != "luca" {
		t.Fatalf("interaction = %+v", evt.Data)
	}
	if _, err := srv.WaitAck(ctx, interactionEnv); err != nil {
		t.Error(err)
	}

	commandEnv := srv.PushSlashCommand("/wemi", "aiuto", "U0OPERATOR1", operators)
	evt = receive(ctx, t, events)
	if cmd, ok := evt.Data.(slackapi.SlashCommand); !ok || cmd.Command != "/wemi" || cmd.Text != "aiuto" || cmd.ChannelID != operators {
		t.Fatalf("slash command = %+v", evt.Data)
	}
	ack, err := srv.WaitAck(ctx, commandEnv)
	if err != nil {
		t.Fatal(err)
	}
	var shown struct{ Text string }
	if err := json.Unmarshal(ack.Payload, &shown); err != nil || shown.Text != "Comandi: aiuto, cerca, attese, stats" {
		t.Errorf("ack payload %s: %v", ack.Payload, err)
	}
	if got := srv.Acks(); len(got) != 3 || got[0] != eventEnv || got[1] != interactionEnv || got[2] != commandEnv {
		t.Errorf("Acks() = %v", got)
	}
	if got := srv.Connections(); got != 1 {
		t.Errorf("Connections() = %d, want 1", got)
	}
}

func TestPushEventWithIDRepeatsTheEventID(t *testing.T) {
	srv := slacktest.New(t)
	ctx := testContext(t)
	events := startSocketClient(t, srv)
	ev := slacktest.MessageEvent("D0CITIZEN1", "U0CITIZEN1", "ciao", "1700000000.000100", "")
	first, again := srv.PushEventWithID("Ev0RETRY", ev), srv.PushEventWithID("Ev0RETRY", ev)
	if first == again {
		t.Fatalf("both pushes have envelope %s", first)
	}
	for _, env := range []string{first, again} {
		evt := receive(ctx, t, events)
		cb, _ := evt.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent)
		if evt.Request.EnvelopeID != env || cb == nil || cb.EventID != "Ev0RETRY" {
			t.Errorf("envelope %s carries %+v, want %s with event Ev0RETRY", evt.Request.EnvelopeID, cb, env)
		}
	}
}

func TestSocketModeKeepsTheConnectionWithPings(t *testing.T) {
	srv := slacktest.New(t, slacktest.WithPingInterval(20*time.Millisecond))
	ctx := testContext(t)
	// The client's interval leaves room for a stalled test process; fifty pongs span
	// more than one interval since the first ping.
	startSocketClient(t, srv, socketmode.OptionPingInterval(600*time.Millisecond))
	if err := srv.WaitFor(ctx, func() bool { return srv.Pongs() >= 50 }); err != nil {
		t.Fatal(err)
	}
	if got := srv.Connections(); got != 1 {
		t.Errorf("Connections() = %d, want 1: the client gave up on pings", got)
	}
}

func TestSocketModeReconnects(t *testing.T) {
	tests := []struct {
		name  string
		cause func(*slacktest.Server)
	}{
		{"disconnect message", func(s *slacktest.Server) { s.Disconnect("refresh_requested") }},
		{"dropped connection", (*slacktest.Server).DropConnections},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := slacktest.New(t)
			ctx := testContext(t)
			events := startSocketClient(t, srv)
			if err := srv.WaitFor(ctx, func() bool { return srv.Connections() == 1 }); err != nil {
				t.Fatal(err)
			}
			tt.cause(srv)
			env := srv.PushEvent(slacktest.MessageEvent("D0CITIZEN1", "U0CITIZEN1", "ci sei?", "1700000000.000200", ""))
			if evt := receive(ctx, t, events); evt.Request.EnvelopeID != env {
				t.Errorf("got envelope %s, want %s", evt.Request.EnvelopeID, env)
			}
			if _, err := srv.WaitAck(ctx, env); err != nil {
				t.Fatal(err)
			}
			if got := srv.Connections(); got != 2 {
				t.Errorf("Connections() = %d, want 2", got)
			}
			if got := srv.Calls("apps.connections.open"); got != 2 {
				t.Errorf("apps.connections.open called %d times, want 2", got)
			}
		})
	}
}

func TestAppsConnectionsOpenChecksTheAppToken(t *testing.T) {
	srv := slacktest.New(t)
	ctx := testContext(t)
	tests := []struct {
		name, token, want string
	}{
		{"app token", srv.AppToken(), ""},
		{"unknown app token", "xapp-1-forged", "invalid_auth"},
		{"bot token", srv.BotToken(), "not_allowed_token_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := slackapi.New(srv.BotToken(), slackapi.OptionAPIURL(srv.APIURL()), slackapi.OptionAppLevelToken(tt.token))
			_, wsURL, err := api.StartSocketModeContext(ctx)
			if tt.want == "" {
				if err != nil || wsURL == "" {
					t.Errorf("StartSocketMode = %q, %v", wsURL, err)
				}
				return
			}
			if !isSlackError(err, tt.want) {
				t.Errorf("StartSocketMode: err = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestWaitAckGivesUp(t *testing.T) {
	srv := slacktest.New(t)
	env := srv.PushEvent(map[string]any{"type": "app_mention", "text": "nobody listens"})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := srv.WaitAck(ctx, env); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitAck = %v, want context.Canceled", err)
	}
}
