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
//	rate   conversation id -> the count in the window (8 bytes); the expiry ends the window
//	seen   seenKey(conversation, update) -> nothing
//
// The locks live in memory (liveTable), and so do the rate counters, which the rate
// bucket mirrors. The desk's buckets are described in desk.go, the reminders' in
// reminders.go, the outbox's in outbox.go.
var (
	stateBucket = []byte("state")
	rateBucket  = []byte("rate")
	seenBucket  = []byte("seen")
)

// legacyLocksBucket held the locks in files written before they moved to memory; Open
// deletes it.
var legacyLocksBucket = []byte("locks")

// allBuckets lists the buckets Open creates and Sweep cleans.
func allBuckets() [][]byte {
	return [][]byte{stateBucket, rateBucket, seenBucket, recordsBucket, talliesBucket, onceBucket,
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
//
// A message costs one read transaction and a share of one write transaction:
//   - Begin only reads the file (the handled marker and the state). The conversation
//     locks and the rate counters live in memory, which the single process makes safe:
//     a restart ends every session of the previous run, so freeing their locks is what
//     their expiry would have done, and the rate counters survive a restart through
//     the rate bucket, written by each Commit and by Close (a crash forgets only the
//     messages counted since their conversation's last Commit). The table holds the
//     conversations with a lock or a rate window open since the last Sweep; see
//     liveTable.
//   - Commit returns only once its state, handled marker and rate counter are on disk
//     (fsync'ed), but the Commits of many conversations share one transaction and one
//     fsync: a writer goroutine commits whatever gathered while the previous fsync
//     ran, with no delay when nothing did (see groupCommitter for why not bbolt's
//     DB.Batch). A failed fsync fails every Commit of its transaction.
//
// Release touches only memory. The outbox's writes join the groups too; Forget, Sweep
// and the records', desk's and reminders' calls keep transactions of their own (a
// function in a group may run twice, and Records.Update promises to run its fn once).
type Store struct {
	db    *bbolt.DB
	now   func() time.Time
	live  *liveTable
	group *groupCommitter
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
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	table := newLiveTable()
	if err := db.Update(func(tx *bbolt.Tx) error { return prepare(tx, table, now()) }); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open bolt store %s: %w", path, err)
	}
	return &Store{db: db, now: now, live: table, group: newGroupCommitter(db.Update)}, nil
}

// prepare creates the buckets, deletes the legacy ones and reads the rate counters.
func prepare(tx *bbolt.Tx, table *liveTable, now time.Time) error {
	for _, name := range allBuckets() {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
	}
	if tx.Bucket(legacyLocksBucket) != nil {
		if err := tx.DeleteBucket(legacyLocksBucket); err != nil {
			return fmt.Errorf("bucket %s: %w", legacyLocksBucket, err)
		}
	}
	return tx.Bucket(rateBucket).ForEach(func(k, v []byte) error {
		if n, ok := live(v, now); ok && len(n) == 8 {
			table.restore(string(k), binary.BigEndian.Uint64(n), int64(binary.BigEndian.Uint64(v)))
		}
		return nil
	})
}

// Close waits for the Commits under way, saves the rate counters and closes the file,
// waiting for running calls to finish. Commits after Close fail with ErrClosed.
func (s *Store) Close() error {
	if s.group.close() {
		if err := s.saveRates(); err != nil {
			_ = s.db.Close()
			return fmt.Errorf("close bolt store: save the rate counters: %w", err)
		}
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close bolt store: %w", err)
	}
	return nil
}

// saveRates writes the rate windows still open to the rate bucket.
func (s *Store) saveRates() error {
	now := s.now()
	return s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(rateBucket)
		var err error
		s.live.eachRate(now, func(conversation string, count uint64, rateEnds int64) {
			if err == nil {
				err = putRate(b, []byte(conversation), count, rateEnds)
			}
		})
		return err
	})
}

// Begin implements bot.Store. It takes the lock in memory, then reads the file: the
// order matters, for no Commit of the conversation can run while the lock is held.
func (s *Store) Begin(ctx context.Context, b bot.Begin) (bot.Session, error) {
	if err := b.Validate(); err != nil {
		return bot.Session{}, fmt.Errorf("begin %s: %w", bot.Redact(b.Conversation), err)
	}
	if err := ctx.Err(); err != nil {
		return bot.Session{}, fmt.Errorf("begin %s: %w", bot.Redact(b.Conversation), err)
	}
	session, err := s.begin(b)
	if err != nil {
		return bot.Session{}, fmt.Errorf("begin %s: %w", bot.Redact(b.Conversation), err)
	}
	return session, nil
}

