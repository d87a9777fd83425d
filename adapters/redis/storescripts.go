package redis

// The scripts keep a conversation in one hash (see Store): its small values packed in
// one field, m, so that the hash costs Redis few fields. Times are Unix milliseconds of
// the server's clock (TIME), so that the replicas' clocks never compare with each
// other. The hash's expiry is kept in m too (x), so that a script knows without a PTTL
// whether the deadlines it writes outlive the hash: x only grows, and covers every
// deadline written into the hash.

// metaScript defines decode(m), which unpacks field m (false when the hash is missing)
// into a table, and encode(r), which packs the table back. m is "<lock token> <lock
// deadline> <count> <window end> <hash expiry> <state deadline> <commits since the
// last sweep step> <sweep cursor>", the token being "" when the lock is free.
const metaScript = `
local function decode(m)
	local r = {l = '', ld = 0, n = 0, w = 0, x = 0, se = 0, p = 0, c = '0'}
	if m then
		local l, ld, n, w, x, se, p, c = string.match(m,
			'^(%S*) (%d+) (%d+) (%d+) (%d+) (%d+) (%d+) (%d+)$')
		if l then
			r = {l = l, ld = tonumber(ld), n = tonumber(n), w = tonumber(w), x = tonumber(x),
				se = tonumber(se), p = tonumber(p), c = c}
		end
	end
	return r
end
local function encode(r)
	return string.format('%s %d %d %d %d %d %d %s', r.l, r.ld, r.n, r.w, r.x, r.se, r.p, r.c)
end
-- save writes m and the other fields f (field, value, ...), and makes the hash expire
-- at keep if that is later than it would.
local function save(key, r, f, keep)
	local grow = keep > r.x
	if grow then
		r.x = keep
	end
	redis.call('HSET', key, 'm', encode(r), unpack(f))
	if grow then
		redis.call('PEXPIREAT', key, keep)
	end
end
`

// scriptPrelude starts every script but the release: now, in ms by the server's clock,
// and the functions of metaScript.
const scriptPrelude = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
` + metaScript

// beginScript takes the lock, counts the message and loads the state, unless the update
// was handled before. When the hash is missing it first moves the conversation's keys of
// the previous layout into it (migrateScript). KEYS: the hash, then the previous
// layout's state, seen, lock and rate keys. ARGV: token, lock TTL ms, rate window ms,
// update id (empty: none). Reply: {0} duplicate, {1} locked, {2, count, state or nil}.
const beginScript = scriptPrelude + migrateScript + `
local id = ARGV[4]
local function load()
	return redis.call('HMGET', KEYS[1], 'm', 's', 'u:' .. id)
end
local v = load()
if not v[1] and redis.call('EXISTS', KEYS[2], KEYS[3], KEYS[4], KEYS[5]) > 0 then
	if redis.call('EXISTS', KEYS[4]) == 1 then
		return {1}
	end
	migrate(now)
	v = load()
end
if id ~= '' and (tonumber(v[3]) or 0) > now then
	return {0}
end
local r = decode(v[1])
if r.l ~= '' and r.ld > now then
	return {1}
end
r.l, r.ld = ARGV[1], now + tonumber(ARGV[2])
if r.w > now then
	r.n = r.n + 1
else
	r.n, r.w = 1, now + tonumber(ARGV[3])
end
local state = v[2]
if state and r.se <= now then
	state = false
	redis.call('HDEL', KEYS[1], 's')
end
save(KEYS[1], r, {}, math.max(r.ld, r.w))
return {2, r.n, state}
`

// migrateScript defines migrate(now), which moves what is still live of the previous
// layout's keys (KEYS[2] state, KEYS[3] seen sorted set, KEYS[5] rate counter) into the
// hash, keeping their deadlines, and deletes them. The previous lock, KEYS[4], is
// never moved: Begin waits for it to expire.
const migrateScript = `
local function migrate(now)
	local r, f, keep = decode(false), {}, now
	local state = redis.call('GET', KEYS[2])
	local ttl = redis.call('PTTL', KEYS[2])
	if state and ttl > 0 then
		f[1], f[2], r.se = 's', state, now + ttl
	end
	local count = redis.call('GET', KEYS[5])
	ttl = redis.call('PTTL', KEYS[5])
	if count and ttl > 0 then
		r.n, r.w = tonumber(count), now + ttl
	end
	local seen = redis.call('ZRANGE', KEYS[3], now + 1, '+inf', 'BYSCORE', 'WITHSCORES')
	for i = 1, #seen, 2 do
		keep = math.max(keep, tonumber(seen[i + 1]))
		if #f >= 400 then
			redis.call('HSET', KEYS[1], unpack(f))
			f = {}
		end
		f[#f + 1] = 'u:' .. seen[i]
		f[#f + 1] = seen[i + 1]
	end
	redis.call('DEL', KEYS[2], KEYS[3], KEYS[5])
	keep = math.max(keep, r.se, r.w)
	if keep > now then
		save(KEYS[1], r, f, keep)
	end
end
`

// commitScript saves the state and the handled marker and releases the lock, if the
// lock is still the session's and has not expired; every sweepEvery commits it also
// takes one step of a sweep of the expired handled markers. KEYS: the hash. ARGV:
// token, state, idle TTL ms, dedupe TTL ms, update id (empty: none). Reply: 1 saved,
// 0 lock lost.
const commitScript = scriptPrelude + `
local r = decode(redis.call('HGET', KEYS[1], 'm'))
if r.l ~= ARGV[1] or r.ld <= now then
	return 0
end
r.l, r.se = '', now + tonumber(ARGV[3])
local f, keep = {'s', ARGV[2]}, r.se
if ARGV[5] ~= '' then
	local handled = now + tonumber(ARGV[4])
	f[3], f[4] = 'u:' .. ARGV[5], handled
	keep = math.max(keep, handled)
end
r.p = r.p + 1
if r.p >= ` + sweepEvery + ` then
	local found = redis.call('HSCAN', KEYS[1], r.c, 'MATCH', 'u:*', 'COUNT', ` + sweepCount + `)
	local gone = {}
	for i = 1, #found[2], 2 do
		if tonumber(found[2][i + 1]) <= now then
			gone[#gone + 1] = found[2][i]
		end
	end
	if #gone > 0 then
		redis.call('HDEL', KEYS[1], unpack(gone))
	end
	r.p, r.c = 0, found[1]
end
save(KEYS[1], r, f, keep)
return 1
`

// A conversation's expired handled markers are swept by steps, one every sweepEvery
// commits, each an HSCAN of about sweepCount fields from where the last one stopped
// (m keeps the cursor): so a commit's work stays bounded however many markers live,
// and the sweep visits two fields per commit, outpacing the one marker a commit adds.
// A hash small enough for Redis's compact encoding is swept whole at each step.
const (
	sweepEvery = "32"
	sweepCount = "64"
)

// releaseScript frees the lock if it is still the session's. KEYS: the hash. ARGV:
// token.
const releaseScript = metaScript + `
local r = decode(redis.call('HGET', KEYS[1], 'm'))
if r.l ~= ARGV[1] then
	return 0
end
r.l = ''
redis.call('HSET', KEYS[1], 'm', encode(r))
return 1
`
