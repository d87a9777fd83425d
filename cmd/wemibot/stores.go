package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/reminders"
)

// stores is everything the bot keeps, all in one store: conversations, the staff
// desk's records, tallies and onces (the records also keep bookings, the Tate, Colf e
// Badanti requests and applications, and the web chat's mailboxes), the reminder
// queue and the outbox. openStores returns one; *bolt.Store and *redisStore are ones.
type stores interface {
	bot.Store
	desk.Store
	reminders.Queue
	// Outbox is where replies wait until a channel has delivered them.
	Outbox() outbox.Store
	// Ping reports whether the store answers, for readiness.
	Ping(ctx context.Context) error
	// Sweep removes expired records and says how many it removed.
	Sweep(ctx context.Context) (int, error)
	// Close releases the store.
	Close() error
}

var (
	_ stores = (*bolt.Store)(nil)
	_ stores = (*redisStore)(nil)
)

// redisStore is the Redis store, with the client it closes.
type redisStore struct {
	*redis.Store
	client io.Closer
}

// Sweep removes nothing: Redis expires records by itself.
func (*redisStore) Sweep(context.Context) (int, error) { return 0, nil }

// Close closes the connection to Redis.
func (s *redisStore) Close() error {
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("close redis: %w", err)
	}
	return nil
}

// openStores opens Redis when WEMI_REDIS_URL is set, otherwise the embedded bbolt file
// in the data folder, cleaned of expired records first. With Redis it also returns
// the cache of answers the replicas share; nil otherwise.
func (c *cli) openStores(ctx context.Context) (stores, web.AnswerCache, error) {
	if c.cfg.RedisURL != "" {
		client, err := redis.Open(ctx, c.cfg.RedisURL)
		if err != nil {
			return nil, nil, fmt.Errorf("connect to Redis (WEMI_REDIS_URL / --redis-url): %w", err)
		}
		return &redisStore{Store: redis.New(client, redis.Options{}), client: client}, redis.NewCache(client, ""), nil
	}
	store, err := bolt.Open(filepath.Join(c.cfg.DataDir, "wemibot.db"), bolt.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("open the embedded store in %s (WEMI_DATA_DIR / --data-dir): %w", c.cfg.DataDir, err)
	}
	if _, err := store.Sweep(ctx); err != nil {
		store.Close()
		return nil, nil, fmt.Errorf("clean expired conversations: %w", err)
	}
	return store, nil, nil
}
