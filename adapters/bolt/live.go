package bolt

import (
	"math"
	"sync"
	"time"
)

// liveTable holds what the Store keeps of each conversation in memory only: its lock
// and its rate counter. Keeping them out of the file spares Begin a write transaction
// and its fsync; it is safe because bbolt's file lock admits one process, so no other
// process can take a lock, and a restart ends every session of the previous run (their
// Commits cannot reach the new one). The rate counters are mirrored to the rate bucket
// by each Commit, inside its group's transaction, and by Close, and Open reads them
// back: a restart keeps the counts, but for the messages a crash caught unsaved.
type liveTable struct {
	mu    sync.Mutex
	convs map[string]liveConv
}

// liveConv is one conversation's entry. Times are Unix nanoseconds, as in the file.
type liveConv struct {
	token    string // the lock's holder; "" when nobody holds it
	lockEnds int64  // when the lock expires
	pinned   bool   // the holder's Commit is being written: the lock holds past lockEnds
	count    uint64 // messages in the rate window
	rateEnds int64  // when the rate window ends
}

func newLiveTable() *liveTable { return &liveTable{convs: map[string]liveConv{}} }

// held reports whether c's lock is held at now.
func (c liveConv) held(now int64) bool { return c.token != "" && (c.pinned || now < c.lockEnds) }

// empty reports whether c holds nothing worth keeping at now.
func (c liveConv) empty(now int64) bool { return !c.held(now) && now >= c.rateEnds }

// lock takes conversation's lock for token until now+ttl, unless someone holds it.
func (t *liveTable) lock(conversation, token string, now time.Time, ttl time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.convs[conversation]
	if c.held(now.UnixNano()) {
		return false
	}
	c.token, c.lockEnds, c.pinned = token, now.Add(ttl).UnixNano(), false
	t.convs[conversation] = c
	return true
}

// count counts one message in conversation's rate window, opening a window of length
// window at now when none is open, and returns the count.
func (t *liveTable) count(conversation string, now time.Time, window time.Duration) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.convs[conversation]
	if now.UnixNano() >= c.rateEnds {
		c.count, c.rateEnds = 0, now.Add(window).UnixNano()
	}
	c.count++
	t.convs[conversation] = c
	return int(c.count)
}

// unlock frees conversation's lock if token holds it.
func (t *liveTable) unlock(conversation, token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.convs[conversation]; ok && c.token == token {
		c.token, c.pinned = "", false
		t.convs[conversation] = c
	}
}

// pin checks that token holds conversation's lock at now and keeps it held, whatever
// its expiry, until unpin: a Begin must not read the state while a Commit writes it.
// It returns the rate counter, to be saved with the state.
func (t *liveTable) pin(conversation, token string, now time.Time) (count uint64, rateEnds int64, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, found := t.convs[conversation]
	if !found || c.token != token || !c.held(now.UnixNano()) {
		return 0, 0, false
	}
	c.pinned = true
	t.convs[conversation] = c
	return c.count, c.rateEnds, true
}

// unpin ends what pin began, if token still holds the lock: it frees the lock when
// the Commit was saved, and leaves it to its expiry when it was not.
func (t *liveTable) unpin(conversation, token string, saved bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.convs[conversation]
	if !ok || c.token != token {
		return
	}
	c.pinned = false
	if saved {
		c.token = ""
	}
	t.convs[conversation] = c
}

// seize takes conversation's lock for token with no expiry, whoever holds it, and
// zeroes its rate counter: Forget holds it while it erases the file's records, so that
// no session reads them meanwhile and the session it displaced cannot commit.
func (t *liveTable) seize(conversation, token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.convs[conversation] = liveConv{token: token, lockEnds: math.MaxInt64}
}

// drop deletes conversation's entry if token holds its lock.
func (t *liveTable) drop(conversation, token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.convs[conversation]; ok && c.token == token {
		delete(t.convs, conversation)
	}
}

// restore sets a rate counter read from the file, for Open.
func (t *liveTable) restore(conversation string, count uint64, rateEnds int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.convs[conversation]
	c.count, c.rateEnds = count, rateEnds
	t.convs[conversation] = c
}

// eachRate calls fn with every rate window still open at now.
func (t *liveTable) eachRate(now time.Time, fn func(conversation string, count uint64, rateEnds int64)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for conversation, c := range t.convs {
		if now.UnixNano() < c.rateEnds {
			fn(conversation, c.count, c.rateEnds)
		}
	}
}

// sweep forgets the locks expired and the rate windows ended at now, and returns how
// many it forgot.
func (t *liveTable) sweep(now time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	at, n := now.UnixNano(), 0
	for conversation, c := range t.convs {
		if c.token != "" && !c.held(at) {
			c.token = ""
			n++
		}
		if c.rateEnds != 0 && at >= c.rateEnds {
			c.count, c.rateEnds = 0, 0
			n++
		}
		if c.empty(at) {
			delete(t.convs, conversation)
		} else {
			t.convs[conversation] = c
		}
	}
	return n
}
