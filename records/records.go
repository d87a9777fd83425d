// Package records is the contract between the stores and the domain: small JSON
// documents kept by kind and id, read and changed atomically, listed by kind. The
// stores (adapters/redis, adapters/bolt) implement Records and check what they are
// given with ValidateRecord and ValidateDoc; the domain packages (bookings, domestic,
// desk) keep their records through it, and generate their ids with NewID. It imports
// only the standard library, so that any package can name it.
package records

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Records keeps small JSON documents by kind ("handoff", "booking"...) and id.
type Records interface {
	// Get returns a document, or an error wrapping ErrNotFound.
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

// MaxList bounds the documents List returns.
const MaxList = 1000

// ErrNotFound is returned, wrapped, by Records.Get for a document that does not exist
// or has expired.
var ErrNotFound = errors.New("records: record not found")

// Limits on what Records stores, checked by implementations through ValidateRecord and
// ValidateDoc.
const (
	// MaxKind is the longest kind, in bytes.
	MaxKind = 64
	// MaxID is the longest record id, in bytes.
	MaxID = 128
	// MaxDoc is the largest document, in bytes.
	MaxDoc = 64 << 10
	// Overhead is the room a store leaves above MaxDoc for an envelope around a
	// document: the vault's sealing (a header, a nonce and an authentication tag)
	// makes a document of MaxDoc a little larger.
	Overhead = 256
)

// ValidateRecord reports what is wrong with a record's kind and id.
func ValidateRecord(kind, id string) error {
	switch {
	case kind == "" || len(kind) > MaxKind:
		return fmt.Errorf("records: record kind %q: empty or longer than %d bytes", kind, MaxKind)
	case id == "" || len(id) > MaxID:
		return fmt.Errorf("records: %s record id: empty or longer than %d bytes", kind, MaxID)
	}
	return nil
}

// ValidateDoc reports whether a document may be stored: what the domain checks, and
// wrappers of a store (vault/sealed) before they seal it.
func ValidateDoc(doc []byte) error {
	if len(doc) > MaxDoc {
		return fmt.Errorf("records: document of %d bytes exceeds %d", len(doc), MaxDoc)
	}
	return nil
}

// ValidateStored reports whether a store may keep a document: MaxDoc plus Overhead, so
// that a document ValidateDoc accepts still fits once sealed.
func ValidateStored(doc []byte) error {
	if len(doc) > MaxDoc+Overhead {
		return fmt.Errorf("records: stored document of %d bytes exceeds %d", len(doc), MaxDoc+Overhead)
	}
	return nil
}
