// Package bolt keeps the bot's conversation state in one bbolt file: the default store,
// for a bot that runs as a single process with nothing else installed.
package bolt

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/comune-milano/wemibot/bot"
)

// fileLockTimeout bounds how long Open waits for another process to close the file.
const fileLockTimeout = time.Second

// Buckets. Every value starts with its expiry, 8 bytes of big-endian Unix nanoseconds,
// so reads can ignore expired records and Sweep can delete them without knowing what
// they hold. After the expiry:
//
//	state  conversation id -> the state
//	locks  conversation id -> the token of the session holding the lock
//	rate   conversation id -> the count in the window (8 bytes); the expiry ends the window
//	seen   seenKey(conversation, update) -> nothing
//
// The desk's buckets are described in desk.go, the reminders' in reminders.go, the
// outbox's in outbox.go.
var (
	stateBucket = []byte("state")
	locksBucket = []byte("locks")
	rateBucket  = []byte("rate")
	seenBucket  = []byte("seen")
)

// allBuckets lists the buckets Open creates and Sweep cleans.
func allBuckets() [][]byte {
	return [][]byte{stateBucket, locksBucket, rateBucket, seenBucket, recordsBucket, talliesBucket, onceBucket,
		remindersBucket, remQueueBucket, remFailedBucket, remBookingBkt,
		obItemsBucket, obLanesBucket, obSchedBucket, obSeenBucket, obDeadBucket, obMetaBucket}
}

// Options configure a Store.
type Options struct {
	// Now tells the time; nil means time.Now. Every expiry is measured with it.
	Now func() time.Time
}

// Store is a bot.Store in a bbolt file. It serialises handlers within one process (a
// bbolt file admits one process at a time); for several replicas use adapters/redis.
// Expired records read as absent; call Sweep now and then to reclaim their space.
type Store struct {
	db  *bbolt.DB
	now func() time.Time
}

var _ bot.Store = (*Store)(nil)

// Open opens the store in the bbolt file at path, creating the file and its folder when
// they do not exist. It fails if another process has the file open.
func Open(path string, opts Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open bolt store: %w", err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: fileLockTimeout})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("open bolt store %s: the file is in use by another process: %w", path, err)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch),
		errors.Is(err, bolterrors.ErrChecksum):
		return nil, fmt.Errorf("open bolt store %s: not a bbolt database, or a damaged one: %w", path, err)
	case err != nil:
		return nil, fmt.Errorf("open bolt store %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range allBuckets() {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open bolt store %s: %w", path, err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}, nil
}

// Close closes the file, waiting for running calls to finish.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close bolt store: %w", err)
	}
	return nil
}

// Begin implements bot.Store.
func (s *Store) Begin(ctx context.Context, b bot.Begin) (bot.Session, error) {
	if err := b.Validate(); err != nil {
		return bot.Session{}, fmt.Errorf("begin %s: %w", bot.Redact(b.Conversation), err)
	}
	if err := ctx.Err(); err != nil {
		return bot.Session{}, fmt.Errorf("begin %s: %w", bot.Redact(b.Conversation), err)
	}
	token := newToken()
	session := bot.Session{Conversation: b.Conversation, UpdateID: b.UpdateID}
	now := s.now()
	key := []byte(b.Conversation)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if b.UpdateID != "" {
			if _, ok := live(tx.Bucket(seenBucket).Get(seenKey(b.Conversation, b.UpdateID)), now); ok {
				session.Duplicate = true
				return nil
			}
		}
		locks := tx.Bucket(locksBucket)
		if _, ok := live(locks.Get(key), now); ok {
			return bot.ErrLocked
		}
		if err := put(locks, key, now.Add(b.LockTTL), []byte(token)); err != nil {
			return err
		}
		rate := tx.Bucket(rateBucket)
		count, end := uint64(1), now.Add(b.RateWindow)
		if v := rate.Get(key); v != nil {
			if n, ok := live(v, now); ok && len(n) == 8 {
				count, end = binary.BigEndian.Uint64(n)+1, expiry(v)
			}
		}
		if err := put(rate, key, end, binary.BigEndian.AppendUint64(nil, count)); err != nil {
			return err
		}
		if state, ok := live(tx.Bucket(stateBucket).Get(key), now); ok {
			session.State = bytes.Clone(state) // bbolt's slice dies with the transaction
		}
		session.Token, session.Count = token, int(count)
		return nil
	})
	if err != nil {
		return bot.Session{}, fmt.Errorf("begin %s: %w", bot.Redact(b.Conversation), err)
	}
	return session, nil
}

