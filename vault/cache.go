package vault

import (
	"crypto/rand"
	"sync"
	"time"
)

// cache keeps unwrapped DEKs for a short while, at most max of them. Every drop moves
// the epoch on: a DEK fetched before a drop is not cached after it, since the drop may
// have been its shred.
type cache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	now     func() time.Time
	entries map[string]cached
	drops   uint64
}

type cached struct {
	key     *dataKey
	expires time.Time
}

func newCache(max int, ttl time.Duration, now func() time.Time) *cache {
	return &cache{max: max, ttl: ttl, now: now, entries: map[string]cached{}}
}

// get returns the DEK id, or nil when it is not cached or has expired.
func (c *cache) get(id string) *dataKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok {
		return nil
	}
	if !c.now().Before(e.expires) {
		delete(c.entries, id)
		return nil
	}
	return e.key
}

// epoch returns the number of drops so far, for put.
func (c *cache) epoch() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.drops
}

// put caches the DEK id, fetched when the epoch was epoch, unless a drop came since.
// When the cache is full it first makes room: expired entries go, and failing those
// one entry at random.
func (c *cache) put(id string, key *dataKey, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.drops {
		return
	}
	if _, ok := c.entries[id]; !ok && len(c.entries) >= c.max {
		c.evict()
	}
	c.entries[id] = cached{key: key, expires: c.now().Add(c.ttl)}
}

// evict removes expired entries among a few, else one entry: Go's map order is
// random enough to spread evictions. c.mu is held.
func (c *cache) evict() {
	now, seen, removed := c.now(), 0, 0
	var victim string
	for id, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, id)
			removed++
		}
		victim = id
		if seen++; seen >= 16 {
			break
		}
	}
	if removed == 0 {
		delete(c.entries, victim)
	}
}

// drop removes the DEK id.
func (c *cache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
	c.drops++
}

// newKey returns a fresh DEK.
func newKey() []byte {
	key := make([]byte, keySize)
	_, _ = rand.Read(key)
	return key
}
