package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
)

// readyReport is /readyz's body.
type readyReport struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func getReady(t *testing.T, url string) (int, readyReport) {
	t.Helper()
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r readyReport
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("readyz body: %v", err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("readyz content type %q", ct)
	}
	return resp.StatusCode, r
}

func readySite(t *testing.T, checks ...web.Check) (*web.Server, string) {
	t.Helper()
	e, err := bot.New(bot.Options{Search: testIndex(t), Store: boltStore(t)})
	if err != nil {
		t.Fatal(err)
	}
	site := web.New(e, web.Options{Checks: checks})
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	return site, srv.URL
}

func probe(err error) func(context.Context) error {
	return func(context.Context) error { return err }
}

// /readyz names what fails: a channel that fails makes the bot degraded but ready
// (200); the store or the index failing makes it unready (503), with a generic reason
// and no detail.
func TestReadinessNamesWhatFails(t *testing.T) {
	down := &web.CheckError{Reason: "getMe: the Bot API is unreachable"}
	leaky := errors.New("dial tcp 10.0.0.7:6379: password s3cret refused")
	tests := []struct {
		name   string
		checks []web.Check
		code   int
		want   readyReport
	}{
		{"all fine", []web.Check{{Name: "store", Required: true, Probe: probe(nil)}, {Name: "telegram", Probe: probe(nil)}},
			200, readyReport{"ready", map[string]string{"store": "ok", "telegram": "ok"}}},
		{"a channel down", []web.Check{{Name: "store", Required: true, Probe: probe(nil)}, {Name: "index", Required: true, Probe: probe(nil)},
			{Name: "telegram", Probe: probe(down)}, {Name: "slack", Probe: probe(nil)}},
			200, readyReport{"degraded", map[string]string{"store": "ok", "index": "ok", "telegram": "getMe: the Bot API is unreachable", "slack": "ok"}}},
		{"the store down", []web.Check{{Name: "store", Required: true, Probe: probe(leaky)}, {Name: "telegram", Probe: probe(down)}},
			503, readyReport{"unready", map[string]string{"store": "unavailable", "telegram": "getMe: the Bot API is unreachable"}}},
		{"no index", []web.Check{{Name: "index", Required: true, Probe: probe(&web.CheckError{Reason: "not loaded"})}},
			503, readyReport{"unready", map[string]string{"index": "not loaded"}}},
		{"nothing to check", nil, 200, readyReport{"ready", map[string]string{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, url := readySite(t, tc.checks...)
			code, got := getReady(t, url)
			if code != tc.code || got.Status != tc.want.Status || len(got.Checks) != len(tc.want.Checks) {
				t.Fatalf("readyz: %d %+v, want %d %+v", code, got, tc.code, tc.want)
			}
			for k, v := range tc.want.Checks {
				if got.Checks[k] != v {
					t.Errorf("check %s: %q, want %q", k, got.Checks[k], v)
				}
			}
		})
	}
}

// A probe that hangs, even one that ignores its context, does not hold /readyz past
// its deadline: it counts as failed.
func TestReadinessDoesNotWaitForAHungProbe(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	site, url := readySite(t,
		web.Check{Name: "store", Required: true, Probe: func(context.Context) error { <-release; return nil }},
		web.Check{Name: "telegram", Probe: probe(nil)})
	code, got := getReady(t, url)
	if code != http.StatusServiceUnavailable || got.Checks["store"] != "no answer within 2 s" || got.Checks["telegram"] != "ok" {
		t.Errorf("readyz with a hung store: %d %+v", code, got)
	}
	site.Drain()
	code, got = getReady(t, url)
	if code != http.StatusServiceUnavailable || got.Status != "unready" || got.Checks["server"] != "shutting down" {
		t.Errorf("readyz while draining: %d %+v", code, got)
	}
}

// The real store on a Redis that hangs (SIGSTOP): /readyz answers within its
// deadline, unready, and ready again once Redis resumes.
func TestReadinessWithARedisThatHangs(t *testing.T) {
	rs := redistest.Start(t)
	// Timeouts far longer than /readyz's deadline: only the context can end a ping.
	client, err := redis.Open(t.Context(), rs.URL()+"?read_timeout=10m&write_timeout=10m&max_retries=0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	_, url := readySite(t, web.Check{Name: "store", Required: true, Probe: func(ctx context.Context) error { return client.Ping(ctx).Err() }})
	if code, got := getReady(t, url); code != 200 || got.Checks["store"] != "ok" {
		t.Fatalf("readyz with Redis up: %d %+v", code, got)
	}
	rs.Pause()
	code, got := getReady(t, url)
	rs.Resume()
	if code != http.StatusServiceUnavailable || !strings.Contains("unavailable no answer within 2 s", got.Checks["store"]) {
		t.Errorf("readyz with Redis hung: %d %+v", code, got)
	}
	for try := 0; ; try++ {
		if code, _ := getReady(t, url); code == 200 {
			break
		}
		if try == 50 {
			t.Fatal("not ready again after Redis resumed")
		}
	}
}
