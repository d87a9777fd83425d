package vault_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/vault"
)

// replica is one bot process on a shared Redis: its own connections, store and vault.
func replica(t *testing.T, srv *redistest.Server, keks []vault.KEK, broadcast bool) *vault.Vault {
	t.Helper()
	client := goredis.NewClient(&goredis.Options{Network: "unix", Addr: srv.Socket()})
	t.Cleanup(func() { _ = client.Close() })
	opts := vault.Options{CacheTTL: time.Hour} // only a shred can make a replica forget
	if broadcast {
		opts.Broadcaster = redis.NewBroadcast(client, "")
	}
	return newVault(t, redis.New(client, redis.Options{}), keks, opts)
}

// TestShredReachesOtherReplicas: a shred on one replica makes the key another replica
// holds in memory unusable, through the broadcast; without it, the other replica
// would go on opening the data from its cache (the control case).
func TestShredReachesOtherReplicas(t *testing.T) {
	for _, broadcast := range []bool{true, false} {
		name := map[bool]string{true: "broadcast", false: "no broadcast"}[broadcast]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv := redistest.Start(t)
			keks := []vault.KEK{vault.NewKEK()}
			a, b := replica(t, srv, keks, broadcast), replica(t, srv, keks, broadcast)
			mario := seal(t, a, "telegram:4242", "+39 333 1234567")
			anna := seal(t, a, "web:anna", "anna.rossi@example.org")
			wantOpen(t, b, mario, "+39 333 1234567") // b caches the key
			wantOpen(t, b, anna, "anna.rossi@example.org")
			if err := a.Shred(ctx, "telegram:4242"); err != nil {
				t.Fatal(err)
			}
			wantShredded(t, a, mario)
			shredded := false
			for range 100 { // delivery is asynchronous: up to 100 × 10 ms
				if _, err := b.Open(ctx, mario); errors.Is(err, vault.ErrShredded) {
					shredded = true
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if shredded != broadcast {
				t.Fatalf("replica b can open the shredded data: %v; want %v", !shredded, !broadcast)
			}
			wantOpen(t, b, anna, "anna.rossi@example.org")
		})
	}
}

// TestRedisRewrapAll rotates more keys than one SSCAN batch returns.
func TestRedisRewrapAll(t *testing.T) {
	srv := redistest.Start(t)
	old, next := vault.NewKEK(), vault.NewKEK()
	v := replica(t, srv, []vault.KEK{old}, false)
	const n = 1500
	sealed := make([][]byte, n)
	for i := range n {
		sealed[i] = seal(t, v, fmt.Sprintf("web:session-%d", i), "x")
	}
	rotated := replica(t, srv, []vault.KEK{next, old}, false)
	if got, err := rotated.Rewrap(context.Background()); err != nil || got != n+1 {
		t.Fatalf("Rewrap = %d, %v; want %d", got, err, n+1)
	}
	after := replica(t, srv, []vault.KEK{next}, false)
	for i := range n {
		wantOpen(t, after, sealed[i], "x")
	}
}
