// Package desk is the staff desk's domain, independent of any chat platform: the
// handoffs operators take over, the request cards they act on, and the day's figures
// they read. Its records live in a Store shared by every replica (adapters/redis), or
// in the embedded file (adapters/bolt).
package desk

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Store keeps the desk's shared records. adapters/redis and adapters/bolt implement it;
// desk/desktest is the contract both pass.
type Store interface {
	Records
	Tallies
	Onces
}

// Records keeps small JSON documents by kind ("handoff", "card"...) and id.
type Records interface {
	// Get returns a document, or ErrNotFound.
	Get(ctx context.Context, kind, id string) ([]byte, error)
	// Update reads a document, passes it to fn (nil when there is none) and stores
	// what fn returns, atomically with respect to every other Update of the same
	// document: when another writer got there first, fn is called again with the new
	// value (so fn must have no side effects). fn returning nil deletes the document;
	// returning an error leaves it as it was and Update returns that error. ttl > 0
	// sets the document's expiry; ttl == 0 keeps it until deleted. Update returns what
	// was stored.
	Update(ctx context.Context, kind, id string, ttl time.Duration, fn func(old []byte) ([]byte, error)) ([]byte, error)
	// List returns every live document of a kind, in no particular order, at most
	// MaxList of them.
	List(ctx context.Context, kind string) ([][]byte, error)
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

// MaxList bounds the documents List returns.
const MaxList = 1000

// ErrNotFound is returned by Records.Get for a document that does not exist.
var ErrNotFound = errors.New("desk: record not found")

// Validation limits, checked by implementations through the Validate functions.
const (
	maxName  = 64  // kind, key or field name
	maxID    = 128 // record id
	maxField = 512 // a counter's name (a search text)
	maxDoc   = 64 << 10
)

// ValidateRecord reports what is wrong with a record's kind and id.
func ValidateRecord(kind, id string) error {
	switch {
	case kind == "" || len(kind) > maxName:
		return fmt.Errorf("desk: record kind %q: empty or longer than %d bytes", kind, maxName)
	case id == "" || len(id) > maxID:
		return fmt.Errorf("desk: %s record id: empty or longer than %d bytes", kind, maxID)
	}
	return nil
}

// ValidateDoc reports whether a document may be stored.
func ValidateDoc(doc []byte) error {
	if len(doc) > maxDoc {
		return fmt.Errorf("desk: document of %d bytes exceeds %d", len(doc), maxDoc)
	}
	return nil
}

// Validate reports what is wrong with a Tally.
func (t Tally) Validate() error {
	switch {
	case t.Key == "" || len(t.Key) > maxName:
		return fmt.Errorf("desk: tally key %q: empty or longer than %d bytes", t.Key, maxName)
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
