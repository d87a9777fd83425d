package vouchers

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxBooking bounds a booking id.
const maxBooking = 64

// errSame ends a Spend's update without writing: the booking already holds a spend.
var errSame = errors.New("vouchers: the booking already spent")

// Spend takes up to cents from the voucher code, whose holder has taxCode, for
// booking, and returns what it took (less when the balance is smaller) and the code
// masked for receipts. It is atomic across replicas, so a balance is spent once
// however many ask at the same time, and idempotent per booking: a booking whose
// spend holds gets the same amount again, without taking more. A booking whose
// spend was given back (Unspend) may spend again.
//
// It refuses, with these errors wrapped: ErrUnknown, ErrHolder, ErrLocked (too many
// failed attempts on the code, or for the booking, within the lockout), ErrCancelled,
// ErrNotYetValid, ErrExpired, ErrSpent, ErrTooManySpends, ErrInvalid (cents not
// positive, a bad booking id). Unknown codes and wrong tax codes count as failed
// attempts.
func (s *Store) Spend(ctx context.Context, code, taxCode, booking string, cents int) (spent int, masked string, err error) {
	if cents <= 0 || booking == "" || len(booking) > maxBooking {
		return 0, "", fmt.Errorf("spend voucher: %w", ErrInvalid)
	}
	id := s.idOf(code)
	if err := s.checkTries(ctx, id, booking); err != nil {
		return 0, "", fmt.Errorf("spend voucher: %w", err)
	}
	current, err := s.Get(ctx, code)
	if errors.Is(err, ErrUnknown) {
		return 0, "", fmt.Errorf("spend voucher: %w", s.failed(ctx, "", booking, ErrUnknown))
	}
	if err != nil {
		return 0, "", fmt.Errorf("spend voucher: %w", err)
	}
	holder := s.holderOf(taxCode)
	if !ValidTaxCode(taxCode) || !equalHash(current.Holder, holder) {
		return 0, "", fmt.Errorf("spend voucher: %w", s.failed(ctx, id, booking, ErrHolder))
	}
	now := s.now()
	_, err = s.records.Update(ctx, kindVoucher, id, s.ttlFor(current.Until, now), func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, ErrUnknown
		}
		v, err := decode(old)
		if err != nil {
			return nil, err
		}
		if !equalHash(v.Holder, holder) { // re-imported for someone else meanwhile
			return nil, ErrHolder
		}
		if i := v.spendOf(booking); i >= 0 {
			spent = v.Spends[i].Cents
			return nil, errSame
		}
		v.activate(now, s.loc)
		if err := v.usable(now, s.loc); err != nil {
			return nil, err
		}
		spent = min(cents, v.BalanceCents)
		if err := v.addSpend(Spend{Booking: booking, Cents: spent, At: now}); err != nil {
			return nil, err
		}
		v.BalanceCents -= spent
		v.record(Event{At: now, What: EventSpent, Booking: booking, Cents: spent, State: v.State})
		v.Updated = now
		return encode(v)
	})
	switch {
	case errors.Is(err, errSame):
		return spent, current.Masked, nil
	case err != nil:
		return 0, "", fmt.Errorf("spend voucher: %w", err)
	}
	return spent, current.Masked, nil
}

// Unspend gives back to the voucher what booking took from it (a refund, a payment
// the citizen did not complete). It gives it back once: a booking with no spend that
// holds changes nothing and is no error. ErrUnknown for an unknown code; a
// cancelled or expired voucher takes its balance back all the same.
func (s *Store) Unspend(ctx context.Context, code, booking string) error {
	if booking == "" || len(booking) > maxBooking {
		return fmt.Errorf("unspend voucher: %w", ErrInvalid)
	}
	_, err := s.change(ctx, code, func(v *Voucher, now time.Time) error {
		i := v.spendOf(booking)
		if i < 0 {
			return errKeep
		}
		v.Spends[i].Returned = now
		v.BalanceCents += v.Spends[i].Cents
		v.record(Event{At: now, What: EventReturned, Booking: booking, Cents: v.Spends[i].Cents, State: v.State})
		return nil
	})
	if err != nil && !errors.Is(err, errKeep) {
		return fmt.Errorf("unspend voucher: %w", err)
	}
	return nil
}
