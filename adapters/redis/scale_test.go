package redis_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/bot/storetest"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/desk/desktest"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/reminders/reminderstest"
)

// exactlyOnceN is how many reminders the exactly-once test sends on a cluster and on
// Sentinel: fewer than on one server, the point there being the keys' slots and the
// failover, not the volume.
const exactlyOnceN = 2000

// openURL connects to rawURL as the bot does (redis.Open), with short timeouts.
func openURL(t *testing.T, rawURL string) goredis.UniversalClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := redis.Open(ctx, rawURL+"&dial_timeout=3s&read_timeout=5s&write_timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// contracts runs the store, desk and reminders contract suites on client, each
// subtest under a prefix of its own; between, when not nil, runs after the first.
func contracts(t *testing.T, client goredis.UniversalClient, between func()) {
	var n atomic.Int64
	prefix := func(kind string) string { return fmt.Sprintf("%s%d", kind, n.Add(1)) }
	t.Run("Store", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) (bot.Store, clocktest.Advancer) {
			return redis.New(client, redis.Options{Prefix: prefix("conv")}), clocktest.Real{}
		})
	})
	if between != nil {
		between()
	}
	t.Run("Desk", func(t *testing.T) {
		desktest.Run(t, func(t *testing.T) (desk.Store, clocktest.Advancer) {
			return redis.New(client, redis.Options{Prefix: prefix("desk")}), clocktest.Real{}
		})
	})
	t.Run("Reminders", func(t *testing.T) {
		reminderstest.Run(t, func(t *testing.T) reminders.Queue {
			return redis.New(client, redis.Options{Prefix: prefix("rem")})
		})
	})
}

// On a Redis Cluster of three masters every key one call touches shares a slot:
// no CROSSSLOT error, whatever the ids.
func TestOnCluster(t *testing.T) {
	t.Parallel()
	cluster := redistest.StartCluster(t)
	contracts(t, openURL(t, cluster.URL()), nil)
	t.Run("RemindersExactlyOnce", func(t *testing.T) {
		var queues [3]reminders.Queue
		for i := range queues { // three replicas, each with its own connections
			queues[i] = redis.New(openURL(t, cluster.URL()), redis.Options{Prefix: "once"})
		}
		reminderstest.ExactlyOnce(t, queues, exactlyOnceN)
	})
}

// On Sentinel, with the master failing over after the first suite and in the middle of
// the exactly-once test (while a crashed replica's reminders are leased).
func TestOnSentinel(t *testing.T) {
	t.Parallel()
	sentinel := redistest.StartSentinel(t)
	contracts(t, openURL(t, sentinel.URL()), sentinel.Failover)
	t.Run("RemindersExactlyOnce", func(t *testing.T) {
		var queues [3]reminders.Queue
		for i := range queues {
			queues[i] = redis.New(openURL(t, sentinel.URL()), redis.Options{Prefix: "once"})
		}
		before := sentinel.MasterAddr()
		reminderstest.ExactlyOnceAcross(t, queues, exactlyOnceN, sentinel.Failover)
		if sentinel.MasterAddr() == before {
			t.Fatal("no failover happened")
		}
	})
}
