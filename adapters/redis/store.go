// Package redis keeps the bot's conversation state in Redis, shared by every replica.
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

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

// Store is a bot.Store on Redis (standalone, Sentinel or Cluster). All the keys of one
// conversation share a hash tag, hence a cluster slot, so each call is one Lua script
// run atomically on one node: Begin and Commit cost one round trip each.
//
// Keys, where <c> is the conversation id with '%', '{' and '}' percent-escaped:
//
//	<prefix>:{c:<c>}:state        the state, expiring after Commit.IdleTTL
//	<prefix>:{c:<c>}:lock         the token of the session holding the lock
//	<prefix>:{c:<c>}:rate         messages counted in the current rate window
//	<prefix>:{c:<c>}:seen:<id>    present while update <id> counts as handled
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

// beginScript takes the lock, counts the message and loads the state, unless the update
// was handled before. The handled updates are one sorted set per conversation (member:
// update id, score: when it may be forgotten, in ms), so that Forget erases them with
// the rest. KEYS: lock, rate, state, seen. ARGV: token, lock TTL ms, rate window ms,
// update id (empty: none). Reply: {0} duplicate, {1} locked, {2, count, state or nil}.
const beginScript = `
if ARGV[4] ~= '' then
	local t = redis.call('TIME')
	redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', t[1] * 1000 + math.floor(t[2] / 1000))
	if redis.call('ZSCORE', KEYS[4], ARGV[4]) then
		return {0}
	end
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	return {1}
end
local n = redis.call('INCR', KEYS[2])
if n == 1 or redis.call('PTTL', KEYS[2]) < 0 then
	redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return {2, n, redis.call('GET', KEYS[3])}
`

// commitScript saves the state and the handled marker and releases the lock, if the
// lock is still the session's. KEYS: lock, state, seen. ARGV: token, state, idle TTL
// ms, dedupe TTL ms, update id (empty: none). Reply: 1 saved, 0 lock lost.
const commitScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
	return 0
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if ARGV[5] ~= '' then
	local t = redis.call('TIME')
	local now = t[1] * 1000 + math.floor(t[2] / 1000)
	redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[5])
	if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[4]) then
		redis.call('PEXPIRE', KEYS[3], ARGV[4])
	end
end
redis.call('DEL', KEYS[1])
return 1
`

// releaseScript deletes the lock if it is still the session's. KEYS: lock. ARGV: token.
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`

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
	k := s.keys(b.Conversation)
	keys := []string{k.lock, k.rate, k.state, k.seen}
	reply, err := s.begin.Run(ctx, s.client, keys, token, millis(b.LockTTL), millis(b.RateWindow), b.UpdateID).Slice()
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
			session.State = []byte(state)
		}
		return session, nil
	default:
		// Not reached with this script; never mistake garbage for a duplicate.
		return bot.Session{}, fmt.Errorf("begin %s: unexpected script reply (%d elements)", bot.Redact(b.Conversation), len(reply))
	}
}

// Commit implements bot.Store.
func (s *Store) Commit(ctx context.Context, session bot.Session, c bot.Commit) error {
	if session.Token == "" {
		return fmt.Errorf("commit %s: session holds no lock: %w", bot.Redact(session.Conversation), bot.ErrLockLost)
	}
	if err := c.Validate(session); err != nil {
		return fmt.Errorf("commit %s: %w", bot.Redact(session.Conversation), err)
	}
	k := s.keys(session.Conversation)
	keys := []string{k.lock, k.state, k.seen}
	saved, err := s.commit.Run(ctx, s.client, keys, session.Token, c.State, millis(c.IdleTTL), millis(c.DedupeTTL), session.UpdateID).Int()
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
	k := s.keys(session.Conversation)
	if err := s.release.Run(ctx, s.client, []string{k.lock}, session.Token).Err(); err != nil {
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
	k := s.keys(conversation)
	if err := s.client.Del(ctx, k.state, k.rate, k.lock, k.seen).Err(); err != nil {
		return fmt.Errorf("forget %s: %w", bot.Redact(conversation), err)
	}
	return nil
}

// conversationKeys are the keys of one conversation.
type conversationKeys struct {
	base  string // <prefix>:{c:<escaped id>}
	state string
	lock  string
	rate  string
	seen  string // sorted set of handled update ids
}

func (s *Store) keys(conversation string) conversationKeys {
	base := s.prefix + ":{c:" + escapeTag(conversation) + "}"
	return conversationKeys{base: base, state: base + ":state", lock: base + ":lock", rate: base + ":rate", seen: base + ":seen"}
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
	return hex.EncodeToString(b[:])
}

// millis converts d to whole milliseconds for PX and PEXPIRE, rounding up so that a
// positive duration never becomes 0 (which Redis rejects).
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
