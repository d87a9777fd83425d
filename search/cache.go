package search

import (
	"hash/maphash"
	"sync"
)

// cacheShards splits a cache so that concurrent searches rarely wait on the same lock.
const cacheShards = 16

// clockCache is a bounded map safe for concurrent use: each of its shards evicts with
// the CLOCK algorithm (a second chance for every entry read since the hand last
// passed), which approximates LRU without moving entries on a hit. Values are shared
// by every reader: they must not be changed once put.
type clockCache[K comparable, V any] struct {
	seed   maphash.Seed
	shards [cacheShards]clockShard[K, V]
}

type clockShard[K comparable, V any] struct {
	mu    sync.Mutex
	index map[K]int         // key -> slot
	slots []clockSlot[K, V] // in the clock's order; grows up to capacity
	hand  int
	cap   int
}

type clockSlot[K comparable, V any] struct {
	key        K
	value      V
	referenced bool
}

// newClockCache returns a cache of about capacity entries (at least one per shard).
func newClockCache[K comparable, V any](capacity int) *clockCache[K, V] {
	c := &clockCache[K, V]{seed: maphash.MakeSeed()}
	per := max(capacity/cacheShards, 1)
	for i := range c.shards {
		c.shards[i].index = make(map[K]int, per)
		c.shards[i].cap = per
	}
	return c
}

func (c *clockCache[K, V]) shard(k K) *clockShard[K, V] {
	return &c.shards[maphash.Comparable(c.seed, k)%cacheShards]
}

// get returns the value cached for k.
func (c *clockCache[K, V]) get(k K) (V, bool) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.index[k]
	if !ok {
		var zero V
		return zero, false
	}
	s.slots[i].referenced = true
	return s.slots[i].value, true
}

// put caches v for k, evicting an entry not read lately when the shard is full.
func (c *clockCache[K, V]) put(k K, v V) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[k]; ok {
		s.slots[i].value = v
		return
	}
	if len(s.slots) < s.cap {
		s.index[k] = len(s.slots)
		s.slots = append(s.slots, clockSlot[K, V]{key: k, value: v})
		return
	}
	for s.slots[s.hand].referenced {
		s.slots[s.hand].referenced = false
		s.hand = (s.hand + 1) % len(s.slots)
	}
	delete(s.index, s.slots[s.hand].key)
	s.slots[s.hand] = clockSlot[K, V]{key: k, value: v}
	s.index[k] = s.hand
	s.hand = (s.hand + 1) % len(s.slots)
}

// len returns how many entries are cached.
func (c *clockCache[K, V]) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.index)
		s.mu.Unlock()
	}
	return n
}

// getOrLoad returns the value cached for k, or the one load returns, which it caches.
// Errors are not cached: the next call tries again.
func (c *clockCache[K, V]) getOrLoad(k K, load func() (V, error)) (V, error) {
	if v, ok := c.get(k); ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.put(k, v)
	return v, nil
}
