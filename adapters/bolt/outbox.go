package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/comune-milano/wemibot/outbox"
)

// The outbox lives in the Store's file; one read-write transaction per call makes each
// call atomic. Its buckets, whose values start with an expiry like the others' (forever,
// but for the remembered keys and the dead letters):
//
//	outbox.items  pairKey(lane, seq) -> attempts (4 bytes), key length (uvarint), key,
//	              payload; seq is 8 big-endian bytes from the bucket's sequence, so a
//	              lane's items sort in the order put
//	outbox.lanes  lane -> ready (8 bytes, Unix ms), items (4 bytes), leased (1 byte),
//	              token: ready is when its first item is due or, leased, the lease's end
//	outbox.sched  timeKey(ready, lane) -> nothing: Claim reads it in order up to now
//	outbox.seen   key -> nothing, expiring KeyTTL after its Put
//	outbox.dead   timeKey(at, key) -> lane length (uvarint), lane, attempts (4 bytes),
//	              reason length (uvarint), reason, payload; expiring outbox.DeadTTL
//	              after at
//	outbox.meta   "items" -> the items waiting (8 bytes)
var (
	obItemsBucket = []byte("outbox.items")
	obLanesBucket = []byte("outbox.lanes")
	obSchedBucket = []byte("outbox.sched")
	obSeenBucket  = []byte("outbox.seen")
	obDeadBucket  = []byte("outbox.dead")
	obMetaBucket  = []byte("outbox.meta")
	obCountKey    = []byte("items")
)

// Outbox is the durable outbox in the Store's file, for one process.
type Outbox struct{ s *Store }

var _ outbox.Store = (*Outbox)(nil)

// Outbox returns the store's outbox, in the same file.
func (s *Store) Outbox() outbox.Store { return &Outbox{s: s} }

// obTx is one transaction's view of the outbox's buckets.
type obTx struct {
	items, lanes, sched, seen, dead, meta *bbolt.Bucket
}

func newObTx(tx *bbolt.Tx) obTx {
	return obTx{items: tx.Bucket(obItemsBucket), lanes: tx.Bucket(obLanesBucket), sched: tx.Bucket(obSchedBucket),
		seen: tx.Bucket(obSeenBucket), dead: tx.Bucket(obDeadBucket), meta: tx.Bucket(obMetaBucket)}
}

// obLane is a lane's record.
type obLane struct {
	ready  time.Time
	count  int
	leased bool
	token  string
}

func (t obTx) lane(name string) (obLane, bool) {
	v, ok := live(t.lanes.Get([]byte(name)), time.Time{})
	if !ok || len(v) < 13 {
		return obLane{}, false
	}
	return obLane{ready: time.UnixMilli(int64(binary.BigEndian.Uint64(v))), count: int(binary.BigEndian.Uint32(v[8:])),
		leased: v[12] == 1, token: string(v[13:])}, true
}

// setLane stores a lane's record and its place in sched, old being the record it
// replaces (zero for a new lane); a lane with no item left goes.
func (t obTx) setLane(name string, old, l obLane) error {
	if !old.ready.IsZero() {
		if err := t.sched.Delete(timeKey(old.ready, name)); err != nil {
			return err
		}
	}
	if l.count == 0 {
		return t.lanes.Delete([]byte(name))
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(l.ready.UnixMilli()))
	v = binary.BigEndian.AppendUint32(v, uint32(l.count))
	leased := byte(0)
	if l.leased {
		leased = 1
	}
	v = append(append(v, leased), l.token...)
	if err := put(t.lanes, []byte(name), forever, v); err != nil {
		return err
	}
	return put(t.sched, timeKey(l.ready, name), forever, nil)
}

// head returns a lane's first item: its key in outbox.items, its own key, attempts
// and payload.
func (t obTx) head(lane string) (dbKey []byte, key string, attempts int, payload []byte, ok bool) {
	prefix := pairKey(lane, "")
	k, v := t.items.Cursor().Seek(prefix)
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil, "", 0, nil, false
	}
	v, ok = live(v, time.Time{})
	if !ok || len(v) < 4 {
		return nil, "", 0, nil, false
	}
	n, size := binary.Uvarint(v[4:])
	if size <= 0 || uint64(len(v)-4-size) < n {
		return nil, "", 0, nil, false
	}
	rest := v[4+size:]
	return bytes.Clone(k), string(rest[:n]), int(binary.BigEndian.Uint32(v)), bytes.Clone(rest[n:]), true
}

func itemValue(attempts int, key string, payload []byte) []byte {
	v := binary.BigEndian.AppendUint32(nil, uint32(attempts))
	v = binary.AppendUvarint(v, uint64(len(key)))
	return append(append(v, key...), payload...)
}

func (t obTx) count() int {
	v, ok := live(t.meta.Get(obCountKey), time.Time{})
	if !ok || len(v) < 8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(v))
}

func (t obTx) addCount(d int) error {
	return put(t.meta, obCountKey, forever, binary.BigEndian.AppendUint64(nil, uint64(max(t.count()+d, 0))))
}

