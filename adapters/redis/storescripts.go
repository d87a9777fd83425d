package redis

// The scripts keep a conversation in one hash (see Store). Times are Unix milliseconds
// of the server's clock (TIME), so that the replicas' clocks never compare with each
// other. The hash's expiry is kept in its field x, so that a script knows without a
// PTTL whether the deadlines it writes outlive the hash: x only grows, and covers every
// deadline written into the hash.

// scriptPrelude starts the Begin and Commit scripts: now, in ms by the server's clock,
// and put, which appends a field and its value to an HSET's arguments.
const scriptPrelude = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local function put(f, field, value)
	f[#f + 1] = field
	f[#f + 1] = value
end
`

// beginScript takes the lock, counts the message and loads the state, unless the update
// was handled before. When the hash is missing it first moves the conversation's keys of
// the previous layout into it (migrateScript). KEYS: the hash, then the previous
// layout's state, seen, lock and rate keys. ARGV: token, lock TTL ms, rate window ms,
// update id (empty: none). Reply: {0} duplicate, {1} locked, {2, count, state or nil}.
const beginScript = scriptPrelude + migrateScript + `
local id = ARGV[4]
local function load()
	return redis.call('HMGET', KEYS[1], 'x', 'l', 'ld', 'n', 'w', 's', 'se', 'u:' .. id)
end
local v = load()
if not v[1] and redis.call('EXISTS', KEYS[2], KEYS[3], KEYS[4], KEYS[5]) > 0 then
	if redis.call('EXISTS', KEYS[4]) == 1 then
		return {1}
	end
	migrate(now)
	v = load()
end
if id ~= '' and (tonumber(v[8]) or 0) > now then
	return {0}
end
if v[2] and v[2] ~= '' and (tonumber(v[3]) or 0) > now then
	return {1}
end
local lockEnd, count, windowEnd = now + tonumber(ARGV[2]), 1, now + tonumber(ARGV[3])
local w = tonumber(v[5])
if w and w > now then
	count, windowEnd = tonumber(v[4]) + 1, w
end
local state = v[6]
if state and (tonumber(v[7]) or 0) <= now then
	state = false
	redis.call('HDEL', KEYS[1], 's', 'se')
end
local x, keep = tonumber(v[1]) or 0, math.max(lockEnd, windowEnd)
if keep > x then
	redis.call('HSET', KEYS[1], 'l', ARGV[1], 'ld', lockEnd, 'n', count, 'w', windowEnd, 'x', keep)
	redis.call('PEXPIREAT', KEYS[1], keep)
else
	redis.call('HSET', KEYS[1], 'l', ARGV[1], 'ld', lockEnd, 'n', count, 'w', windowEnd)
end
return {2, count, state}
`

// migrateScript defines migrate(now), which moves what is still live of the previous
// layout's keys (KEYS[2] state, KEYS[3] seen sorted set, KEYS[5] rate counter) into the
// hash, keeping their deadlines, and deletes them. The previous lock, KEYS[4], is
// never moved: Begin waits for it to expire.
const migrateScript = `
local function hsetAll(key, f)
	for i = 1, #f, 200 do
		redis.call('HSET', key, unpack(f, i, math.min(i + 199, #f)))
	end
end
local function migrate(now)
	local f, keep = {}, now
	local function add(field, value, deadline)
		put(f, field, value)
		keep = math.max(keep, deadline)
	end
	local function carry(key, field, deadlineField)
		local value = redis.call('GET', key)
		local ttl = redis.call('PTTL', key)
		if value and ttl > 0 then
			add(field, value, now + ttl)
			add(deadlineField, now + ttl, now)
		end
	end
	carry(KEYS[2], 's', 'se')
	carry(KEYS[5], 'n', 'w')
	local seen = redis.call('ZRANGE', KEYS[3], now + 1, '+inf', 'BYSCORE', 'WITHSCORES')
	for i = 1, #seen, 2 do
		add('u:' .. seen[i], seen[i + 1], tonumber(seen[i + 1]))
	end
	redis.call('DEL', KEYS[2], KEYS[3], KEYS[5])
	if #f > 0 then
		add('x', keep, keep)
		hsetAll(KEYS[1], f)
		redis.call('PEXPIREAT', KEYS[1], keep)
	end
end
`

// commitScript saves the state and the handled marker and releases the lock, if the
// lock is still the session's and has not expired; every sweepEvery commits it also
// takes one step of a sweep of the expired handled markers. KEYS: the hash. ARGV:
// token, state, idle TTL ms, dedupe TTL ms, update id (empty: none). Reply: 1 saved,
// 0 lock lost.
const commitScript = scriptPrelude + `
local v = redis.call('HMGET', KEYS[1], 'l', 'ld', 'x', 'p', 'c')
if v[1] ~= ARGV[1] or (tonumber(v[2]) or 0) <= now then
	return 0
end
local keep = now + tonumber(ARGV[3])
local f = {'s', ARGV[2], 'se', keep, 'l', ''}
if ARGV[5] ~= '' then
	local handled = now + tonumber(ARGV[4])
	put(f, 'u:' .. ARGV[5], handled)
	keep = math.max(keep, handled)
end
local commits = (tonumber(v[4]) or 0) + 1
if commits >= ` + sweepEvery + ` then
	local r = redis.call('HSCAN', KEYS[1], v[5] or '0', 'MATCH', 'u:*', 'COUNT', ` + sweepCount + `)
	local gone = {}
	for i = 1, #r[2], 2 do
		if tonumber(r[2][i + 1]) <= now then
			gone[#gone + 1] = r[2][i]
		end
	end
	if #gone > 0 then
		redis.call('HDEL', KEYS[1], unpack(gone))
	end
	put(f, 'c', r[1])
	commits = 0
end
put(f, 'p', commits)
local grow = keep > (tonumber(v[3]) or 0)
if grow then
	put(f, 'x', keep)
end
redis.call('HSET', KEYS[1], unpack(f))
if grow then
	redis.call('PEXPIREAT', KEYS[1], keep)
end
return 1
`

// A conversation's expired handled markers are swept by steps, one every sweepEvery
// commits, each an HSCAN of about sweepCount fields from where the last one stopped
// (field c keeps the cursor): so a commit's work stays bounded however many markers
// live, and the sweep visits two fields per commit, outpacing the one marker a commit
// adds. A hash small enough for Redis's compact encoding is swept whole at each step.
const (
	sweepEvery = "32"
	sweepCount = "64"
)

// releaseScript clears the lock if it is still the session's. KEYS: the hash. ARGV:
// token.
const releaseScript = `
if redis.call('HGET', KEYS[1], 'l') == ARGV[1] then
	return redis.call('HSET', KEYS[1], 'l', '')
end
return 0
`
