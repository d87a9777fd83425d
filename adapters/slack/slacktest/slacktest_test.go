package slacktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
)

const operators = "C0OPERATORS"

func newClient(t *testing.T, opts ...slacktest.Option) (*slacktest.Server, *slackapi.Client) {
	t.Helper()
	srv := slacktest.New(t, opts...)
	return srv, slackapi.New(srv.BotToken(), slackapi.OptionAPIURL(srv.URL()+"/"))
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestServerListensOnLoopback(t *testing.T) {
	srv := slacktest.New(t)
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") || srv.APIURL() != srv.URL()+"/" {
		t.Errorf("URL() = %q, APIURL() = %q; want http://127.0.0.1:port and the same with a slash", srv.URL(), srv.APIURL())
	}
}

func TestPostMessageIsRecordedAndReadBack(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	blocks := []slackapi.Block{
		slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, "*Maria* chiede un operatore", false, false), nil, nil),
		slackapi.NewActionBlock("handoff",
			slackapi.NewButtonBlockElement("claim", "h1", slackapi.NewTextBlockObject(slackapi.PlainTextType, "Prendo io", false, false)),
			slackapi.NewButtonBlockElement("close", "h1", slackapi.NewTextBlockObject(slackapi.PlainTextType, "Chiudi", false, false))),
	}
	ch, ts, err := api.PostMessageContext(ctx, operators,
		slackapi.MsgOptionText("Nuova richiesta", false), slackapi.MsgOptionBlocks(blocks...), slackapi.MsgOptionDisableMarkdown())
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	if ch != operators || !strings.HasPrefix(ts, "1700000000.") || len(ts) != len("1700000000.000001") {
		t.Errorf("PostMessage = %q, %q; want the channel and a Slack-shaped ts", ch, ts)
	}
	posts, err := srv.WaitPosts(ctx, operators, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := posts[0]
	if p.Method != "chat.postMessage" || p.TS != ts || p.Text != "Nuova richiesta" || p.ThreadTS != "" || p.Mrkdwn {
		t.Errorf("post = %+v", p)
	}
	if got, want := p.VisibleText(), "Nuova richiesta\n*Maria* chiede un operatore\nPrendo io\nChiudi"; got != want {
		t.Errorf("VisibleText() = %q, want %q", got, want)
	}
	if got := p.ActionIDs(); !slices.Equal(got, []string{"claim", "close"}) {
		t.Errorf("ActionIDs() = %v, want [claim close]", got)
	}
	var decoded slackapi.Blocks
	if err := json.Unmarshal(p.Blocks, &decoded); err != nil || len(decoded.BlockSet) != 2 {
		t.Errorf("Blocks %s decode to %d blocks, err %v; want 2", p.Blocks, len(decoded.BlockSet), err)
	}
	if got := srv.Posts("C0ELSEWHERE"); len(got) != 0 {
		t.Errorf("Posts of another channel = %v, want none", got)
	}
}

func TestThreadRepliesAppearInConversationReplies(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	_, parent, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText("Richiesta di Maria", false))
	if err != nil {
		t.Fatal(err)
	}
	_, reply, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText("Maria: grazie", false), slackapi.MsgOptionTS(parent))
	if err != nil {
		t.Fatal(err)
	}
	operatorTS := srv.AddUserMessage(operators, "U0OPERATOR1", "Buongiorno Maria", parent)
	if !(parent < reply && reply < operatorTS) {
		t.Errorf("timestamps %s, %s, %s do not increase", parent, reply, operatorTS)
	}

	msgs, hasMore, _, err := api.GetConversationRepliesContext(ctx, &slackapi.GetConversationRepliesParameters{ChannelID: operators, Timestamp: parent})
	if err != nil {
		t.Fatalf("GetConversationReplies: %v", err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.User+": "+m.Text)
	}
	want := []string{slacktest.BotUserID + ": Richiesta di Maria", slacktest.BotUserID + ": Maria: grazie", "U0OPERATOR1: Buongiorno Maria"}
	if !slices.Equal(got, want) || hasMore {
		t.Errorf("replies = %q (has_more %v), want %q", got, hasMore, want)
	}
	if msgs[0].ReplyCount != 2 || msgs[1].ThreadTimestamp != parent || msgs[1].BotID != slacktest.BotID {
		t.Errorf("parent reply_count %d, reply thread_ts %q bot_id %q", msgs[0].ReplyCount, msgs[1].ThreadTimestamp, msgs[1].BotID)
	}
	if posts := srv.Posts(operators); len(posts) != 2 || posts[1].ThreadTS != parent {
		t.Errorf("Posts = %+v, want the parent and the bot's reply in its thread", posts)
	}
	if thread := srv.Thread(operators, reply); len(thread) != 3 || thread[2].User != "U0OPERATOR1" {
		t.Errorf("Thread from a reply's ts = %+v, want the whole thread", thread)
	}
}

