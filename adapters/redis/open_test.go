package redis

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
)

func TestOpen(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	client, err := Open(ctx, srv.URL()+"?db=2")
	if err != nil {
		t.Fatalf("Open(%s): %v", srv.URL(), err)
	}
	t.Cleanup(func() { _ = client.Close() })
	if err := client.Set(ctx, "k", "v", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if db := client.(*goredis.Client).Options().DB; db != 2 {
		t.Errorf("db %d, want 2", db)
	}
}

func TestOpenFails(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{"unknown scheme", "http://localhost:6379", "invalid URL scheme"},
		{"bad port keeps the password out", "redis://user:s3cret@localhost:port/0", "invalid port"},
		{"unknown option", "redis://localhost:6379?colour=blue", "colour"},
		{"nobody listening", "unix://" + t.TempDir() + "/none.sock?dial_timeout=100ms&max_retries=-1", "ping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			client, err := Open(ctx, tc.url)
			if err == nil {
				_ = client.Close()
				t.Fatalf("Open(%q) succeeded", tc.url)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open(%q): %v, want it to mention %q", tc.url, err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("Open error reveals the password: %v", err)
			}
		})
	}
}

func TestClientKind(t *testing.T) {
	tests := []struct {
		url  string
		kind string   // "single", "sentinel", "cluster"
		addr []string // server, seed or sentinel addresses
	}{
		{"redis://localhost:6380/1", "single", []string{"localhost:6380"}},
		{"rediss://user:pw@redis.example:6380", "single", []string{"redis.example:6380"}},
		{"unix:///run/redis.sock", "single", []string{"/run/redis.sock"}},
		{"redis://s1:26379?master_name=wemi&addr=s2:26379", "sentinel", nil},
		{"redis://n1:6379?addr=n2:6379&addr=n3:6379", "cluster", []string{"n1:6379", "n2:6379", "n3:6379"}},
		{"redis://n1:6379?cluster=true&read_timeout=2s", "cluster", []string{"n1:6379"}},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			client, err := newClient(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			var kind string
			var addr []string
			switch c := client.(type) {
			case *goredis.ClusterClient:
				kind, addr = "cluster", c.Options().Addrs
			case *goredis.Client:
				kind, addr = "single", []string{c.Options().Addr}
				if c.Options().Addr == "FailoverClient" {
					kind, addr = "sentinel", nil
				}
			default:
				t.Fatalf("client of type %T", client)
			}
			if kind != tc.kind || !slices.Equal(addr, tc.addr) {
				t.Errorf("got %s %v, want %s %v", kind, addr, tc.kind, tc.addr)
			}
		})
	}
}

// A Redis that hangs (SIGSTOP) does not hold a call past its context's deadline, even
// with read and write timeouts far longer: /readyz keeps its 2 s. For one server, and
// for Cluster and Sentinel clients, which carry the same option.
func TestCallsEndWithTheirContext(t *testing.T) {
	srv := redistest.Start(t)
	client, err := Open(context.Background(), srv.URL()+"?read_timeout=10m&write_timeout=10m&max_retries=0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	srv.Pause()
	defer srv.Resume()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- client.Ping(ctx).Err() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("PING answered by a stopped Redis")
		}
	case <-time.After(time.Minute):
		t.Fatal("PING to a stopped Redis outlived its context by a minute")
	}
	for _, url := range []string{"redis://s1:26379?master_name=wemi", "redis://n1:6379?cluster=true"} {
		c, err := newClient(url)
		if err != nil {
			t.Fatal(err)
		}
		var enabled bool
		switch c := c.(type) {
		case *goredis.ClusterClient:
			enabled = c.Options().ContextTimeoutEnabled
		case *goredis.Client:
			enabled = c.Options().ContextTimeoutEnabled
		}
		c.Close()
		if !enabled {
			t.Errorf("%s: context deadlines are not honoured", url)
		}
	}
}
