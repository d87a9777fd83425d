package domestic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The Store keeps requests and applications the same way; these generic functions do
// it for either, given a kindOf.

// document is what the Store needs of a *Request or an *Application.
type document interface {
	ident() (id, conversation string)
	// closedAt is when the record closed; zero while it is open.
	closedAt() time.Time
	createdAt() time.Time
	// begin sets the initial status of a new record, or fails if it has another.
	begin() error
	Validate() error
}

// docPtr is a pointer to a record type that is a document.
type docPtr[T any] interface {
	*T
	document
}

// kindOf describes one kind of record.
type kindOf[T any] struct {
	kind string // Records kind
	noun string // in error messages
	// list selects the kind's ids in a conversation's index.
	list func(*index) *[]string
	// conversation reads the conversation of a stored document.
	conversation func(doc []byte) (string, error)
}

// requests describes the requests.
func requests() kindOf[Request] {
	return kindOf[Request]{kind: kindRequest, noun: "request",
		list: func(ix *index) *[]string { return &ix.Requests }, conversation: owner[Request]}
}

// applications describes the applications.
func applications() kindOf[Application] {
	return kindOf[Application]{kind: kindApplication, noun: "application",
		list: func(ix *index) *[]string { return &ix.Applications }, conversation: owner[Application]}
}

func (r *Request) ident() (string, string) { return r.ID, r.Conversation }

func (r *Request) createdAt() time.Time { return r.Created }

func (r *Request) closedAt() time.Time {
	if r.Status.Final() {
		return r.Closed
	}
	return time.Time{}
}

func (r *Request) begin() error {
	if r.Status == "" {
		r.Status = RequestSent
	}
	if r.Status != RequestSent {
		return fmt.Errorf("request %s with status %q: %w", r.ID, truncate(string(r.Status), 30), ErrInvalid)
	}
	return nil
}

func (a *Application) ident() (string, string) { return a.ID, a.Conversation }

func (a *Application) createdAt() time.Time { return a.Created }

func (a *Application) closedAt() time.Time {
	if a.Status.Final() {
		return a.Closed
	}
	return time.Time{}
}

func (a *Application) begin() error {
	if a.Status == "" {
		a.Status = ApplicationSent
	}
	if a.Status != ApplicationSent {
		return fmt.Errorf("application %s with status %q: %w", a.ID, truncate(string(a.Status), 30), ErrInvalid)
	}
	return nil
}

func create[T any, P docPtr[T]](ctx context.Context, s *Store, k kindOf[T], d T) error {
	p := P(&d)
	if err := p.begin(); err != nil {
		return fmt.Errorf("create %s: %w", k.noun, err)
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("create %s: %w", k.noun, err)
	}
	id, conv := p.ident()
	doc, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("create %s %s: %w", k.noun, id, err)
	}
	gone, err := expired(ctx, s, k, conv, id)
	if err != nil {
		return fmt.Errorf("create %s %s: %w", k.noun, id, err)
	}
	// The index first: an id in the index whose record is missing is skipped, while a
	// record missing from the index would escape ByConversation and Forget.
	_, err = s.records.Update(ctx, kindIndex, conv, s.indexTTL(), func(old []byte) ([]byte, error) {
		ix, err := decodeIndex(old)
		if err != nil {
			return nil, err
		}
		ids := k.list(&ix)
		*ids = slices.DeleteFunc(*ids, func(id string) bool { return slices.Contains(gone, id) })
		if !slices.Contains(*ids, id) {
			*ids = append(*ids, id)
		}
		if len(*ids) > MaxPerConversation {
			return nil, ErrTooMany
		}
		return json.Marshal(ix)
	})
	if err != nil {
		return fmt.Errorf("create %s %s: index: %w", k.noun, id, err)
	}
	_, err = s.records.Update(ctx, k.kind, id, s.ttl(p.closedAt()), func(old []byte) ([]byte, error) {
		if old == nil {
			return doc, nil
		}
		if c, err := k.conversation(old); err == nil && c == conv {
			return nil, errKeep // a retry
		}
		return nil, ErrExists
	})
	if err != nil && !errors.Is(err, errKeep) {
		return fmt.Errorf("create %s %s: %w", k.noun, id, err)
	}
	return nil
}

// expired returns the ids of a full index whose records are gone, which a new record
// (id) may replace.
func expired[T any](ctx context.Context, s *Store, k kindOf[T], conversation, id string) ([]string, error) {
	ix, err := s.index(ctx, conversation)
	if err != nil {
		return nil, err
	}
	ids := *k.list(&ix)
	if len(ids) < MaxPerConversation || slices.Contains(ids, id) {
		return nil, nil
	}
	var gone []string
	for _, old := range ids {
		doc, err := s.read(ctx, k.kind, old)
		if err != nil {
			return nil, err
		}
		if c, _ := k.conversation(doc); doc == nil || c != conversation {
			gone = append(gone, old)
		}
	}
	return gone, nil
}

func get[T any, P docPtr[T]](ctx context.Context, s *Store, k kindOf[T], id string) (T, error) {
	var zero T
	if !ValidID(id) {
		return zero, fmt.Errorf("get %s: %w", k.noun, ErrNotFound)
	}
	doc, err := s.read(ctx, k.kind, id)
	if err == nil && doc == nil {
		err = ErrNotFound
	}
	if err != nil {
		return zero, fmt.Errorf("get %s %s: %w", k.noun, id, err)
	}
	return decode[T](doc)
}

