// Package outbox is the contract of a durable outbox: the messages a channel has
// promised (it confirmed the update they answer) wait in a Store until they are
// delivered, so that a stop or a crash loses none. Items wait in lanes (a chat): a
// lane's items go out one at a time, in the order they were put, and different lanes
// go out in parallel, from whichever replica claims them. adapters/redis and
// adapters/bolt implement Store; outbox/outboxtest is the contract both pass; Memory
// keeps items in one process only. Dispatcher claims and delivers them.
//
// The package imports only the standard library, and never looks inside an item's
// payload: it holds personal data (chat ids, citizens' texts), opaque bytes that the
// caller may seal before putting them.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Item is one message waiting for delivery.
type Item struct {
	// Key makes Put idempotent: an item whose key was put in the last KeyTTL is not
	// queued again (a channel makes it from the update it answers and the part's
	// index, so a re-handled update queues nothing twice).
	Key string
	// Lane orders items: a lane's items go out one at a time, in the order put.
	Lane string
	// Payload is what the deliverer needs, opaque to the store.
	Payload []byte
}

// Claimed is an item leased to one dispatcher, which must end the lease with Done,
// Retry, Bury or Release before it runs out. While it is leased, its lane's later
// items wait.
type Claimed struct {
	Item
	// Attempts counts the failed deliveries and the leases that ran out.
	Attempts int
	// Token proves the lease.
	Token string
}

// Dead is an item given up on: it failed Attempts times.
type Dead struct {
	Item
	Attempts int
	// Reason says why the last attempt failed, without personal data.
	Reason string
	At     time.Time
}

// Store keeps the items. Every time is passed in by the caller (each replica's clock,
// kept in step by NTP), so that tests need no sleep. All methods are safe for
// concurrent use by several processes sharing the store.
type Store interface {
	// Put queues items atomically, all or none, in their order, and returns how many
	// were new (the others' keys were put before). It fails with an error wrapping
	// ErrFull when a lane would hold more than MaxLaneItems, or the store more than
	// MaxItems, and with a validation error for an item Validate refuses.
	Put(ctx context.Context, now time.Time, items ...Item) (int, error)
	// Claim leases the first item of up to max lanes whose next item is due at now
	// and that no live lease holds, the lanes waiting longest first. A lane whose
	// lease ran out is claimed again, its item's Attempts counting the lapse.
	Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]Claimed, error)
	// Done removes a delivered item; its lane's next item is due at once. It returns
	// an error wrapping ErrLeaseLost when c's lease no longer holds.
	Done(ctx context.Context, now time.Time, c Claimed) error
	// Retry makes the item due again at at, counting a failed attempt.
	Retry(ctx context.Context, c Claimed, at time.Time, reason string) error
	// Bury makes the item a dead letter (keeping at most MaxDead, the oldest going
	// first, and none longer than DeadTTL: they hold personal data), and its lane's
	// next item due at once.
	Bury(ctx context.Context, now time.Time, c Claimed, reason string) error
	// Release ends the lease of an item that was not attempted (the dispatcher is
	// stopping): it is due again at now, its Attempts unchanged.
	Release(ctx context.Context, now time.Time, c Claimed) error
	// Dead returns the dead letters buried less than DeadTTL before now, oldest
	// first.
	Dead(ctx context.Context, now time.Time) ([]Dead, error)
}

// Limits every Store enforces.
const (
	MaxKey     = 128       // bytes of Item.Key
	MaxLane    = 128       // bytes of Item.Lane
	MaxPayload = 256 << 10 // bytes of Item.Payload
	// SealRoom is what a store accepts beyond MaxPayload, for a decorator that seals
	// payloads (vault/sealed): its nonce, tag and key name.
	SealRoom = 1 << 10
	// MaxLaneItems bounds the items waiting in one lane.
	MaxLaneItems = 500
	// MaxItems bounds the items waiting in a store.
	MaxItems = 100000
	// MaxDead bounds the dead letters kept.
	MaxDead = 200
	// DeadTTL bounds how long a dead letter is kept, for an operator to look into.
	DeadTTL = 7 * 24 * time.Hour
	// MaxReason bounds a dead letter's reason; longer ones are cut.
	MaxReason = 256
	// MaxClaim bounds the lanes one Claim takes.
	MaxClaim = 1000
	// KeyTTL is how long a key is remembered after its Put.
	KeyTTL = 24 * time.Hour
)

var (
	// ErrFull is returned, wrapped, by Put when the items would exceed a bound.
	ErrFull = errors.New("outbox: full")
	// ErrLeaseLost is returned, wrapped, when a lease no longer holds: it ran out and
	// another dispatcher may have claimed the item.
	ErrLeaseLost = errors.New("outbox: lease lost")
)

// Validate reports what is wrong with items a caller puts. Keys and lanes hold no
// NUL, which the Redis store uses as a separator.
func Validate(items []Item) error {
	return validate(items, MaxPayload)
}

// ValidateStored is Validate for stores, which leave SealRoom for a sealing decorator.
func ValidateStored(items []Item) error {
	return validate(items, MaxPayload+SealRoom)
}

func validate(items []Item, maxPayload int) error {
	for i, it := range items {
		switch {
		case it.Key == "" || len(it.Key) > MaxKey || strings.ContainsRune(it.Key, 0):
			return fmt.Errorf("outbox: item %d: key empty, longer than %d bytes or holding a NUL", i, MaxKey)
		case it.Lane == "" || len(it.Lane) > MaxLane || strings.ContainsRune(it.Lane, 0):
			return fmt.Errorf("outbox: item %d: lane empty, longer than %d bytes or holding a NUL", i, MaxLane)
		case len(it.Payload) > maxPayload:
			return fmt.Errorf("outbox: item %d: payload of %d bytes exceeds %d", i, len(it.Payload), maxPayload)
		}
	}
	return nil
}

// ValidateClaim reports what is wrong with Claim's arguments.
func ValidateClaim(lease time.Duration, max int) error {
	if lease <= 0 || max <= 0 || max > MaxClaim {
		return fmt.Errorf("outbox: claim with lease %v and max %d: want a positive lease and 1 to %d lanes", lease, max, MaxClaim)
	}
	return nil
}

// CutReason bounds a reason to MaxReason bytes, dropping a character cut in two.
func CutReason(s string) string {
	if len(s) <= MaxReason {
		return s
	}
	return strings.ToValidUTF8(s[:MaxReason], "")
}
