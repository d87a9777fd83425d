// Package redis keeps the bot's conversation state in Redis, shared by every replica.
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unsafe"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/bot"
)

// DefaultPrefix starts every key the store writes unless Options.Prefix says otherwise.
const DefaultPrefix = "wemi"

// Options configure a Store.
type Options struct {
	// Prefix starts every key, so several bots (or tests) can share one Redis.
	// It must not contain '{' or '}': they would break the keys' cluster hash tag.
	// Empty means DefaultPrefix.
	Prefix string
}

// Store is a bot.Store on Redis (standalone, Sentinel or Cluster). Each conversation is
// one hash, so that Begin and Commit are one Lua script each (one round trip) running a
// handful of hash commands: a message costs Redis about nine commands.
//
// Keys, where <c> is the conversation id with '%', '{' and '}' percent-escaped:
//
//	<prefix>:{c:<c>}:conv   a hash: the conversation, expiring with its last deadline
//
// Its fields, times being Unix milliseconds of the Redis server's clock:
//
//	s         the state
//	u:<id>    when handled update <id> may be forgotten (Commit.DedupeTTL after the commit)
//	m         the small values, packed in one field (few fields keep the hash small):
//	          "<token> <lock deadline> <count> <window end> <hash expiry> <state
//	          deadline> <commits> <cursor>": the token of the session holding the lock
//	          ("" when free) and when the lock expires (Begin.LockTTL after Begin);
//	          messages counted in the current rate window, and when the window ends;
//	          when the hash expires, the latest deadline ever written into it; when
//	          the state expires (Commit.IdleTTL after the commit); commits since the
//	          last step of the sweep of expired u: fields (a step every 32 commits),
//	          and the HSCAN cursor where the next step starts
//
// Deadlines are compared with the server's clock, so a field may outlive its
// deadline in the hash, unread: Begin drops a state past its deadline, Commit's sweep
// drops old u: fields, and the whole hash expires with its latest deadline (in the
// engine, the state's: DedupeTTL never exceeds IdleTTL).
//
// The keys of the previous layout (<prefix>:{c:<c>}:state, :lock, :rate and the
// sorted set :seen), which a deployment of an earlier version leaves behind, are
// moved into the hash by the first Begin that finds the hash missing; Begin reports
// the conversation locked while the previous :lock key lives. Forget deletes them too.
// Old and new versions must not serve the same conversations side by side longer than
// a rolling restart: each ignores the other's lock once the hash exists.
//
// All the keys of a conversation share a hash tag, hence a cluster slot.
type Store struct {
	client  goredis.UniversalClient
	prefix  string
	begin   *goredis.Script
	commit  *goredis.Script
	release *goredis.Script
}

var _ bot.Store = (*Store)(nil)

// New returns a Store on client; the caller keeps ownership of client and closes it.
// New panics if opts.Prefix contains '{' or '}', a programming error.
func New(client goredis.UniversalClient, opts Options) *Store {
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if strings.ContainsAny(prefix, "{}") {
		panic(fmt.Sprintf("redis.New: key prefix %q contains '{' or '}'", prefix))
	}
	return &Store{
		client:  client,
		prefix:  prefix,
		begin:   goredis.NewScript(beginScript),
		commit:  goredis.NewScript(commitScript),
		release: goredis.NewScript(releaseScript),
	}
}

// Replies of beginScript.
const (
	beginDuplicate = 0
	beginLocked    = 1
	beginOK        = 2
)

// Begin implements bot.Store.
func (s *Store) Begin(ctx context.Context, b bot.Begin) (bot.Session, error) {
	if err := b.Validate(); err != nil {
		return bot.Session{}, fmt.Errorf("begin %s: %w", bot.Redact(b.Conversation), err)
	}
	if err := ctx.Err(); err != nil {
		return bot.Session{}, fmt.Errorf("begin %s: %w", bot.Redact(b.Conversation), err)
	}
	token := newToken()
	reply, err := s.begin.Run(ctx, s.client, s.keys(b.Conversation, len(keySuffixes)), token, millis(b.LockTTL), millis(b.RateWindow), b.UpdateID).Slice()
	if err != nil {
		return bot.Session{}, fmt.Errorf("begin %s: %w", bot.Redact(b.Conversation), err)
	}
	session := bot.Session{Conversation: b.Conversation, UpdateID: b.UpdateID}
	var status int64 = -1
	if len(reply) > 0 {
		if n, ok := reply[0].(int64); ok {
			status = n
		}
	}
	switch {
	case status == beginDuplicate:
		session.Duplicate = true
		return session, nil
	case status == beginLocked:
		return bot.Session{}, fmt.Errorf("begin %s: %w", bot.Redact(b.Conversation), bot.ErrLocked)
	case status == beginOK && len(reply) == 3:
		count, _ := reply[1].(int64)
		session.Token, session.Count = token, int(count)
		if state, ok := reply[2].(string); ok {
			session.State = replyBytes(state)
		}
		return session, nil
	default:
		// Not reached with this script; never mistake garbage for a duplicate.
		return bot.Session{}, fmt.Errorf("begin %s: unexpected script reply (%d elements)", bot.Redact(b.Conversation), len(reply))
	}
}

