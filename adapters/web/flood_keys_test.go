package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/vault"
	"github.com/comune-milano/wemibot/vault/sealed"
)

// keyFootprint is what the vault keeps on Redis: its data key records, their bytes
// and longest time to live; the records kept for ever (the pseudonym secret) and the
// size of the set of key ids, which the store prunes of expired ids as it writes.
type keyFootprint struct {
	keys, bytes, forever, ids int64
	longest                   time.Duration
}

func vaultFootprint(t *testing.T, c *goredis.Client) keyFootprint {
	t.Helper()
	ctx := context.Background()
	var f keyFootprint
	iter := c.Scan(ctx, 0, "*"+vault.KeyKind+"*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		if strings.HasSuffix(k, ":ids") {
			f.ids, _ = c.SCard(ctx, k).Result()
			continue
		}
		ttl, err := c.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl < 0 {
			f.forever++
			continue
		}
		n, _ := c.MemoryUsage(ctx, k).Result()
		f.keys++
		f.bytes += n
		f.longest = max(f.longest, ttl)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return f
}

// sealedFloodSite serves the web chat as cmd/wemibot does on Redis: the engine's
// states sealed by a vault on the same Redis, the answers sealed for web.AnswerTTL.
func sealedFloodSite(t *testing.T, rs *redistest.Server, opts web.Options) (*goredis.Client, string) {
	t.Helper()
	client := flushedClient(t, rs)
	raw := redis.New(client, redis.Options{})
	v, err := vault.New(raw, []vault.KEK{vault.NewKEK()}, vault.Options{Broadcaster: redis.NewBroadcast(client, "")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	opts.Answers = redis.NewCache(client, "")
	opts.Seal = func(ctx context.Context, subject string, plain []byte) ([]byte, error) {
		return v.SealFor(ctx, subject, plain, web.AnswerTTL)
	}
	opts.Open = v.Open
	srv, _ := newSite(t, sealed.NewStore(raw, v, sealed.Options{}), opts)
	return client, srv.URL
}

// A flood of greeting-only sessions leaves data keys that all expire within about two
// hours, like the greetings they sealed (kept an hour), instead of KeyTTL (400 days):
// at the default budget of 20 new sessions a second, Redis holds at most ~144,000
// such keys, not ~1.7 M more each day. A session that said something keeps its key
// twice its conversation's 30 days. Figures: go test -v -run TestSessionFloodKeys
// ./adapters/web/
func TestSessionFloodKeysExpire(t *testing.T) {
	rs := redistest.Start(t)
	const sessions = 500
	generous := web.Options{NewSessionsPerAddress: 1e6, NewSessionsPerAddressBurst: 1e6, NewSessionsPerSecond: 1e6, NewSessionsBurst: 1e6}
	for _, c := range []struct {
		name    string
		say     []string
		longest time.Duration
	}{
		{"greeting only", []string{"/start"}, vault.MinKeyTTL},
		{"greeting and a word", []string{"/start", "ciao"}, 60 * 24 * time.Hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			client, base := sealedFloodSite(t, rs, generous)
			issued, accepted := newSessions(t, base, sessions, c.say...)
			f := vaultFootprint(t, client)
			t.Logf("%s: %d sessions, %d messages: %d data keys (%d bytes each), %d ids in the id set, %d kept for ever; longest key TTL %v",
				c.name, issued, accepted, f.keys, f.bytes/max(f.keys, 1), f.ids, f.forever, f.longest.Round(time.Minute))
			if issued != sessions || accepted != sessions*len(c.say) {
				t.Fatalf("%d sessions, %d messages accepted", issued, accepted)
			}
			if f.keys != sessions {
				t.Errorf("%d data keys for %d sessions, want one each", f.keys, sessions)
			}
			if f.longest > c.longest {
				t.Errorf("a data key is kept %v, want at most %v", f.longest, c.longest)
			}
			if f.forever != 1 {
				t.Errorf("%d vault records kept for ever, want only the pseudonym secret", f.forever)
			}
		})
	}
}