func TestUpdateReplacesTheMessage(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	button := slackapi.NewActionBlock("handoff", slackapi.NewButtonBlockElement("claim", "h1",
		slackapi.NewTextBlockObject(slackapi.PlainTextType, "Prendo io", false, false)))
	_, ts, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText("Richiesta", false), slackapi.MsgOptionBlocks(button))
	if err != nil {
		t.Fatal(err)
	}
	done := slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, "Presa in carico da Luca", false, false), nil, nil)
	if _, _, _, err := api.UpdateMessageContext(ctx, operators, ts, slackapi.MsgOptionText("Richiesta (Luca)", false), slackapi.MsgOptionBlocks(done)); err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}
	updates, err := srv.WaitUpdates(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if u := updates[0]; u.Method != "chat.update" || u.TS != ts || u.Channel != operators || u.Text != "Richiesta (Luca)" {
		t.Errorf("update = %+v", u)
	}
	m, ok := srv.Message(operators, ts)
	if !ok || m.Text != "Richiesta (Luca)" || !strings.Contains(m.VisibleText(), "Presa in carico da Luca") || len(m.ActionIDs()) != 0 {
		t.Errorf("Message after update = %+v, %v; want the new text and blocks, no buttons", m, ok)
	}
	if p := srv.Posts(operators)[0]; p.Text != "Richiesta" {
		t.Errorf("Posts shows %q, want the text as posted", p.Text)
	}
	msgs, _, _, err := api.GetConversationRepliesContext(ctx, &slackapi.GetConversationRepliesParameters{ChannelID: operators, Timestamp: ts})
	if err != nil || len(msgs) != 1 || msgs[0].Text != "Richiesta (Luca)" {
		t.Errorf("replies after update = %+v, %v", msgs, err)
	}
	_, _, _, err = api.UpdateMessageContext(ctx, operators, "1600000000.000001", slackapi.MsgOptionText("x", false))
	if !isSlackError(err, "message_not_found") {
		t.Errorf("update of an unknown ts: err = %v, want message_not_found", err)
	}
}

