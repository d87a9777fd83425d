package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/records"
)

// The Store is also the desk's store, in the same file. Its buckets, whose values start
// with an expiry like the others':
//
//	records  pairKey(kind, id) -> the document; ttl 0 expires at the end of time
//	tallies  pairKey(key, "") -> the key's head: the number of counters (8 bytes)
//	         pairKey(key, field) -> the counter (8 bytes, two's complement)
//	once     key -> nothing
//
// A tally expires as a whole, TTL after its last Add, so the head's expiry is the one
// that counts: Add renews only the head and the counter it adds to (renewing every
// counter would make each Add cost as much as the key is big), a counter's own expiry
// is only when the key would have expired as of that counter's last Add, and Sweep
// deletes a counter when its head has expired, whatever its own expiry says. Add on
// an expired key first deletes what is left of it, so old counters never come back.
var (
	recordsBucket = []byte("records")
	talliesBucket = []byte("tallies")
	onceBucket    = []byte("once")
)

var (
	_ records.Records = (*Store)(nil)
	_ desk.Store      = (*Store)(nil)
)

// forever is the expiry of a record stored with ttl 0: the last instant time.Time can
// hold as Unix nanoseconds, in 2262.
var forever = time.Unix(0, math.MaxInt64)

// Get implements records.Records.
func (s *Store) Get(ctx context.Context, kind, id string) ([]byte, error) {
	if err := records.ValidateRecord(kind, id); err != nil {
		return nil, fmt.Errorf("get record: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get record %s %s: %w", kind, bot.Redact(id), err)
	}
	now := s.now()
	var doc []byte
	err := s.db.View(func(tx *bbolt.Tx) error {
		v, ok := live(tx.Bucket(recordsBucket).Get(pairKey(kind, id)), now)
		if !ok {
			return records.ErrNotFound
		}
		doc = bytes.Clone(v) // bbolt's slice dies with the transaction
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get record %s %s: %w", kind, bot.Redact(id), err)
	}
	return doc, nil
}

// Update implements records.Records in one read-write transaction, so fn runs once: no
// other writer can come between its read and its write. A negative ttl is an error.
func (s *Store) Update(ctx context.Context, kind, id string, ttl time.Duration, fn func(old []byte) ([]byte, error)) ([]byte, error) {
	if err := records.ValidateRecord(kind, id); err != nil {
		return nil, fmt.Errorf("update record: %w", err)
	}
	if ttl < 0 {
		return nil, fmt.Errorf("update record %s %s: negative TTL %v", kind, bot.Redact(id), ttl)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("update record %s %s: %w", kind, bot.Redact(id), err)
	}
	now := s.now()
	expires := forever
	if ttl > 0 {
		expires = now.Add(ttl)
	}
	key := pairKey(kind, id)
	var stored []byte
	err := s.db.Update(func(tx *bbolt.Tx) error {
		bucket := tx.Bucket(recordsBucket)
		var old []byte
		if v, ok := live(bucket.Get(key), now); ok {
			// A copy: fn may keep or return it, beyond the transaction.
			old = bytes.Clone(v)
		}
		next, err := fn(old)
		if err == nil {
			err = records.ValidateStored(next)
		}
		if err != nil {
			return err // rolls the transaction back
		}
		stored = next
		if next == nil {
			return bucket.Delete(key)
		}
		return put(bucket, key, expires, next)
	})
	if err != nil {
		return nil, fmt.Errorf("update record %s %s: %w", kind, bot.Redact(id), err)
	}
	return stored, nil
}

// List implements records.Records.
func (s *Store) List(ctx context.Context, kind string) ([][]byte, error) {
	if err := records.ValidateRecord(kind, "-"); err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list records %s: %w", kind, err)
	}
	now := s.now()
	prefix := pairKey(kind, "")
	var docs [][]byte
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(recordsBucket).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(docs) < records.MaxList; k, v = c.Next() {
			if doc, ok := live(v, now); ok {
				docs = append(docs, bytes.Clone(doc))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list records %s: %w", kind, err)
	}
	return docs, nil
}

// Add implements desk.Tallies in one read-write transaction.
func (s *Store) Add(ctx context.Context, t desk.Tally) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("desk add: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("desk add %s: %w", t.Key, err)
	}
	now := s.now()
	head, field := pairKey(t.Key, ""), pairKey(t.Key, t.Field)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(talliesBucket)
		var fields uint64
		if v, ok := live(b.Get(head), now); ok && len(v) == 8 {
			fields = binary.BigEndian.Uint64(v)
		} else if err := deletePrefix(b, head); err != nil {
			return err // the key expired: what is left of it must not come back
		}
		var count int64
		// The counter's own expiry does not matter: the head is live, so it is.
		if v := b.Get(field); len(v) == 16 {
			count = int64(binary.BigEndian.Uint64(v[8:]))
		} else if t.MaxFields > 0 && fields >= uint64(t.MaxFields) {
			return nil // full: a new counter is not created
		} else {
			fields++
		}
		expires := now.Add(t.TTL)
		if err := put(b, field, expires, binary.BigEndian.AppendUint64(nil, uint64(count+t.N))); err != nil {
			return err
		}
		return put(b, head, expires, binary.BigEndian.AppendUint64(nil, fields))
	})
	if err != nil {
		return fmt.Errorf("desk add %s: %w", t.Key, err)
	}
	return nil
}

