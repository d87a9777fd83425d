package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/reminders"
)

// The Store is also the reminders' queue. Every key shares the hash tag {rem}, hence
// one cluster slot, so each call is one Lua script run atomically:
//
//	<prefix>:{rem}:due      sorted set: pending reminder ids by due time (Unix ms)
//	<prefix>:{rem}:leased   sorted set: claimed reminder ids by lease deadline (Unix ms)
//	<prefix>:{rem}:failed   sorted set: dead letters' ids by due time
//	<prefix>:{rem}:data     hash: id -> the reminder as JSON, in whichever set it is
//	<prefix>:{rem}:token    hash: id -> the token of its claim
//	<prefix>:{rem}:lapsed   hash: id -> leases run out since its JSON was written
//	<prefix>:{rem}:booking  sorted set, all scores 0: "<booking>\x00<id>", so that
//	                        ZRANGEBYLEX finds a booking's reminders
//
// A claim that runs out stays in leased, scored by its deadline: Claim takes the
// expired ones along with the due ones, and counts the lapse in the lapsed hash rather
// than rewriting the JSON inside Lua (cjson would round large numbers).
//
// Leases compare the replicas' clocks, which must be kept in step by NTP: Claim takes
// the caller's now (as reminders.Claimer says), not Redis's TIME, so a deadline set by
// one replica's clock is judged run out by another's. A replica whose clock is ahead
// by d takes over others' leases d early. That is harmless while d stays well under a
// tenth of the lease (6 s with reminders.DefaultLease), since a dispatcher cuts its
// sends off at 90% of the lease; beyond, a reminder may go out twice. Due times move
// by d too, which matters less. An unreadable reminder is made a dead letter by the
// Claim that finds it (see reminders.Unreadable), so that it does not come back with
// every lease.
var _ reminders.Queue = (*Store)(nil)

// planBatch bounds the reminders of one Plan script, so a long Plan does not hold Redis.
const planBatch = 500

// luaBookingEntry defines bookingEntry(data, id) for the scripts that need it: the
// booking index entry of the reminder id stored as data, or false when data does not
// decode (the entry is then left behind, harmless: CancelBooking removes it).
const luaBookingEntry = `
local function bookingEntry(data, id)
	local ok, r = pcall(cjson.decode, data)
	if ok and type(r) == 'table' and type(r.booking) == 'string' then
		return r.booking .. '\0' .. id
	end
	return false
end
`

// planScript stores reminders, dropping any claim, dead letter or booking entry of an
// earlier reminder with the same id, readable or not. ARGV: id, booking entry, JSON,
// due ms, for each.
var planScript = goredis.NewScript(luaBookingEntry + `
for i = 1, #ARGV, 4 do
	local id = ARGV[i]
	local old = redis.call('HGET', KEYS[4], id)
	if old then
		local entry = bookingEntry(old, id)
		if entry then
			redis.call('ZREM', KEYS[7], entry)
		end
	end
	redis.call('ZREM', KEYS[2], id)
	redis.call('ZREM', KEYS[3], id)
	redis.call('HDEL', KEYS[5], id)
	redis.call('HDEL', KEYS[6], id)
	redis.call('HSET', KEYS[4], id, ARGV[i + 2])
	redis.call('ZADD', KEYS[1], ARGV[i + 3], id)
	redis.call('ZADD', KEYS[7], 0, ARGV[i + 1])
end
return 0
`)

// claimScript leases the reminders whose lease ran out, then the due ones, up to max.
// ARGV: now ms, lease deadline ms, max, token prefix. Reply: id, JSON, token and
// lapses for each reminder claimed.
var claimScript = goredis.NewScript(`
local max = tonumber(ARGV[3])
local out = {}
local n = 0
local function take(id, lapsed)
	local data = redis.call('HGET', KEYS[4], id)
	if not data then
		redis.call('ZREM', KEYS[2], id)
		return
	end
	n = n + 1
	local token = ARGV[4] .. ':' .. n
	redis.call('ZADD', KEYS[2], ARGV[2], id)
	redis.call('HSET', KEYS[5], id, token)
	local lapses = 0
	if lapsed then
		lapses = redis.call('HINCRBY', KEYS[6], id, 1)
	end
	out[#out + 1] = id
	out[#out + 1] = data
	out[#out + 1] = token
	out[#out + 1] = lapses
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, max)) do
	take(id, true)
end
if n < max then
	for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, max - n)) do
		redis.call('ZREM', KEYS[1], id)
		take(id, false)
	end
end
return out
`)

// settleScript ends a claim if the token still holds it: ARGV[3] empty removes the
// reminder (Done); otherwise it stores ARGV[3] as its JSON and adds it, scored ARGV[4],
// to the set at KEYS[ARGV[5]] (1, due: Retry; 3, failed: Fail). ARGV: id, token,
// JSON, score, set, booking entry. Reply: 1 settled, 0 claim lost.
var settleScript = goredis.NewScript(`
local id = ARGV[1]
if redis.call('HGET', KEYS[5], id) ~= ARGV[2] then
	return 0
end
redis.call('ZREM', KEYS[2], id)
redis.call('HDEL', KEYS[5], id)
redis.call('HDEL', KEYS[6], id)
if ARGV[3] == '' then
	redis.call('HDEL', KEYS[4], id)
	redis.call('ZREM', KEYS[7], ARGV[6])
else
	redis.call('HSET', KEYS[4], id, ARGV[3])
	redis.call('ZADD', KEYS[tonumber(ARGV[5])], ARGV[4], id)
end
return 1
`)

