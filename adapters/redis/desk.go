package redis

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/records"
)

// The Store is also the desk's store, so one Redis client serves both. Its keys, where
// <kind> and <key> are percent-escaped like conversation ids:
//
//	<prefix>:{r:<kind>}:d:<id>   a record, expiring with its TTL
//	<prefix>:{r:<kind>}:ids      the set of the kind's record ids, which List reads
//	<prefix>:{t:<key>}           a tally: a hash of counters, expiring as a whole
//	<prefix>:{o:<key>}           a Once marker, expiring with its TTL
//
// A record and its kind's id set share a hash tag, hence a cluster slot, so Update
// writes both in one transaction; the "d:" before the id keeps a record named "ids"
// apart from the set.
var (
	_ records.Records = (*Store)(nil)
	_ desk.Store      = (*Store)(nil)
)

// ErrContention is returned by Update when other writers changed the document every
// time it tried, maxUpdateAttempts times in a row.
var ErrContention = errors.New("redis: document changed by other writers at every attempt")

// maxUpdateAttempts bounds Update's optimistic retries: far above what a few replicas
// racing on one handoff need, low enough that a runaway writer cannot stall a caller.
const maxUpdateAttempts = 50

// maxBackoff caps the random pause between two attempts of an Update.
const maxBackoff = 10 * time.Millisecond

// listBatch bounds the keys of one MGET or prune script in List.
const listBatch = 500

// pruneScript removes from a kind's id set the ids whose record is gone, checking
// again inside the script so that a record created since List read it stays listed.
// KEYS: the id set, then the records. ARGV: their ids.
var pruneScript = goredis.NewScript(`
for i, id in ipairs(ARGV) do
	if redis.call('EXISTS', KEYS[i + 1]) == 0 then
		redis.call('SREM', KEYS[1], id)
	end
end
return 0
`)

// A kind's id set also holds the ids of records that expired; List removes them, but
// kinds that are never listed (a thread's handoff, a web inbox) would keep them for
// ever. So one Update in pruneOneIn also checks pruneSample random ids of its kind and
// removes those whose record is gone: the set stays near the number of live records,
// at a cost of one round trip in pruneOneIn writes.
const (
	pruneOneIn  = 32
	pruneSample = 64
)

// pruneSome removes a sample of a kind's ids whose record is gone. A failure is
// ignored: the next write tries again.
func (s *Store) pruneSome(ctx context.Context, keys recordKeys) {
	ids, err := s.client.SRandMemberN(ctx, keys.ids, pruneSample).Result()
	if err != nil || len(ids) == 0 {
		return
	}
	pruneScript.Run(ctx, s.client, append([]string{keys.ids}, keys.docs(ids)...), toArgs(ids)...)
}

// addScript adds to a counter and renews the tally's expiry, unless the counter is new
// and the tally is full: one round trip. KEYS: the tally. ARGV: field, n, TTL ms,
// maximum number of counters (0: none). Reply: 1 added, 0 refused.
var addScript = goredis.NewScript(`
local max = tonumber(ARGV[4])
if max > 0 and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= max then
	return 0
end
redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`)

// Get implements records.Records.
func (s *Store) Get(ctx context.Context, kind, id string) ([]byte, error) {
	if err := records.ValidateRecord(kind, id); err != nil {
		return nil, fmt.Errorf("get record: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get record %s %s: %w", kind, bot.Redact(id), err)
	}
	doc, err := s.client.Get(ctx, s.recordKeys(kind).doc(id)).Bytes()
	switch {
	case errors.Is(err, goredis.Nil):
		return nil, fmt.Errorf("get record %s %s: %w", kind, bot.Redact(id), records.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("get record %s %s: %w", kind, bot.Redact(id), err)
	}
	return doc, nil
}

// Update implements records.Records with optimistic locking: it WATCHes the record, calls
// fn and writes in MULTI/EXEC, starting again when another writer changed the record
// in between, at most maxUpdateAttempts times; then it returns ErrContention. A
// negative ttl is an error.
func (s *Store) Update(ctx context.Context, kind, id string, ttl time.Duration, fn func(old []byte) ([]byte, error)) ([]byte, error) {
	if err := records.ValidateRecord(kind, id); err != nil {
		return nil, fmt.Errorf("update record: %w", err)
	}
	if ttl < 0 {
		return nil, fmt.Errorf("update record %s %s: negative TTL %v", kind, bot.Redact(id), ttl)
	}
	keys := s.recordKeys(kind)
	for attempt := range maxUpdateAttempts {
		if err := pause(ctx, attempt); err != nil {
			return nil, fmt.Errorf("update record %s %s: %w", kind, bot.Redact(id), err)
		}
		stored, fnErr, err := s.tryUpdate(ctx, keys, id, ttl, fn)
		switch {
		case fnErr != nil:
			return nil, fmt.Errorf("update record %s %s: %w", kind, bot.Redact(id), fnErr)
		case errors.Is(err, goredis.TxFailedErr):
			continue // another writer got there first: read again
		case err != nil:
			return nil, fmt.Errorf("update record %s %s: %w", kind, bot.Redact(id), err)
		}
		if stored != nil && rand.IntN(pruneOneIn) == 0 {
			s.pruneSome(ctx, keys)
		}
		return stored, nil
	}
	return nil, fmt.Errorf("update record %s %s: %w (%d attempts)", kind, bot.Redact(id), ErrContention, maxUpdateAttempts)
}

// tryUpdate makes one attempt of Update. fnErr is what fn (or the validation of what
// it returned) failed with; err is Redis's, goredis.TxFailedErr when the record
// changed under the attempt.
func (s *Store) tryUpdate(ctx context.Context, keys recordKeys, id string, ttl time.Duration, fn func([]byte) ([]byte, error)) (stored []byte, fnErr, err error) {
	doc := keys.doc(id)
	err = s.client.Watch(ctx, func(tx *goredis.Tx) error {
		old, err := tx.Get(ctx, doc).Bytes()
		switch {
		case errors.Is(err, goredis.Nil):
			old = nil
		case err != nil:
			return err
		}
		next, err := fn(old)
		if err == nil {
			err = records.ValidateStored(next)
		}
		if err != nil {
			fnErr = err
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			if next == nil {
				p.Del(ctx, doc)
				p.SRem(ctx, keys.ids, id)
			} else {
				p.Set(ctx, doc, next, ttl) // ttl 0: no expiry, dropping any earlier one
				p.SAdd(ctx, keys.ids, id)
			}
			return nil
		})
		stored = next
		return err
	}, doc)
	return stored, fnErr, err
}

