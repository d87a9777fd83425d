package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/internal/logtest"
	"github.com/comune-milano/wemibot/records"
)

// newEngine builds an engine on a bolt store; configure, when not nil, changes its
// options first.
func newEngine(t *testing.T, configure func(*bot.Options)) *bot.Engine {
	t.Helper()
	opts := bot.Options{Search: testIndex(t), Store: boltStore(t)}
	if configure != nil {
		configure(&opts)
	}
	e, err := bot.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// newPushSite serves the web front of engine, and returns the outbox on its mailbox
// too: Push is how the engine reaches the page.
func newPushSite(t *testing.T, engine web.Engine, opts web.Options) (*httptest.Server, *web.Outbox) {
	t.Helper()
	srv := httptest.NewServer(web.New(engine, opts))
	t.Cleanup(srv.Close)
	return srv, web.NewOutbox(opts.Mailbox)
}

// session is the browser's session cookie: the web conversation's user id.
func (b *browser) session() string {
	b.t.Helper()
	for _, c := range b.c.Jar.Cookies(mustURL(b.t, b.base)) {
		if c.Name == "wemi_session" {
			return c.Value
		}
	}
	b.t.Fatal("no session cookie")
	return ""
}

// inbox polls /api/inbox?after=after, failing the test on anything but 200.
func (b *browser) inbox(after uint64) answer {
	b.t.Helper()
	resp, body := b.get(fmt.Sprint("/api/inbox?after=", after))
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET /api/inbox: %d %s", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		b.t.Errorf("inbox Cache-Control %q", cc)
	}
	var a answer
	if err := json.Unmarshal([]byte(body), &a); err != nil || a.Replies == nil {
		b.t.Fatalf("inbox %q: %v", body, err)
	}
	return a
}

// poll polls the inbox as the page does: acknowledging the replies shown so far, and
// showing those above them.
func (b *browser) poll() answer {
	b.t.Helper()
	a := b.inbox(b.seq)
	for _, r := range a.Replies {
		if r.Seq <= b.seq {
			b.t.Fatalf("reply numbered %d after the page showed %d: %+v", r.Seq, b.seq, a)
		}
		b.seq = r.Seq
	}
	return a
}

// seqs are the numbers of an answer's replies.
func (a answer) seqs() []uint64 {
	var out []uint64
	for _, r := range a.Replies {
		out = append(out, r.Seq)
	}
	return out
}

func push(t *testing.T, outbox *web.Outbox, user string, replies ...bot.Reply) {
	t.Helper()
	if err := outbox.Push(context.Background(), user, replies); err != nil {
		t.Fatalf("Push: %v", err)
	}
}

func TestPushedRepliesStayUntilAcknowledged(t *testing.T) {
	srv, outbox := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	b := newBrowser(t, srv.URL)
	push(t, outbox, b.session(),
		bot.Reply{Text: "*Giulia (WeMi):* ci sei? <b>", Lang: "it"},
		bot.Reply{Text: "Come valuti l'aiuto?", Buttons: [][]bot.Button{{{Label: "⭐ 1", Data: "rate:1"}, {Label: "⭐ 5", Data: "rate:5"}}}})
	push(t, outbox, b.session(), bot.Reply{Text: "terzo"})
	// Five polls at most: the poll limit's burst.
	got := b.inbox(0)
	if len(got.Replies) != 3 || got.Replies[0].HTML != "<b>Giulia (WeMi):</b> ci sei? &lt;b&gt;" ||
		got.button("⭐ 5") != "rate:5" || got.Replies[2].HTML != "terzo" || !slices.IsSorted(got.seqs()) ||
		got.seqs()[0] == 0 || len(slices.Compact(got.seqs())) != 3 {
		t.Fatalf("inbox: %+v", got)
	}
	// That response never reached the page: asking again, it gets the same replies.
	if again := b.inbox(0); again.html() != got.html() || !slices.Equal(again.seqs(), got.seqs()) {
		t.Fatalf("a lost response, asked again: %+v, want %+v", again, got)
	}
	// Having shown the first, the page acknowledges it.
	if rest := b.inbox(got.seqs()[0]); !slices.Equal(rest.seqs(), got.seqs()[1:]) {
		t.Fatalf("after acknowledging the first: %+v", rest)
	}
	// Having shown them all, the page acknowledges them and gets the later pushes,
	// numbered above.
	push(t, outbox, b.session(), bot.Reply{Text: "quarto"})
	push(t, outbox, b.session(), bot.Reply{Text: "quinto"})
	last := got.seqs()[2]
	next := b.inbox(last)
	if next.html() != "quarto\nquinto" || next.seqs()[0] <= last || next.seqs()[1] <= next.seqs()[0] {
		t.Fatalf("pushes after the acknowledged ones: %+v, want seqs above %d, increasing", next, last)
	}
	if rest := b.inbox(0); !slices.Equal(rest.seqs(), next.seqs()) {
		t.Fatalf("acknowledged replies came back: %+v", rest)
	}
}

