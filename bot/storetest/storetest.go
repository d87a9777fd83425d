// Package storetest is the contract test suite of bot.Store: every implementation runs
// it, so the engine can rely on the same behaviour from Redis and from bbolt.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/clocktest"
)

// Durations of the suite. Stores that keep real time (Redis) sleep through them (the
// subtests run in parallel, so the suite takes about the longest of them). Some checks
// need a TTL not to have run out yet a few round trips after it was set, so shortTTL
// leaves room for a slow, loaded machine with the race detector; margin absorbs
// scheduling delays and the store's clock resolution.
const (
	shortTTL = 500 * time.Millisecond
	margin   = 200 * time.Millisecond
	longTTL  = time.Hour
	pollStep = 10 * time.Millisecond
	polls    = 50
)

// Run runs the contract suite against the stores newStore makes. Subtests run in
// parallel: newStore is called once per subtest, concurrently, and must return a store
// that shares no conversations with the others, plus the Clock that store reads.
func Run(t *testing.T, newStore func(t *testing.T) (bot.Store, clocktest.Advancer)) {
	tests := []struct {
		name string
		run  func(h *harness)
	}{
		{"RoundTrip", testRoundTrip},
		{"NewConversationHasNilState", testNewConversation},
		{"EmptyStateIsNotNil", testEmptyState},
		{"StateBytesAreTheCallers", testStateBytesOwned},
		{"DuplicateUpdate", testDuplicate},
		{"DuplicateMarkerExpires", testDedupeExpiry},
		{"ReleasedUpdateCanBeRetried", testReleaseNotSeen},
		{"LockedByAnotherSession", testLocked},
		{"ExpiredLockIsTakenOver", testTakeover},
		{"ExpiredLockIsLost", testExpiredLockLost},
		{"ReleaseByWrongToken", testReleaseWrongToken},
		{"RateWindow", testRateWindow},
		{"StateExpiresWhenIdle", testIdleExpiry},
		{"Forget", testForget},
		{"OddConversationIDs", testOddIDs},
		{"InvalidInput", testInvalidInput},
		{"CancelledContext", testCancelledContext},
		{"ConcurrentIncrements", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store, clock := newStore(t)
			tc.run(&harness{t: t, store: store, clock: clock})
		})
	}
}

// harness wraps a store with helpers that fail the test on unexpected errors.
type harness struct {
	t     *testing.T
	store bot.Store
	clock clocktest.Advancer
}

// req returns a Begin with long TTLs, so nothing expires unless a test wants it to.
func req(conversation, update string) bot.Begin {
	return bot.Begin{Conversation: conversation, UpdateID: update, LockTTL: longTTL, RateWindow: longTTL}
}

// save returns a Commit with long TTLs.
func save(state string) bot.Commit {
	return bot.Commit{State: []byte(state), IdleTTL: longTTL, DedupeTTL: longTTL}
}

func (h *harness) begin(b bot.Begin) bot.Session {
	h.t.Helper()
	s, err := h.store.Begin(context.Background(), b)
	if err != nil {
		h.t.Fatalf("Begin(%q, %q): %v", b.Conversation, b.UpdateID, err)
	}
	return s
}

// beginEventually retries Begin while it returns ErrLocked, letting time pass between
// attempts: stores that expire lazily may take a moment past the TTL.
func (h *harness) beginEventually(b bot.Begin) bot.Session {
	h.t.Helper()
	for range polls {
		s, err := h.store.Begin(context.Background(), b)
		if err == nil {
			return s
		}
		if !errors.Is(err, bot.ErrLocked) {
			h.t.Fatalf("Begin(%q, %q): %v", b.Conversation, b.UpdateID, err)
		}
		h.clock.Advance(pollStep)
	}
	h.t.Fatalf("Begin(%q, %q): still locked after the lock's TTL", b.Conversation, b.UpdateID)
	return bot.Session{}
}

func (h *harness) commit(s bot.Session, c bot.Commit) {
	h.t.Helper()
	if err := h.store.Commit(context.Background(), s, c); err != nil {
		h.t.Fatalf("Commit(%q, %q): %v", s.Conversation, s.UpdateID, err)
	}
}

