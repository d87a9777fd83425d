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

// Sweep deletes the expired records (states, locks, rate windows, handled-update markers)
// and returns how many it deleted. Reads already ignore expired records: sweeping only
// reclaims space. It works in short transactions, and stops early when ctx is done.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	total := 0
	for _, name := range allBuckets() {
		var after []byte // the last key examined; nil before the first batch
		for {
			if err := ctx.Err(); err != nil {
				return total, fmt.Errorf("sweep: %w", err)
			}
			var deleted int
			var last []byte
			err := s.db.Update(func(tx *bbolt.Tx) error {
				var err error
				deleted, last, err = sweepFrom(tx.Bucket(name), after, now)
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

// sweepFrom deletes the expired records among up to sweepBatch keys following after
// (from the first key when after is nil). It returns the number deleted and the last
// key examined, or nil when it reached the end of the bucket.
func sweepFrom(b *bbolt.Bucket, after []byte, now time.Time) (int, []byte, error) {
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
		if _, ok := live(v, now); !ok {
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
