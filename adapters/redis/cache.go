package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Cache keeps small values for a while, shared by every replica: the web chat keeps
// its answers there, so that a retried message reaching another replica gets the same
// answer.
type Cache struct {
	client goredis.UniversalClient
	prefix string
}

// NewCache returns a cache on client; keys are namespaced under prefix ("wemi" when
// empty) and hashed, so they carry no personal data.
func NewCache(client goredis.UniversalClient, prefix string) *Cache {
	if prefix == "" {
		prefix = "wemi"
	}
	return &Cache{client: client, prefix: prefix}
}

func (c *Cache) key(k string) string {
	h := sha256.Sum256([]byte(k))
	return c.prefix + ":cache:" + hex.EncodeToString(h[:16])
}

// Get returns the value under k, if any.
func (c *Cache) Get(ctx context.Context, k string) ([]byte, bool, error) {
	v, err := c.client.Get(ctx, c.key(k)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache get: %w", err)
	}
	return v, true, nil
}

// Put keeps v under k for ttl.
func (c *Cache) Put(ctx context.Context, k string, v []byte, ttl time.Duration) error {
	if err := c.client.Set(ctx, c.key(k), v, ttl).Err(); err != nil {
		return fmt.Errorf("cache put: %w", err)
	}
	return nil
}
