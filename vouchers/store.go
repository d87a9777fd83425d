package vouchers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/records"
)

// Record kinds the Store keeps. Neither holds personal data (vault/sealed stores them
// in clear): a voucher names its holder by a keyed hash and its spends by booking id.
const (
	kindVoucher = "voucher"       // keyed hash of the code -> Voucher
	kindTries   = "voucher-tries" // "c:"+code hash or "b:"+booking -> failed attempts
)

// MinKeyBytes is the shortest key NewStore takes.
const MinKeyBytes = 16

// Defaults of a Store's options.
const (
	// DefaultRetention is how long a voucher is kept after its validity ends: the
	// Comune's accounts of a year are closed well within it.
	DefaultRetention = 2 * 365 * 24 * time.Hour
	// DefaultMaxFailures is how many failed attempts lock a code, or a booking.
	DefaultMaxFailures = 5
	// DefaultLockout is how long failures are remembered: a lock ends this long
	// after the last failure.
	DefaultLockout = time.Hour
)

// errKeep aborts a records Update without writing anything.
var errKeep = errors.New("vouchers: keep the record as it is")

// Store keeps the vouchers in the shared records, so that every replica sees the
// same balances: each change is one atomic records Update. It is safe for
// concurrent use.
type Store struct {
	records     records.Records
	key         []byte
	now         func() time.Time
	loc         *time.Location
	retention   time.Duration
	maxFailures int
	lockout     time.Duration
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock; the default is time.Now.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithLocation sets the time zone whose days validity counts in; the default is
// Europe/Rome.
func WithLocation(loc *time.Location) Option { return func(s *Store) { s.loc = loc } }

// WithRetention sets how long a voucher is kept after its validity ends.
func WithRetention(d time.Duration) Option { return func(s *Store) { s.retention = d } }

// WithAttempts sets how many failed attempts lock a code or a booking, and for how
// long after the last one.
func WithAttempts(max int, lockout time.Duration) Option {
	return func(s *Store) { s.maxFailures, s.lockout = max, lockout }
}

// NewStore returns the vouchers kept in recs. key (at least MinKeyBytes, secret,
// the same on every replica and kept as long as the vouchers) keys the hashes that
// stand for codes and tax codes: without it they cannot be matched, with it they
// can only be checked, not read back.
func NewStore(recs records.Records, key []byte, opts ...Option) (*Store, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("vouchers: a key of %d bytes, want at least %d", len(key), MinKeyBytes)
	}
	s := &Store{records: recs, key: key, now: time.Now, retention: DefaultRetention,
		maxFailures: DefaultMaxFailures, lockout: DefaultLockout}
	for _, o := range opts {
		o(s)
	}
	if s.loc == nil {
		loc, err := time.LoadLocation("Europe/Rome")
		if err != nil {
			return nil, fmt.Errorf("vouchers: load Europe/Rome: %w", err)
		}
		s.loc = loc
	}
	return s, nil
}

// hash is the keyed hash of a value of a purpose ("code", "holder"), hex-encoded.
func (s *Store) hash(purpose, value string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("wemibot voucher " + purpose + " v1\x00" + value))
	return hex.EncodeToString(m.Sum(nil))
}

// idOf returns the record id of a code, "" when the code has no voucher's shape.
func (s *Store) idOf(code string) string {
	c := canonicalCode(code)
	if !validCode(c) {
		return ""
	}
	return s.hash("code", c)[:32]
}

// holderOf returns the keyed hash of a tax code.
func (s *Store) holderOf(taxCode string) string { return s.hash("holder", canonicalTaxCode(taxCode)) }

