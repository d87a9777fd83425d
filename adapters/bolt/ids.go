package bolt

import (
	"bytes"
	"context"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/comune-milano/wemibot/records"
)

// idBatch bounds the ids EachID reads in one read transaction: fn runs between
// transactions, so that it may write.
const idBatch = 500

// EachID calls fn with the id of every live record of kind, however many there are,
// in key order, stopping at fn's first error (returned as it is). fn may update or
// delete records: the ids are read in batches, each in its own transaction.
func (s *Store) EachID(ctx context.Context, kind string, fn func(id string) error) error {
	if err := records.ValidateRecord(kind, "-"); err != nil {
		return fmt.Errorf("list record ids: %w", err)
	}
	prefix := pairKey(kind, "")
	from := prefix
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("list record ids %s: %w", kind, err)
		}
		ids, next, err := s.idsFrom(prefix, from)
		if err != nil {
			return fmt.Errorf("list record ids %s: %w", kind, err)
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if next == nil {
			return nil
		}
		from = next
	}
}

// idsFrom reads up to idBatch ids of live records whose keys start with prefix, from
// the key from on; next is where the following batch starts, nil at the end.
func (s *Store) idsFrom(prefix, from []byte) (ids []string, next []byte, err error) {
	now := s.now()
	err = s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(recordsBucket).Cursor()
		for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(ids) == idBatch {
				next = bytes.Clone(k)
				return nil
			}
			if _, ok := live(v, now); ok {
				ids = append(ids, string(k[len(prefix):]))
			}
		}
		return nil
	})
	return ids, next, err
}