func TestEphemeralIsRecordedApart(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	ts, err := api.PostEphemeralContext(ctx, operators, "U0OPERATOR1", slackapi.MsgOptionText("Solo per te", false))
	if err != nil {
		t.Fatalf("PostEphemeral: %v", err)
	}
	got, err := srv.WaitEphemerals(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if e := got[0]; e.Method != "chat.postEphemeral" || e.User != "U0OPERATOR1" || e.Channel != operators || e.Text != "Solo per te" || e.TS != ts {
		t.Errorf("ephemeral = %+v, answered ts %q", e, ts)
	}
	if posts := srv.Posts(operators); len(posts) != 0 {
		t.Errorf("Posts = %+v; an ephemeral message is not a post", posts)
	}
}

func TestAuthTestAndUsersInfo(t *testing.T) {
	srv, api := newClient(t, slacktest.WithUsers(slacktest.User{ID: "U0OPERATOR1", FirstName: "Luca", LastName: "Bianchi"}))
	ctx := testContext(t)
	auth, err := api.AuthTestContext(ctx)
	if err != nil || auth.UserID != slacktest.BotUserID || auth.BotID != slacktest.BotID || auth.TeamID != slacktest.TeamID {
		t.Errorf("AuthTest = %+v, %v", auth, err)
	}
	u, err := api.GetUserInfoContext(ctx, "U0OPERATOR1")
	if err != nil || u.RealName != "Luca Bianchi" || u.Profile.FirstName != "Luca" || u.Profile.RealName != "Luca Bianchi" {
		t.Errorf("GetUserInfo = %+v, %v", u, err)
	}
	srv.AddUser(slacktest.User{ID: "U0OPERATOR2", FirstName: "Giulia", RealName: "Giulia R."})
	if u, err := api.GetUserInfoContext(ctx, "U0OPERATOR2"); err != nil || u.Profile.FirstName != "Giulia" || u.RealName != "Giulia R." {
		t.Errorf("GetUserInfo of an added user = %+v, %v", u, err)
	}
	if _, err := api.GetUserInfoContext(ctx, "U0NOBODY"); !isSlackError(err, "user_not_found") {
		t.Errorf("GetUserInfo of an unknown user: err = %v, want user_not_found", err)
	}
}

func TestTokensAreChecked(t *testing.T) {
	srv := slacktest.New(t)
	ctx := testContext(t)
	tests := []struct {
		name, token, want string
	}{
		{"unknown bot token", "xoxb-forged", "invalid_auth"},
		{"app token on the Web API", srv.AppToken(), "not_allowed_token_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := slackapi.New(tt.token, slackapi.OptionAPIURL(srv.APIURL()))
			if _, _, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText("x", false)); !isSlackError(err, tt.want) {
				t.Errorf("PostMessage: err = %v, want %s", err, tt.want)
			}
		})
	}
	if got := srv.Posts(operators); len(got) != 0 {
		t.Errorf("refused calls were recorded: %+v", got)
	}
}

func TestPostMessageRefusals(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	tests := []struct {
		name    string
		channel string
		opts    []slackapi.MsgOption
		want    string
	}{
		{"no channel", "", []slackapi.MsgOption{slackapi.MsgOptionText("x", false)}, "channel_not_found"},
		{"no text", operators, nil, "no_text"},
		{"unknown thread", operators, []slackapi.MsgOption{slackapi.MsgOptionText("x", false), slackapi.MsgOptionTS("1600000000.000001")}, "thread_not_found"},
		{"text too long", operators, []slackapi.MsgOption{slackapi.MsgOptionText(strings.Repeat("a", 40001), false)}, "msg_too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := api.PostMessageContext(ctx, tt.channel, tt.opts...); !isSlackError(err, tt.want) {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
	if got := srv.Calls("chat.postMessage"); got != len(tests) {
		t.Errorf("Calls = %d, want %d", got, len(tests))
	}
}

func TestFailNextSurfacesAsSlackError(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	srv.FailNext("chat.postMessage", 2, "not_in_channel")
	for range 2 {
		_, _, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText("x", false))
		if !isSlackError(err, "not_in_channel") {
			t.Errorf("err = %v, want not_in_channel", err)
		}
	}
	if _, _, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText("x", false)); err != nil {
		t.Errorf("third post: %v, want success once the faults are used up", err)
	}
	if got := len(srv.Posts(operators)); got != 1 {
		t.Errorf("%d posts recorded, want only the one that succeeded", got)
	}
	if got := srv.Calls("chat.postMessage"); got != 3 {
		t.Errorf("Calls = %d, want 3", got)
	}
}

