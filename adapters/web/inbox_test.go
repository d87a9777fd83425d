package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
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

// newPushSite serves the web front of engine, and returns the server too: Push is how
// the engine reaches the page.
func newPushSite(t *testing.T, engine web.Engine, opts web.Options) (*httptest.Server, *web.Server) {
	t.Helper()
	site := web.New(engine, opts)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	return srv, site
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

// inbox polls /api/inbox, failing the test on anything but 200.
func (b *browser) inbox() answer {
	b.t.Helper()
	resp, body := b.get("/api/inbox")
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

func push(t *testing.T, site *web.Server, user string, replies ...bot.Reply) {
	t.Helper()
	if err := site.Push(context.Background(), user, replies); err != nil {
		t.Fatalf("Push: %v", err)
	}
}

func TestPushedRepliesReachTheInboxOnce(t *testing.T) {
	srv, site := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	b := newBrowser(t, srv.URL)
	if got := b.inbox(); len(got.Replies) != 0 {
		t.Fatalf("inbox before any push: %+v", got)
	}
	push(t, site, b.session(),
		bot.Reply{Text: "*Giulia (WeMi):* ci sei? <b>", Lang: "it"},
		bot.Reply{Text: "Come valuti l'aiuto?", Buttons: [][]bot.Button{{{Label: "⭐ 1", Data: "rate:1"}, {Label: "⭐ 5", Data: "rate:5"}}}})
	push(t, site, b.session(), bot.Reply{Text: "terzo"})
	got := b.inbox()
	if len(got.Replies) != 3 || got.Replies[0].HTML != "<b>Giulia (WeMi):</b> ci sei? &lt;b&gt;" ||
		got.button("⭐ 5") != "rate:5" || got.Replies[2].HTML != "terzo" {
		t.Fatalf("inbox: %+v", got)
	}
	if again := b.inbox(); len(again.Replies) != 0 {
		t.Fatalf("collected twice: %+v", again)
	}
}

// The inbox's replies have exactly the fields of an answer's.
func TestInboxSpeaksTheAnswersShape(t *testing.T) {
	srv, site := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	b := newBrowser(t, srv.URL)
	_, answered := b.post(map[string]any{"text": "/start"})
	push(t, site, b.session(), bot.Reply{Text: "ciao", Buttons: [][]bot.Button{{{Label: "Menu", Data: "menu"}}}})
	_, pushed := b.get("/api/inbox")
	fields := func(raw string) string {
		var body struct{ Replies []map[string]json.RawMessage }
		if err := json.Unmarshal([]byte(raw), &body); err != nil || len(body.Replies) == 0 {
			t.Fatalf("%s: %v", raw, err)
		}
		return strings.Join(slices.Sorted(maps.Keys(body.Replies[0])), " ")
	}
	if a, p := fields(string(answered)), fields(pushed); a != p {
		t.Errorf("an answer's reply has fields %s, a pushed one %s", a, p)
	}
}

func TestInboxNeedsItsSession(t *testing.T) {
	srv, site := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	alice, bob := newBrowser(t, srv.URL), newBrowser(t, srv.URL)
	push(t, site, alice.session(), bot.Reply{Text: "per Alice"})
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
	if got := bob.inbox(); len(got.Replies) != 0 {
		t.Errorf("Bob read Alice's inbox: %+v", got)
	}
	if got := alice.inbox(); got.html() != "per Alice" {
		t.Errorf("Alice's inbox: %+v", got)
	}
	if err := site.Push(context.Background(), "web:someone", []bot.Reply{{Text: "x"}}); err == nil {
		t.Error("a push to what is not a session was accepted")
	}
}

func TestInboxIsBounded(t *testing.T) {
	srv, site := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	b := newBrowser(t, srv.URL)
	for i := range web.MaxPending + 5 {
		push(t, site, b.session(), bot.Reply{Text: fmt.Sprint("messaggio ", i)})
	}
	got := b.inbox()
	if n := len(got.Replies); n != web.MaxPending || got.Replies[0].HTML != "messaggio 5" ||
		got.Replies[n-1].HTML != fmt.Sprint("messaggio ", web.MaxPending+4) {
		t.Fatalf("%d replies pending, first %q", n, got.Replies[0].HTML)
	}
}

// While the store is unreachable the page is told to retry, and nothing is lost.
func TestInboxStoreFailure(t *testing.T) {
	records := newMemRecords()
	srv, site := newPushSite(t, newEngine(t, nil), web.Options{Mailbox: web.NewMailbox(records, 0)})
	b := newBrowser(t, srv.URL)
	push(t, site, b.session(), bot.Reply{Text: "in attesa"})
	down := errors.New("connection refused")
	var mu sync.Mutex
	var failing bool
	records.fail = func(string) error {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			return down
		}
		return nil
	}
	setFailing := func(v bool) { mu.Lock(); failing = v; mu.Unlock() }
	setFailing(true)
	resp, body := b.get("/api/inbox")
	var e struct{ Error string }
	if resp.StatusCode != http.StatusServiceUnavailable || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" ||
		strings.Contains(body, "refused") {
		t.Fatalf("inbox with the store down: %d %s", resp.StatusCode, body)
	}
	if err := site.Push(context.Background(), b.session(), []bot.Reply{{Text: "perso"}}); !errors.Is(err, down) {
		t.Errorf("push with the store down: %v", err)
	}
	setFailing(false)
	if got := b.inbox(); got.html() != "in attesa" {
		t.Errorf("after the store came back: %+v", got)
	}
}

// Without a mailbox the web chat cannot be pushed to; the page's polls find nothing.
func TestPushWithoutMailbox(t *testing.T) {
	srv, site := newPushSite(t, newEngine(t, nil), web.Options{})
	b := newBrowser(t, srv.URL)
	if err := site.Push(context.Background(), b.session(), []bot.Reply{{Text: "x"}}); !errors.Is(err, web.ErrNoMailbox) {
		t.Errorf("Push without a mailbox: %v", err)
	}
	if got := b.inbox(); len(got.Replies) != 0 {
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
		resp, _ := b.get("/api/inbox")
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
	pushers := map[string]bot.Pusher{}
	engine := newEngine(t, func(o *bot.Options) {
		o.Staff = staffDesk{notify: func(e bot.Event) { mu.Lock(); events = append(events, e); mu.Unlock() }}
		o.Pushers = pushers
	})
	srv, site := newPushSite(t, engine, web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	pushers["web"] = site
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
	if got := b.inbox().html(); !strings.Contains(got, "Giulia di WeMi ha preso in carico") || !strings.Contains(got, "Di che zona siete?") {
		t.Fatalf("the page collected %q", got)
	}
	act(bot.StaffAction{Kind: bot.StaffClose, Operator: "Marco", ID: "e3"})
	closed := b.inbox()
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
