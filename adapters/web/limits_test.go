package web_test

import (
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/web"
)

// openPage opens the page as a new browser from client (an X-Forwarded-For value;
// none when empty), in lang, returning the status, Retry-After and body.
func openPage(t *testing.T, base, client, lang string, cookie *http.Cookie) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	if client != "" {
		req.Header.Set("X-Forwarded-For", client)
	}
	req.Header.Set("Accept-Language", lang)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(body)
}

// New sessions have a budget per client address and an overall one; over budget the
// page answers 429 politely, in the browser's language, with Retry-After. Browsers
// that have a session are not counted.
func TestBudgetsOfNewSessions(t *testing.T) {
	site := web.New(newEngine(t, nil), web.Options{
		TrustedProxies:        []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		NewSessionsPerAddress: 0.01, NewSessionsPerAddressBurst: 3,
		NewSessionsPerSecond: 0.01, NewSessionsBurst: 5})
	srv := newServer(t, site)
	var kept *http.Cookie
	for i := range 3 {
		code, _, _ := openPage(t, srv.URL, "198.51.100.1", "it", nil)
		if code != http.StatusOK {
			t.Fatalf("session %d of the address: %d", i, code)
		}
	}
	code, retry, body := openPage(t, srv.URL, "198.51.100.1", "en-GB,en;q=0.8", nil)
	if seconds, _ := strconv.Atoi(retry); code != http.StatusTooManyRequests || seconds < 1 ||
		!strings.Contains(body, "Many people are opening the chat") || !strings.Contains(body, `lang="en"`) {
		t.Fatalf("over the address's budget: %d, Retry-After %q, %s", code, retry, body)
	}
	// Another client behind the same proxy has its own budget, until the overall one
	// is spent.
	kept = issued(t, srv.URL, http.Header{"X-Forwarded-For": {"203.0.113.5"}})
	if code, _, _ := openPage(t, srv.URL, "203.0.113.6", "it", nil); code != http.StatusOK {
		t.Fatalf("another client: %d", code)
	}
	code, retry, body = openPage(t, srv.URL, "203.0.113.7", "ar", nil)
	if code != http.StatusTooManyRequests || retry == "" || !strings.Contains(body, `dir="rtl"`) {
		t.Fatalf("over the overall budget: %d %q %s", code, retry, body)
	}
	// A browser with its session opens the page whatever the budgets.
	if code, _, _ := openPage(t, srv.URL, "203.0.113.5", "it", kept); code != http.StatusOK {
		t.Errorf("a returning browser: %d", code)
	}
	if code, _ := postWith(t, srv.URL, kept.Name, kept.Value); code != http.StatusOK {
		t.Errorf("a message of a returning browser: %d", code)
	}
}

// Without trusted proxies X-Forwarded-For is the client's word, and ignored: a client
// cannot take other addresses' budgets by naming them.
func TestForwardedForIgnoredWithoutTrustedProxies(t *testing.T) {
	srv := newServer(t, web.New(newEngine(t, nil), web.Options{NewSessionsPerAddress: 0.01, NewSessionsPerAddressBurst: 2}))
	codes := []int{}
	for _, client := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3"} {
		code, _, _ := openPage(t, srv.URL, client, "it", nil)
		codes = append(codes, code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusTooManyRequests {
		t.Errorf("statuses %v, want 200 200 429", codes)
	}
}

// /api/messages takes JSON only: a form or text/plain body, which any site can make
// a browser send, is refused before anything else.
func TestMessagesAreJSONOnly(t *testing.T) {
	srv := newServer(t, web.New(newEngine(t, nil), web.Options{}))
	b := newBrowser(t, srv.URL)
	for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/jsonx"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/messages", strings.NewReader(`{"id":"a1","text":"ciao"}`))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Type %q: %d", ct, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/messages", strings.NewReader(`{"id":"a2","text":"ciao"}`))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("application/json; charset=utf-8: %d", resp.StatusCode)
	}
}
