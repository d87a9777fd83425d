package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Cache keeps small values for a while, shared by every replica: the web chat keeps
// its answers there, so that a retried message reaching another replica gets the same
// answer. Values are kept in groups (the web chat's: one per session), which Drop
// deletes at once.
//
// Keys, all of a group in one hash slot (Redis Cluster):
//
//	<prefix>:cache:{<group>}:<key>   a value, expiring after its ttl
//	<prefix>:cache:{<group>}:index   sorted set of the group's keys, scored by expiry
type Cache struct {
	client goredis.UniversalClient
	prefix string
	now    func() time.Time
}

// NewCache returns a cache on client; keys are namespaced under prefix ("wemi" when
// empty) and hashed, so they carry no personal data.
func NewCache(client goredis.UniversalClient, prefix string) *Cache {
	if prefix == "" {
		prefix = "wemi"
	}
	return &Cache{client: client, prefix: prefix, now: time.Now}
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// groupKey is the prefix of a group's keys.
func (c *Cache) groupKey(group string) string {
	return c.prefix + ":cache:{" + digest(group) + "}:"
}

// Get returns the value under key in group, if any.
func (c *Cache) Get(ctx context.Context, group, key string) ([]byte, bool, error) {
	v, err := c.client.Get(ctx, c.groupKey(group)+digest(key)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache get: %w", err)
	}
	return v, true, nil
}

// Put keeps v under key in group for ttl (the same for every value of a group: the
// index lives ttl after the last Put). The group's index forgets the keys expired
// by now, so it holds no more than the group's live values.
func (c *Cache) Put(ctx context.Context, group, key string, v []byte, ttl time.Duration) error {
	g, k := c.groupKey(group), digest(key)
	now := c.now()
	_, err := c.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, g+k, v, ttl)
		p.ZAdd(ctx, g+"index", goredis.Z{Score: float64(now.Add(ttl).UnixMilli()), Member: k})
		p.ZRemRangeByScore(ctx, g+"index", "-inf", "("+strconv.FormatInt(now.UnixMilli(), 10))
		p.PExpire(ctx, g+"index", ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("cache put: %w", err)
	}
	return nil
}

// Drop deletes every value of group, atomically with reading its index: a value put
// meanwhile makes it start again (at most a few times).
func (c *Cache) Drop(ctx context.Context, group string) error {
	g := c.groupKey(group)
	index := g + "index"
	drop := func(tx *goredis.Tx) error {
		members, err := tx.ZRange(ctx, index, 0, -1).Result()
		if err != nil {
			return err
		}
		keys := []string{index}
		for _, m := range members {
			keys = append(keys, g+m)
		}
		_, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			p.Del(ctx, keys...)
			return nil
		})
		return err
	}
	var err error
	for range 5 {
		if err = c.client.Watch(ctx, drop, index); !errors.Is(err, goredis.TxFailedErr) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("cache drop: %w", err)
	}
	return nil
}
