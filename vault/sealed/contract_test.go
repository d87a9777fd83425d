package sealed_test

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/bot/storetest"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/desk/desktest"
	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/outbox/outboxtest"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/reminders/reminderstest"
	"github.com/comune-milano/wemibot/vault"
	"github.com/comune-milano/wemibot/vault/sealed"
)

// start is the fake clocks' first instant.
var start = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)

// deskStore is the desk's store with its records sealed, as cmd/wemibot wires it.
type deskStore struct {
	*sealed.Records
	desk.Tallies
	desk.Onces
}

func newVault(t testing.TB, keys vault.KeyStore) *vault.Vault {
	t.Helper()
	return newVaultWith(t, keys, []vault.KEK{vault.NewKEK()}, vault.Options{})
}

func newVaultWith(t testing.TB, keys vault.KeyStore, keks []vault.KEK, opts vault.Options) *vault.Vault {
	t.Helper()
	v, err := vault.New(keys, keks, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func openBolt(t testing.TB, clock *clocktest.Clock) *bolt.Store {
	t.Helper()
	opts := bolt.Options{}
	if clock != nil {
		opts.Now = clock.Now
	}
	store, err := bolt.Open(filepath.Join(t.TempDir(), "wemi.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// The contract suites of the stores pass on the sealed stores, on bbolt and Redis.

func TestContractsOnBolt(t *testing.T) {
	t.Run("bot.Store", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) (bot.Store, clocktest.Advancer) {
			clock := clocktest.New(start)
			store := openBolt(t, clock)
			return sealed.NewStore(store, newVault(t, store), sealed.Options{}), clock
		})
	})
	t.Run("desk.Store", func(t *testing.T) {
		desktest.Run(t, func(t *testing.T) (desk.Store, clocktest.Advancer) {
			clock := clocktest.New(start)
			store := openBolt(t, clock)
			return deskStore{sealed.NewRecords(store, newVault(t, store)), store, store}, clock
		})
	})
	t.Run("reminders.Queue", func(t *testing.T) {
		reminderstest.Run(t, func(t *testing.T) reminders.Queue {
			store := openBolt(t, nil)
			return sealed.NewQueue(store, newVault(t, store))
		})
	})
	t.Run("outbox.Store", func(t *testing.T) {
		outboxtest.Run(t, func(t *testing.T) outbox.Store {
			store := openBolt(t, nil)
			return sealed.NewOutbox(store.Outbox(), newVault(t, store))
		})
	})
}

func TestContractsOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	var n atomic.Int64
	open := func(t *testing.T) *redis.Store {
		return redis.New(client, redis.Options{Prefix: fmt.Sprintf("test%d", n.Add(1))})
	}
	t.Run("bot.Store", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) (bot.Store, clocktest.Advancer) {
			store := open(t)
			return sealed.NewStore(store, newVault(t, store), sealed.Options{}), clocktest.Real{}
		})
	})
	t.Run("desk.Store", func(t *testing.T) {
		desktest.Run(t, func(t *testing.T) (desk.Store, clocktest.Advancer) {
			store := open(t)
			return deskStore{sealed.NewRecords(store, newVault(t, store)), store, store}, clocktest.Real{}
		})
	})
	t.Run("reminders.Queue", func(t *testing.T) {
		reminderstest.Run(t, func(t *testing.T) reminders.Queue {
			store := open(t)
			return sealed.NewQueue(store, newVault(t, store))
		})
	})
	t.Run("outbox.Store", func(t *testing.T) {
		outboxtest.Run(t, func(t *testing.T) outbox.Store {
			store := open(t)
			return sealed.NewOutbox(store.Outbox(), newVault(t, store))
		})
	})
	t.Run("ExactlyOnce", func(t *testing.T) {
		// Three replicas, each with its own connections and vault, on one queue.
		var queues [3]reminders.Queue
		prefix := fmt.Sprintf("test%d", n.Add(1))
		keks := []vault.KEK{vault.NewKEK()}
		for i := range queues {
			store := redis.New(newClient(t, srv), redis.Options{Prefix: prefix})
			queues[i] = sealed.NewQueue(store, newVaultWith(t, store, keks, vault.Options{}))
		}
		reminderstest.ExactlyOnce(t, queues, 2000)
	})
}

func newClient(t testing.TB, srv *redistest.Server) *goredis.Client {
	t.Helper()
	client := goredis.NewClient(&goredis.Options{Network: "unix", Addr: srv.Socket(),
		DialTimeout: 3 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: 3 * time.Second})
	t.Cleanup(func() { _ = client.Close() })
	return client
}