func TestRateLimitNextSurfacesAsRateLimitedError(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	srv.RateLimitNext("chat.update", 1, 7)
	_, ts, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText("x", false))
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = api.UpdateMessageContext(ctx, operators, ts, slackapi.MsgOptionText("y", false))
	if rl, ok := errors.AsType[*slackapi.RateLimitedError](fmt.Errorf("update card: %w", err)); !ok || rl.RetryAfter != 7*time.Second {
		t.Fatalf("err = %v, want a wrapped *slack.RateLimitedError with RetryAfter 7s", err)
	}
	if got := srv.Updates(); len(got) != 0 {
		t.Errorf("a rate-limited update was recorded: %+v", got)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, operators, ts, slackapi.MsgOptionText("y", false)); err != nil {
		t.Errorf("update after the limit: %v", err)
	}
}

func TestConcurrentPostsGetUniqueTimestamps(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, _, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText(fmt.Sprint(i), false)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, p := range srv.Posts(operators) {
		seen[p.TS] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct ts for %d posts", len(seen), n)
	}
}

func TestResponseURLIsRecorded(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	cmd := srv.SlashCommand("/wemi", "aiuto", "U0OPERATOR1", operators)
	if _, _, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText("Comandi: aiuto, cerca", false),
		slackapi.MsgOptionResponseURL(cmd.ResponseURL, slackapi.ResponseTypeEphemeral)); err != nil {
		t.Fatalf("post to response_url: %v", err)
	}
	got, err := srv.WaitResponses(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r := got[0]; r.Text != "Comandi: aiuto, cerca" || r.ResponseType != "ephemeral" || !strings.HasSuffix(cmd.ResponseURL, r.Path) {
		t.Errorf("response = %+v for %s", r, cmd.ResponseURL)
	}
}

func TestHandleAddsAMethod(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	var name string
	srv.Handle("reactions.add", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name = r.Form.Get("name")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}))
	if err := api.AddReactionContext(ctx, "eyes", slackapi.NewRefToMessage(operators, "1700000000.000001")); err != nil || name != "eyes" {
		t.Errorf("AddReaction: %v, handler saw name %q", err, name)
	}
	if _, err := api.GetBotInfoContext(ctx, slackapi.GetBotInfoParameters{Bot: slacktest.BotID}); !isSlackError(err, "unknown_method") {
		t.Errorf("a method the fake lacks: err = %v, want unknown_method", err)
	}
}

func TestSignedRequests(t *testing.T) {
	const secret = "wemi-signing-secret"
	srv := slacktest.New(t)
	ctx := testContext(t)
	event := slacktest.MessageEvent("D0CITIZEN1", "U0CITIZEN1", "vorrei parlare con qualcuno", "1700000000.000009", "")
	interaction, err := slacktest.InteractionCallbackBody(srv.BlockAction("U0OPERATOR1", operators, "1700000000.000001", "claim", "h1"))
	if err != nil {
		t.Fatal(err)
	}
	command := slacktest.SlashCommandBody(srv.SlashCommand("/wemi", "cerca asilo nido", "U0OPERATOR1", operators))
	now := time.Now()

	tests := []struct {
		name   string
		secret string
		body   []byte
		ts     time.Time
		tamper bool
		want   error
	}{
		{"event", secret, slacktest.EventCallbackBody("Ev1", event), now, false, nil},
		{"interaction", secret, interaction, now, false, nil},
		{"slash command", secret, command, now, false, nil},
		{"forged", "another-secret", command, now, false, slackapi.ErrInvalidSignature},
		{"tampered body", secret, command, now, true, slackapi.ErrInvalidSignature},
		{"stale", secret, command, now.Add(-6 * time.Minute), false, slackapi.ErrExpiredTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var verifyErr error
			var parsed any
			endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				parsed, verifyErr = verifyAndParse(r, secret)
			}))
			defer endpoint.Close()
			req, err := slacktest.SignedRequest(ctx, tt.secret, endpoint.URL, tt.body, tt.ts)
			if err != nil {
				t.Fatal(err)
			}
			if tt.tamper {
				req.Body = io.NopCloser(strings.NewReader(strings.Replace(string(tt.body), "asilo", "scuola", 1)))
				req.ContentLength = -1
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if !errors.Is(verifyErr, tt.want) {
				t.Fatalf("verify: err = %v, want %v", verifyErr, tt.want)
			}
			if tt.want != nil {
				return
			}
			switch v := parsed.(type) {
			case slackevents.EventsAPIEvent:
				cb, _ := v.Data.(*slackevents.EventsAPICallbackEvent)
				msg, _ := v.InnerEvent.Data.(*slackevents.MessageEvent)
				if cb == nil || cb.EventID != "Ev1" || msg == nil || msg.Text != "vorrei parlare con qualcuno" || msg.ChannelType != "im" {
					t.Errorf("event = %+v / %+v", v.Data, v.InnerEvent.Data)
				}
			case slackapi.InteractionCallback:
				if v.Type != slackapi.InteractionTypeBlockActions || len(v.ActionCallback.BlockActions) != 1 ||
					v.ActionCallback.BlockActions[0].ActionID != "claim" || v.User.ID != "U0OPERATOR1" || v.Channel.ID != operators {
					t.Errorf("interaction = %+v", v)
				}
			case slackapi.SlashCommand:
				if v.Command != "/wemi" || v.Text != "cerca asilo nido" || v.UserID != "U0OPERATOR1" || v.ResponseURL == "" {
					t.Errorf("slash command = %+v", v)
				}
			default:
				t.Errorf("parsed %T", parsed)
			}
		})
	}
}