// A page that asks without after was loaded before replies were acknowledged (and
// stays open across the upgrade): it shows what it gets, so what it gets is forgotten.
func TestInboxOfAPageFromBeforeAcknowledgements(t *testing.T) {
	srv, outbox := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	b := newBrowser(t, srv.URL)
	push(t, outbox, b.session(), bot.Reply{Text: "uno"}, bot.Reply{Text: "due"})
	for i, want := range []string{"uno\ndue", ""} {
		resp, body := b.get("/api/inbox")
		var got answer
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got.html() != want {
			t.Fatalf("poll %d without after: %d %s, want %q", i, resp.StatusCode, body, want)
		}
	}
}

func TestInboxMalformedAfter(t *testing.T) {
	srv, outbox := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	b := newBrowser(t, srv.URL)
	push(t, outbox, b.session(), bot.Reply{Text: "in attesa"})
	for _, after := range []string{"", "-1", "+1", "abc", "1.5", "1e3", "0x10", " 1", "18446744073709551616"} {
		t.Run(after, func(t *testing.T) {
			resp, body := b.get("/api/inbox?after=" + url.QueryEscape(after))
			var e struct{ Error string }
			if resp.StatusCode != http.StatusBadRequest || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
				t.Errorf("after=%q: %d %s", after, resp.StatusCode, body)
			}
		})
	}
	if got := b.inbox(0); got.html() != "in attesa" {
		t.Errorf("after the malformed polls: %+v", got)
	}
}

// The inbox's replies have exactly the fields of an answer's.
func TestInboxSpeaksTheAnswersShape(t *testing.T) {
	srv, outbox := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	b := newBrowser(t, srv.URL)
	_, answered := b.post(map[string]any{"text": "/start"})
	push(t, outbox, b.session(), bot.Reply{Text: "ciao", Buttons: [][]bot.Button{{{Label: "Menu", Data: "menu"}}}})
	_, pushed := b.get("/api/inbox?after=0")
	fields := func(raw string) string {
		var body struct{ Replies []map[string]json.RawMessage }
		if err := json.Unmarshal([]byte(raw), &body); err != nil || len(body.Replies) == 0 {
			t.Fatalf("%s: %v", raw, err)
		}
		return strings.Join(slices.Sorted(maps.Keys(body.Replies[0])), " ")
	}
	if a, p := fields(string(answered)), fields(pushed); a+" seq" != p {
		t.Errorf("an answer's reply has fields %s, a pushed one %s: want those and seq", a, p)
	}
}

func TestInboxNeedsItsSession(t *testing.T) {
	srv, outbox := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	alice, bob := newBrowser(t, srv.URL), newBrowser(t, srv.URL)
	push(t, outbox, alice.session(), bot.Reply{Text: "per Alice"})
	for _, cookie := range []*http.Cookie{nil, {Name: "wemi_session", Value: "../../etc/passwd"}} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/inbox", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("cookie %v: %v %v", cookie, err, resp.StatusCode)
		}
		resp.Body.Close()
	}
	if got := bob.inbox(0); len(got.Replies) != 0 {
		t.Errorf("Bob read Alice's inbox: %+v", got)
	}
	if got := alice.inbox(0); got.html() != "per Alice" {
		t.Errorf("Alice's inbox: %+v", got)
	}
	if err := outbox.Push(context.Background(), "web:someone", []bot.Reply{{Text: "x"}}); err == nil {
		t.Error("a push to what is not a session was accepted")
	}
}

func TestInboxIsBounded(t *testing.T) {
	srv, outbox := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	b := newBrowser(t, srv.URL)
	for i := range web.MaxPending + 5 {
		push(t, outbox, b.session(), bot.Reply{Text: fmt.Sprint("messaggio ", i)})
	}
	got := b.inbox(0)
	if n := len(got.Replies); n != web.MaxPending || got.Replies[0].HTML != "messaggio 5" ||
		got.Replies[n-1].HTML != fmt.Sprint("messaggio ", web.MaxPending+4) ||
		!slices.IsSorted(got.seqs()) || len(slices.Compact(got.seqs())) != n {
		t.Fatalf("%d replies pending, first %q, seqs %v", n, got.Replies[0].HTML, got.seqs())
	}
}

