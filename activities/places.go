// Package activities keeps what the catalogue's dated activities need at run time:
// the places taken in each session, in the shared records (package records), so that
// every replica sees the same places left and an enrolment never takes the last
// place twice. It imports no platform SDK.
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/records"
)

// kindPlaces is the records kind of a session's places: id "<activity>:<session>".
const kindPlaces = "activity-places"

// MaxPlaces bounds the places one enrolment takes (a family enrolling siblings).
const MaxPlaces = 6

// keepAfter is how long a session's count is kept after its last day, for staff
// questions; then the store forgets it.
const keepAfter = 30 * 24 * time.Hour

// Errors of Places. They are wrapped with the operation.
var (
	// ErrFull means the session has fewer places left than asked for.
	ErrFull = errors.New("activities: not enough places left")
	// ErrUnknownSession means the activity has no session with that id.
	ErrUnknownSession = errors.New("activities: no such session")
	// ErrInvalid means a request that can never succeed (no places, too many, no id).
	ErrInvalid = errors.New("activities: invalid enrolment")
)

// placesDoc is a session's record: who holds places, so that taking again with the
// same enrolment id (a retried request, a redelivered update) takes nothing more.
type placesDoc struct {
	Holds map[string]int `json:"holds"`
}

func (d placesDoc) taken() int {
	n := 0
	for _, k := range d.Holds {
		n += k
	}
	return n
}

// Places counts the places taken in activities' sessions. It is safe for concurrent
// use, and across replicas as far as the records store is (Redis, bbolt).
type Places struct {
	records records.Records
	now     func() time.Time
}

// NewPlaces returns the places kept in recs; now is the clock, which says when a
// session's count may be forgotten (nil: time.Now).
func NewPlaces(recs records.Records, now func() time.Time) *Places {
	if now == nil {
		now = time.Now
	}
	return &Places{records: recs, now: now}
}

// Take holds n places of a session for an enrolment (a booking id) and returns how
// many are left. Taking again for the same enrolment changes nothing and succeeds
// (n must be the same; a different n updates the hold when places allow). When the
// session has fewer than n places left it returns ErrFull and the places left.
func (p *Places) Take(ctx context.Context, a *catalogue.Activity, sessionID, enrolment string, n int) (left int, err error) {
	session, err := p.check(a, sessionID, enrolment)
	if err != nil {
		return 0, fmt.Errorf("take places in %s: %w", a.ID, err)
	}
	if n < 1 || n > MaxPlaces {
		return 0, fmt.Errorf("take %d places in %s: %w (1 to %d)", n, a.ID, ErrInvalid, MaxPlaces)
	}
	errFull := fmt.Errorf("take %d places in %s %s: %w", n, a.ID, sessionID, ErrFull)
	stored, err := p.records.Update(ctx, kindPlaces, recordID(a.ID, sessionID), p.ttl(session), func(old []byte) ([]byte, error) {
		doc, err := decode(old)
		if err != nil {
			return nil, err
		}
		if doc.Holds[enrolment] == n {
			return old, nil
		}
		left = a.Capacity - (doc.taken() - doc.Holds[enrolment])
		if left < n {
			return nil, errFull
		}
		doc.Holds[enrolment] = n
		return json.Marshal(doc)
	})
	if errors.Is(err, ErrFull) {
		return max(left, 0), err
	}
	if err != nil {
		return 0, fmt.Errorf("take places in %s %s: %w", a.ID, sessionID, err)
	}
	doc, err := decode(stored)
	if err != nil {
		return 0, fmt.Errorf("take places in %s %s: %w", a.ID, sessionID, err)
	}
	return max(a.Capacity-doc.taken(), 0), nil
}

// Release gives back an enrolment's places (a cancelled or refused enrolment).
// Releasing what is not held succeeds, so it can be retried.
func (p *Places) Release(ctx context.Context, a *catalogue.Activity, sessionID, enrolment string) error {
	session, err := p.check(a, sessionID, enrolment)
	if err != nil {
		return fmt.Errorf("release places in %s: %w", a.ID, err)
	}
	errNothing := errors.New("nothing held")
	_, err = p.records.Update(ctx, kindPlaces, recordID(a.ID, sessionID), p.ttl(session), func(old []byte) ([]byte, error) {
		doc, err := decode(old)
		if err != nil {
			return nil, err
		}
		if _, ok := doc.Holds[enrolment]; !ok {
			return nil, errNothing
		}
		delete(doc.Holds, enrolment)
		return json.Marshal(doc)
	})
	if err != nil && !errors.Is(err, errNothing) {
		return fmt.Errorf("release places in %s %s: %w", a.ID, sessionID, err)
	}
	return nil
}

// Left returns the places left in a session: the activity's capacity minus the
// places held (never below zero, even when the capacity was lowered after).
func (p *Places) Left(ctx context.Context, a *catalogue.Activity, sessionID string) (int, error) {
	if _, ok := a.SessionByID(sessionID); !ok {
		return 0, fmt.Errorf("places left in %s %s: %w", a.ID, sessionID, ErrUnknownSession)
	}
	doc, err := p.records.Get(ctx, kindPlaces, recordID(a.ID, sessionID))
	switch {
	case errors.Is(err, records.ErrNotFound):
		return a.Capacity, nil
	case err != nil:
		return 0, fmt.Errorf("places left in %s %s: %w", a.ID, sessionID, err)
	}
	d, err := decode(doc)
	if err != nil {
		return 0, fmt.Errorf("places left in %s %s: %w", a.ID, sessionID, err)
	}
	return max(a.Capacity-d.taken(), 0), nil
}

// LeftBySession returns the places left in each of the activity's sessions, by
// session id.
func (p *Places) LeftBySession(ctx context.Context, a *catalogue.Activity) (map[string]int, error) {
	out := make(map[string]int, len(a.Sessions))
	for _, s := range a.Sessions {
		n, err := p.Left(ctx, a, s.ID)
		if err != nil {
			return nil, err
		}
		out[s.ID] = n
	}
	return out, nil
}

func (p *Places) check(a *catalogue.Activity, sessionID, enrolment string) (catalogue.Session, error) {
	s, ok := a.SessionByID(sessionID)
	if !ok {
		return s, fmt.Errorf("session %q: %w", sessionID, ErrUnknownSession)
	}
	if enrolment == "" || len(enrolment) > 64 {
		return s, fmt.Errorf("enrolment id: %w", ErrInvalid)
	}
	return s, nil
}

// ttl keeps a session's count until keepAfter past its last day.
func (p *Places) ttl(s catalogue.Session) time.Duration {
	// UTC rather than Milan's zone: two hours either way do not matter a month on.
	until := s.Last.AddDays(1).In(time.UTC).Add(keepAfter)
	return max(until.Sub(p.now()), time.Hour)
}

func recordID(activity, session string) string { return activity + ":" + session }

func decode(doc []byte) (placesDoc, error) {
	d := placesDoc{}
	if doc != nil {
		if err := json.Unmarshal(doc, &d); err != nil {
			return d, fmt.Errorf("decode places: %w", err)
		}
	}
	if d.Holds == nil {
		d.Holds = map[string]int{}
	}
	return d, nil
}
