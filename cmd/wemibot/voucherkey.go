package main

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/comune-milano/wemibot/records"
	"github.com/comune-milano/wemibot/vouchers"
)

// voucherKeyKind is the record kind of the key that hashes voucher codes and
// holders' tax codes: one record, created by the first replica (or command) that
// needs it, so that every replica and every run match the same hashes. It is not
// derived from the key-encryption key, which rotates: the hashes must outlive a
// rotation. It holds no personal data.
const (
	voucherKeyKind = "voucher-key"
	voucherKeyID   = "v1"
)

// openVouchers returns the Comune's vouchers kept in recs, keyed by the store's
// voucher key.
func openVouchers(ctx context.Context, recs records.Records) (*vouchers.Store, error) {
	key, err := recs.Update(ctx, voucherKeyKind, voucherKeyID, 0, func(old []byte) ([]byte, error) {
		switch {
		case len(old) == 32:
			return old, nil // another replica, or an earlier run, made it
		case old != nil:
			// A new key would orphan every voucher imported: stop instead.
			return nil, fmt.Errorf("the stored key has %d bytes, want 32", len(old))
		}
		fresh := make([]byte, 32)
		rand.Read(fresh)
		return fresh, nil
	})
	if err != nil {
		return nil, fmt.Errorf("the vouchers' key: %w", err)
	}
	return vouchers.NewStore(recs, key)
}