// Counts implements desk.Tallies. A key that Add would refuse is an error.
func (s *Store) Counts(ctx context.Context, key string) (map[string]int64, error) {
	if err := desk.ValidateTallyKey(key); err != nil {
		return nil, fmt.Errorf("desk counts: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("desk counts %s: %w", key, err)
	}
	now := s.now()
	head := pairKey(key, "")
	counts := map[string]int64{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(talliesBucket)
		if _, ok := live(b.Get(head), now); !ok {
			return nil // counters outliving their head are leftovers
		}
		c := b.Cursor()
		for k, v := c.Seek(head); k != nil && bytes.HasPrefix(k, head); k, v = c.Next() {
			if len(k) > len(head) && len(v) == 16 {
				counts[string(k[len(head):])] = int64(binary.BigEndian.Uint64(v[8:]))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("desk counts %s: %w", key, err)
	}
	return counts, nil
}

// Once implements desk.Onces. An empty key or a ttl that is not positive is an error.
func (s *Store) Once(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := desk.ValidateOnce(key, ttl); err != nil {
		return false, fmt.Errorf("desk once: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("desk once %s: %w", bot.Redact(key), err)
	}
	now := s.now()
	first := false
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(onceBucket)
		if _, ok := live(b.Get([]byte(key)), now); ok {
			return nil
		}
		first = true
		return put(b, []byte(key), now.Add(ttl), nil)
	})
	if err != nil {
		return false, fmt.Errorf("desk once %s: %w", bot.Redact(key), err)
	}
	return first, nil
}

// pairKey is the key of a (name, part) pair: name prefixed by its length, then part.
// The length makes the encoding one-to-one and pairKey(name, "") a prefix of the keys
// of name's pairs only, so a cursor can seek a kind's records or a tally's counters.
func pairKey(name, part string) []byte {
	key := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(name)+len(part)), uint64(len(name)))
	key = append(key, name...)
	return append(key, part...)
}

// pairHead returns the pairKey(name, "") that k starts with, or nil when k is not a
// pairKey.
func pairHead(k []byte) []byte {
	n, size := binary.Uvarint(k)
	if size <= 0 || uint64(len(k)-size) < n {
		return nil
	}
	return k[:size+int(n)]
}

// tallyExpired is how Sweep tells an expired entry of the tallies bucket: a head by
// its own expiry, a counter by its head's.
func tallyExpired(b *bbolt.Bucket, k, v []byte, now time.Time) bool {
	head := pairHead(k)
	if head == nil {
		return true // not ours: nothing reads it
	}
	if len(head) < len(k) {
		v = b.Get(head)
	}
	_, ok := live(v, now)
	return !ok
}

// deletePrefix deletes every entry of b whose key starts with prefix.
func deletePrefix(b *bbolt.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	// Deleting after the scan: deleting under a moving cursor can skip keys.
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
