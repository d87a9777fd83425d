package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/search"
	"github.com/comune-milano/wemibot/search/searchtest"
)

func testIndex(t testing.TB) *search.Index { t.Helper(); return searchtest.Bundled(t) }

// newSite serves the web front of an engine on store.
func newSite(t *testing.T, store bot.Store, opts web.Options) (*httptest.Server, *web.Metrics) {
	t.Helper()
	m := web.NewMetrics()
	e, err := bot.New(bot.Options{Search: testIndex(t), Store: store, Observer: m})
	if err != nil {
		t.Fatal(err)
	}
	opts.Metrics = m.Handler()
	srv := httptest.NewServer(web.New(e, opts))
	t.Cleanup(srv.Close)
	return srv, m
}

func boltStore(t *testing.T) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "wemi.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// browser is a client with its own cookie jar: one web-chat session.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	n    int
	seq  uint64 // the last pushed reply shown, as the page keeps it
}

// newBrowser opens the page, which gives it its session, as a real browser would.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: base, c: &http.Client{Jar: jar}}
	if resp, _ := b.get("/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %d", resp.StatusCode)
	}
	return b
}

type answer struct {
	Lang    string `json:"lang"`
	Replies []struct {
		HTML    string `json:"html"`
		Buttons [][]struct {
			Label string `json:"label"`
			Data  string `json:"data"`
		} `json:"buttons"`
		Location *struct {
			Lat  float64 `json:"lat"`
			Name string  `json:"name"`
		} `json:"location"`
		Replace bool   `json:"replace"`
		Seq     uint64 `json:"seq"` // pushed replies only
	} `json:"replies"`
}

func (a answer) html() string {
	var parts []string
	for _, r := range a.Replies {
		parts = append(parts, r.HTML)
	}
	return strings.Join(parts, "\n")
}

func (a answer) button(label string) string {
	for _, r := range a.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.Contains(b.Label, label) {
					return b.Data
				}
			}
		}
	}
	return ""
}

// post sends a message body and returns the status and raw answer.
func (b *browser) post(body map[string]any) (int, []byte) {
	b.t.Helper()
	if _, ok := body["id"]; !ok {
		b.n++
		body["id"] = fmt.Sprintf("m%d", b.n)
	}
	data, _ := json.Marshal(body)
	resp, err := b.c.Post(b.base+"/api/messages", "application/json", bytes.NewReader(data))
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

func (b *browser) send(body map[string]any) answer {
	b.t.Helper()
	code, raw := b.post(body)
	if code != http.StatusOK {
		b.t.Fatalf("POST %v: %d %s", body, code, raw)
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		b.t.Fatal(err)
	}
	return a
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func TestWebChat(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{})
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: srv.URL, c: &http.Client{Jar: jar}}
	resp, page := b.get("/")
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(page, "<html") || !strings.Contains(csp, "default-src 'self'") ||
		!strings.Contains(csp, "frame-ancestors 'self'") {
		t.Fatalf("page: %d %q", resp.StatusCode, resp.Header)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "wemi_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || len(cookie.Value) < 40 {
		t.Fatalf("session cookie: %+v", cookie)
	}
	_, texts := b.get("/api/texts?lang=en")
	if !strings.Contains(texts, `"send":"Send"`) {
		t.Errorf("texts: %s", texts)
	}
	a := b.send(map[string]any{"text": "/start", "lang": "it"})
	if !strings.Contains(a.html(), "<b>WeMi Bot</b>") || a.button("Categorie") == "" || a.Lang != "it" {
		t.Fatalf("welcome: %+v", a)
	}
	a = b.send(map[string]any{"text": "psicologo"})
	a = b.send(map[string]any{"button": a.button("Altri risultati")})
	if !a.Replies[0].Replace || !strings.Contains(a.html(), "6. ") {
		t.Errorf("paging: %+v", a)
	}
	a = b.send(map[string]any{"location": map[string]float64{"lat": 45.4642, "lon": 9.19}})
	if a.Replies[len(a.Replies)-1].Location == nil {
		t.Errorf("near me: no location in %+v", a)
	}
	// Untrusted text is escaped in the HTML.
	a = b.send(map[string]any{"text": "<script>alert(1)</script> psicologo"})
	if strings.Contains(a.html(), "<script>") || !strings.Contains(a.html(), "&lt;script&gt;") {
		t.Errorf("not escaped: %s", a.html())
	}
	a = b.send(map[string]any{"text": "/lingua en"})
	if a.Lang != "en" || !strings.Contains(a.html(), "English") {
		t.Errorf("language after /lingua en: %q %s", a.Lang, a.html())
	}
}

