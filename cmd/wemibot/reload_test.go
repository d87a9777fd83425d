package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/internal/logtest"
)

// Refused admin requests are logged, without the token they carried, once and then at
// most once a minute with a count; an accepted one reaches the handler unlogged.
func TestRefusedAdminRequestsAreLogged(t *testing.T) {
	const token = "admin-token-0123456789"
	var logs logtest.Buffer
	clock := clocktest.New(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	served := 0
	h := adminOnly(token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served++ }),
		slog.New(slog.NewTextHandler(&logs, nil)), clock.Now)
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(auth string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/reload", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	refusals := func() []string { return logs.Lines("admin request refused") }
	if code := post(""); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
	for range 49 {
		if code := post("Bearer guessed-token-guessed-token"); code != http.StatusUnauthorized {
			t.Fatalf("wrong token: %d", code)
		}
	}
	if got := refusals(); len(got) != 1 || !strings.Contains(got[0], "reason=\"no token\"") || !strings.Contains(got[0], "count=1") {
		t.Fatalf("after 50 refusals in a minute: %q", got)
	}
	clock.Advance(time.Minute)
	post("Bearer guessed-token-guessed-token")
	if got := refusals(); len(got) != 2 || !strings.Contains(got[1], "count=50") || !strings.Contains(got[1], "wrong token") {
		t.Errorf("a minute later: %q", got)
	}
	if code := post("Bearer " + token); code != http.StatusOK || served != 1 {
		t.Errorf("good token: %d, served %d", code, served)
	}
	if len(refusals()) != 2 || strings.Contains(logs.String(), "guessed-token") || strings.Contains(logs.String(), token) {
		t.Errorf("logs:\n%s", logs.String())
	}
}
