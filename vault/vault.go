// Package vault encrypts personal data at rest with a key per citizen, so that erasing
// a citizen reaches every copy of their data: freed pages of the embedded file, Redis
// AOF and RDB files, backups and other replicas' caches hold only ciphertext that
// nobody can open once the citizen's key is gone (crypto-shredding).
//
// Each subject (the engine's conversation id, "telegram:123") gets a data key (DEK):
// AES-256-GCM, kept in the store wrapped by a key-encryption key (KEK) from a setting
// or a file, under a pseudonym of the subject (a keyed hash), never the subject
// itself. Seal encrypts with the subject's DEK, creating it on first use; Open finds
// the DEK from the sealed bytes alone; Shred deletes it. A DEK is stored as long as
// what it sealed is kept (SealFor says how long), so the keys of subjects whose data
// is short-lived do not pile up. Unwrapped DEKs are cached
// briefly, so the hot path costs no extra round trip; Shred drops the cache entry on
// every replica through a Broadcaster. The package imports only records and the
// standard library; vault/sealed applies it to the stores.
package vault

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/records"
)

// KeyKind is the record kind under which the wrapped DEKs are kept, by pseudonym.
const KeyKind = "vault.key"

// pepperID is the record id of the secret that pseudonyms are computed with, wrapped
// by the KEK like a DEK. It cannot be a pseudonym: those are 32 hex digits.
const pepperID = "pseudonym-secret"

// Defaults of Options.
const (
	DefaultCacheTTL  = time.Minute
	DefaultCacheSize = 10000
	// DefaultKeyTTL is the longest a DEK is kept after its subject last had data
	// sealed, and how long for data sealed without a lifetime (Seal): longer than any
	// record lives, so a DEK outlives what it sealed.
	DefaultKeyTTL = 400 * 24 * time.Hour
	// MinKeyTTL is the shortest a DEK is stored for (unless KeyTTL is shorter): data
	// sealed for a few minutes renews its key at most about every MinKeyTTL.
	MinKeyTTL = 2 * time.Hour
)

// keyMargin is how much longer than the data it seals a DEK must still live when it
// seals: room for the clocks of the replicas and the store to differ.
const keyMargin = 5 * time.Minute

// KeyStore keeps the wrapped DEKs: records of KeyKind. adapters/bolt and adapters/redis
// implement it; Get and Update are records.Records's.
type KeyStore interface {
	// Get returns a record, or an error wrapping records.ErrNotFound.
	Get(ctx context.Context, kind, id string) ([]byte, error)
	// Update changes a record atomically, as records.Records.Update does.
	Update(ctx context.Context, kind, id string, ttl time.Duration, fn func(old []byte) ([]byte, error)) ([]byte, error)
	// EachID calls fn with the id of every record of kind, however many there are
	// (records.Records.List stops at records.MaxList), stopping at fn's first error.
	// fn may update the records it is given.
	EachID(ctx context.Context, kind string, fn func(id string) error) error
}

// Broadcaster tells every replica sharing the store that a subject's key was shredded,
// so each drops its cached copy at once. adapters/redis implements it with pub/sub;
// a single process (bbolt) needs none.
type Broadcaster interface {
	// Publish sends msg to every subscriber, this replica's included.
	Publish(ctx context.Context, msg string) error
	// Subscribe calls fn with every message published from now on, until stop is
	// called; it returns once the subscription is in place.
	Subscribe(ctx context.Context, fn func(msg string)) (stop func() error, err error)
}

// Options configure a Vault.
type Options struct {
	// Broadcaster spreads shreds to the other replicas; nil for a single process.
	Broadcaster Broadcaster
	// CacheTTL bounds how long an unwrapped DEK stays in memory; 0: DefaultCacheTTL.
	CacheTTL time.Duration
	// CacheSize bounds the DEKs in memory; 0: DefaultCacheSize.
	CacheSize int
	// KeyTTL bounds how long a DEK is kept after data was last sealed with it, and is
	// the lifetime of data sealed by Seal; 0: DefaultKeyTTL.
	KeyTTL time.Duration
	// Now tells the time; nil: time.Now.
	Now func() time.Time
}