// update runs fn in a read-write transaction on the outbox's buckets, after checking
// ctx, and wraps its error with what. The transaction is the next group's, shared with
// the conversations' Commits (see groupCommitter): fn may run more than once, when
// another write of its group fails, so it sets its results afresh each time.
func (o *Outbox) update(ctx context.Context, what string, fn func(t obTx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := o.s.group.commit(func(tx *bbolt.Tx) error { return fn(newObTx(tx)) }); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Put implements outbox.Store in one transaction.
func (o *Outbox) Put(ctx context.Context, now time.Time, items ...outbox.Item) (int, error) {
	if err := outbox.ValidateStored(items); err != nil {
		return 0, err
	}
	var fresh int
	err := o.update(ctx, "outbox put", func(t obTx) error {
		fresh = 0
		perLane := map[string]int{}
		batch := map[string]bool{}
		var todo []outbox.Item
		for _, it := range items {
			if _, old := live(t.seen.Get([]byte(it.Key)), now); old || batch[it.Key] {
				continue
			}
			batch[it.Key] = true
			todo = append(todo, it)
			perLane[it.Lane]++
		}
		if t.count()+len(todo) > outbox.MaxItems {
			return fmt.Errorf("more than %d items: %w", outbox.MaxItems, outbox.ErrFull)
		}
		for lane, n := range perLane {
			if l, _ := t.lane(lane); l.count+n > outbox.MaxLaneItems {
				return fmt.Errorf("a lane would hold more than %d items: %w", outbox.MaxLaneItems, outbox.ErrFull)
			}
		}
		for _, it := range todo {
			if err := t.add(now, it); err != nil {
				return err
			}
		}
		fresh = len(todo)
		return t.addCount(len(todo))
	})
	return fresh, err
}

// add queues one item at the end of its lane.
func (t obTx) add(now time.Time, it outbox.Item) error {
	seq, err := t.items.NextSequence()
	if err != nil {
		return err
	}
	if err := put(t.items, pairKey(it.Lane, string(binary.BigEndian.AppendUint64(nil, seq))), forever,
		itemValue(0, it.Key, it.Payload)); err != nil {
		return err
	}
	if err := put(t.seen, []byte(it.Key), now.Add(outbox.KeyTTL), nil); err != nil {
		return err
	}
	old, ok := t.lane(it.Lane)
	l := old
	if !ok {
		l = obLane{ready: now}
	}
	l.count++
	return t.setLane(it.Lane, old, l)
}

// Claim implements outbox.Store in one transaction, after a read-only look that
// spares an idle outbox a write (and its fsync).
func (o *Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]outbox.Claimed, error) {
	if err := outbox.ValidateClaim(lease, max); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("outbox claim: %w", err)
	}
	end := timeKey(now.Add(time.Millisecond), "")
	var due bool
	if err := o.s.db.View(func(tx *bbolt.Tx) error {
		k, _ := tx.Bucket(obSchedBucket).Cursor().First()
		due = k != nil && bytes.Compare(k, end) < 0
		return nil
	}); err != nil || !due {
		return nil, err
	}
	token := newToken()
	var claimed []outbox.Claimed
	err := o.update(ctx, "outbox claim", func(t obTx) error {
		claimed = nil
		var lanes []string
		c := t.sched.Cursor()
		for k, _ := c.First(); k != nil && len(lanes) < max && bytes.Compare(k, end) < 0; k, _ = c.Next() {
			lanes = append(lanes, string(k[8:]))
		}
		for _, name := range lanes {
			c, ok, err := t.take(name, now, lease, fmt.Sprintf("%s:%d", token, len(claimed)+1))
			if err != nil {
				return err
			}
			if ok {
				claimed = append(claimed, c)
			}
		}
		return nil
	})
	return claimed, err
}

// take leases a due lane's first item.
func (t obTx) take(name string, now time.Time, lease time.Duration, token string) (outbox.Claimed, bool, error) {
	old, ok := t.lane(name)
	if !ok {
		return outbox.Claimed{}, false, nil
	}
	dbKey, key, attempts, payload, ok := t.head(name)
	if !ok {
		// A lane without items would take a place in every claim.
		old.count = 0
		return outbox.Claimed{}, false, t.setLane(name, old, old)
	}
	if old.leased {
		attempts++ // the lease ran out
		if err := put(t.items, dbKey, forever, itemValue(attempts, key, payload)); err != nil {
			return outbox.Claimed{}, false, err
		}
	}
	l := old
	l.ready, l.leased, l.token = now.Add(lease), true, token
	if err := t.setLane(name, old, l); err != nil {
		return outbox.Claimed{}, false, err
	}
	return outbox.Claimed{Item: outbox.Item{Key: key, Lane: name, Payload: payload}, Attempts: attempts, Token: token}, true, nil
}

// obHead is a lane's first item, as settle finds it.
type obHead struct {
	dbKey    []byte // its key in outbox.items
	key      string
	attempts int
	payload  []byte
}