func (h *harness) release(s bot.Session) {
	h.t.Helper()
	if err := h.store.Release(context.Background(), s); err != nil {
		h.t.Fatalf("Release(%q, %q): %v", s.Conversation, s.UpdateID, err)
	}
}

// handled begins and commits one update, returning what Begin saw.
func (h *harness) handled(conversation, update, state string) bot.Session {
	h.t.Helper()
	s := h.begin(req(conversation, update))
	h.commit(s, save(state))
	return s
}

func (h *harness) wantLocked(conversation string) {
	h.t.Helper()
	_, err := h.store.Begin(context.Background(), req(conversation, "probe"))
	if !errors.Is(err, bot.ErrLocked) {
		h.t.Fatalf("Begin(%q) on a held lock: got %v, want ErrLocked", conversation, err)
	}
}

func (h *harness) wantState(s bot.Session, state string, count int) {
	h.t.Helper()
	if s.Duplicate || s.State == nil || string(s.State) != state || s.Count != count {
		h.t.Fatalf("session %q/%q: duplicate=%v state=%q (nil=%v) count=%d; want state %q count %d",
			s.Conversation, s.UpdateID, s.Duplicate, s.State, s.State == nil, s.Count, state, count)
	}
}

func (h *harness) wantNew(s bot.Session, count int) {
	h.t.Helper()
	if s.Duplicate || s.State != nil || s.Count != count || s.Token == "" {
		h.t.Fatalf("session %q/%q: duplicate=%v state=%q token=%q count=%d; want a new conversation, count %d",
			s.Conversation, s.UpdateID, s.Duplicate, s.State, s.Token, s.Count, count)
	}
}

func testRoundTrip(h *harness) {
	first := h.begin(req("telegram:1", "u1"))
	h.wantNew(first, 1)
	if first.Conversation != "telegram:1" || first.UpdateID != "u1" {
		h.t.Fatalf("session names %q/%q, want telegram:1/u1", first.Conversation, first.UpdateID)
	}
	h.commit(first, save("step=1"))
	second := h.begin(req("telegram:1", "u2"))
	h.wantState(second, "step=1", 2)
	if second.Token == first.Token {
		h.t.Fatalf("two sessions share the token %q", first.Token)
	}
	h.commit(second, save("step=2"))
	h.wantState(h.begin(req("telegram:1", "u3")), "step=2", 3)
}

func testNewConversation(h *harness) {
	h.handled("telegram:1", "u1", "known")
	h.wantNew(h.begin(req("telegram:2", "u1")), 1)
	h.wantNew(h.begin(req("telegram:3", "")), 1)
}

func testEmptyState(h *harness) {
	h.handled("web:1", "u1", "")
	h.wantState(h.begin(req("web:1", "u2")), "", 2)
}

// The engine reuses the buffer it commits from, and decodes the strings of a state in
// the bytes Begin returned: the store must keep neither.
func testStateBytesOwned(h *harness) {
	s := h.begin(req("telegram:1", "u1"))
	c := save("committed")
	h.commit(s, c)
	copy(c.State, "overwrite")
	second := h.begin(req("telegram:1", "u2"))
	h.wantState(second, "committed", 2)
	copy(second.State, "scribbled")
	h.release(second)
	third := h.begin(req("telegram:1", "u3"))
	h.wantState(third, "committed", 3)
	// Nor does a later Begin or Commit write into bytes an earlier Begin returned.
	h.commit(third, save("rewritten"))
	if string(second.State) != "scribbled" {
		h.t.Errorf("an earlier Begin's state bytes changed under the caller: %q", second.State)
	}
}

