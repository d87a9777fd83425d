package sealed_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/vault/sealed"
)

// BenchmarkBeginCommit compares a message's two store calls, with a 2 KiB state, on
// the stores as they are and sealed, on bbolt and Redis.
func BenchmarkBeginCommit(b *testing.B) {
	bolt := openBolt(b, nil)
	srv := redistest.Start(b)
	rds := redis.New(newClient(b, srv), redis.Options{})
	for _, tc := range []struct {
		name  string
		store bot.Store
	}{
		{"Bolt", bolt},
		{"BoltSealed", sealed.NewStore(bolt, newVault(b, bolt), sealed.Options{})},
		{"Redis", rds},
		{"RedisSealed", sealed.NewStore(rds, newVault(b, rds), sealed.Options{})},
	} {
		b.Run(tc.name, func(b *testing.B) { benchBeginCommit(b, tc.store) })
	}
}

func benchBeginCommit(b *testing.B, store bot.Store) {
	ctx := context.Background()
	state := make([]byte, 2<<10)
	convs := make([]string, 64)
	for i := range convs {
		convs[i] = fmt.Sprintf("telegram:%d", i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sess, err := store.Begin(ctx, bot.Begin{Conversation: convs[i%len(convs)], LockTTL: time.Minute, RateWindow: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		if err := store.Commit(ctx, sess, bot.Commit{State: state, IdleTTL: time.Hour}); err != nil {
			b.Fatal(err)
		}
	}
}
