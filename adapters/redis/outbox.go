package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/outbox"
)

// Outbox is the durable outbox in Redis, shared by every replica. Every key shares the
// hash tag {ob}, hence one cluster slot, so each call is one Lua script run
// atomically: a Put, a Claim (of up to max lanes) and a Done cost one round trip each.
//
//	<prefix>:{ob}:queue    sorted set, all scores 0: "<lane>\x00<seq>\x00<key>" for each
//	                       waiting item, seq 16 zero-padded digits, so ZRANGEBYLEX on
//	                       "<lane>\x00" finds a lane's items in the order put
//	<prefix>:{ob}:seq      the counter seq comes from
//	<prefix>:{ob}:items    hash: key -> payload
//	<prefix>:{ob}:attempts hash: key -> failed attempts and lapsed leases
//	<prefix>:{ob}:ready    sorted set: lanes not leased, by when their first item is due (ms)
//	<prefix>:{ob}:leased   sorted set: leased lanes, by lease deadline (ms)
//	<prefix>:{ob}:tokens   hash: lane -> the token of its lease
//	<prefix>:{ob}:seen     sorted set: keys put, by when they are forgotten (ms)
//	<prefix>:{ob}:dead     sorted set: dead letters' keys, by when they died (ms); kept
//	                       at most outbox.DeadTTL
//	<prefix>:{ob}:deaddata hash: key -> payload of a dead letter
//	<prefix>:{ob}:deadinfo hash: key -> "<lane>\x00<attempts>\x00<reason>"
//
// Leases compare the replicas' clocks, as the reminders' do (see reminders.go).
type Outbox struct {
	client goredis.UniversalClient
	keys   []string
}

var _ outbox.Store = (*Outbox)(nil)

// Outbox returns the store's outbox, in the same Redis.
func (s *Store) Outbox() outbox.Store {
	base := s.prefix + ":{ob}:"
	var keys []string
	for _, k := range []string{"queue", "seq", "items", "attempts", "ready", "leased", "tokens", "seen", "dead", "deaddata", "deadinfo"} {
		keys = append(keys, base+k)
	}
	return &Outbox{client: s.client, keys: keys}
}

// luaOutbox names the KEYS every outbox script receives, and defines head(lane): the
// lane's first queue member and its item key, or nil.
const luaOutbox = `
local queue, seq, items, attempts, ready, leased, tokens, seen, dead, deaddata, deadinfo =
	KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local function head(lane)
	local m = redis.call('ZRANGEBYLEX', queue, '[' .. lane .. '\0', '(' .. lane .. '\1', 'LIMIT', 0, 1)[1]
	if not m then
		return nil, nil
	end
	return m, string.sub(m, #lane + 19)
end
`

// outboxPutScript queues the items whose keys are not in seen. ARGV: now ms, forget-at
// ms, MaxLaneItems, MaxItems, then key, lane, payload for each item. Reply: how many
// were new, -1 the store is full, -2 a lane is.
var outboxPutScript = goredis.NewScript(luaOutbox + `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', seen, '-inf', now)
local fresh, perLane, batch, n = {}, {}, {}, 0
for i = 5, #ARGV, 3 do
	local key, lane = ARGV[i], ARGV[i + 1]
	if not batch[key] and not redis.call('ZSCORE', seen, key) then
		batch[key] = true
		fresh[#fresh + 1] = i
		perLane[lane] = (perLane[lane] or 0) + 1
	end
end
if redis.call('HLEN', items) + #fresh > tonumber(ARGV[4]) then
	return -1
end
for lane, count in pairs(perLane) do
	if redis.call('ZLEXCOUNT', queue, '[' .. lane .. '\0', '(' .. lane .. '\1') + count > tonumber(ARGV[3]) then
		return -2
	end
end
for _, i in ipairs(fresh) do
	local key, lane = ARGV[i], ARGV[i + 1]
	local s = redis.call('INCR', seq)
	redis.call('ZADD', queue, 0, lane .. '\0' .. string.format('%016d', s) .. '\0' .. key)
	redis.call('HSET', items, key, ARGV[i + 2])
	redis.call('ZADD', seen, ARGV[2], key)
	if not redis.call('ZSCORE', leased, lane) then
		redis.call('ZADD', ready, 'NX', now, lane)
	end
end
return #fresh
`)