func testDuplicate(h *harness) {
	h.handled("telegram:1", "u1", "after-u1")
	dup := h.begin(req("telegram:1", "u1"))
	if !dup.Duplicate || dup.Token != "" || dup.State != nil || dup.Count != 0 {
		h.t.Fatalf("second Begin of u1: %+v, want only Duplicate set", dup)
	}
	h.release(dup) // a duplicate holds nothing; releasing it is harmless
	if err := h.store.Commit(context.Background(), dup, save("bogus")); err == nil {
		h.t.Fatal("Commit of a duplicate session succeeded, want an error")
	}
	// No lock was taken and the duplicate was not counted.
	next := h.begin(req("telegram:1", "u2"))
	h.wantState(next, "after-u1", 2)
	h.commit(next, save("after-u2"))
	// Updates without an id are never duplicates.
	h.handled("telegram:1", "", "x")
	h.wantState(h.begin(req("telegram:1", "")), "x", 4)
}

func testDedupeExpiry(h *harness) {
	s := h.begin(req("telegram:1", "u1"))
	h.commit(s, bot.Commit{State: []byte("a"), IdleTTL: longTTL, DedupeTTL: shortTTL})
	if !h.begin(req("telegram:1", "u1")).Duplicate {
		h.t.Fatal("u1 is not a duplicate right after its commit")
	}
	h.clock.Advance(shortTTL + margin)
	again := h.begin(req("telegram:1", "u1"))
	h.wantState(again, "a", 2)
}

func testReleaseNotSeen(h *harness) {
	h.release(h.begin(req("telegram:1", "u1")))
	retry := h.begin(req("telegram:1", "u1"))
	h.wantNew(retry, 2)
	h.commit(retry, save("done"))
	if !h.begin(req("telegram:1", "u1")).Duplicate {
		h.t.Fatal("u1 is not a duplicate after its retry was committed")
	}
}

func testLocked(h *harness) {
	a := h.begin(req("telegram:1", "u1"))
	h.wantLocked("telegram:1")
	h.wantLocked("telegram:1")
	h.commit(a, save("a"))
	// Attempts refused with ErrLocked were not counted.
	h.wantState(h.begin(req("telegram:1", "u2")), "a", 2)
}

func testTakeover(h *harness) {
	old := h.begin(bot.Begin{Conversation: "telegram:1", UpdateID: "u1", LockTTL: shortTTL, RateWindow: longTTL})
	h.clock.Advance(shortTTL + margin)
	taker := h.beginEventually(req("telegram:1", "u2"))
	h.wantNew(taker, 2)
	if err := h.store.Commit(context.Background(), old, save("old")); !errors.Is(err, bot.ErrLockLost) {
		h.t.Fatalf("Commit by the expired session: got %v, want ErrLockLost", err)
	}
	h.wantLocked("telegram:1") // the failed Commit did not release the taker's lock
	h.commit(taker, save("new"))
	// The lost commit saved nothing and did not mark u1 as handled.
	h.wantState(h.begin(req("telegram:1", "u1")), "new", 3)
}

func testExpiredLockLost(h *harness) {
	s := h.begin(bot.Begin{Conversation: "telegram:1", UpdateID: "u1", LockTTL: shortTTL, RateWindow: longTTL})
	h.clock.Advance(shortTTL + margin)
	// Nobody took the lock over, but it expired: another handler may have run.
	if err := h.store.Commit(context.Background(), s, save("late")); !errors.Is(err, bot.ErrLockLost) {
		h.t.Fatalf("Commit after the lock expired: got %v, want ErrLockLost", err)
	}
	h.wantNew(h.beginEventually(req("telegram:1", "u1")), 2)
}

func testReleaseWrongToken(h *harness) {
	old := h.begin(bot.Begin{Conversation: "telegram:1", UpdateID: "u1", LockTTL: shortTTL, RateWindow: longTTL})
	h.clock.Advance(shortTTL + margin)
	taker := h.beginEventually(req("telegram:1", "u2"))
	_ = h.store.Release(context.Background(), old)
	h.wantLocked("telegram:1")
	forged := taker
	forged.Token = "forged"
	_ = h.store.Release(context.Background(), forged)
	_ = h.store.Release(context.Background(), bot.Session{Conversation: "telegram:1"})
	h.wantLocked("telegram:1")
	h.commit(taker, save("taker"))
	h.wantState(h.begin(req("telegram:1", "u3")), "taker", 3)
}

