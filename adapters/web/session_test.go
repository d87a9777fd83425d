package web_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
)

// clock is a settable clock for the server's sessions.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// postWith sends a message with the session cookie value (none when empty) under
// name, returning the status and the decoded body.
func postWith(t *testing.T, base, name, value string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/messages", strings.NewReader(`{"id":"x1","text":"ciao"}`))
	req.Header.Set("Content-Type", "application/json")
	if value != "" {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("not JSON: %s", raw)
	}
	return resp.StatusCode, body
}

// issued opens the page without a cookie and returns the session cookie it sets.
func issued(t *testing.T, base string, header http.Header) *http.Cookie {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(resp.Cookies()) != 1 {
		t.Fatalf("GET /: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	return resp.Cookies()[0]
}

// newServer serves h on loopback for the test.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func randomValue(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Only sessions the server issued, unexpired, name a conversation: anything else gets
// 401 with a reload hint, and the engine never sees it.
func TestOnlyIssuedSessions(t *testing.T) {
	clk := &clock{now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	var seen []string
	site := web.New(spyEngine{Engine: newEngine(t, nil), seen: func(m bot.Message) { seen = append(seen, m.Text) }}, web.Options{SessionKey: []byte("0123456789abcdef0123456789abcdef"),
		SessionTTL: 24 * time.Hour, Now: clk.Now})
	srv := newServer(t, site)
	good := issued(t, srv.URL, nil)
	if good.Name != "wemi_session" || !good.HttpOnly || good.MaxAge != 24*3600 || good.Path != "/" {
		t.Fatalf("issued cookie %+v", good)
	}
	if code, _ := postWith(t, srv.URL, good.Name, good.Value); code != http.StatusOK {
		t.Fatalf("an issued session: %d", code)
	}
	// Another server's key: a session not issued here.
	otherSite := web.New(newEngine(t, nil), web.Options{SessionKey: []byte("another key, another deployment!!"), Now: clk.Now})
	foreign := issued(t, newServer(t, otherSite).URL, nil)
	tampered := []byte(good.Value)
	tampered[10] ^= 1
	if tampered[10] == '-' || tampered[10] == '_' {
		tampered[10] = 'A'
	}
	refused := []struct{ name, value string }{
		{"made up, the old unsigned shape", randomValue(32)},
		{"made up, the new shape", randomValue(48)},
		{"tampered", string(tampered)},
		{"another key", foreign.Value},
		{"a path", "../../etc/passwd"},
	}
	for _, r := range refused {
		t.Run(r.name, func(t *testing.T) {
			code, body := postWith(t, srv.URL, "wemi_session", r.value)
			if code != http.StatusUnauthorized || body["reload"] != true {
				t.Errorf("%d %v", code, body)
			}
		})
	}
	if code, body := postWith(t, srv.URL, "wemi_session", ""); code != http.StatusUnauthorized || body["reload"] != true {
		t.Errorf("no cookie: %d %v", code, body)
	}
	clk.advance(24*time.Hour + time.Second)
	if code, body := postWith(t, srv.URL, good.Name, good.Value); code != http.StatusUnauthorized ||
		!strings.Contains(body["error"].(string), "expired") {
		t.Errorf("an expired session: %d %v", code, body)
	}
	if len(seen) != 1 {
		t.Errorf("the engine saw %d messages, want the one of the issued session", len(seen))
	}
	// The page replaces an expired cookie with a new session.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.AddCookie(good)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := resp.Cookies(); len(c) != 1 || c[0].Value == good.Value {
		t.Errorf("expired cookie kept: %+v", c)
	}
}

// Behind HTTPS the cookie is __Host-: Secure, Path=/, no Domain; a framed chat's is
// partitioned and sent cross-site too. A cookie under the plain name is not read.
func TestSecureCookieNames(t *testing.T) {
	tests := []struct {
		name string
		opts web.Options
		same http.SameSite
	}{
		{"secure", web.Options{SecureCookie: true}, http.SameSiteLaxMode},
		{"framed", web.Options{FrameAncestors: []string{"https://www.comune.milano.it"}}, http.SameSiteNoneMode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, web.New(newEngine(t, nil), tt.opts))
			c := issued(t, srv.URL, nil)
			if c.Name != "__Host-wemi_session" || !c.Secure || c.Path != "/" || c.Domain != "" || c.SameSite != tt.same ||
				c.Partitioned != (tt.same == http.SameSiteNoneMode) {
				t.Errorf("cookie %+v", c)
			}
			if code, _ := postWith(t, srv.URL, c.Name, c.Value); code != http.StatusOK {
				t.Errorf("the issued session: %d", code)
			}
			if code, _ := postWith(t, srv.URL, "wemi_session", c.Value); code != http.StatusUnauthorized {
				t.Errorf("the plain name behind HTTPS: %d", code)
			}
		})
	}
}