// A retry with the same message id (the answer was lost on the way) gets the same
// answer, and the message is handled once.
func TestRetryGetsTheSameAnswer(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{})
	b := newBrowser(t, srv.URL)
	b.send(map[string]any{"text": "/start"})
	_, first := b.post(map[string]any{"id": "same", "text": "badante"})
	_, again := b.post(map[string]any{"id": "same", "text": "badante"})
	if !bytes.Equal(first, again) || !strings.Contains(string(first), "Ho trovato") {
		t.Errorf("retry answered differently:\n%s\n%s", first, again)
	}
}

// Two copies of one message at once (a retry while the first is still being
// answered): both get the full answer, handled once.
func TestConcurrentRetries(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{})
	b := newBrowser(t, srv.URL)
	var wg sync.WaitGroup
	answers := make([][]byte, 4)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, answers[i] = b.post(map[string]any{"id": "twice", "text": "badante"})
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if !bytes.Equal(a, answers[0]) || !strings.Contains(string(a), "Ho trovato") {
			t.Errorf("copy %d answered %s", i, a)
		}
	}
	// A retry of an answered message is answered even when the session is over its
	// rate limit.
	for i := 0; i < 30; i++ {
		b.post(map[string]any{"text": "ciao"})
	}
	if code, again := b.post(map[string]any{"id": "twice", "text": "badante"}); code != 200 || !bytes.Equal(again, answers[0]) {
		t.Errorf("retry over the limit: %d", code)
	}
}

func TestEmbeddingOnThePortal(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{FrameAncestors: []string{"https://www.comune.milano.it"}})
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://www.comune.milano.it") {
		t.Errorf("CSP %q", csp)
	}
	c := resp.Cookies()[0]
	if c.SameSite != http.SameSiteNoneMode || !c.Secure || !c.Partitioned {
		t.Errorf("an embedded chat's cookie must be SameSite=None; Secure; Partitioned: %+v", c)
	}
}

func TestBadRequests(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{PerSession: 1, PerSessionBurst: 3})
	b := newBrowser(t, srv.URL)
	if code, _ := b.post(map[string]any{"text": strings.Repeat("x", 20000)}); code != http.StatusRequestEntityTooLarge {
		t.Errorf("huge message: %d", code)
	}
	resp, err := b.c.Post(srv.URL+"/api/messages", "application/json", strings.NewReader("{nope"))
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("garbage: %v %v", err, resp.StatusCode)
	}
	if code, _ := b.post(map[string]any{"id": "", "text": "x"}); code != http.StatusBadRequest {
		t.Errorf("no id: %d", code)
	}
	limited := false
	for i := 0; i < 10 && !limited; i++ {
		code, _ := b.post(map[string]any{"text": "ciao"})
		limited = code == http.StatusTooManyRequests
	}
	if !limited {
		t.Error("a flood was never limited")
	}
	// No session, or a forged one: no conversation is created; the page reloads.
	for _, cookie := range []*http.Cookie{nil, {Name: "wemi_session", Value: "../../etc/passwd"}} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/messages", strings.NewReader(`{"id":"1","text":"ciao"}`))
		req.Header.Set("Content-Type", "application/json")
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("cookie %v: %v %v", cookie, err, resp.StatusCode)
		}
		resp.Body.Close()
	}
	// The page gives a forged cookie a fresh session.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "wemi_session", Value: "../../etc/passwd"})
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := resp.Cookies(); len(c) == 0 || c[0].Value == "../../etc/passwd" {
		t.Errorf("forged cookie kept: %+v", c)
	}
}

