// Package desk is the staff desk's domain, independent of any chat platform: the
// handoffs operators take over, the request cards they act on, and the day's figures
// they read. Its records live in a Store shared by every replica (adapters/redis), or
// in the embedded file (adapters/bolt), kept through the records contract.
package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/records"
)

// Store keeps the desk's shared records. adapters/redis and adapters/bolt implement it;
// desk/desktest is the contract both pass.
type Store interface {
	records.Records
	Tallies
	Onces
}

// Tallies keeps counters: a key ("figures:2026-11-26") holds named counters.
type Tallies interface {
	// Add adds t.N to the counter t.Field of t.Key and sets the key's expiry to t.TTL.
	// With t.MaxFields > 0 a counter the key does not have yet is only created while
	// the key holds fewer than MaxFields counters (a flood of distinct texts cannot
	// grow it without bound); Add then does nothing and returns nil.
	Add(ctx context.Context, t Tally) error
	// Counts returns a key's counters; an unknown key has none.
	Counts(ctx context.Context, key string) (map[string]int64, error)
}

// Tally is one Tallies.Add.
type Tally struct {
	Key       string
	Field     string
	N         int64
	TTL       time.Duration
	MaxFields int
}

// Onces says who is first to do something once across replicas.
type Onces interface {
	// Once reports true to the first caller for key within ttl, false to every
	// later one.
	Once(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// Limits on tallies, checked by implementations through Tally.Validate.
const (
	maxKey   = 64  // a tally's key
	maxField = 512 // a counter's name (a search text)
)

// Validate reports what is wrong with a Tally.
func (t Tally) Validate() error {
	switch {
	case t.Key == "" || len(t.Key) > maxKey:
		return fmt.Errorf("desk: tally key %q: empty or longer than %d bytes", t.Key, maxKey)
	case t.Field == "" || len(t.Field) > maxField:
		return fmt.Errorf("desk: tally field: empty or longer than %d bytes", maxField)
	case t.TTL <= 0:
		return fmt.Errorf("desk: tally TTL %v is not positive", t.TTL)
	}
	return nil
}

// ValidateTallyKey reports what is wrong with a tally key alone (for Counts), by
// Tally.Validate's rule.
func ValidateTallyKey(key string) error {
	return Tally{Key: key, Field: "-", TTL: time.Nanosecond}.Validate()
}

// ValidateOnce reports what is wrong with a Once call.
func ValidateOnce(key string, ttl time.Duration) error {
	switch {
	case key == "":
		return errors.New("desk: empty once key")
	case ttl <= 0:
		return fmt.Errorf("desk: once TTL %v is not positive", ttl)
	}
	return nil
}
