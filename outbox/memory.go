package outbox

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Memory is a Store in this process's memory: items survive a stop only if they are
// delivered before it, and a crash loses them. It is the outbox of a channel with no
// store configured, and shares nothing between replicas.
type Memory struct {
	mu     sync.Mutex
	keys   map[string]time.Time // key -> when it is forgotten
	expiry []keyExpiry          // the keys in the order put, to forget them
	lanes  map[string]*memLane
	items  int
	dead   []Dead
	tokens int
}

type keyExpiry struct {
	key string
	at  time.Time
}

// memLane is a lane's items and lease.
type memLane struct {
	items []memItem
	// ready is when the first item is due, or, when leased, when the lease runs out.
	ready  time.Time
	leased bool
	token  string
}

type memItem struct {
	Item
	attempts int
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{keys: map[string]time.Time{}, lanes: map[string]*memLane{}}
}

// Len returns how many items wait, leased ones included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.items
}

// Put implements Store.
func (m *Memory) Put(ctx context.Context, now time.Time, items ...Item) (int, error) {
	if err := ValidateStored(items); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("outbox put: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.forgetKeys(now)
	fresh := make([]Item, 0, len(items))
	perLane := map[string]int{}
	seen := map[string]bool{}
	for _, it := range items {
		if _, old := m.keys[it.Key]; old || seen[it.Key] {
			continue
		}
		seen[it.Key] = true
		fresh = append(fresh, it)
		perLane[it.Lane]++
	}
	if m.items+len(fresh) > MaxItems {
		return 0, fmt.Errorf("outbox put: %d items waiting: %w", m.items, ErrFull)
	}
	for lane, n := range perLane {
		if l := m.lanes[lane]; l != nil && len(l.items)+n > MaxLaneItems || l == nil && n > MaxLaneItems {
			return 0, fmt.Errorf("outbox put: a lane would hold more than %d items: %w", MaxLaneItems, ErrFull)
		}
	}
	for _, it := range fresh {
		at := now.Add(KeyTTL)
		m.keys[it.Key] = at
		m.expiry = append(m.expiry, keyExpiry{it.Key, at})
		l := m.lanes[it.Lane]
		if l == nil {
			l = &memLane{ready: now}
			m.lanes[it.Lane] = l
		}
		l.items = append(l.items, memItem{Item: Item{Key: it.Key, Lane: it.Lane, Payload: slices.Clone(it.Payload)}})
		m.items++
	}
	return len(fresh), nil
}

// forgetKeys drops the keys put more than KeyTTL before now.
func (m *Memory) forgetKeys(now time.Time) {
	i := 0
	for ; i < len(m.expiry) && !now.Before(m.expiry[i].at); i++ {
		if m.keys[m.expiry[i].key] == m.expiry[i].at {
			delete(m.keys, m.expiry[i].key)
		}
	}
	m.expiry = m.expiry[i:]
}

// Claim implements Store.
func (m *Memory) Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]Claimed, error) {
	if err := ValidateClaim(lease, max); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("outbox claim: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	type ready struct {
		name string
		at   time.Time
	}
	var due []ready
	for name, l := range m.lanes {
		if !now.Before(l.ready) {
			due = append(due, ready{name, l.ready})
		}
	}
	slices.SortFunc(due, func(a, b ready) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.name, b.name)) })
	var out []Claimed
	for _, r := range due[:min(len(due), max)] {
		l := m.lanes[r.name]
		if l.leased {
			l.items[0].attempts++ // the lease ran out
		}
		m.tokens++
		l.leased, l.ready, l.token = true, now.Add(lease), strconv.Itoa(m.tokens)
		head := l.items[0]
		out = append(out, Claimed{Item: Item{Key: head.Key, Lane: head.Lane, Payload: slices.Clone(head.Payload)},
			Attempts: head.attempts, Token: l.token})
	}
	return out, nil
}

// settle ends c's lease if it holds, then runs next on the lane.
func (m *Memory) settle(ctx context.Context, op string, c Claimed, next func(l *memLane)) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("outbox %s: %w", op, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.lanes[c.Lane]
	if l == nil || !l.leased || l.token != c.Token || l.items[0].Key != c.Key {
		return fmt.Errorf("outbox %s: %w", op, ErrLeaseLost)
	}
	l.leased, l.token = false, ""
	next(l)
	return nil
}

// pop removes a lane's first item, and the lane when it was the last.
func (m *Memory) pop(l *memLane, lane string, now time.Time) {
	l.items = l.items[1:]
	m.items--
	l.ready = now
	if len(l.items) == 0 {
		delete(m.lanes, lane)
	}
}

// Done implements Store.
func (m *Memory) Done(ctx context.Context, now time.Time, c Claimed) error {
	return m.settle(ctx, "done", c, func(l *memLane) { m.pop(l, c.Lane, now) })
}

// Retry implements Store.
func (m *Memory) Retry(ctx context.Context, c Claimed, at time.Time, _ string) error {
	return m.settle(ctx, "retry", c, func(l *memLane) {
		l.items[0].attempts++
		l.ready = at
	})
}

// Bury implements Store.
func (m *Memory) Bury(ctx context.Context, now time.Time, c Claimed, reason string) error {
	return m.settle(ctx, "bury", c, func(l *memLane) {
		head := l.items[0]
		m.dead = append(m.dead, Dead{Item: head.Item, Attempts: head.attempts + 1, Reason: CutReason(reason), At: now})
		m.trimDead(now)
		m.pop(l, c.Lane, now)
	})
}

// trimDead drops the dead letters beyond MaxDead or older than DeadTTL.
func (m *Memory) trimDead(now time.Time) {
	i := max(0, len(m.dead)-MaxDead)
	for i < len(m.dead) && !now.Before(m.dead[i].At.Add(DeadTTL)) {
		i++
	}
	m.dead = slices.Delete(m.dead, 0, i)
}

// Release implements Store.
func (m *Memory) Release(ctx context.Context, now time.Time, c Claimed) error {
	return m.settle(ctx, "release", c, func(l *memLane) { l.ready = now })
}

// Dead implements Store.
func (m *Memory) Dead(ctx context.Context, now time.Time) ([]Dead, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("outbox dead letters: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.trimDead(now)
	out := make([]Dead, len(m.dead))
	for i, d := range m.dead {
		out[i] = d
		out[i].Payload = slices.Clone(d.Payload)
	}
	return out, nil
}
