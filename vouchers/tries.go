package vouchers

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/comune-milano/wemibot/records"
)

// A voucher code is a bearer secret, and the holder's tax code its second factor:
// failed attempts are counted per code (a wrong tax code for a code that exists) and
// per booking (an unknown code or a wrong tax code: a booking belongs to one
// conversation, so this bounds the guesses of one citizen, whatever codes they try).
// After maxFailures within the lockout, both refuse with ErrLocked until the
// lockout has passed since the last failure. The counters are records with the
// lockout as TTL, shared by the replicas.

// tries is a counter of failed attempts.
type tries struct {
	Failures int `json:"failures"`
}

// checkTries returns ErrLocked when the code (id; "" for none) or the booking has
// failed too often.
func (s *Store) checkTries(ctx context.Context, id, booking string) error {
	keys := []string{"b:" + booking}
	if id != "" {
		keys = append(keys, "c:"+id)
	}
	for _, key := range keys {
		doc, err := s.records.Get(ctx, kindTries, key)
		if errors.Is(err, records.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read failed attempts: %w", err)
		}
		var t tries
		if json.Unmarshal(doc, &t) == nil && t.Failures >= s.maxFailures {
			return ErrLocked
		}
	}
	return nil
}

// failed counts a failed attempt on the code (id; "" for an unknown code) and for the
// booking, and returns why, the reason: it is the error a caller sees, so a store
// failure here is only joined to it.
func (s *Store) failed(ctx context.Context, id, booking string, reason error) error {
	keys := []string{"b:" + booking}
	if id != "" {
		keys = append(keys, "c:"+id)
	}
	var errs []error
	for _, key := range keys {
		_, err := s.records.Update(ctx, kindTries, key, s.lockout, func(old []byte) ([]byte, error) {
			var t tries
			if old != nil {
				_ = json.Unmarshal(old, &t) // a damaged counter starts again
			}
			t.Failures++
			return json.Marshal(t)
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("count a failed attempt: %w", err))
		}
	}
	return errors.Join(append([]error{reason}, errs...)...)
}

// equalHash compares two hashes in constant time.
func equalHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