// Errors of the vault.
var (
	// ErrShredded: the data was sealed with a key that was shredded (or expired).
	ErrShredded = errors.New("vault: the data's key was shredded")
	// ErrCorrupt: sealed data that fails authentication or is cut short.
	ErrCorrupt = errors.New("vault: sealed data damaged")
	// ErrWrongKEK: the store's keys were wrapped with a KEK that was not given, or
	// the KEK given under their KEK's id does not open them.
	ErrWrongKEK = errors.New("vault: wrong key-encryption key")
)

// Vault seals and opens personal data with per-subject keys. It is safe for
// concurrent use.
type Vault struct {
	keys    KeyStore
	current KEK
	keks    map[string]cipher.AEAD // by KEK id
	pepper  []byte
	cache   *cache
	bcast   Broadcaster
	stop    func() error
	keyTTL  time.Duration
	now     func() time.Time
}

// setupTimeout bounds New's calls to the store and the broadcaster.
const setupTimeout = 10 * time.Second

// New returns a Vault keeping its DEKs in keys, wrapped with keks[0] and unwrapped
// with whichever of keks wrapped them. It reads (the first time, creates) the secret
// pseudonyms are made with: a KEK that does not open it is refused with ErrWrongKEK,
// so a wrong setting stops the bot at start rather than hiding its data. With a
// Broadcaster it subscribes to shreds; Close ends that.
func New(keys KeyStore, keks []KEK, opts Options) (*Vault, error) {
	if len(keks) == 0 {
		return nil, errors.New("vault: no key-encryption key")
	}
	v := &Vault{keys: keys, current: keks[0], keks: map[string]cipher.AEAD{}, bcast: opts.Broadcaster,
		keyTTL: opts.KeyTTL, now: opts.Now}
	for _, k := range keks {
		aead, err := newAEAD(k.Key)
		if err != nil {
			return nil, fmt.Errorf("vault: key-encryption key %q: %w", k.ID, err)
		}
		v.keks[k.ID] = aead
	}
	if v.keyTTL <= 0 {
		v.keyTTL = DefaultKeyTTL
	}
	if v.now == nil {
		v.now = time.Now
	}
	ttl, size := opts.CacheTTL, opts.CacheSize
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	if size <= 0 {
		size = DefaultCacheSize
	}
	v.cache = newCache(size, ttl, v.now)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if err := v.loadPepper(ctx); err != nil {
		return nil, err
	}
	if v.bcast != nil {
		stop, err := v.bcast.Subscribe(ctx, v.dropped)
		if err != nil {
			return nil, fmt.Errorf("vault: subscribe to shreds: %w", err)
		}
		v.stop = stop
	}
	return v, nil
}

// Close ends the subscription to other replicas' shreds.
func (v *Vault) Close() error {
	if v.stop == nil {
		return nil
	}
	if err := v.stop(); err != nil {
		return fmt.Errorf("vault: unsubscribe: %w", err)
	}
	return nil
}