func TestOperationsEndpoints(t *testing.T) {
	ready := errors.New("index not loaded")
	m := web.NewMetrics()
	e, err := bot.New(bot.Options{Search: testIndex(t), Store: boltStore(t), Observer: m})
	if err != nil {
		t.Fatal(err)
	}
	site := web.New(e, web.Options{Metrics: m.Handler(), Ready: func(context.Context) error { return ready }})
	srv := httptest.NewServer(site)
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	if resp, body := b.get("/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}
	if resp, _ := b.get("/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz while not ready: %d", resp.StatusCode)
	}
	ready = nil
	if resp, _ := b.get("/readyz"); resp.StatusCode != 200 {
		t.Errorf("readyz: %d", resp.StatusCode)
	}
	b.send(map[string]any{"text": "psicologo"})
	b.send(map[string]any{"text": "xqzwv plokm"})
	b.send(map[string]any{"text": "mio marito mi picchia"})
	_, metrics := b.get("/metrics")
	for _, want := range []string{`wemibot_messages_total{channel="web",flow="search"} 2`, "wemibot_search_seconds_bucket",
		"wemibot_searches_without_results_total 1", `wemibot_staff_events_total{kind="emergency"} 1`, "go_goroutines"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, path := range []string{"/static/chat.js", "/static/chat.css", "/static/embed.js"} {
		if resp, _ := b.get(path); resp.StatusCode != 200 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := b.get("/static/"); resp.StatusCode == 200 {
		t.Error("the static folder is listed")
	}
	// Draining: readiness goes down first, so the balancer stops sending requests.
	site.Drain()
	if resp, body := b.get("/readyz"); resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(body, "index") {
		t.Errorf("readyz while draining: %d %q", resp.StatusCode, body)
	}
}

// Two servers on one Redis continue the same conversation: a citizen's messages may
// reach either replica.
func TestTwoServersOneRedis(t *testing.T) {
	rs := redistest.Start(t)
	newStore := func() bot.Store {
		opts, err := goredis.ParseURL(rs.URL())
		if err != nil {
			t.Fatal(err)
		}
		c := goredis.NewClient(opts)
		t.Cleanup(func() { c.Close() })
		return redis.New(c, redis.Options{})
	}
	cacheClient := goredis.NewClient(mustParse(t, rs.URL()))
	t.Cleanup(func() { cacheClient.Close() })
	answers := redis.NewCache(cacheClient, "")
	key := []byte("the replicas' shared session key, 32+ bytes")
	a, _ := newSite(t, newStore(), web.Options{Answers: answers, SessionKey: key})
	bsrv, _ := newSite(t, newStore(), web.Options{Answers: answers, SessionKey: key})
	br := newBrowser(t, a.URL)
	res := br.send(map[string]any{"text": "psicologo"})
	more := res.button("Altri risultati")
	// The same browser (same cookie) now reaches the other replica.
	jarURL := a.URL
	other := &browser{t: t, base: bsrv.URL, c: br.c, n: br.n}
	cookies := br.c.Jar.Cookies(mustURL(t, jarURL))
	other.c.Jar.SetCookies(mustURL(t, bsrv.URL), cookies)
	page2 := other.send(map[string]any{"button": more})
	if !strings.Contains(page2.html(), "6. ") {
		t.Fatalf("the second replica did not continue the search: %s", page2.html())
	}
	// A message answered by one replica, retried (the answer was lost) on the other:
	// the same answer, handled once.
	_, first := br.post(map[string]any{"id": "lost-answer", "text": "badante"})
	_, again := other.post(map[string]any{"id": "lost-answer", "text": "badante"})
	if !bytes.Equal(first, again) || !strings.Contains(string(first), "Ho trovato") {
		t.Errorf("the retry on the other replica answered differently:\n%s\n%s", first, again)
	}
}

func mustParse(t *testing.T, raw string) *goredis.Options {
	t.Helper()
	o, err := goredis.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
