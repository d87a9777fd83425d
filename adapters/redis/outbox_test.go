package redis_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/outbox/outboxtest"
)

func TestOutboxContract(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	var n atomic.Int64
	outboxtest.Run(t, func(t *testing.T) outbox.Store {
		// A fresh prefix per subtest isolates the parallel subtests on one server.
		return redis.New(client, redis.Options{Prefix: fmt.Sprintf("ob%d", n.Add(1))}).Outbox()
	})
}

// BenchmarkOutbox measures one reply's trip through the outbox: Put, Claim, Done, one
// script (one round trip) each, over 64 lanes.
func BenchmarkOutbox(b *testing.B) {
	srv := redistest.Start(b)
	outboxtest.Bench(b, redis.New(newClient(b, srv), redis.Options{}).Outbox())
}