// loadPepper reads the pseudonym secret, creating it when the store has none.
func (v *Vault) loadPepper(ctx context.Context) error {
	var stored []byte
	_, err := v.keys.Update(ctx, KeyKind, pepperID, 0, func(old []byte) ([]byte, error) {
		if old != nil {
			stored = old
			return nil, errUnchanged
		}
		secret := make([]byte, keySize)
		_, _ = rand.Read(secret)
		w, err := v.wrap(pepperID, secret, time.Time{})
		if err != nil {
			return nil, err
		}
		stored = w
		return w, nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return fmt.Errorf("vault: read the pseudonym secret: %w", err)
	}
	pepper, _, err := v.unwrap(pepperID, stored)
	if err != nil {
		return err
	}
	v.pepper = pepper
	return nil
}

// errUnchanged aborts an Update that has nothing to write.
var errUnchanged = errors.New("vault: unchanged")

// Seal encrypts plain with subject's DEK, creating the DEK on first use, for data kept
// up to KeyTTL: SealFor with keep 0. The result names the DEK by the subject's
// pseudonym, so Open needs nothing else.
func (v *Vault) Seal(ctx context.Context, subject string, plain []byte) ([]byte, error) {
	return v.SealFor(ctx, subject, plain, 0)
}

// SealFor is Seal for data kept at most keep (0 or less: KeyTTL), such as a record
// stored with that TTL: the DEK is made to live at least that long (see
// Keyring.SealFor), and no longer than it must, so that subjects whose data is all
// short-lived leave no key behind for long.
func (v *Vault) SealFor(ctx context.Context, subject string, plain []byte, keep time.Duration) ([]byte, error) {
	var out []byte
	kr := v.Keyring()
	err := kr.Do(ctx, func() (err error) {
		out, err = kr.SealFor(subject, plain, keep)
		return err
	})
	return out, err
}

// Open decrypts what Seal returned. It returns ErrShredded when the DEK is gone and
// ErrCorrupt when the bytes are not what Seal wrote.
func (v *Vault) Open(ctx context.Context, sealed []byte) ([]byte, error) {
	var out []byte
	kr := v.Keyring()
	err := kr.Do(ctx, func() (err error) {
		out, err = kr.Open(sealed)
		return err
	})
	return out, err
}

// Shred deletes subject's DEK, drops it from this replica's cache and tells the other
// replicas to drop theirs: everything sealed for subject becomes unreadable
// everywhere. Shredding a subject without a DEK does nothing.
func (v *Vault) Shred(ctx context.Context, subject string) error {
	id := v.pseudonym(subject)
	if _, err := v.keys.Update(ctx, KeyKind, id, 0, func([]byte) ([]byte, error) { return nil, nil }); err != nil {
		return fmt.Errorf("vault: shred: %w", err)
	}
	v.cache.drop(id)
	if v.bcast != nil {
		if err := v.bcast.Publish(ctx, id); err != nil {
			return fmt.Errorf("vault: shred: tell the other replicas (their copies expire within %v): %w", v.cache.ttl, err)
		}
	}
	return nil
}

// dropped is the Broadcaster's callback: another replica (or this one) shredded id.
func (v *Vault) dropped(id string) {
	if isPseudonym(id) {
		v.cache.drop(id)
	}
}

// Rewrap wraps every DEK (and the pseudonym secret) with the current KEK, for a
// rotation: afterwards the older KEKs can be dropped. It says how many it re-wrapped;
// those already wrapped with the current KEK are left alone, so it can be run again
// after a failure. Each DEK keeps its expiry.
func (v *Vault) Rewrap(ctx context.Context) (int, error) {
	n := 0
	err := v.keys.EachID(ctx, KeyKind, func(id string) error {
		wrote, err := v.rewrapID(ctx, id)
		if wrote {
			n++
		}
		return err
	})
	if err != nil {
		return n, fmt.Errorf("vault: rewrap: %w", err)
	}
	return n, nil
}

// errRenewed aborts a Rewrap update whose key was renewed since its expiry was read.
var errRenewed = errors.New("vault: renewed meanwhile")

// rewrapID re-wraps the stored key id, its record expiring when the key says (the
// pseudonym secret never), and reports whether it wrote.
func (v *Vault) rewrapID(ctx context.Context, id string) (bool, error) {
	for range maxLoads {
		var ttl time.Duration
		var until int64
		if id != pepperID {
			stored, err := v.keys.Get(ctx, KeyKind, id)
			switch {
			case errors.Is(err, records.ErrNotFound):
				return false, nil // shredded or expired meanwhile
			case err != nil:
				return false, err
			}
			var w wrapped
			if err := json.Unmarshal(stored, &w); err != nil {
				return false, fmt.Errorf("wrapped key %s: %w", id, ErrCorrupt)
			}
			if ttl = v.until(w).Sub(v.now()); ttl <= 0 {
				return false, nil // expired: the store drops it
			}
			until = v.until(w).Unix()
		}
		_, err := v.keys.Update(ctx, KeyKind, id, ttl, func(old []byte) ([]byte, error) {
			return v.rewrapOne(id, old, until)
		})
		switch {
		case errors.Is(err, errUnchanged):
			return false, nil
		case errors.Is(err, errRenewed):
			continue
		case err != nil:
			return false, err
		}
		return true, nil
	}
	return false, fmt.Errorf("wrapped key %s keeps being renewed", id)
}

// rewrapOne is Rewrap's update of one wrapped key, read as expiring at until (Unix
// seconds; 0 for the pseudonym secret).
func (v *Vault) rewrapOne(id string, old []byte, until int64) ([]byte, error) {
	if old == nil {
		return nil, errUnchanged // shredded meanwhile
	}
	var w wrapped
	if err := json.Unmarshal(old, &w); err != nil {
		return nil, fmt.Errorf("wrapped key %s: %w", id, ErrCorrupt)
	}
	if until != 0 && v.until(w).Unix() != until {
		return nil, errRenewed
	}
	if w.KEK == v.current.ID {
		return nil, errUnchanged
	}
	key, _, err := v.unwrap(id, old)
	if err != nil {
		return nil, err
	}
	w.KEK, w.Until = v.current.ID, until
	w.Key = sealWith(v.keks[v.current.ID], key, wrapAAD(id, w.Gen))
	return json.Marshal(w)
}

// wrapped is a DEK (or the pseudonym secret) as the store keeps it.
type wrapped struct {
	KEK string `json:"kek"` // the id of the KEK that wrapped it
	Gen string `json:"gen"` // its generation: 8 hex digits, also in what it sealed
	Key []byte `json:"key"` // nonce, then the key sealed with the KEK
	At  int64  `json:"at"`  // when it was last renewed, Unix seconds
	// Until is when the store lets it expire, Unix seconds: the record's TTL ends
	// then. Keys stored before it existed (0) expire KeyTTL after At.
	Until int64 `json:"until,omitempty"`
}

// until returns when w expires in the store.
func (v *Vault) until(w wrapped) time.Time {
	if w.Until == 0 {
		return time.Unix(w.At, 0).Add(v.keyTTL)
	}
	return time.Unix(w.Until, 0)
}

// wrap wraps a new key for record id with the current KEK, as a new generation, to
// be stored until until (the zero time: for ever, as the pseudonym secret is).
func (v *Vault) wrap(id string, key []byte, until time.Time) ([]byte, error) {
	var gen [genSize]byte
	_, _ = rand.Read(gen[:])
	w := wrapped{KEK: v.current.ID, Gen: hex.EncodeToString(gen[:]), At: v.now().Unix()}
	if !until.IsZero() {
		w.Until = until.Unix()
	}
	w.Key = sealWith(v.keks[v.current.ID], key, wrapAAD(id, w.Gen))
	return json.Marshal(w)
}

// unwrap opens the wrapped key of record id.
func (v *Vault) unwrap(id string, stored []byte) ([]byte, wrapped, error) {
	var w wrapped
	if err := json.Unmarshal(stored, &w); err != nil {
		return nil, w, fmt.Errorf("vault: wrapped key: %w", ErrCorrupt)
	}
	aead, ok := v.keks[w.KEK]
	if !ok {
		return nil, w, fmt.Errorf("%w: the store's keys are wrapped with key-encryption key %q, which is not among those given (WEMI_KEK / WEMI_KEK_FILE)", ErrWrongKEK, w.KEK)
	}
	key, err := openWith(aead, w.Key, wrapAAD(id, w.Gen))
	if err != nil {
		return nil, w, fmt.Errorf("%w: key-encryption key %q does not open the store's keys (a different key under the same id?)", ErrWrongKEK, w.KEK)
	}
	return key, w, nil
}

// wrapAAD binds a wrapped key to its record and generation, so that wrapped keys
// cannot be swapped between records.
func wrapAAD(id, gen string) []byte {
	return []byte("wemibot dek v1\x00" + id + "\x00" + gen)
}

// pseudonym is the id of subject's DEK: a keyed hash, so the store does not name the
// citizen and cannot be searched for one without the secret.
func (v *Vault) pseudonym(subject string) string {
	m := hmac.New(sha256.New, v.pepper)
	m.Write([]byte("subject\x00" + subject))
	return hex.EncodeToString(m.Sum(nil)[:pseudonymSize])
}

// isPseudonym reports whether s looks like what pseudonym returns.
func isPseudonym(s string) bool {
	if len(s) != 2*pseudonymSize {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("%d bytes, want %d", len(key), keySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealWith encrypts plain with a fresh random nonce, which leads the result.
func sealWith(aead cipher.AEAD, plain, aad []byte) []byte {
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	_, _ = rand.Read(out)
	return aead.Seal(out, out, plain, aad)
}

// openWith reverses sealWith.
func openWith(aead cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrCorrupt
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	if plain == nil {
		plain = []byte{} // sealed empty data is not no data
	}
	return plain, nil
}