func testRateWindow(h *harness) {
	window := 3 * shortTTL
	b := func(update string) bot.Begin {
		return bot.Begin{Conversation: "telegram:1", UpdateID: update, LockTTL: longTTL, RateWindow: window}
	}
	for i, update := range []string{"u1", "u2", "u3"} {
		s := h.begin(b(update))
		if s.Count != i+1 {
			h.t.Fatalf("message %d counted as %d", i+1, s.Count)
		}
		h.commit(s, save(update))
	}
	released := h.begin(b("u4"))
	h.release(released)
	if released.Count != 4 {
		h.t.Fatalf("released message counted as %d, want 4", released.Count)
	}
	h.clock.Advance(window + margin)
	h.wantState(h.begin(b("u5")), "u3", 1)
}

func testIdleExpiry(h *harness) {
	idle := 3 * shortTTL
	s := h.begin(req("telegram:1", "u1"))
	h.commit(s, bot.Commit{State: []byte("kept"), IdleTTL: idle, DedupeTTL: longTTL})
	h.clock.Advance(idle / 3)
	peek := h.begin(req("telegram:1", "u2"))
	h.wantState(peek, "kept", 2)
	h.release(peek) // Begin and Release do not refresh the state's expiry
	h.clock.Advance(idle - idle/3 + margin)
	for range polls {
		s := h.begin(req("telegram:1", "u3"))
		h.release(s)
		if s.State == nil {
			return
		}
		h.clock.Advance(pollStep)
	}
	h.t.Fatal("state still there after IdleTTL")
}

func testForget(h *harness) {
	h.handled("telegram:1", "u1", "secret")
	h.handled("telegram:2", "u1", "other")
	if err := h.store.Forget(context.Background(), "telegram:1"); err != nil {
		h.t.Fatalf("Forget: %v", err)
	}
	// The handled-update markers are erased too (they name the chat), but only the
	// forgotten conversation's.
	if s := h.begin(req("telegram:1", "u1")); s.Duplicate {
		h.t.Fatal("the handled-update marker survived Forget")
	} else {
		h.release(s)
	}
	if s := h.begin(req("telegram:2", "u1")); !s.Duplicate {
		h.t.Fatal("Forget erased another conversation's handled-update marker")
	}
	h.wantNew(h.begin(req("telegram:1", "u2")), 2) // state gone; the counter restarted at the probe above
	h.wantState(h.begin(req("telegram:2", "u2")), "other", 2)
	// Forget also ends an open session, so data it loaded cannot be written back.
	open := h.begin(req("telegram:3", "u1"))
	if err := h.store.Forget(context.Background(), "telegram:3"); err != nil {
		h.t.Fatalf("Forget: %v", err)
	}
	if err := h.store.Commit(context.Background(), open, save("resurrected")); !errors.Is(err, bot.ErrLockLost) {
		h.t.Fatalf("Commit after Forget: got %v, want ErrLockLost", err)
	}
	h.wantNew(h.begin(req("telegram:3", "u2")), 1)
	if err := h.store.Forget(context.Background(), "never-seen"); err != nil {
		h.t.Fatalf("Forget of an unknown conversation: %v", err)
	}
}

// oddIDs are conversation ids that a careless key scheme would mix up.
var oddIDs = []string{
	"a", "a}", "a}b", "}", "{", "{c:a}", "a:b", "a:state", "a:seen:u1", "a%7D", "a%", "%",
	"città 🙂", "a\x00b", "a\nb", "telegram:12345", strings.Repeat("x", 500), strings.Repeat("}", 500),
}