// settle ends c's lease if it still holds, then runs next with the lane's record (no
// longer leased) and its first item's key in outbox.items.
func (o *Outbox) settle(ctx context.Context, op string, c outbox.Claimed, next func(t obTx, old, l obLane, h obHead) error) error {
	return o.update(ctx, "outbox "+op, func(t obTx) error {
		old, ok := t.lane(c.Lane)
		if !ok || !old.leased || old.token != c.Token {
			return outbox.ErrLeaseLost
		}
		var h obHead
		h.dbKey, h.key, h.attempts, h.payload, ok = t.head(c.Lane)
		if !ok || h.key != c.Key {
			return outbox.ErrLeaseLost
		}
		l := old
		l.leased, l.token = false, ""
		return next(t, old, l, h)
	})
}

// pop removes a lane's first item; the lane's next is due at now.
func (t obTx) pop(name string, old, l obLane, dbKey []byte, now time.Time) error {
	if err := t.items.Delete(dbKey); err != nil {
		return err
	}
	l.count--
	l.ready = now
	if err := t.setLane(name, old, l); err != nil {
		return err
	}
	return t.addCount(-1)
}

// Done implements outbox.Store in one transaction.
func (o *Outbox) Done(ctx context.Context, now time.Time, c outbox.Claimed) error {
	return o.settle(ctx, "done", c, func(t obTx, old, l obLane, h obHead) error {
		return t.pop(c.Lane, old, l, h.dbKey, now)
	})
}

// Retry implements outbox.Store in one transaction.
func (o *Outbox) Retry(ctx context.Context, c outbox.Claimed, at time.Time, _ string) error {
	return o.settle(ctx, "retry", c, func(t obTx, old, l obLane, h obHead) error {
		if err := put(t.items, h.dbKey, forever, itemValue(h.attempts+1, h.key, h.payload)); err != nil {
			return err
		}
		l.ready = at
		return t.setLane(c.Lane, old, l)
	})
}

// Release implements outbox.Store in one transaction.
func (o *Outbox) Release(ctx context.Context, now time.Time, c outbox.Claimed) error {
	return o.settle(ctx, "release", c, func(t obTx, old, l obLane, _ obHead) error {
		l.ready = now
		return t.setLane(c.Lane, old, l)
	})
}

// Bury implements outbox.Store in one transaction.
func (o *Outbox) Bury(ctx context.Context, now time.Time, c outbox.Claimed, reason string) error {
	return o.settle(ctx, "bury", c, func(t obTx, old, l obLane, h obHead) error {
		reason = outbox.CutReason(reason)
		v := binary.AppendUvarint(nil, uint64(len(c.Lane)))
		v = binary.BigEndian.AppendUint32(append(v, c.Lane...), uint32(h.attempts+1))
		v = binary.AppendUvarint(v, uint64(len(reason)))
		v = append(append(v, reason...), h.payload...)
		if err := put(t.dead, timeKey(now, c.Key), now.Add(outbox.DeadTTL), v); err != nil {
			return err
		}
		if err := t.trimDead(now); err != nil {
			return err
		}
		return t.pop(c.Lane, old, l, h.dbKey, now)
	})
}

// trimDead drops the dead letters older than DeadTTL, then the oldest beyond MaxDead.
func (t obTx) trimDead(now time.Time) error {
	// Counted with a cursor: Stats misses what this transaction wrote.
	n := 0
	c := t.dead.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	var old [][]byte
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if _, ok := live(v, now); ok && n-len(old) <= outbox.MaxDead {
			break
		}
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := t.dead.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Dead implements outbox.Store.
func (o *Outbox) Dead(ctx context.Context, now time.Time) ([]outbox.Dead, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("outbox dead letters: %w", err)
	}
	var out []outbox.Dead
	err := o.s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(obDeadBucket).ForEach(func(k, v []byte) error {
			if _, ok := live(v, now); !ok {
				return nil // Bury and Sweep delete it
			}
			d, err := decodeDead(k, v)
			if err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("outbox dead letters: %w", err)
	}
	return out, nil
}

var errBadDead = errors.New("unreadable dead letter")

func decodeDead(k, v []byte) (outbox.Dead, error) {
	v, ok := live(v, time.Time{})
	if !ok || len(k) < 8 {
		return outbox.Dead{}, errBadDead
	}
	n, size := binary.Uvarint(v)
	if size <= 0 || uint64(len(v)-size) < n+4 {
		return outbox.Dead{}, errBadDead
	}
	lane := string(v[size : size+int(n)])
	v = v[size+int(n):]
	attempts := int(binary.BigEndian.Uint32(v))
	v = v[4:]
	n, size = binary.Uvarint(v)
	if size <= 0 || uint64(len(v)-size) < n {
		return outbox.Dead{}, errBadDead
	}
	reason := string(v[size : size+int(n)])
	payload := bytes.Clone(v[size+int(n):])
	return outbox.Dead{Item: outbox.Item{Key: string(k[8:]), Lane: lane, Payload: payload}, Attempts: attempts,
		Reason: reason, At: keyTime(k).UTC()}, nil
}
