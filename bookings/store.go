package bookings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/comune-milano/wemibot/records"
)

// Record kinds the Store keeps.
const (
	kindBooking = "booking"     // booking id -> Booking
	kindIndex   = "bookings-of" // conversation -> index
)

// MaxPerConversation bounds the bookings a conversation's index keeps. Creating one
// more drops the oldest bookings that can no longer happen (refused, cancelled,
// concluded or expired), deleting them; when all are still active, Create fails with
// ErrTooMany.
const MaxPerConversation = 50

// index lists a conversation's booking ids, oldest first.
type index struct {
	IDs []string `json:"ids"`
}

// errKeep aborts a records Update without writing anything.
var errKeep = errors.New("bookings: keep the record as it is")

// Store keeps bookings in the shared records (kind "booking"), with an index per
// conversation (kind "bookings-of", id the conversation), so every replica sees the
// same bookings. It is safe for concurrent use.
type Store struct {
	records records.Records
	ttl     time.Duration
}

// NewStore returns the bookings kept in recs. ttl is how long a booking, and its
// conversation's index, is kept after its last change (90 days, say); 0 keeps them
// until Forget.
func NewStore(recs records.Records, ttl time.Duration) *Store {
	return &Store{records: recs, ttl: ttl}
}

// Create stores a new booking, which must be Requested (an empty Status counts as
// Requested) and pass Validate, and adds it to its conversation's index. Creating a
// booking again with the same id and conversation changes nothing and succeeds, so a
// failed Create can be retried; an id another conversation's booking has is ErrExists.
func (s *Store) Create(ctx context.Context, b Booking) error {
	if b.Status == "" {
		b.Status = Requested
	}
	if b.Status != Requested {
		return fmt.Errorf("create booking %s with status %q: %w", b.ID, b.Status, ErrInvalid)
	}
	if err := b.Validate(); err != nil {
		return fmt.Errorf("create booking: %w", err)
	}
	doc, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("create booking %s: %w", b.ID, err)
	}
	dropped, err := s.makeRoom(ctx, b.Conversation)
	if err != nil {
		return fmt.Errorf("create booking %s: %w", b.ID, err)
	}
	// The index first: an id in the index whose booking is missing is skipped, while
	// a booking missing from the index would escape ByConversation and Forget.
	_, err = s.records.Update(ctx, kindIndex, b.Conversation, s.ttlFor(b), func(old []byte) ([]byte, error) {
		ids, err := decodeIndex(old)
		if err != nil {
			return nil, err
		}
		ids = slices.DeleteFunc(ids, func(id string) bool { return dropped[id] })
		if !slices.Contains(ids, b.ID) {
			ids = append(ids, b.ID)
		}
		if len(ids) > MaxPerConversation {
			return nil, ErrTooMany
		}
		return json.Marshal(index{IDs: ids})
	})
	if err != nil {
		return fmt.Errorf("create booking %s: index: %w", b.ID, err)
	}
	_, err = s.records.Update(ctx, kindBooking, b.ID, s.ttlFor(b), func(old []byte) ([]byte, error) {
		if old == nil {
			return doc, nil
		}
		if prev, err := decodeBooking(old); err == nil && prev.Conversation == b.Conversation {
			return nil, errKeep // a retry
		}
		return nil, ErrExists
	})
	if err != nil && !errors.Is(err, errKeep) {
		return fmt.Errorf("create booking %s: %w", b.ID, err)
	}
	return nil
}

// makeRoom deletes the oldest bookings of a full index that can no longer happen, as
// many as a new booking needs, and returns their ids (and those of bookings already
// gone) to drop from the index.
func (s *Store) makeRoom(ctx context.Context, conversation string) (map[string]bool, error) {
	ids, err := s.indexIDs(ctx, conversation)
	if err != nil || len(ids) < MaxPerConversation {
		return nil, err
	}
	need := len(ids) + 1 - MaxPerConversation
	dropped := map[string]bool{}
	for _, id := range ids {
		if len(dropped) == need {
			break
		}
		b, err := s.Get(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
			dropped[id] = true
		case err != nil:
			return nil, err
		case b.Conversation != conversation:
			dropped[id] = true // not this conversation's: it never belonged here
		case !b.Active():
			if err := s.erase(ctx, id, conversation, true); err != nil {
				return nil, err
			}
			dropped[id] = true
		}
	}
	if len(dropped) < need {
		return nil, ErrTooMany
	}
	return dropped, nil
}