// replyBytes returns the bytes of a string the client has just read from a reply,
// without copying them. go-redis reads each bulk string into a buffer of its own and
// makes it the string without a copy either; the reply is dropped once read, so the
// buffer is the caller's alone, as a copy would be. A state is often the largest thing
// a message allocates.
func replyBytes(s string) []byte {
	if s == "" {
		return []byte{} // an empty state is not a missing one
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// Commit implements bot.Store.
func (s *Store) Commit(ctx context.Context, session bot.Session, c bot.Commit) error {
	if session.Token == "" {
		return fmt.Errorf("commit %s: session holds no lock: %w", bot.Redact(session.Conversation), bot.ErrLockLost)
	}
	if err := c.Validate(session); err != nil {
		return fmt.Errorf("commit %s: %w", bot.Redact(session.Conversation), err)
	}
	saved, err := s.commit.Run(ctx, s.client, s.keys(session.Conversation, 1), session.Token, c.State, millis(c.IdleTTL), millis(c.DedupeTTL), session.UpdateID).Int()
	if err != nil {
		return fmt.Errorf("commit %s: %w", bot.Redact(session.Conversation), err)
	}
	if saved != 1 {
		return fmt.Errorf("commit %s: %w", bot.Redact(session.Conversation), bot.ErrLockLost)
	}
	return nil
}

// Release implements bot.Store. Releasing a lock the session no longer holds, or a
// duplicate session, does nothing.
func (s *Store) Release(ctx context.Context, session bot.Session) error {
	if session.Token == "" {
		return nil
	}
	if err := s.release.Run(ctx, s.client, s.keys(session.Conversation, 1), session.Token).Err(); err != nil {
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
	if err := s.client.Del(ctx, s.keys(conversation, len(keySuffixes))...).Err(); err != nil {
		return fmt.Errorf("forget %s: %w", bot.Redact(conversation), err)
	}
	return nil
}

// keySuffixes end the keys of a conversation: its hash first, then the keys of the
// previous layout, in the order beginScript takes them.
var keySuffixes = [...]string{":conv", ":state", ":seen", ":lock", ":rate"}

// keys returns the first n keys of a conversation (see keySuffixes), built in one
// buffer: a Begin needs all five.
func (s *Store) keys(conversation string, n int) []string {
	tag := escapeTag(conversation)
	var b strings.Builder
	b.Grow(n * (len(s.prefix) + len(tag) + len(":{c:}:state")))
	keys := make([]string, n)
	for i, suffix := range keySuffixes[:n] {
		start := b.Len()
		b.WriteString(s.prefix)
		b.WriteString(":{c:")
		b.WriteString(tag)
		b.WriteString("}")
		b.WriteString(suffix)
		keys[i] = b.String()[start:]
	}
	return keys
}

// tagEscaper makes a conversation id safe inside a hash tag: Redis Cluster hashes the
// text between the first '{' and the next '}', so the id must contain no '}'. Escaping
// '%' too keeps the mapping one-to-one; '{' is escaped so keys read unambiguously.
var tagEscaper = strings.NewReplacer("%", "%25", "{", "%7B", "}", "%7D")

func escapeTag(conversation string) string {
	return tagEscaper.Replace(conversation)
}

// newToken returns 16 random bytes in hex, the proof that a session holds a lock.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	var text [32]byte
	hex.Encode(text[:], b[:])
	return string(text[:])
}

// millis converts d to whole milliseconds for the scripts, rounding up so that a
// positive duration never becomes 0 (a deadline already past).
func millis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// Ping reports whether Redis answers, for readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}