// cancelScript removes reminders wherever they are, readable or not. ARGV[1]
// non-empty is a booking whose reminders all go; otherwise ARGV[2...] are ids. Reply:
// how many were removed.
var cancelScript = goredis.NewScript(luaBookingEntry + `
local entries = {}
if ARGV[1] ~= '' then
	local b = ARGV[1]
	for _, e in ipairs(redis.call('ZRANGEBYLEX', KEYS[7], '[' .. b .. '\0', '(' .. b .. '\1')) do
		entries[#entries + 1] = {string.sub(e, #b + 2), e}
	end
else
	for i = 2, #ARGV do
		local data = redis.call('HGET', KEYS[4], ARGV[i])
		if data then
			entries[#entries + 1] = {ARGV[i], bookingEntry(data, ARGV[i])}
		end
	end
end
for _, e in ipairs(entries) do
	local id = e[1]
	redis.call('ZREM', KEYS[1], id)
	redis.call('ZREM', KEYS[2], id)
	redis.call('ZREM', KEYS[3], id)
	redis.call('HDEL', KEYS[4], id)
	redis.call('HDEL', KEYS[5], id)
	redis.call('HDEL', KEYS[6], id)
	if e[2] then
		redis.call('ZREM', KEYS[7], e[2])
	end
end
return #entries
`)

// listScript reads reminders: with ARGV[1] non-empty, a booking's that are not dead
// letters; otherwise the first ARGV[2] dead letters. Reply: id, JSON and score in
// the dead letters (0 for a booking's) of each.
var listScript = goredis.NewScript(`
local out = {}
local function add(id, score)
	local data = redis.call('HGET', KEYS[4], id)
	if data then
		out[#out + 1] = id
		out[#out + 1] = data
		out[#out + 1] = score
	end
end
if ARGV[1] ~= '' then
	local b = ARGV[1]
	for _, e in ipairs(redis.call('ZRANGEBYLEX', KEYS[7], '[' .. b .. '\0', '(' .. b .. '\1')) do
		local id = string.sub(e, #b + 2)
		if not redis.call('ZSCORE', KEYS[3], id) then
			add(id, '0')
		end
	end
else
	local failed = redis.call('ZRANGE', KEYS[3], 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')
	for i = 1, #failed, 2 do
		add(failed[i], failed[i + 1])
	end
end
return out
`)

// The sets settleScript can move a reminder to: indexes in remKeys, from 1.
const (
	toDue    = 1
	toFailed = 3
)

// remKeys returns the keys of the reminders' queue, which every script above receives
// as KEYS, in this order: due, leased, failed, data, token, lapsed, booking.
func (s *Store) remKeys() []string {
	base := s.prefix + ":{rem}:"
	return []string{base + "due", base + "leased", base + "failed", base + "data", base + "token", base + "lapsed", base + "booking"}
}

// bookingEntry is a reminder's member in the booking index.
func bookingEntry(booking, id string) string {
	return booking + "\x00" + id
}

// Plan implements reminders.Planner: one script per planBatch reminders, each script
// atomic.
func (s *Store) Plan(ctx context.Context, rs ...reminders.Reminder) error {
	args := make([]any, 0, 4*len(rs))
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("plan reminders: %w", err)
		}
		data, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("plan reminder %s: %w", r.ID, err)
		}
		args = append(args, r.ID, bookingEntry(r.Booking, r.ID), data, r.Due.UnixMilli())
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("plan reminders: %w", err)
	}
	for chunk := range slices.Chunk(args, 4*planBatch) {
		if err := planScript.Run(ctx, s.client, s.remKeys(), chunk...).Err(); err != nil {
			return fmt.Errorf("plan reminders: %w", err)
		}
	}
	return nil
}

// Cancel implements reminders.Planner in one script.
func (s *Store) Cancel(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cancel reminders: %w", err)
	}
	if err := cancelScript.Run(ctx, s.client, s.remKeys(), append([]any{""}, toArgs(ids)...)...).Err(); err != nil {
		return fmt.Errorf("cancel reminders: %w", err)
	}
	return nil
}

// CancelBooking implements reminders.Planner in one script.
func (s *Store) CancelBooking(ctx context.Context, booking string) error {
	if booking == "" {
		return errors.New("cancel reminders: empty booking id")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cancel reminders of booking %s: %w", booking, err)
	}
	if err := cancelScript.Run(ctx, s.client, s.remKeys(), booking).Err(); err != nil {
		return fmt.Errorf("cancel reminders of booking %s: %w", booking, err)
	}
	return nil
}