// While the store is unreachable the page is told to retry, and nothing is lost.
func TestInboxStoreFailure(t *testing.T) {
	records := newMemRecords()
	srv, outbox := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(records, 0)})
	b := newBrowser(t, srv.URL)
	push(t, outbox, b.session(), bot.Reply{Text: "in attesa"})
	down := errors.New("connection refused")
	var mu sync.Mutex
	var failing bool
	records.fail = func(string, string, string) error {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			return down
		}
		return nil
	}
	setFailing := func(v bool) { mu.Lock(); failing = v; mu.Unlock() }
	setFailing(true)
	resp, body := b.get("/api/inbox?after=0")
	var e struct{ Error string }
	if resp.StatusCode != http.StatusServiceUnavailable || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" ||
		strings.Contains(body, "refused") {
		t.Fatalf("inbox with the store down: %d %s", resp.StatusCode, body)
	}
	if err := outbox.Push(context.Background(), b.session(), []bot.Reply{{Text: "perso"}}); !errors.Is(err, down) {
		t.Errorf("push with the store down: %v", err)
	}
	setFailing(false)
	if got := b.inbox(0); got.html() != "in attesa" {
		t.Errorf("after the store came back: %+v", got)
	}
}

// Without a mailbox the web chat cannot be pushed to; the page's polls find nothing.
func TestPushWithoutMailbox(t *testing.T) {
	srv, outbox := newPushSite(t, newEngine(t, nil), web.Options{})
	b := newBrowser(t, srv.URL)
	if err := outbox.Push(context.Background(), b.session(), []bot.Reply{{Text: "x"}}); !errors.Is(err, web.ErrNoMailbox) {
		t.Errorf("Push without a mailbox: %v", err)
	}
	if got := b.inbox(0); len(got.Replies) != 0 {
		t.Errorf("inbox without a mailbox: %+v", got)
	}
}

// Polls have their own limit: a page polling never makes its citizen's message "too
// fast", and a page polling in a loop is stopped.
func TestPollsAreLimitedApartFromMessages(t *testing.T) {
	srv, _ := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0),
		PerSession: 0.001, PerSessionBurst: 1})
	b := newBrowser(t, srv.URL)
	limited := false
	for i := 0; i < 20 && !limited; i++ {
		resp, _ := b.get("/api/inbox?after=0")
		limited = resp.StatusCode == http.StatusTooManyRequests
	}
	if !limited {
		t.Error("a page polling in a loop was never limited")
	}
	if code, body := b.post(map[string]any{"text": "ciao"}); code != http.StatusOK {
		t.Errorf("a message after polls: %d %s", code, body)
	}
}

// staffDesk is a bot.Staff that hands the events to a test.
type staffDesk struct {
	notify func(bot.Event)
}

func (s staffDesk) Notify(_ context.Context, e bot.Event) error { s.notify(e); return nil }

// The whole handoff as a web citizen lives it: the engine pushes the operator's
// messages through the server, the page collects them, and the rating buttons answer.
func TestHandoffThroughTheWebChat(t *testing.T) {
	var mu sync.Mutex
	var events []bot.Event
	last := func() bot.Event {
		mu.Lock()
		defer mu.Unlock()
		if len(events) == 0 {
			t.Fatal("no staff event")
		}
		return events[len(events)-1]
	}
	mailbox := web.NewMailbox(newMemRecords(), 0)
	engine := newEngine(t, func(o *bot.Options) {
		o.Staff = staffDesk{notify: func(e bot.Event) { mu.Lock(); events = append(events, e); mu.Unlock() }}
		o.Pushers = map[string]bot.Pusher{"web": web.NewOutbox(mailbox)}
	})
	srv, _ := newPushSite(t, engine, web.Options{Mailbox: mailbox})
	b := newBrowser(t, srv.URL)
	b.send(map[string]any{"text": "/operatore"})
	open := last()
	if open.Kind != bot.EventHandoff || open.Conversation != "web:"+b.session() {
		t.Fatalf("handoff event: %+v", open)
	}
	ctx := context.Background()
	act := func(a bot.StaffAction) {
		t.Helper()
		a.Conversation, a.Handoff = open.Conversation, open.Handoff
		if err := engine.FromStaff(ctx, a); err != nil {
			t.Fatalf("%s: %v", a.Kind, err)
		}
	}
	act(bot.StaffAction{Kind: bot.StaffClaim, Operator: "Giulia Bianchi", ID: "e1"})
	act(bot.StaffAction{Kind: bot.StaffReply, Operator: "Giulia Bianchi", Text: "Di che zona siete?", ID: "e2"})
	if got := b.poll().html(); !strings.Contains(got, "Giulia di WeMi ha preso in carico") || !strings.Contains(got, "Di che zona siete?") {
		t.Fatalf("the page collected %q", got)
	}
	act(bot.StaffAction{Kind: bot.StaffClose, Operator: "Marco", ID: "e3"})
	closed := b.poll()
	rate := closed.button("4")
	if !strings.Contains(closed.html(), "Marco di WeMi ha chiuso") || !strings.HasPrefix(rate, "rate:") {
		t.Fatalf("close: %+v", closed)
	}
	if a := b.send(map[string]any{"button": rate}); !strings.Contains(a.html(), "Grazie del tuo giudizio") {
		t.Errorf("rating answered %q", a.html())
	}
	if ev := last(); ev.Kind != bot.EventRating || ev.Score != 4 || ev.Handoff != open.Handoff {
		t.Errorf("rating event: %+v", ev)
	}
}