// Get returns a booking, ErrNotFound when there is none (or id is not a booking id).
func (s *Store) Get(ctx context.Context, id string) (Booking, error) {
	if !ValidID(id) {
		return Booking{}, fmt.Errorf("get booking: %w", ErrNotFound)
	}
	doc, err := s.read(ctx, kindBooking, id)
	if err == nil && doc == nil {
		err = ErrNotFound
	}
	if err != nil {
		return Booking{}, fmt.Errorf("get booking %s: %w", id, err)
	}
	return decodeBooking(doc)
}

// Update changes a booking atomically: fn gets the booking as stored and changes it in
// place; its changes are stored when it returns nil and they pass Validate (the id and
// the conversation may not change). fn may run more than once, so it must have no
// side effects beyond the booking. Update returns the booking as stored; when fn (or
// the validation) fails, it returns that error, wrapped, with the booking as it is.
// ErrNotFound when there is no such booking.
func (s *Store) Update(ctx context.Context, id string, fn func(*Booking) error) (Booking, error) {
	current, err := s.Get(ctx, id)
	if err != nil {
		return Booking{}, fmt.Errorf("update booking: %w", err)
	}
	// Keep the index as long as the booking, before the booking changes.
	if err := s.keepIndexed(ctx, current); err != nil {
		return current, fmt.Errorf("update booking %s: index: %w", id, err)
	}
	var after Booking
	_, err = s.records.Update(ctx, kindBooking, id, s.ttlFor(current), func(old []byte) ([]byte, error) {
		if old == nil {
			current = Booking{}
			return nil, ErrNotFound
		}
		b, err := decodeBooking(old)
		if err != nil {
			return nil, err
		}
		current = b
		current.History = slices.Clone(b.History) // fn may change b's in place
		if err := fn(&b); err != nil {
			return nil, err
		}
		if b.ID != current.ID || b.Conversation != current.Conversation {
			return nil, fmt.Errorf("the id or the conversation changed: %w", ErrInvalid)
		}
		if err := b.Validate(); err != nil {
			return nil, err
		}
		after = b
		return json.Marshal(b)
	})
	if err != nil {
		return current, fmt.Errorf("update booking %s: %w", id, err)
	}
	return after, nil
}

// ttlFor is how long a booking (and its conversation's index) is kept from a write:
// the retention period after its last change, but never less than until the service
// (or a time proposed instead) plus that period, so that a booking made months ahead
// does not expire before it takes place.
func (s *Store) ttlFor(b Booking) time.Duration {
	ttl := s.ttl
	latest := b.Start
	if b.Proposed.After(latest) {
		latest = b.Proposed
	}
	if ahead := latest.Sub(b.Updated); !b.Updated.IsZero() && ahead > 0 {
		ttl += ahead
	}
	return ttl
}

// keepIndexed makes sure a booking's conversation index lists it, renewing the
// index's expiry so that it outlives the booking's.
func (s *Store) keepIndexed(ctx context.Context, b Booking) error {
	_, err := s.records.Update(ctx, kindIndex, b.Conversation, s.ttlFor(b), func(old []byte) ([]byte, error) {
		ids, err := decodeIndex(old)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, b.ID) {
			if len(ids) >= MaxPerConversation {
				return nil, errKeep // not worth evicting for: the booking lives on
			}
			ids = append(ids, b.ID)
		}
		return json.Marshal(index{IDs: ids})
	})
	if errors.Is(err, errKeep) {
		return nil
	}
	return err
}