// Get returns the voucher of a code as it stands now (an imported voucher whose
// validity has started shows as active); ErrUnknown when there is none.
func (s *Store) Get(ctx context.Context, code string) (Voucher, error) {
	id := s.idOf(code)
	if id == "" {
		return Voucher{}, fmt.Errorf("get voucher: %w", ErrUnknown)
	}
	doc, err := s.records.Get(ctx, kindVoucher, id)
	switch {
	case errors.Is(err, records.ErrNotFound):
		return Voucher{}, fmt.Errorf("get voucher: %w", ErrUnknown)
	case err != nil:
		return Voucher{}, fmt.Errorf("get voucher: %w", err)
	}
	v, err := decode(doc)
	if err != nil {
		return Voucher{}, fmt.Errorf("get voucher: %w", err)
	}
	v.activate(s.now(), s.loc)
	return v, nil
}

// Location is the time zone the Store counts validity in.
func (s *Store) Location() *time.Location { return s.loc }

// Cancel makes a voucher annullato, remembering its state for Restore; spends already
// made stay. ErrCancelled when it already is; by names the operator.
func (s *Store) Cancel(ctx context.Context, code, by string) (Voucher, error) {
	v, err := s.change(ctx, code, func(v *Voucher, now time.Time) error {
		if v.State == Cancelled {
			return ErrCancelled
		}
		v.Before, v.State = v.State, Cancelled
		v.record(Event{At: now, What: EventCancelled, By: by, State: Cancelled})
		return nil
	})
	if err != nil {
		return v, fmt.Errorf("cancel voucher: %w", err)
	}
	return v, nil
}

// Restore brings a cancelled voucher back to the state it had before (active, if its
// validity started meanwhile). ErrNotCancelled when it is not cancelled.
func (s *Store) Restore(ctx context.Context, code, by string) (Voucher, error) {
	v, err := s.change(ctx, code, func(v *Voucher, now time.Time) error {
		if v.State != Cancelled {
			return ErrNotCancelled
		}
		v.State, v.Before = v.Before, ""
		if v.State == "" {
			v.State = Imported
		}
		v.record(Event{At: now, What: EventRestored, By: by, State: v.State})
		v.activate(now, s.loc)
		return nil
	})
	if err != nil {
		return v, fmt.Errorf("restore voucher: %w", err)
	}
	return v, nil
}

// change applies fn to a voucher in one atomic update, after activating it, and
// returns it as stored; when fn fails, the voucher as it is and fn's error.
func (s *Store) change(ctx context.Context, code string, fn func(v *Voucher, now time.Time) error) (Voucher, error) {
	current, err := s.Get(ctx, code) // also the voucher's expiry, which fn never moves
	if err != nil {
		return current, err
	}
	now := s.now()
	var after Voucher
	_, err = s.records.Update(ctx, kindVoucher, current.ID, s.ttlFor(current.Until, now), func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, ErrUnknown
		}
		v, err := decode(old)
		if err != nil {
			return nil, err
		}
		v.activate(now, s.loc)
		current = v
		if v, err = decode(old); err != nil { // a copy fn may change
			return nil, err
		}
		v.activate(now, s.loc)
		if err := fn(&v, now); err != nil {
			return nil, err
		}
		v.Updated = now
		after = v
		return encode(v)
	})
	if err != nil {
		return current, err
	}
	return after, nil
}

// ttlFor is how long a voucher valid until the day until is kept from now: until
// the end of its validity plus the retention period, and at least a day.
func (s *Store) ttlFor(until string, now time.Time) time.Duration {
	day, err := time.ParseInLocation(time.DateOnly, until, s.loc)
	if err != nil {
		return s.retention
	}
	return max(day.AddDate(0, 0, 1).Add(s.retention).Sub(now), 24*time.Hour)
}

// encode marshals a voucher, checking that it fits a record.
func encode(v Voucher) ([]byte, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode voucher: %w", err)
	}
	return doc, records.ValidateDoc(doc)
}

func decode(doc []byte) (Voucher, error) {
	var v Voucher
	if err := json.Unmarshal(doc, &v); err != nil {
		return Voucher{}, fmt.Errorf("decode voucher: %w", err)
	}
	return v, nil
}

// isNotFound reports whether a records error means there is no such record.
func isNotFound(err error) bool { return errors.Is(err, records.ErrNotFound) }