func (s *Store) begin(b bot.Begin) (bot.Session, error) {
	now := s.now()
	token := newToken()
	session := bot.Session{Conversation: b.Conversation, UpdateID: b.UpdateID}
	if !s.live.lock(b.Conversation, token, now, b.LockTTL) {
		// A duplicate is reported as such even then: its caller need not retry.
		dup, err := s.read(b, now, nil)
		if err == nil && !dup {
			err = bot.ErrLocked
		}
		session.Duplicate = dup
		return session, err
	}
	dup, err := s.read(b, now, &session.State)
	if err != nil || dup {
		s.live.unlock(b.Conversation, token)
		session.Duplicate, session.State = dup, nil
		return session, err
	}
	session.Token, session.Count = token, s.live.count(b.Conversation, now, b.RateWindow)
	return session, nil
}

// read reports whether b's update was handled and, unless it was or state is nil,
// loads the conversation's state into *state (nil when there is none).
func (s *Store) read(b bot.Begin, now time.Time, state *[]byte) (handled bool, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		if b.UpdateID != "" {
			if _, ok := live(tx.Bucket(seenBucket).Get(seenKey(b.Conversation, b.UpdateID)), now); ok {
				handled = true
				return nil
			}
		}
		if state == nil {
			return nil
		}
		if v, ok := live(tx.Bucket(stateBucket).Get([]byte(b.Conversation)), now); ok {
			*state = bytes.Clone(v) // bbolt's slice dies with the transaction
		}
		return nil
	})
	return handled, err
}

// Commit implements bot.Store, in the transaction of the next group of Commits. A lock
// that expired is lost even if nobody took it over: another handler may have run
// meanwhile.
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
	err := s.group.commit(func(tx *bbolt.Tx) error { return s.write(tx, session, c, now) })
	s.live.unpin(session.Conversation, session.Token, err == nil)
	if err != nil {
		return fmt.Errorf("commit %s: %w", bot.Redact(session.Conversation), err)
	}
	return nil
}

// write writes a Commit in tx if the session still holds its lock at now, pinning the
// lock until Commit unpins it.
func (s *Store) write(tx *bbolt.Tx, session bot.Session, c bot.Commit, now time.Time) error {
	count, rateEnds, ok := s.live.pin(session.Conversation, session.Token, now)
	if !ok {
		return bot.ErrLockLost
	}
	key := []byte(session.Conversation)
	if err := put(tx.Bucket(stateBucket), key, now.Add(c.IdleTTL), c.State); err != nil {
		return err
	}
	if session.UpdateID != "" {
		seen := seenKey(session.Conversation, session.UpdateID)
		if err := put(tx.Bucket(seenBucket), seen, now.Add(c.DedupeTTL), nil); err != nil {
			return err
		}
	}
	if now.UnixNano() >= rateEnds {
		return nil
	}
	return putRate(tx.Bucket(rateBucket), key, count, rateEnds)
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
	s.live.unlock(session.Conversation, session.Token)
	return nil
}

// Forget implements bot.Store. It holds the conversation's lock while it erases, so a
// session open on the conversation cannot write back the state it loaded (its Commit
// returns bot.ErrLockLost) and no new one reads what is being erased.
func (s *Store) Forget(ctx context.Context, conversation string) error {
	if conversation == "" {
		return fmt.Errorf("forget: %w", bot.ErrNoConversation)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("forget %s: %w", bot.Redact(conversation), err)
	}
	token := newToken()
	s.live.seize(conversation, token)
	defer s.live.drop(conversation, token)
	key := []byte(conversation)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{stateBucket, rateBucket} {
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
	key := make([]byte, 0, binary.MaxVarintLen64+len(conversation)+len(update))
	key = binary.AppendUvarint(key, uint64(len(conversation)))
	key = append(key, conversation...)
	return append(key, update...)
}

// put stores data under key, to expire at expires.
func put(b *bbolt.Bucket, key []byte, expires time.Time, data []byte) error {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(data)), uint64(expires.UnixNano()))
	return b.Put(key, append(v, data...))
}

// putRate stores a rate counter under key, to expire when its window ends.
func putRate(b *bbolt.Bucket, key []byte, count uint64, rateEnds int64) error {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], count)
	return put(b, key, time.Unix(0, rateEnds), n[:])
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