// update runs fn on the stored record inside one Records.Update. The expiry must be
// given before fn runs, and depends on whether fn closes the record: so fn first runs
// on a copy to choose it, and the write is retried should the record have changed
// meanwhile so that the outcome differs.
func update[T any, P docPtr[T]](ctx context.Context, s *Store, k kindOf[T], id string, fn func(*T) error) (T, error) {
	current, err := get[T, P](ctx, s, k, id)
	if err != nil {
		return current, fmt.Errorf("update %s: %w", k.noun, err)
	}
	_, conv := P(&current).ident()
	// Keep the index as long as the record, before the record changes.
	if err := keepIndexed(ctx, s, k, conv, id); err != nil {
		return current, fmt.Errorf("update %s %s: index: %w", k.noun, id, err)
	}
	for attempt := 0; ; attempt++ {
		closed := P(&current).closedAt()
		if trial, err := clone(current); err == nil && fn(&trial) == nil {
			closed = P(&trial).closedAt()
		}
		var after T
		_, err = s.records.Update(ctx, k.kind, id, s.ttl(closed), func(old []byte) ([]byte, error) {
			if old == nil {
				current = *new(T)
				return nil, ErrNotFound
			}
			stored, err := decode[T](old)
			if err != nil {
				return nil, err
			}
			current = stored
			next, err := decode[T](old) // a copy fn may change
			if err != nil {
				return nil, err
			}
			if err := fn(&next); err != nil {
				return nil, err
			}
			if nid, nconv := P(&next).ident(); nid != id || nconv != conv {
				return nil, fmt.Errorf("the id or the conversation changed: %w", ErrInvalid)
			}
			if err := P(&next).Validate(); err != nil {
				return nil, err
			}
			if !P(&next).closedAt().Equal(closed) {
				return nil, errStale
			}
			after = next
			return json.Marshal(next)
		})
		if errors.Is(err, errStale) && attempt < 3 {
			continue
		}
		if err != nil {
			return current, fmt.Errorf("update %s %s: %w", k.noun, id, err)
		}
		return after, nil
	}
}

// keepIndexed makes sure a conversation's index lists a record, renewing the index's
// expiry so that it outlives the record.
func keepIndexed[T any](ctx context.Context, s *Store, k kindOf[T], conversation, id string) error {
	_, err := s.records.Update(ctx, kindIndex, conversation, s.indexTTL(), func(old []byte) ([]byte, error) {
		ix, err := decodeIndex(old)
		if err != nil {
			return nil, err
		}
		ids := k.list(&ix)
		if !slices.Contains(*ids, id) {
			if len(*ids) >= MaxPerConversation {
				return nil, errKeep // not worth evicting for: the record lives on
			}
			*ids = append(*ids, id)
		}
		return json.Marshal(ix)
	})
	if errors.Is(err, errKeep) {
		return nil
	}
	return err
}

// listed returns the live records of ids that belong to conversation, newest first
// (by creation; among equals, the one indexed later first).
func listed[T any, P docPtr[T]](ctx context.Context, s *Store, k kindOf[T], conversation string, ids []string) ([]T, error) {
	type item struct {
		d   T
		pos int
	}
	var items []item
	for pos, id := range ids {
		d, err := get[T, P](ctx, s, k, id)
		if errors.Is(err, ErrNotFound) {
			continue // expired
		}
		if err != nil {
			return nil, err
		}
		if _, c := P(&d).ident(); c == conversation {
			items = append(items, item{d, pos})
		}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if c := P(&b.d).createdAt().Compare(P(&a.d).createdAt()); c != 0 {
			return c
		}
		return b.pos - a.pos
	})
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = it.d
	}
	return out, nil
}

func all[T any, P docPtr[T]](ctx context.Context, s *Store, k kindOf[T]) ([]T, error) {
	docs, err := s.records.List(ctx, k.kind)
	if err != nil {
		return nil, fmt.Errorf("list all %ss: %w", k.noun, err)
	}
	out := make([]T, 0, len(docs))
	for _, doc := range docs {
		d, err := decode[T](doc)
		if err != nil {
			return nil, fmt.Errorf("list all %ss: %w", k.noun, err)
		}
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(a, b T) int { return P(&a).createdAt().Compare(P(&b).createdAt()) })
	return out, nil
}

// owner reads the conversation of a stored record of type T.
func owner[T any](doc []byte) (string, error) {
	var d struct {
		Conversation string `json:"conversation"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return "", fmt.Errorf("decode %T: %w", *new(T), err)
	}
	return d.Conversation, nil
}

func decode[T any](doc []byte) (T, error) {
	var d T
	if err := json.Unmarshal(doc, &d); err != nil {
		return d, fmt.Errorf("decode %T: %w", d, err)
	}
	return d, nil
}

// clone is a deep copy of a record, so that fn can change it without touching the
// original's slices.
func clone[T any](d T) (T, error) {
	doc, err := json.Marshal(d)
	if err != nil {
		return d, err
	}
	return decode[T](doc)
}
