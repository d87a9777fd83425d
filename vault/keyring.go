package vault

import (
	"bytes"
	"context"
	"crypto/cipher"
	"encoding/hex"
	"encoding/json"
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
	// until is when the store's copy expires.
	until time.Time
}

// missingKeyError is what a Keyring returns for a DEK it does not hold.
type missingKeyError struct {
	id     string
	create bool          // for a Seal: create the DEK if it is gone, or renew it
	keep   time.Duration // for a Seal: how long the data sealed is kept
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

// Seal encrypts plain with subject's DEK, if at hand, for data kept up to KeyTTL:
// SealFor with keep 0.
func (k *Keyring) Seal(subject string, plain []byte) ([]byte, error) {
	return k.SealFor(subject, plain, 0)
}

// SealFor encrypts plain with subject's DEK, for data kept at most keep (0 or less:
// KeyTTL), if the DEK is at hand and its stored copy lives long enough (see lastsFor);
// otherwise Do creates or renews it, and then it lives min(KeyTTL, max(2×keep,
// MinKeyTTL)) from now, or longer if it already did.
func (k *Keyring) SealFor(subject string, plain []byte, keep time.Duration) ([]byte, error) {
	id := k.v.pseudonym(subject)
	key, _ := k.lookup(id)
	if key == nil || !k.v.lastsFor(key.until, keep) {
		return nil, &missingKeyError{id: id, create: true, keep: keep}
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
		key, err = k.v.ensure(ctx, m.id, m.keep)
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

// keepOf is the lifetime of data sealed with keep: KeyTTL for 0, less or more.
func (v *Vault) keepOf(keep time.Duration) time.Duration {
	if keep <= 0 || keep > v.keyTTL {
		return v.keyTTL
	}
	return keep
}

// lifetime is how long a DEK is stored for when it is created or renewed to seal data
// kept keep: twice keep, so that sealing such data renews it about every keep at
// most, within MinKeyTTL and KeyTTL.
func (v *Vault) lifetime(keep time.Duration) time.Duration {
	return min(v.keyTTL, max(2*v.keepOf(keep), MinKeyTTL))
}

// lastsFor reports whether a DEK stored until until may seal data kept keep: it must
// outlive the data by keyMargin. For data kept nearly KeyTTL, seven eighths of the
// lifetime suffice, so that even that data renews its key only every eighth of KeyTTL.
func (v *Vault) lastsFor(until time.Time, keep time.Duration) bool {
	life := v.lifetime(keep)
	need := min(v.keepOf(keep)+keyMargin, life-life/8)
	return !until.Before(v.now().Add(need))
}

// ensure returns the DEK id, creating it when there is none and renewing it when it
// would expire too soon to seal data kept keep (lastsFor). A renewal sets its expiry
// lifetime(keep) from now, never earlier than it was.
func (v *Vault) ensure(ctx context.Context, id string, keep time.Duration) (*dataKey, error) {
	until := v.now().Add(v.lifetime(keep))
	if stored, err := v.keys.Get(ctx, KeyKind, id); err == nil {
		key, err := v.toDataKey(id, stored)
		if err != nil || v.lastsFor(key.until, keep) {
			return key, err
		}
		until = later(until, key.until)
	} else if !errors.Is(err, records.ErrNotFound) {
		return nil, fmt.Errorf("vault: read a data key: %w", err)
	}
	var kept []byte
	stored, err := v.keys.Update(ctx, KeyKind, id, until.Sub(v.now()), func(old []byte) ([]byte, error) {
		if old == nil {
			return v.wrap(id, newKey(), until)
		}
		var w wrapped
		if err := json.Unmarshal(old, &w); err != nil {
			return nil, fmt.Errorf("vault: data key %s: %w", id, ErrCorrupt)
		}
		if v.lastsFor(v.until(w), keep) {
			kept = old // renewed meanwhile, by another replica
			return nil, errUnchanged
		}
		w.At, w.Until = v.now().Unix(), until.Unix()
		return json.Marshal(w)
	})
	if errors.Is(err, errUnchanged) {
		stored, err = kept, nil
	}
	if err != nil {
		return nil, fmt.Errorf("vault: store a data key: %w", err)
	}
	return v.toDataKey(id, stored)
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
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
	key := &dataKey{aead: aead, until: v.until(w)}
	copy(key.gen[:], gen)
	return key, nil
}