func testOddIDs(h *harness) {
	// Same update id everywhere: a shared handled-marker would show up as a duplicate.
	for i, id := range oddIDs {
		s := h.begin(req(id, "u1"))
		h.wantNew(s, 1)
		h.commit(s, save(strconv.Itoa(i)))
	}
	// All locks at once: a shared lock would show up as ErrLocked.
	sessions := make([]bot.Session, len(oddIDs))
	for i, id := range oddIDs {
		sessions[i] = h.begin(req(id, "u2"))
		h.wantState(sessions[i], strconv.Itoa(i), 2)
	}
	for _, s := range sessions {
		h.release(s)
	}
	if err := h.store.Forget(context.Background(), "a"); err != nil {
		h.t.Fatalf("Forget: %v", err)
	}
	for i, id := range oddIDs[1:] {
		h.wantState(h.begin(req(id, "u3")), strconv.Itoa(i+1), 3)
	}
}

func testInvalidInput(h *harness) {
	ctx := context.Background()
	begins := []struct {
		name string
		b    bot.Begin
	}{
		{"empty conversation", req("", "u1")},
		{"zero LockTTL", bot.Begin{Conversation: "c", UpdateID: "u1", RateWindow: time.Minute}},
		{"negative RateWindow", bot.Begin{Conversation: "c", UpdateID: "u1", LockTTL: time.Minute, RateWindow: -1}},
	}
	for _, tc := range begins {
		_, err := h.store.Begin(ctx, tc.b)
		if err == nil || errors.Is(err, bot.ErrLocked) {
			h.t.Errorf("Begin with %s: got %v, want a validation error", tc.name, err)
		}
	}
	s := h.begin(req("c", "u1")) // the refused calls took no lock
	commits := []struct {
		name string
		c    bot.Commit
	}{
		{"zero IdleTTL", bot.Commit{State: []byte("x"), DedupeTTL: time.Minute}},
		{"zero DedupeTTL", bot.Commit{State: []byte("x"), IdleTTL: time.Minute}},
	}
	for _, tc := range commits {
		if err := h.store.Commit(ctx, s, tc.c); err == nil || errors.Is(err, bot.ErrLockLost) {
			h.t.Errorf("Commit with %s: got %v, want a validation error", tc.name, err)
		}
	}
	h.commit(s, save("valid")) // the refused commits kept the lock
	h.wantState(h.begin(req("c", "u2")), "valid", 2)
}

func testCancelledContext(h *harness) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.store.Begin(ctx, req("telegram:1", "u1")); !errors.Is(err, context.Canceled) {
		h.t.Fatalf("Begin with a cancelled context: got %v, want context.Canceled", err)
	}
	h.wantNew(h.begin(req("telegram:1", "u1")), 1)
}

// testConcurrent has many handlers increment a counter kept in one conversation's
// state: any lost update or double entry shows in the final value.
func testConcurrent(h *harness) {
	const workers, perWorker = 16, 50
	deadline := time.Now().Add(30 * time.Second)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				if err := increment(h.store, fmt.Sprintf("w%d-%d", w, i), deadline); err != nil {
					h.t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if h.t.Failed() {
		return
	}
	h.wantState(h.begin(req("counter", "final")), strconv.Itoa(workers*perWorker), workers*perWorker+1)
}

func increment(store bot.Store, update string, deadline time.Time) error {
	ctx := context.Background()
	for time.Now().Before(deadline) {
		s, err := store.Begin(ctx, req("counter", update))
		if errors.Is(err, bot.ErrLocked) {
			time.Sleep(time.Duration(rand.IntN(500)) * time.Microsecond)
			continue
		}
		if err != nil {
			return fmt.Errorf("update %s: %w", update, err)
		}
		if s.Duplicate {
			return fmt.Errorf("update %s: reported as duplicate before it was committed", update)
		}
		n := 0
		if s.State != nil {
			if n, err = strconv.Atoi(string(s.State)); err != nil {
				return fmt.Errorf("update %s: state %q is not a counter", update, s.State)
			}
		}
		err = store.Commit(ctx, s, save(strconv.Itoa(n+1)))
		if errors.Is(err, bot.ErrLockLost) {
			continue // the update was not applied: handle it again
		}
		if err != nil {
			return fmt.Errorf("update %s: %w", update, err)
		}
		return nil
	}
	return fmt.Errorf("update %s: not applied before the deadline", update)
}
