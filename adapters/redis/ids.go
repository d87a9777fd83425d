package redis

import (
	"context"
	"fmt"

	"github.com/comune-milano/wemibot/records"
)

// idBatch is the COUNT hint of each SSCAN of EachID.
const idBatch = 500

// EachID calls fn with the id of every record of kind, however many there are,
// stopping at fn's first error (returned as it is). It scans the kind's id set with
// SSCAN, so an id may come twice when the set changes meanwhile, and the id of a
// record that expired may come until List prunes it. fn may update records.
func (s *Store) EachID(ctx context.Context, kind string, fn func(id string) error) error {
	if err := records.ValidateRecord(kind, "-"); err != nil {
		return fmt.Errorf("list record ids: %w", err)
	}
	keys := s.recordKeys(kind)
	var cursor uint64
	for {
		ids, next, err := s.client.SScan(ctx, keys.ids, cursor, "", idBatch).Result()
		if err != nil {
			return fmt.Errorf("list record ids %s: %w", kind, err)
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}
