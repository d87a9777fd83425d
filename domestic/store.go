package domestic

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
	kindRequest     = "domestic-request"     // request id -> Request
	kindApplication = "domestic-application" // application id -> Application
	kindIndex       = "domestic-of"          // conversation -> index
)

// MaxPerConversation bounds the requests, and separately the applications, one
// conversation keeps. Records that expired make room again.
const MaxPerConversation = 20

// index lists a conversation's requests and applications, oldest first.
type index struct {
	Requests     []string `json:"requests,omitempty"`
	Applications []string `json:"applications,omitempty"`
}

var (
	// errKeep aborts a records Update without writing anything.
	errKeep = errors.New("domestic: keep the record as it is")
	// errStale aborts an Update whose expiry was chosen for another outcome.
	errStale = errors.New("domestic: the record changed meanwhile")
)

// Store keeps requests and applications in the shared records, with an index per
// conversation, so that every replica sees the same ones. Personal data is kept
// only while a record is open plus a retention period: every write sets a record's
// expiry to openTTL from the write while it is open, and to retention after Closed
// once it is closed. It is safe for concurrent use.
type Store struct {
	records   records.Records
	openTTL   time.Duration
	retention time.Duration
	now       func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock the Store measures retention with; it should be the
// records' own clock. The default is time.Now.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// NewStore returns the requests and applications kept in recs. openTTL is how long
// an open record is kept after its last change (a record nobody touches for that
// long expires); retention is how long a closed one is kept after it closed. A zero
// duration keeps records until Forget.
func NewStore(recs records.Records, openTTL, retention time.Duration, opts ...Option) *Store {
	s := &Store{records: recs, openTTL: openTTL, retention: retention, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// CreateRequest stores a new request, which must be inviata (an empty Status counts
// as inviata) and pass Validate, and adds it to its conversation's index. Creating it
// again with the same id and conversation changes nothing and succeeds, so a failed
// create can be retried; an id another conversation's record has is ErrExists; a
// conversation already keeping MaxPerConversation requests gets ErrTooMany.
func (s *Store) CreateRequest(ctx context.Context, r Request) error {
	return create(ctx, s, requests(), r)
}

// GetRequest returns a request, ErrNotFound when there is none (or id is not an id).
func (s *Store) GetRequest(ctx context.Context, id string) (Request, error) {
	return get(ctx, s, requests(), id)
}

// UpdateRequest changes a request atomically: fn gets the request as stored and
// changes it in place; the change is stored when fn returns nil and the result passes
// Validate (the id and the conversation may not change). fn may run more than once,
// so it must have no side effects beyond the request. UpdateRequest returns the
// request as stored; when fn or the validation fails it returns that error, wrapped,
// with the request as it is. ErrNotFound when there is no such request.
func (s *Store) UpdateRequest(ctx context.Context, id string, fn func(*Request) error) (Request, error) {
	return update(ctx, s, requests(), id, fn)
}

// CreateApplication stores a new application, which must be inviata (an empty Status
// counts as inviata) and pass Validate (so it needs Consent); otherwise as
// CreateRequest.
func (s *Store) CreateApplication(ctx context.Context, a Application) error {
	return create(ctx, s, applications(), a)
}

// GetApplication returns an application, ErrNotFound when there is none.
func (s *Store) GetApplication(ctx context.Context, id string) (Application, error) {
	return get(ctx, s, applications(), id)
}

// UpdateApplication changes an application atomically, as UpdateRequest does a
// request.
func (s *Store) UpdateApplication(ctx context.Context, id string, fn func(*Application) error) (Application, error) {
	return update(ctx, s, applications(), id, fn)
}

// ByConversation returns a conversation's live requests and applications, newest
// first.
func (s *Store) ByConversation(ctx context.Context, conversation string) ([]Request, []Application, error) {
	ix, err := s.index(ctx, conversation)
	if err != nil {
		return nil, nil, fmt.Errorf("list domestic records: %w", err)
	}
	reqs, err := listed(ctx, s, requests(), conversation, ix.Requests)
	if err != nil {
		return nil, nil, fmt.Errorf("list domestic requests: %w", err)
	}
	apps, err := listed(ctx, s, applications(), conversation, ix.Applications)
	if err != nil {
		return nil, nil, fmt.Errorf("list domestic applications: %w", err)
	}
	return reqs, apps, nil
}

// AllRequests returns every live request, oldest first, at most records.MaxList.
func (s *Store) AllRequests(ctx context.Context) ([]Request, error) { return all(ctx, s, requests()) }

// AllApplications returns every live application, oldest first, at most
// records.MaxList.
func (s *Store) AllApplications(ctx context.Context) ([]Application, error) {
	return all(ctx, s, applications())
}

// Forget erases every request and application of a conversation, and its index: the
// right to erasure. It tries every record before it reports what failed; the index
// goes only once its records have, so that calling Forget again finishes the job.
func (s *Store) Forget(ctx context.Context, conversation string) error {
	ix, err := s.index(ctx, conversation)
	if err != nil {
		return fmt.Errorf("forget domestic records: %w", err)
	}
	var errs []error
	for _, id := range ix.Requests {
		_, err := s.erase(ctx, kindRequest, id, conversation, requests().conversation)
		errs = append(errs, err)
	}
	for _, id := range ix.Applications {
		_, err := s.erase(ctx, kindApplication, id, conversation, applications().conversation)
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("forget domestic records: %w", err)
	}
	// A record created meanwhile stays listed, so that a later Forget finds it.
	if err := s.unindex(ctx, conversation, ix); err != nil {
		return fmt.Errorf("forget domestic records: index: %w", err)
	}
	return nil
}

// Delete erases one request or application of a conversation (id names either) and
// takes it off the conversation's index: the right to erasure for a single record.
// ErrNotFound when the conversation has no live record with that id.
func (s *Store) Delete(ctx context.Context, conversation, id string) error {
	if !ValidID(id) || conversation == "" {
		return fmt.Errorf("delete domestic record: %w", ErrNotFound)
	}
	gotRequest, err := s.erase(ctx, kindRequest, id, conversation, requests().conversation)
	if err != nil {
		return fmt.Errorf("delete domestic record: %w", err)
	}
	gotApplication, err := s.erase(ctx, kindApplication, id, conversation, applications().conversation)
	if err != nil {
		return fmt.Errorf("delete domestic record: %w", err)
	}
	if err := s.unindex(ctx, conversation, index{Requests: []string{id}, Applications: []string{id}}); err != nil {
		return fmt.Errorf("delete domestic record %s: index: %w", id, err)
	}
	if !gotRequest && !gotApplication {
		return fmt.Errorf("delete domestic record %s: %w", id, ErrNotFound)
	}
	return nil
}

// unindex takes ids off a conversation's index, deleting the index once it is empty.
func (s *Store) unindex(ctx context.Context, conversation string, drop index) error {
	if len(drop.Requests)+len(drop.Applications) == 0 {
		return nil
	}
	_, err := s.records.Update(ctx, kindIndex, conversation, s.indexTTL(), func(old []byte) ([]byte, error) {
		left, err := decodeIndex(old)
		if err != nil || old == nil {
			return nil, err
		}
		left.Requests = slices.DeleteFunc(left.Requests, func(id string) bool { return slices.Contains(drop.Requests, id) })
		left.Applications = slices.DeleteFunc(left.Applications, func(id string) bool { return slices.Contains(drop.Applications, id) })
		if len(left.Requests)+len(left.Applications) == 0 {
			return nil, nil
		}
		return json.Marshal(left)
	})
	return err
}

// erase deletes a record if it belongs to the conversation, reporting whether it did.
func (s *Store) erase(ctx context.Context, kind, id, conversation string, owner func([]byte) (string, error)) (bool, error) {
	if !ValidID(id) {
		return false, nil // never stored
	}
	_, err := s.records.Update(ctx, kind, id, s.indexTTL(), func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, errKeep
		}
		conv, err := owner(old)
		if err != nil {
			return nil, err
		}
		if conv != conversation {
			return nil, errKeep
		}
		return nil, nil
	})
	switch {
	case errors.Is(err, errKeep):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("erase %s %s: %w", kind, id, err)
	}
	return true, nil
}

// ttl is the expiry a record gets when written now: openTTL while it is open,
// what is left of the retention once it is closed (at least a second: a zero TTL
// would keep it forever).
func (s *Store) ttl(closed time.Time) time.Duration {
	switch {
	case closed.IsZero():
		return s.openTTL
	case s.retention == 0:
		return 0
	}
	return max(closed.Add(s.retention).Sub(s.now()), time.Second)
}

// indexTTL is the expiry of a conversation's index when written now: as long as any
// record it lists can live, so that it outlives them.
func (s *Store) indexTTL() time.Duration {
	if s.openTTL == 0 || s.retention == 0 {
		return 0
	}
	return max(s.openTTL, s.retention)
}

// index returns a conversation's index; an empty one when there is none.
func (s *Store) index(ctx context.Context, conversation string) (index, error) {
	if conversation == "" || len(conversation) > maxConv {
		return index{}, nil // Validate refuses such a conversation: it has no records
	}
	doc, err := s.read(ctx, kindIndex, conversation)
	if err != nil {
		return index{}, err
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

func decodeIndex(doc []byte) (index, error) {
	var ix index
	if doc == nil {
		return ix, nil
	}
	if err := json.Unmarshal(doc, &ix); err != nil {
		return index{}, fmt.Errorf("decode domestic index: %w", err)
	}
	return ix, nil
}
