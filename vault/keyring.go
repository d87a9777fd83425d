package vault

import (
	"bytes"
	"context"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/records"
)

// Layout of sealed data: a magic byte that no JSON document or UTF-8 text starts with
// (so that data stored before encryption is told apart), a version, the DEK's
// pseudonym and generation, then the nonce and the ciphertext. The header is
// authenticated with the data.
const (
	magic         = 0xA7
	version       = 1
	pseudonymSize = 16
	genSize       = 4
	headerSize    = 2 + pseudonymSize + genSize
)

// maxLoads bounds the keys one Keyring.Do fetches: a record update needs at most two
// (the old document's and the new one's), a few more cover a DEK shredded and created
// again meanwhile.
const maxLoads = 8

// IsSealed reports whether b is what Seal returns, rather than data stored in clear
// (before the vault was in place).
func IsSealed(b []byte) bool {
	return len(b) >= headerSize && b[0] == magic && b[1] == version
}

// Keyring seals and opens without calling the store, for use where calling it is not
// allowed: inside a records.Records.Update's function, which runs in the store's
// transaction. A Seal or Open that needs a DEK not yet at hand returns an error for
// which Do fetches the DEK and tries again, outside the transaction. A Keyring keeps
// the DEKs it was given until it is dropped; it is for one call, from one goroutine.
type Keyring struct {
	v    *Vault
	keys map[string]*dataKey // by pseudonym; nil: the DEK is gone
}

// dataKey is an unwrapped DEK.
type dataKey struct {
	aead cipher.AEAD
	gen  [genSize]byte
	at   time.Time // when the store's copy was last renewed
}

// missingKeyError is what a Keyring returns for a DEK it does not hold.
type missingKeyError struct {
	id     string
	create bool // for a Seal: create the DEK if it is gone, or renew it
}

func (e *missingKeyError) Error() string { return "vault: data key not loaded" }

// Keyring returns an empty Keyring of v.
func (v *Vault) Keyring() *Keyring {
	return &Keyring{v: v, keys: map[string]*dataKey{}}
}

// Do calls fn, which uses k's Seal and Open, and again each time it failed for want of
// a DEK, after fetching that DEK (creating it for a Seal), a few times at most. It
// returns fn's last error.
func (k *Keyring) Do(ctx context.Context, fn func() error) error {
	for i := 0; ; i++ {
		err := fn()
		var missing *missingKeyError
		if !errors.As(err, &missing) {
			return err
		}
		if i >= maxLoads {
			return fmt.Errorf("vault: data keys keep changing: %w", err)
		}
		if err := k.load(ctx, missing); err != nil {
			return err
		}
	}
}

// lookup returns the DEK id from the Keyring or else the vault's cache, and whether it
// is known (a known nil DEK is gone).
func (k *Keyring) lookup(id string) (*dataKey, bool) {
	if key, ok := k.keys[id]; ok {
		return key, true
	}
	if key := k.v.cache.get(id); key != nil {
		k.keys[id] = key // kept for the rest of the call, whatever the cache does
		return key, true
	}
	return nil, false
}

// Seal encrypts plain with subject's DEK, if at hand.
func (k *Keyring) Seal(subject string, plain []byte) ([]byte, error) {
	id := k.v.pseudonym(subject)
	key, _ := k.lookup(id)
	if key == nil || k.v.now().Sub(key.at) > k.v.keyTTL/8 {
		return nil, &missingKeyError{id: id, create: true}
	}
	header := make([]byte, headerSize, headerSize+key.aead.NonceSize()+len(plain)+key.aead.Overhead())
	header[0], header[1] = magic, version
	raw, _ := hex.DecodeString(id)
	copy(header[2:], raw)
	copy(header[2+pseudonymSize:], key.gen[:])
	return append(header, sealWith(key.aead, plain, header)...), nil
}

// Open decrypts sealed, if its DEK is at hand. It returns ErrShredded when the DEK is
// gone, or was created again since sealed was (another generation).
func (k *Keyring) Open(sealed []byte) ([]byte, error) {
	if !IsSealed(sealed) {
		return nil, fmt.Errorf("%w: not sealed data", ErrCorrupt)
	}
	id := hex.EncodeToString(sealed[2 : 2+pseudonymSize])
	key, known := k.lookup(id)
	switch {
	case !known:
		return nil, &missingKeyError{id: id}
	case key == nil || !bytes.Equal(key.gen[:], sealed[2+pseudonymSize:headerSize]):
		return nil, ErrShredded
	}
	plain, err := openWith(key.aead, sealed[headerSize:], sealed[:headerSize])
	if err != nil {
		return nil, err
	}
	return plain, nil
}

// load fetches a missing DEK into the Keyring, and into the vault's cache unless a
// shred came in meanwhile.
func (k *Keyring) load(ctx context.Context, m *missingKeyError) error {
	epoch := k.v.cache.epoch()
	var key *dataKey
	var err error
	if m.create {
		key, err = k.v.ensure(ctx, m.id)
	} else {
		key, err = k.v.fetch(ctx, m.id)
	}
	if err != nil {
		return err
	}
	k.keys[m.id] = key
	if key != nil {
		k.v.cache.put(m.id, key, epoch)
	}
	return nil
}

// fetch reads and unwraps the DEK id; nil when there is none.
func (v *Vault) fetch(ctx context.Context, id string) (*dataKey, error) {
	stored, err := v.keys.Get(ctx, KeyKind, id)
	switch {
	case errors.Is(err, records.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("vault: read a data key: %w", err)
	}
	return v.toDataKey(id, stored)
}

// ensure returns the DEK id, creating it when there is none and renewing its expiry
// when it was last renewed more than an eighth of KeyTTL ago.
func (v *Vault) ensure(ctx context.Context, id string) (*dataKey, error) {
	if stored, err := v.keys.Get(ctx, KeyKind, id); err == nil {
		key, err := v.toDataKey(id, stored)
		if err != nil || v.now().Sub(key.at) <= v.keyTTL/8 {
			return key, err
		}
	} else if !errors.Is(err, records.ErrNotFound) {
		return nil, fmt.Errorf("vault: read a data key: %w", err)
	}
	stored, err := v.keys.Update(ctx, KeyKind, id, v.keyTTL, func(old []byte) ([]byte, error) {
		if old == nil {
			return v.wrap(id, newKey())
		}
		w, err := renewed(old, v.now())
		if err != nil {
			return nil, fmt.Errorf("vault: data key %s: %w", id, err)
		}
		return w, nil
	})
	if err != nil {
		return nil, fmt.Errorf("vault: store a data key: %w", err)
	}
	return v.toDataKey(id, stored)
}

// toDataKey unwraps a stored DEK.
func (v *Vault) toDataKey(id string, stored []byte) (*dataKey, error) {
	raw, w, err := v.unwrap(id, stored)
	if err != nil {
		return nil, err
	}
	gen, err := hex.DecodeString(w.Gen)
	if err != nil || len(gen) != genSize {
		return nil, fmt.Errorf("vault: data key generation: %w", ErrCorrupt)
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, fmt.Errorf("vault: data key: %w", ErrCorrupt)
	}
	key := &dataKey{aead: aead, at: time.Unix(w.At, 0)}
	copy(key.gen[:], gen)
	return key, nil
}