// outboxClaimScript leases up to max lanes whose lease ran out or whose first item is
// due, those waiting longest first. ARGV: now ms, lease deadline ms, max, token prefix. Reply: lane, key, payload,
// attempts and token for each item claimed.
var outboxClaimScript = goredis.NewScript(luaOutbox + `
local max = tonumber(ARGV[3])
local out, n = {}, 0
local function take(lane, lapsed)
	local _, key = head(lane)
	redis.call('ZREM', ready, lane)
	if not key then
		redis.call('ZREM', leased, lane)
		redis.call('HDEL', tokens, lane)
		return
	end
	n = n + 1
	local token = ARGV[4] .. ':' .. n
	redis.call('ZADD', leased, ARGV[2], lane)
	redis.call('HSET', tokens, lane, token)
	local a = tonumber(redis.call('HGET', attempts, key) or '0')
	if lapsed then
		a = redis.call('HINCRBY', attempts, key, 1)
	end
	out[#out + 1] = lane
	out[#out + 1] = key
	out[#out + 1] = redis.call('HGET', items, key) or ''
	out[#out + 1] = a
	out[#out + 1] = token
end
-- The lanes waiting longest first, whether their lease ran out or their item is due.
local lapsed = redis.call('ZRANGEBYSCORE', leased, '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, max)
local due = redis.call('ZRANGEBYSCORE', ready, '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, max)
local i, j = 1, 1
while n < max and (i < #lapsed or j < #due) do
	if j >= #due or (i < #lapsed and tonumber(lapsed[i + 1]) <= tonumber(due[j + 1])) then
		take(lapsed[i], true)
		i = i + 2
	else
		take(due[j], false)
		j = j + 2
	end
end
return out
`)

// luaTrimDead defines trimDead(cutoff, keep): it drops the dead letters that died at
// or before cutoff (ms), then the oldest beyond keep.
const luaTrimDead = `
local function trimDead(cutoff, keep)
	local old = redis.call('ZRANGEBYSCORE', dead, '-inf', cutoff)
	local over = redis.call('ZCARD', dead) - #old - keep
	if over > 0 then
		for _, k in ipairs(redis.call('ZRANGE', dead, #old, #old + over - 1)) do
			old[#old + 1] = k
		end
	end
	for _, k in ipairs(old) do
		redis.call('ZREM', dead, k)
		redis.call('HDEL', deaddata, k)
		redis.call('HDEL', deadinfo, k)
	end
end
`

// outboxSettleScript ends a lease if the token still holds it. ARGV: operation (done,
// retry, bury, release), lane, token, key, now ms, retry at ms, reason, MaxDead, the
// dead letters' cutoff ms. Reply: 1 settled, 0 lease lost.
var outboxSettleScript = goredis.NewScript(luaOutbox + luaTrimDead + `
local op, lane, key = ARGV[1], ARGV[2], ARGV[4]
if redis.call('HGET', tokens, lane) ~= ARGV[3] then
	return 0
end
local member, first = head(lane)
if first ~= key then
	return 0
end
redis.call('ZREM', leased, lane)
redis.call('HDEL', tokens, lane)
if op == 'retry' then
	redis.call('HINCRBY', attempts, key, 1)
	redis.call('ZADD', ready, ARGV[6], lane)
	return 1
end
if op == 'release' then
	redis.call('ZADD', ready, ARGV[5], lane)
	return 1
end
if op == 'bury' then
	local a = redis.call('HINCRBY', attempts, key, 1)
	redis.call('ZADD', dead, ARGV[5], key)
	redis.call('HSET', deaddata, key, redis.call('HGET', items, key) or '')
	redis.call('HSET', deadinfo, key, lane .. '\0' .. a .. '\0' .. ARGV[7])
	trimDead(ARGV[9], tonumber(ARGV[8]))
end
redis.call('ZREM', queue, member)
redis.call('HDEL', items, key)
redis.call('HDEL', attempts, key)
if head(lane) then
	redis.call('ZADD', ready, ARGV[5], lane)
end
return 1
`)

// outboxDeadScript drops the dead letters older than the cutoff (ARGV[1], ms) and
// reads the others, oldest first. Reply: key, payload, info and score of each.
var outboxDeadScript = goredis.NewScript(luaOutbox + luaTrimDead + `
trimDead(ARGV[1], tonumber(ARGV[2]))
local out = {}
local all = redis.call('ZRANGE', dead, 0, -1, 'WITHSCORES')
for i = 1, #all, 2 do
	local key = all[i]
	out[#out + 1] = key
	out[#out + 1] = redis.call('HGET', deaddata, key) or ''
	out[#out + 1] = redis.call('HGET', deadinfo, key) or ''
	out[#out + 1] = all[i + 1]
end
return out
`)