// pause waits before attempt number attempt of an Update: not at all before the
// first, then a random while growing with the attempts, so that racing writers spread
// out instead of colliding again.
func pause(ctx context.Context, attempt int) error {
	if err := ctx.Err(); err != nil || attempt == 0 {
		return err
	}
	d := min(time.Duration(attempt)*time.Millisecond, maxBackoff)
	timer := time.NewTimer(rand.N(d) + 1)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// List implements records.Records. It reads the kind's id set and then the records; ids
// whose record expired are removed from the set on the way.
func (s *Store) List(ctx context.Context, kind string) ([][]byte, error) {
	if err := records.ValidateRecord(kind, "-"); err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list records %s: %w", kind, err)
	}
	keys := s.recordKeys(kind)
	ids, err := s.client.SMembers(ctx, keys.ids).Result()
	if err != nil {
		return nil, fmt.Errorf("list records %s: %w", kind, err)
	}
	var docs [][]byte
	var gone []string
	for chunk := range slices.Chunk(ids, listBatch) {
		if len(docs) >= records.MaxList {
			break
		}
		vals, err := s.client.MGet(ctx, keys.docs(chunk)...).Result()
		if err != nil {
			return nil, fmt.Errorf("list records %s: %w", kind, err)
		}
		for i, v := range vals {
			doc, ok := v.(string)
			switch {
			case !ok:
				gone = append(gone, chunk[i])
			case len(docs) < records.MaxList:
				docs = append(docs, []byte(doc))
			}
		}
	}
	for chunk := range slices.Chunk(gone, listBatch) {
		pruned := append([]string{keys.ids}, keys.docs(chunk)...)
		if err := pruneScript.Run(ctx, s.client, pruned, toArgs(chunk)...).Err(); err != nil {
			return nil, fmt.Errorf("list records %s: prune expired ids: %w", kind, err)
		}
	}
	return docs, nil
}

// Add implements desk.Tallies in one round trip.
func (s *Store) Add(ctx context.Context, t desk.Tally) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("desk add: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("desk add %s: %w", t.Key, err)
	}
	args := []any{t.Field, t.N, millis(t.TTL), max(t.MaxFields, 0)}
	if err := addScript.Run(ctx, s.client, []string{s.tallyKey(t.Key)}, args...).Err(); err != nil {
		return fmt.Errorf("desk add %s: %w", t.Key, err)
	}
	return nil
}

// Counts implements desk.Tallies. A key that Add would refuse is an error.
func (s *Store) Counts(ctx context.Context, key string) (map[string]int64, error) {
	if err := desk.ValidateTallyKey(key); err != nil {
		return nil, fmt.Errorf("desk counts: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("desk counts %s: %w", key, err)
	}
	fields, err := s.client.HGetAll(ctx, s.tallyKey(key)).Result()
	if err != nil {
		return nil, fmt.Errorf("desk counts %s: %w", key, err)
	}
	counts := make(map[string]int64, len(fields))
	for field, v := range fields {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("desk counts %s: counter is not an integer: %w", key, err)
		}
		counts[field] = n
	}
	return counts, nil
}

// Once implements desk.Onces with SET NX PX. An empty key or a ttl that is not
// positive is an error.
func (s *Store) Once(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := desk.ValidateOnce(key, ttl); err != nil {
		return false, fmt.Errorf("desk once: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("desk once %s: %w", bot.Redact(key), err)
	}
	first, err := s.client.SetNX(ctx, s.prefix+":{o:"+escapeTag(key)+"}", "1", ttl).Result()
	if err != nil {
		return false, fmt.Errorf("desk once %s: %w", bot.Redact(key), err)
	}
	return first, nil
}

// recordKeys are the keys of one kind of record.
type recordKeys struct {
	base string // <prefix>:{r:<escaped kind>}
	ids  string
}

func (s *Store) recordKeys(kind string) recordKeys {
	base := s.prefix + ":{r:" + escapeTag(kind) + "}"
	return recordKeys{base: base, ids: base + ":ids"}
}

func (k recordKeys) doc(id string) string {
	return k.base + ":d:" + id
}

func (k recordKeys) docs(ids []string) []string {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = k.doc(id)
	}
	return keys
}

func (s *Store) tallyKey(key string) string {
	return s.prefix + ":{t:" + escapeTag(key) + "}"
}

func toArgs(ss []string) []any {
	args := make([]any, len(ss))
	for i, s := range ss {
		args[i] = s
	}
	return args
}