// Claim implements reminders.Claimer in one script, on the assumption that the
// replicas' clocks agree (see above); making a dead letter of an unreadable reminder
// takes one more.
func (s *Store) Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]reminders.Claimed, error) {
	if err := reminders.ValidateClaim(lease, max); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	until := now.Add(lease)
	reply, err := claimScript.Run(ctx, s.client, s.remKeys(), now.UnixMilli(), until.UnixMilli(), max, newToken()).Slice()
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	claimed := make([]reminders.Claimed, 0, len(reply)/4)
	var errs []error
	for i := 0; i+3 < len(reply); i += 4 {
		id, _ := reply[i].(string)
		data, _ := reply[i+1].(string)
		token, _ := reply[i+2].(string)
		lapses, _ := reply[i+3].(int64)
		var r reminders.Reminder
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			// Left claimed, it would come back with every lease, never to be sent.
			errs = append(errs, s.bury(ctx, reminders.Claimed{Reminder: reminders.Unreadable(r, id, err, now), Token: token}, err))
			continue
		}
		claimed = append(claimed, reminders.Claimed{Reminder: reminders.Lapsed(r, int(lapses)), Token: token, Until: until})
	}
	if err := errors.Join(errs...); err != nil {
		return claimed, fmt.Errorf("claim reminders: %w", err)
	}
	return claimed, nil
}

// bury makes dead, claimed in place of an unreadable reminder with its id, a dead
// letter, and returns the error that says so.
func (s *Store) bury(ctx context.Context, dead reminders.Claimed, unreadable error) error {
	err := fmt.Errorf("reminder %s: unreadable: %w; made a dead letter", dead.ID, unreadable)
	if settleErr := s.settle(ctx, "bury", dead, &dead.Reminder, dead.Due.UnixMilli(), toFailed); settleErr != nil {
		// Still claimed: the next claim after its lease tries again.
		err = fmt.Errorf("reminder %s: unreadable: %w; not yet made a dead letter: %w", dead.ID, unreadable, settleErr)
	}
	return err
}

// Done implements reminders.Claimer in one script.
func (s *Store) Done(ctx context.Context, c reminders.Claimed) error {
	return s.settle(ctx, "done", c, nil, 0, 0)
}

// Retry implements reminders.Claimer in one script.
func (s *Store) Retry(ctx context.Context, c reminders.Claimed, at time.Time, errText string) error {
	return s.settle(ctx, "retry", c, ptr(c.Retried(at, errText)), at.UnixMilli(), toDue)
}

// Fail implements reminders.Claimer in one script.
func (s *Store) Fail(ctx context.Context, c reminders.Claimed, errText string) error {
	return s.settle(ctx, "fail", c, ptr(c.Failed(errText)), c.Due.UnixMilli(), toFailed)
}

// settle runs settleScript: next nil removes the reminder, otherwise next goes to the
// set to, scored score.
func (s *Store) settle(ctx context.Context, op string, c reminders.Claimed, next *reminders.Reminder, score int64, to int) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s reminder %s: %w", op, c.ID, err)
	}
	var data []byte
	if next != nil {
		var err error
		if data, err = json.Marshal(next); err != nil {
			return fmt.Errorf("%s reminder %s: %w", op, c.ID, err)
		}
	}
	args := []any{c.ID, c.Token, data, score, to, bookingEntry(c.Booking, c.ID)}
	n, err := settleScript.Run(ctx, s.client, s.remKeys(), args...).Int()
	switch {
	case err != nil:
		return fmt.Errorf("%s reminder %s: %w", op, c.ID, err)
	case n != 1:
		return fmt.Errorf("%s reminder %s: %w", op, c.ID, reminders.ErrLeaseLost)
	}
	return nil
}

// Pending implements reminders.Inspector in one script.
func (s *Store) Pending(ctx context.Context, booking string) ([]reminders.Reminder, error) {
	if booking == "" {
		return nil, errors.New("pending reminders: empty booking id")
	}
	return s.list(ctx, "pending reminders of booking "+booking, booking, 0)
}

// Failed implements reminders.Inspector in one script.
func (s *Store) Failed(ctx context.Context) ([]reminders.Reminder, error) {
	return s.list(ctx, "failed reminders", "", reminders.MaxList)
}

// list runs listScript: a booking's reminders, or with booking empty the first max
// dead letters, where those that do not decode are listed as reminders.Unreadable.
func (s *Store) list(ctx context.Context, what, booking string, max int) ([]reminders.Reminder, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	reply, err := listScript.Run(ctx, s.client, s.remKeys(), booking, strconv.Itoa(max)).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	rs := make([]reminders.Reminder, 0, len(reply)/3)
	for i := 0; i+2 < len(reply); i += 3 {
		id, data, score := reply[i], reply[i+1], reply[i+2]
		var r reminders.Reminder
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			if booking != "" {
				return nil, fmt.Errorf("%s: reminder %s: unreadable: %w", what, id, err)
			}
			ms, _ := strconv.ParseFloat(score, 64)
			r = reminders.Unreadable(r, id, err, time.UnixMilli(int64(ms)))
		}
		rs = append(rs, r)
	}
	slices.SortStableFunc(rs, func(a, b reminders.Reminder) int { return a.Due.Compare(b.Due) })
	return rs, nil
}

func ptr[T any](v T) *T { return &v }
