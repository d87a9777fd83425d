package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
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
	put    *goredis.Script

	mu       sync.Mutex
	finished []finishedValue // Finish's writes not sent yet, oldest first
	armed    bool            // a timer will send them
}

// finishedValue is a write of Finish waiting to be sent.
type finishedValue struct {
	key   string
	value []byte
}

// Bounds of Finish's writes: they wait at most finishDelay for a Get or a Put to go
// along with, and at most maxFinished of them wait.
const (
	finishDelay   = 20 * time.Millisecond
	maxFinished   = 256
	finishTimeout = 5 * time.Second
)

// putScript keeps a value and indexes it in its group, forgetting the keys expired
// by now. KEYS: value, index. ARGV: value, ttl ms, now ms, the value's key in the
// index.
const putScript = `
local ttl, now = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[3])
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
`

// NewCache returns a cache on client; keys are namespaced under prefix ("wemi" when
// empty) and hashed, so they carry no personal data.
func NewCache(client goredis.UniversalClient, prefix string) *Cache {
	if prefix == "" {
		prefix = "wemi"
	}
	return &Cache{client: client, prefix: prefix, now: time.Now, put: goredis.NewScript(putScript)}
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// groupKey is the prefix of a group's keys.
func (c *Cache) groupKey(group string) string {
	return c.prefix + ":cache:{" + digest(group) + "}:"
}

// Get returns the value under key in group, if any. Finish's waiting writes go along.
func (c *Cache) Get(ctx context.Context, group, key string) ([]byte, bool, error) {
	var get *goredis.StringCmd
	c.pipelined(ctx, func(p goredis.Pipeliner) {
		get = p.Get(ctx, c.groupKey(group)+digest(key))
	})
	v, err := get.Bytes()
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
// by now, so it holds no more than the group's live values. Finish's waiting writes
// go along.
func (c *Cache) Put(ctx context.Context, group, key string, v []byte, ttl time.Duration) error {
	g, k := c.groupKey(group), digest(key)
	keys := []string{g + k, g + "index"}
	args := []any{v, ttl.Milliseconds(), c.now().UnixMilli(), k}
	var put *goredis.Cmd
	c.pipelined(ctx, func(p goredis.Pipeliner) {
		put = c.put.EvalSha(ctx, p, keys, args...)
	})
	err := put.Err()
	if goredis.HasErrorPrefix(err, "NOSCRIPT") {
		err = c.put.Run(ctx, c.client, keys, args...).Err() // loads the script
	}
	if err != nil {
		return fmt.Errorf("cache put: %w", err)
	}
	return nil
}

// Finish replaces the value under key in group with v, keeping its expiry, if it is
// still there (not dropped nor expired). It does not wait for Redis: the write goes
// along with the next Get or Put, or by itself within finishDelay, so that while the
// cache is busy it costs no round trip of its own. A write that fails is lost, and
// so are those waiting when the process stops: Finish is for what a later reader can
// do without (the web chat's mark that an answer is final).
func (c *Cache) Finish(group, key string, v []byte) {
	c.mu.Lock()
	c.finished = append(c.finished, finishedValue{key: c.groupKey(group) + digest(key), value: v})
	full, arm := len(c.finished) >= maxFinished, !c.armed
	c.armed = true
	c.mu.Unlock()
	switch {
	case full:
		go c.sendFinished()
	case arm:
		time.AfterFunc(finishDelay, c.sendFinished)
	}
}

// takeFinished returns Finish's waiting writes, which the caller sends.
func (c *Cache) takeFinished() []finishedValue {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.finished
	c.finished = nil
	return f
}

// sendFinished sends Finish's waiting writes by themselves.
func (c *Cache) sendFinished() {
	c.mu.Lock()
	c.armed = false
	idle := len(c.finished) == 0 // sent along with a Get or a Put meanwhile
	c.mu.Unlock()
	if idle {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), finishTimeout)
	defer cancel()
	c.pipelined(ctx, func(goredis.Pipeliner) {})
}

// pipelined sends Finish's waiting writes and then the commands of fn in one
// pipeline. Callers check their own commands' errors: a finished value no longer
// there fails its write, which is no one's error.
func (c *Cache) pipelined(ctx context.Context, fn func(p goredis.Pipeliner)) {
	finished := c.takeFinished()
	c.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, f := range finished {
			p.SetArgs(ctx, f.key, f.value, goredis.SetArgs{Mode: "XX", KeepTTL: true})
		}
		fn(p)
		return nil
	})
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