// Put implements outbox.Store in one script.
func (o *Outbox) Put(ctx context.Context, now time.Time, items ...outbox.Item) (int, error) {
	if err := outbox.ValidateStored(items); err != nil {
		return 0, err
	}
	if len(items) == 0 {
		return 0, nil
	}
	args := []any{now.UnixMilli(), now.Add(outbox.KeyTTL).UnixMilli(), outbox.MaxLaneItems, outbox.MaxItems}
	for _, it := range items {
		args = append(args, it.Key, it.Lane, it.Payload)
	}
	n, err := outboxPutScript.Run(ctx, o.client, o.keys, args...).Int()
	switch {
	case err != nil:
		return 0, fmt.Errorf("outbox put: %w", err)
	case n == -1:
		return 0, fmt.Errorf("outbox put: more than %d items: %w", outbox.MaxItems, outbox.ErrFull)
	case n == -2:
		return 0, fmt.Errorf("outbox put: a lane would hold more than %d items: %w", outbox.MaxLaneItems, outbox.ErrFull)
	}
	return n, nil
}

// Claim implements outbox.Store in one script.
func (o *Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]outbox.Claimed, error) {
	if err := outbox.ValidateClaim(lease, max); err != nil {
		return nil, err
	}
	reply, err := outboxClaimScript.Run(ctx, o.client, o.keys, now.UnixMilli(), now.Add(lease).UnixMilli(), max, newToken()).Slice()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("outbox claim: %w", err)
	}
	var out []outbox.Claimed
	for i := 0; i+4 < len(reply); i += 5 {
		lane, _ := reply[i].(string)
		key, _ := reply[i+1].(string)
		payload, _ := reply[i+2].(string)
		attempts, _ := reply[i+3].(int64)
		token, _ := reply[i+4].(string)
		out = append(out, outbox.Claimed{Item: outbox.Item{Key: key, Lane: lane, Payload: []byte(payload)},
			Attempts: int(attempts), Token: token})
	}
	return out, nil
}

// settle runs the settle script for op.
func (o *Outbox) settle(ctx context.Context, op string, c outbox.Claimed, now, at time.Time, reason string) error {
	ok, err := outboxSettleScript.Run(ctx, o.client, o.keys, op, c.Lane, c.Token, c.Key, now.UnixMilli(), at.UnixMilli(),
		outbox.CutReason(reason), outbox.MaxDead, now.Add(-outbox.DeadTTL).UnixMilli()).Int()
	switch {
	case err != nil:
		return fmt.Errorf("outbox %s: %w", op, err)
	case ok == 0:
		return fmt.Errorf("outbox %s: %w", op, outbox.ErrLeaseLost)
	}
	return nil
}

// Done implements outbox.Store in one script.
func (o *Outbox) Done(ctx context.Context, now time.Time, c outbox.Claimed) error {
	return o.settle(ctx, "done", c, now, now, "")
}

// Retry implements outbox.Store in one script.
func (o *Outbox) Retry(ctx context.Context, c outbox.Claimed, at time.Time, reason string) error {
	return o.settle(ctx, "retry", c, at, at, reason)
}

// Bury implements outbox.Store in one script.
func (o *Outbox) Bury(ctx context.Context, now time.Time, c outbox.Claimed, reason string) error {
	return o.settle(ctx, "bury", c, now, now, reason)
}

// Release implements outbox.Store in one script.
func (o *Outbox) Release(ctx context.Context, now time.Time, c outbox.Claimed) error {
	return o.settle(ctx, "release", c, now, now, "")
}

// Dead implements outbox.Store in one script.
func (o *Outbox) Dead(ctx context.Context, now time.Time) ([]outbox.Dead, error) {
	reply, err := outboxDeadScript.Run(ctx, o.client, o.keys, now.Add(-outbox.DeadTTL).UnixMilli(), outbox.MaxDead).Slice()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("outbox dead letters: %w", err)
	}
	var out []outbox.Dead
	for i := 0; i+3 < len(reply); i += 4 {
		key, _ := reply[i].(string)
		payload, _ := reply[i+1].(string)
		info, _ := reply[i+2].(string)
		score, _ := reply[i+3].(string)
		parts := strings.SplitN(info, "\x00", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		attempts, _ := strconv.Atoi(parts[1])
		ms, _ := strconv.ParseInt(score, 10, 64)
		out = append(out, outbox.Dead{Item: outbox.Item{Key: key, Lane: parts[0], Payload: []byte(payload)},
			Attempts: attempts, Reason: parts[2], At: time.UnixMilli(ms).UTC()})
	}
	return out, nil
}
