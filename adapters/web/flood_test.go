package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/web"
)

// redisFootprint is what Redis holds: keys, their bytes (MEMORY USAGE) and the longest
// time to live among them.
type redisFootprint struct {
	keys, bytes int64
	longest     time.Duration
	byKind      map[string]int64 // bytes by kind of key: state, seen, rate, answer, index
}

// kindOf names the kind of a Redis key of the store or the answer cache.
func kindOf(key string) string {
	for _, kind := range []string{"index", "state", "seen", "rate", "lock", "cache"} {
		if strings.Contains(key, kind) {
			return kind
		}
	}
	return "other"
}

func footprint(t *testing.T, c *goredis.Client) redisFootprint {
	t.Helper()
	ctx := context.Background()
	f := redisFootprint{byKind: map[string]int64{}}
	iter := c.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		f.keys++
		n, _ := c.MemoryUsage(ctx, k).Result()
		f.bytes += n
		f.byKind[kindOf(k)] += n
		// PTTL says -1 for a key without expiry, -2 for one gone since SCAN saw it.
		switch ttl, _ := c.PTTL(ctx, k).Result(); {
		case ttl == -1:
			f.longest = time.Duration(1<<63 - 1) // kept for ever
		case ttl > f.longest:
			f.longest = ttl
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return f
}

// flushedClient is a client of rs, emptied first.
func flushedClient(t *testing.T, rs *redistest.Server) *goredis.Client {
	t.Helper()
	client := goredis.NewClient(mustParse(t, rs.URL()))
	t.Cleanup(func() { client.Close() })
	if err := client.FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	return client
}

// floodSite serves the web chat on a Redis store and answer cache, flushed.
func floodSite(t *testing.T, rs *redistest.Server, opts web.Options) (*goredis.Client, string) {
	t.Helper()
	client := flushedClient(t, rs)
	opts.Answers = redis.NewCache(client, "")
	srv, _ := newSite(t, redis.New(client, redis.Options{}), opts)
	return client, srv.URL
}

// postAs sends a message with a session cookie and reports whether it was accepted.
func postAs(t *testing.T, base, cookie, id, text string) bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/messages", strings.NewReader(fmt.Sprintf(`{"id":%q,"text":%q}`, id, text)))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "wemi_session", Value: cookie})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// newSessions opens the page n times as new browsers, each sending what is in say
// (the page's greeting first), and returns the sessions issued and messages accepted.
func newSessions(t *testing.T, base string, n int, say ...string) (issued, accepted int) {
	t.Helper()
	for i := range n {
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			continue
		}
		issued++
		for j, text := range say {
			if postAs(t, base, resp.Cookies()[0].Value, fmt.Sprint(i, "-", j), text) {
				accepted++
			}
		}
	}
	return issued, accepted
}

// perThousand scales bytes for n sessions to 1,000.
func perThousand(bytes int64, n int) int64 { return bytes * 1000 / int64(max(n, 1)) }

// A flood of sessions costs the store little, and only for a while: made-up cookies
// are refused and store nothing; fresh sessions are issued within the budgets; a
// session that only had the page's greeting is kept an hour. The figures are logged
// (go test -v -run TestSessionFlood ./adapters/web/).
func TestSessionFloodIsBounded(t *testing.T) {
	rs := redistest.Start(t)
	const madeUp, fresh = 1000, 1000

	t.Run("made-up cookies", func(t *testing.T) {
		client, base := floodSite(t, rs, web.Options{PerSession: 1000, PerSessionBurst: 1000})
		accepted := 0
		for range madeUp {
			if postAs(t, base, randomValue(48), "f", "/start") {
				accepted++
			}
		}
		f := footprint(t, client)
		t.Logf("%d made-up cookies: %d messages accepted, Redis %d keys, %d bytes", madeUp, accepted, f.keys, f.bytes)
		if accepted != 0 || f.keys != 0 {
			t.Errorf("made-up sessions were accepted (%d) or stored (%d keys)", accepted, f.keys)
		}
	})

	t.Run("fresh sessions within the default budgets", func(t *testing.T) {
		client, base := floodSite(t, rs, web.Options{})
		start := time.Now()
		issued, accepted := newSessions(t, base, madeUp, "/start")
		elapsed := time.Since(start)
		f := footprint(t, client)
		t.Logf("%d page loads from one address in %v: %d sessions issued, %d greetings accepted, Redis %d keys, %d bytes",
			madeUp, elapsed.Round(time.Millisecond), issued, accepted, f.keys, f.bytes)
		// The burst, plus one every 5 s of the flood.
		if limit := 30 + int(elapsed/(5*time.Second)) + 1; issued > limit {
			t.Errorf("%d sessions issued to one address, budget %d", issued, limit)
		}
	})

	t.Run("cost of a session", func(t *testing.T) {
		generous := web.Options{NewSessionsPerAddress: 1e6, NewSessionsPerAddressBurst: 1e6, NewSessionsPerSecond: 1e6, NewSessionsBurst: 1e6}
		for _, c := range []struct {
			name    string
			say     []string
			longest time.Duration
		}{
			{"greeting only", []string{"/start"}, time.Hour},
			{"greeting and a word", []string{"/start", "ciao"}, 30 * 24 * time.Hour},
		} {
			client, base := floodSite(t, rs, generous)
			issued, accepted := newSessions(t, base, fresh, c.say...)
			f := footprint(t, client)
			t.Logf("%s: %d sessions, %d messages accepted, Redis %d keys, %d bytes per 1,000 sessions (by kind %v), kept at most %v",
				c.name, issued, accepted, f.keys, perThousand(f.bytes, issued), f.byKind, f.longest.Round(time.Minute))
			if issued != fresh || accepted != fresh*len(c.say) {
				t.Errorf("%s: %d sessions, %d accepted", c.name, issued, accepted)
			}
			if f.longest > c.longest {
				t.Errorf("%s: a key kept %v, want at most %v", c.name, f.longest, c.longest)
			}
		}
	})
}