// ByConversation returns a conversation's bookings, newest first.
func (s *Store) ByConversation(ctx context.Context, conversation string) ([]Booking, error) {
	ids, err := s.indexIDs(ctx, conversation)
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	out := make([]Booking, 0, len(ids))
	for _, id := range ids {
		b, err := s.Get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue // expired
		}
		if err != nil {
			return nil, fmt.Errorf("list bookings: %w", err)
		}
		if b.Conversation == conversation {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b Booking) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return slices.Index(ids, b.ID) - slices.Index(ids, a.ID)
	})
	return out, nil
}

// All returns every live booking, by start time, at most records.MaxList of them.
func (s *Store) All(ctx context.Context) ([]Booking, error) {
	docs, err := s.records.List(ctx, kindBooking)
	if err != nil {
		return nil, fmt.Errorf("list all bookings: %w", err)
	}
	out := make([]Booking, 0, len(docs))
	for _, d := range docs {
		b, err := decodeBooking(d)
		if err != nil {
			return nil, fmt.Errorf("list all bookings: %w", err)
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b Booking) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// Forget erases every booking of a conversation, and its index: the citizen's right
// to erasure. It tries every booking before it reports what failed; the index goes
// only once its bookings have, so that calling Forget again finishes the job.
func (s *Store) Forget(ctx context.Context, conversation string) error {
	ids, err := s.indexIDs(ctx, conversation)
	if err != nil {
		return fmt.Errorf("forget bookings: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if err := s.erase(ctx, id, conversation, false); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("forget bookings: %w", errors.Join(errs...))
	}
	if len(ids) == 0 {
		return nil
	}
	// A booking created meanwhile stays listed, so a later Forget finds it.
	_, err = s.records.Update(ctx, kindIndex, conversation, s.ttl, func(old []byte) ([]byte, error) {
		left, err := decodeIndex(old)
		if err != nil || old == nil {
			return nil, err
		}
		left = slices.DeleteFunc(left, func(id string) bool { return slices.Contains(ids, id) })
		if len(left) == 0 {
			return nil, nil
		}
		return json.Marshal(index{IDs: left})
	})
	if err != nil {
		return fmt.Errorf("forget bookings: index: %w", err)
	}
	return nil
}

// erase deletes a booking if it belongs to the conversation (and, with onlyInactive,
// if it can no longer happen).
func (s *Store) erase(ctx context.Context, id, conversation string, onlyInactive bool) error {
	if !ValidID(id) {
		return nil // never stored
	}
	_, err := s.records.Update(ctx, kindBooking, id, s.ttl, func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, errKeep
		}
		b, err := decodeBooking(old)
		if err != nil {
			return nil, err
		}
		if b.Conversation != conversation || onlyInactive && b.Active() {
			return nil, errKeep
		}
		return nil, nil
	})
	if err != nil && !errors.Is(err, errKeep) {
		return fmt.Errorf("erase booking %s: %w", id, err)
	}
	return nil
}

// indexIDs returns a conversation's booking ids, oldest first.
func (s *Store) indexIDs(ctx context.Context, conversation string) ([]string, error) {
	if conversation == "" || len(conversation) > maxConvID {
		return nil, nil // Create refuses such a conversation: it has no bookings
	}
	doc, err := s.read(ctx, kindIndex, conversation)
	if err != nil {
		return nil, err
	}
	return decodeIndex(doc)
}

// read returns a record, nil when there is none.
func (s *Store) read(ctx context.Context, kind, id string) ([]byte, error) {
	doc, err := s.records.Get(ctx, kind, id)
	if errors.Is(err, records.ErrNotFound) {
		return nil, nil
	}
	return doc, err
}

func decodeIndex(doc []byte) ([]string, error) {
	if doc == nil {
		return nil, nil
	}
	var ix index
	if err := json.Unmarshal(doc, &ix); err != nil {
		return nil, fmt.Errorf("decode bookings index: %w", err)
	}
	return ix.IDs, nil
}

func decodeBooking(doc []byte) (Booking, error) {
	var b Booking
	if err := json.Unmarshal(doc, &b); err != nil {
		return Booking{}, fmt.Errorf("decode booking: %w", err)
	}
	return b, nil
}