// verifyAndParse checks r's signature as the adapter will, then parses what it carries.
func verifyAndParse(r *http.Request, secret string) (any, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	sv, err := slackapi.NewSecretsVerifier(r.Header, secret)
	if err != nil {
		return nil, err
	}
	sv.Write(body)
	if err := sv.Ensure(); err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(strings.NewReader(string(body))) // the verifier consumed it
	if r.Header.Get("Content-Type") == "application/json" {
		return slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	}
	if strings.HasPrefix(string(body), "payload=") {
		return slackapi.InteractionCallbackParse(r)
	}
	return slackapi.SlashCommandParse(r)
}

func isSlackError(err error, code string) bool {
	resp, ok := errors.AsType[slackapi.SlackErrorResponse](err)
	return ok && resp.Err == code
}

// chat.delete removes the bot's own messages, leaves a tombstone for a parent with
// replies, and refuses users' messages, as a bot token gets from Slack.
func TestDeleteMessage(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	_, parent, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText("card", false))
	if err != nil {
		t.Fatal(err)
	}
	_, reply, err := api.PostMessageContext(ctx, operators, slackapi.MsgOptionText("relayed", false), slackapi.MsgOptionTS(parent))
	if err != nil {
		t.Fatal(err)
	}
	user := srv.AddUserMessage(operators, "U0GIULIA", "operator's answer", parent)

	var se slackapi.SlackErrorResponse
	if _, _, err := api.DeleteMessageContext(ctx, operators, user); !errors.As(err, &se) || se.Err != "cant_delete_message" {
		t.Errorf("deleting a user's message: %v", err)
	}
	if _, _, err := api.DeleteMessageContext(ctx, operators, reply); err != nil {
		t.Fatalf("deleting the bot's reply: %v", err)
	}
	if _, _, err := api.DeleteMessageContext(ctx, operators, reply); !errors.As(err, &se) || se.Err != "message_not_found" {
		t.Errorf("deleting it again: %v", err)
	}
	if _, _, err := api.DeleteMessageContext(ctx, operators, parent); err != nil {
		t.Fatalf("deleting the parent: %v", err)
	}
	thread := srv.Thread(operators, parent)
	if len(thread) != 2 || thread[0].Text != "This message was deleted." || thread[1].Text != "operator's answer" {
		t.Errorf("the thread after the deletions: %+v", thread)
	}
	if got := srv.Deleted(); len(got) != 2 || got[0].TS != reply || got[1].TS != parent {
		t.Errorf("Deleted() = %+v", got)
	}
}