// Commit implements bot.Store. A lock that expired is lost even if nobody took it over:
// another handler may have run meanwhile.
func (s *Store) Commit(ctx context.Context, session bot.Session, c bot.Commit) error {
	if session.Token == "" {
		return fmt.Errorf("commit %s: session holds no lock: %w", bot.Redact(session.Conversation), bot.ErrLockLost)
	}
	if err := c.Validate(session); err != nil {
		return fmt.Errorf("commit %s: %w", bot.Redact(session.Conversation), err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit %s: %w", bot.Redact(session.Conversation), err)
	}
	now := s.now()
	key := []byte(session.Conversation)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		locks := tx.Bucket(locksBucket)
		if token, ok := live(locks.Get(key), now); !ok || string(token) != session.Token {
			return bot.ErrLockLost
		}
		if err := put(tx.Bucket(stateBucket), key, now.Add(c.IdleTTL), c.State); err != nil {
			return err
		}
		if session.UpdateID != "" {
			seen := seenKey(session.Conversation, session.UpdateID)
			if err := put(tx.Bucket(seenBucket), seen, now.Add(c.DedupeTTL), nil); err != nil {
				return err
			}
		}
		return locks.Delete(key)
	})
	if err != nil {
		return fmt.Errorf("commit %s: %w", bot.Redact(session.Conversation), err)
	}
	return nil
}

// Release implements bot.Store. Releasing a lock the session no longer holds, or a
// duplicate session, does nothing.
func (s *Store) Release(ctx context.Context, session bot.Session) error {
	if session.Token == "" {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("release %s: %w", bot.Redact(session.Conversation), err)
	}
	key := []byte(session.Conversation)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		locks := tx.Bucket(locksBucket)
		if v := locks.Get(key); len(v) >= 8 && string(v[8:]) == session.Token {
			return locks.Delete(key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("release %s: %w", bot.Redact(session.Conversation), err)
	}
	return nil
}

// Forget implements bot.Store. It also deletes the lock, so a session open on the
// conversation cannot write back the state it loaded: its Commit returns
// bot.ErrLockLost.
func (s *Store) Forget(ctx context.Context, conversation string) error {
	if conversation == "" {
		return fmt.Errorf("forget: %w", bot.ErrNoConversation)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("forget %s: %w", bot.Redact(conversation), err)
	}
	key := []byte(conversation)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{stateBucket, rateBucket, locksBucket} {
			if err := tx.Bucket(name).Delete(key); err != nil {
				return err
			}
		}
		// The handled-update markers go too: they all start with the same prefix.
		prefix := seenKey(conversation, "")
		c := tx.Bucket(seenBucket).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget %s: %w", bot.Redact(conversation), err)
	}
	return nil
}

// seenKey is the key of an update's handled marker: the conversation id, prefixed by
// its length so that no two (conversation, update) pairs share a key, then the update.
func seenKey(conversation, update string) []byte {
	key := binary.AppendUvarint(nil, uint64(len(conversation)))
	key = append(key, conversation...)
	return append(key, update...)
}

// put stores data under key, to expire at expires.
func put(b *bbolt.Bucket, key []byte, expires time.Time, data []byte) error {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(data)), uint64(expires.UnixNano()))
	return b.Put(key, append(v, data...))
}

// live returns a record's data, and whether the record exists and has not expired at
// now. A record too short to hold an expiry counts as expired.
func live(v []byte, now time.Time) ([]byte, bool) {
	if len(v) < 8 || !now.Before(expiry(v)) {
		return nil, false
	}
	return v[8:], true
}

// expiry returns when a record expires; v holds at least 8 bytes.
func expiry(v []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(v)))
}

// newToken returns 16 random bytes in hex, the proof that a session holds a lock.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	return hex.EncodeToString(b[:])
}

// Ping reports whether the file can be read, for readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.db.View(func(*bbolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("bolt store: %w", err)
	}
	return nil
}
