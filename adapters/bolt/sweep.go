package bolt

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// sweepBatch bounds the records one Sweep transaction examines, so that handlers never
// wait long behind it.
const sweepBatch = 1000

// Sweep deletes the expired records (states, rate windows, handled-update markers, and
// the desk's records, tallies and once markers) and forgets the expired locks and rate
// windows held in memory, and returns how many it deleted. Reads already ignore expired
// records: sweeping only reclaims space. It works in short transactions, and stops early when ctx is done.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	total := s.live.sweep(now)
	for _, name := range allBuckets() {
		expired := expiredRule(name)
		var after []byte // the last key examined; nil before the first batch
		for {
			if err := ctx.Err(); err != nil {
				return total, fmt.Errorf("sweep: %w", err)
			}
			var deleted int
			var last []byte
			err := s.db.Update(func(tx *bbolt.Tx) error {
				var err error
				deleted, last, err = sweepFrom(tx.Bucket(name), after, now, expired)
				return err
			})
			if err != nil {
				return total, fmt.Errorf("sweep %s: %w", name, err)
			}
			total += deleted
			if last == nil {
				break
			}
			after = last
		}
	}
	return total, nil
}

// expiredFunc reports whether the entry k, v of bucket b has expired at now.
type expiredFunc func(b *bbolt.Bucket, k, v []byte, now time.Time) bool

// expiredRule returns how Sweep tells an expired entry of the bucket name: by its own
// expiry, except in the tallies bucket, where a counter expires with its key.
func expiredRule(name []byte) expiredFunc {
	if bytes.Equal(name, talliesBucket) {
		return tallyExpired
	}
	return func(_ *bbolt.Bucket, _, v []byte, now time.Time) bool {
		_, ok := live(v, now)
		return !ok
	}
}

// sweepFrom deletes the expired records among up to sweepBatch keys following after
// (from the first key when after is nil). It returns the number deleted and the last
// key examined, or nil when it reached the end of the bucket.
func sweepFrom(b *bbolt.Bucket, after []byte, now time.Time, isExpired expiredFunc) (int, []byte, error) {
	c := b.Cursor()
	k, v := c.First()
	if after != nil {
		k, v = c.Seek(after)
		if bytes.Equal(k, after) {
			k, v = c.Next()
		}
	}
	var expired [][]byte
	var last []byte
	for n := 0; k != nil && n < sweepBatch; k, v = c.Next() {
		if isExpired(b, k, v, now) {
			expired = append(expired, bytes.Clone(k))
		}
		last = k
		n++
	}
	if k == nil {
		last = nil // end of bucket
	} else {
		last = bytes.Clone(last)
	}
	// Deleting after the scan: deleting under a moving cursor can skip keys.
	for _, key := range expired {
		if err := b.Delete(key); err != nil {
			return 0, nil, err
		}
	}
	return len(expired), last, nil
}