// brokenEngine fails the message "guasto" with an error quoting the user, as an error
// from a store may; it answers the others.
type brokenEngine struct{ web.Engine }

func (e brokenEngine) HandleKeeping(ctx context.Context, m bot.Message, keep bot.Keeper) ([]bot.Reply, error) {
	if m.Text == "guasto" {
		return nil, fmt.Errorf("load conversation web:%s: connection refused", m.UserID)
	}
	return e.Engine.HandleKeeping(ctx, m, keep)
}

// quotingCache is an unreachable answer cache whose errors quote the key.
type quotingCache struct{}

func (quotingCache) Get(_ context.Context, group, key string) ([]byte, bool, error) {
	return nil, false, fmt.Errorf("cache get %s %s: connection refused", group, key)
}

func (quotingCache) Put(_ context.Context, group, key string, _ []byte, _ time.Duration) error {
	return fmt.Errorf("cache put %s %s: connection refused", group, key)
}

func (quotingCache) Drop(_ context.Context, group string) error {
	return fmt.Errorf("cache drop %s: connection refused", group)
}

// The session is a credential (the HttpOnly cookie): while the stores fail, neither
// the logs, nor Push's error (which its caller logs), nor a response carry it.
func TestSessionStaysOutOfLogs(t *testing.T) {
	tests := []struct {
		name string
		// open returns the stores, working, and a func that breaks them.
		open func(t *testing.T) (records.Records, web.AnswerCache, func())
	}{
		{"redis down", func(t *testing.T) (records.Records, web.AnswerCache, func()) {
			server := redistest.Start(t)
			opts := mustParse(t, server.URL())
			opts.MaxRetries, opts.DialerRetries = -1, 1 // an outage at once, not after retries
			c := goredis.NewClient(opts)
			t.Cleanup(func() { c.Close() })
			return redis.New(c, redis.Options{}), redis.NewCache(c, ""), server.Stop
		}},
		{"stores quoting ids", func(t *testing.T) (records.Records, web.AnswerCache, func()) {
			records := newMemRecords()
			var mu sync.Mutex
			var broken bool
			records.fail = func(op, kind, id string) error {
				mu.Lock()
				defer mu.Unlock()
				if broken {
					return fmt.Errorf("desk %s %s %s: connection refused", op, kind, id)
				}
				return nil
			}
			return records, quotingCache{}, func() { mu.Lock(); broken = true; mu.Unlock() }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records, answers, breakStores := tt.open(t)
			var logs logtest.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			srv, outbox := newPushSite(t, brokenEngine{newEngine(t, nil)},
				web.Options{Mailbox: web.NewMailbox(records, 0), Answers: answers, Logger: logger})
			b := newBrowser(t, srv.URL)
			sess := b.session()
			push(t, outbox, sess, bot.Reply{Text: "in attesa"})
			shown := b.inbox(0)
			breakStores()

			err := outbox.Push(context.Background(), sess, []bot.Reply{{Text: "perso"}})
			if err == nil || strings.Contains(err.Error(), sess) {
				t.Errorf("Push with the store down: %v", err)
			}
			var responses []string
			for _, path := range []string{"/api/inbox?after=0", fmt.Sprint("/api/inbox?after=", shown.seqs()[0]), "/api/inbox"} {
				resp, body := b.get(path)
				if resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("GET %s with the store down: %d %s", path, resp.StatusCode, body)
				}
				responses = append(responses, fmt.Sprint(resp.Header, body))
			}
			for _, text := range []string{"guasto", "ciao"} {
				code, body := b.post(map[string]any{"text": text})
				responses = append(responses, string(body))
				if code != http.StatusOK {
					t.Errorf("message %q with the stores down: %d %s", text, code, body)
				}
			}

			logged := logs.String()
			for _, want := range []string{"inbox unavailable", "answer cache unavailable", "handle message failed"} {
				if !strings.Contains(logged, want) {
					t.Errorf("nothing logged about %q:\n%s", want, logged)
				}
			}
			if strings.Contains(logged, sess) {
				t.Errorf("the session is in the logs:\n%s", logged)
			}
			for _, r := range responses {
				if strings.Contains(r, sess) {
					t.Errorf("the session is in a response: %s", r)
				}
			}
		})
	}
}
