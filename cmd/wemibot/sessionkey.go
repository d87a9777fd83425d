package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/comune-milano/wemibot/records"
)

// sessionKeyKind is the record kind of the web chat's session key when
// WEMI_SESSION_SECRET is not set: one record, created by the first replica that needs
// it, so that every replica on the store and every restart sign and accept the same
// sessions. It holds no personal data.
const (
	sessionKeyKind = "web-session-key"
	sessionKeyID   = "v1"
)

// sessionKey is the key that signs the web chat's sessions: derived from
// WEMI_SESSION_SECRET when it is set, otherwise kept in the store.
func (c *cli) sessionKey(ctx context.Context, recs records.Records) ([]byte, error) {
	if c.cfg.SessionSecret != "" {
		sum := sha256.Sum256([]byte("wemibot web session key v1\x00" + c.cfg.SessionSecret))
		return sum[:], nil
	}
	key, err := recs.Update(ctx, sessionKeyKind, sessionKeyID, 0, func(old []byte) ([]byte, error) {
		if len(old) == 32 {
			return old, nil // another replica, or an earlier run, made it
		}
		fresh := make([]byte, 32)
		rand.Read(fresh)
		return fresh, nil
	})
	if err != nil {
		return nil, fmt.Errorf("the web chat's session key: %w", err)
	}
	return key, nil
}
