// Package outboxtest is the contract test suite of outbox.Store: outbox.Memory,
// adapters/redis and adapters/bolt all run it, so that the dispatcher can rely on the
// same behaviour from each. Every time is passed to the store explicitly, so the suite
// needs no clock and never sleeps.
package outboxtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/outbox"
)

// T0 is the suite's "now".
var T0 = time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)

// lease is the suite's lease.
const lease = 30 * time.Second

// Run runs the contract suite against the stores open makes. Subtests run in
// parallel: open is called once per subtest, concurrently, and must return a store
// that shares no items with the others.
func Run(t *testing.T, open func(t *testing.T) outbox.Store) {
	tests := []struct {
		name string
		run  func(h *harness)
	}{
		{"PutClaimDone", testPutClaimDone},
		{"OneLeasePerLaneInOrder", testLaneOrder},
		{"PutIsIdempotentByKey", testIdempotent},
		{"KeysAreForgottenAfterKeyTTL", testKeyTTL},
		{"LeaseRunsOut", testLeaseRunsOut},
		{"RetryWaitsAndHoldsTheLane", testRetry},
		{"BuryKeepsBoundedDeadLetters", testBury},
		{"ReleaseCountsNoAttempt", testRelease},
		{"ClaimOldestLanesFirstUpToMax", testClaimMax},
		{"LapsedAndDueLanesByAge", testLapsedAndDue},
		{"ConcurrentClaimsAreExclusive", testExclusive},
		{"BoundsAndValidation", testBounds},
		{"CancelledContext", testCancelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(&harness{t: t, s: open(t), ctx: context.Background()})
		})
	}
}

// harness wraps a store with helpers that fail the test on unexpected errors.
type harness struct {
	t   *testing.T
	s   outbox.Store
	ctx context.Context
}

func item(lane string, n int) outbox.Item {
	return outbox.Item{Key: fmt.Sprintf("u%s:%d", lane, n), Lane: lane, Payload: fmt.Appendf(nil, "%s/%d\x00\xff", lane, n)}
}

func (h *harness) put(now time.Time, items ...outbox.Item) int {
	h.t.Helper()
	n, err := h.s.Put(h.ctx, now, items...)
	if err != nil {
		h.t.Fatalf("Put: %v", err)
	}
	return n
}

func (h *harness) claim(now time.Time, max int) []outbox.Claimed {
	h.t.Helper()
	c, err := h.s.Claim(h.ctx, now, lease, max)
	if err != nil {
		h.t.Fatalf("Claim: %v", err)
	}
	return c
}

func (h *harness) done(now time.Time, c outbox.Claimed) {
	h.t.Helper()
	if err := h.s.Done(h.ctx, now, c); err != nil {
		h.t.Fatalf("Done %s: %v", c.Key, err)
	}
}

// keys lists claimed items' keys, sorted.
func keys(cs []outbox.Claimed) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key)
	}
	slices.Sort(out)
	return out
}

func (h *harness) wantKeys(got []outbox.Claimed, want ...string) {
	h.t.Helper()
	slices.Sort(want)
	if g := keys(got); !slices.Equal(g, want) {
		h.t.Fatalf("claimed %q, want %q", g, want)
	}
}

func testPutClaimDone(h *harness) {
	a1, a2, b1 := item("a", 1), item("a", 2), item("b", 1)
	if n := h.put(T0, a1, a2, b1); n != 3 {
		h.t.Fatalf("Put returned %d new items, want 3", n)
	}
	got := h.claim(T0, 10)
	h.wantKeys(got, a1.Key, b1.Key)
	for _, c := range got {
		want := a1
		if c.Lane == "b" {
			want = b1
		}
		if c.Lane != want.Lane || string(c.Payload) != string(want.Payload) || c.Attempts != 0 || c.Token == "" {
			h.t.Errorf("claimed %+v, want %+v with no attempt and a token", c, want)
		}
	}
	h.wantKeys(h.claim(T0, 10)) // both lanes leased
	for _, c := range got {
		h.done(T0, c)
	}
	next := h.claim(T0, 10)
	h.wantKeys(next, a2.Key)
	h.done(T0, next[0])
	h.wantKeys(h.claim(T0.Add(time.Hour), 10))
	if err := h.s.Done(h.ctx, T0, next[0]); !errors.Is(err, outbox.ErrLeaseLost) {
		h.t.Errorf("Done twice: %v, want ErrLeaseLost", err)
	}
}

// A lane's items, put in several calls, go out one at a time in order, while another
// lane's go alongside.
func testLaneOrder(h *harness) {
	for i := range 6 {
		h.put(T0, item("x", i), item("y", i))
	}
	var order []string
	for range 6 {
		got := h.claim(T0, 10)
		if len(got) != 2 {
			h.t.Fatalf("claimed %q, want one item of each lane", keys(got))
		}
		for _, c := range got {
			if c.Lane == "x" {
				order = append(order, c.Key)
			}
			h.done(T0, c)
		}
	}
	if want := []string{"ux:0", "ux:1", "ux:2", "ux:3", "ux:4", "ux:5"}; !slices.Equal(order, want) {
		h.t.Errorf("lane x went out as %q, want %q", order, want)
	}
}

// The same key is queued once: twice in one Put, again while waiting, and again
// after it was delivered.
func testIdempotent(h *harness) {
	a := item("a", 1)
	if n := h.put(T0, a, a); n != 1 {
		h.t.Errorf("Put of a key twice returned %d new, want 1", n)
	}
	if n := h.put(T0, a, item("a", 2)); n != 1 {
		h.t.Errorf("Put of a waiting key returned %d new, want 1", n)
	}
	c := h.claim(T0, 10)
	h.wantKeys(c, a.Key)
	h.done(T0, c[0])
	if n := h.put(T0.Add(time.Minute), a); n != 0 {
		h.t.Errorf("Put of a delivered key returned %d new, want 0", n)
	}
	c = h.claim(T0.Add(time.Minute), 10)
	h.wantKeys(c, "ua:2")
	h.done(T0, c[0])
	h.wantKeys(h.claim(T0.Add(time.Minute), 10))
}

func testKeyTTL(h *harness) {
	a := item("a", 1)
	h.put(T0, a)
	h.done(T0, h.claim(T0, 1)[0])
	if n := h.put(T0.Add(outbox.KeyTTL-time.Second), a); n != 0 {
		h.t.Errorf("a key was forgotten before KeyTTL")
	}
	later := T0.Add(outbox.KeyTTL + time.Second)
	if n := h.put(later, a); n != 1 {
		h.t.Errorf("a key was remembered after KeyTTL: %d new", n)
	}
	h.wantKeys(h.claim(later, 1), a.Key)
}

// A lease that runs out (its dispatcher died) lets another claim the item, which
// counts the lapse; the first holder's token no longer works.
func testLeaseRunsOut(h *harness) {
	h.put(T0, item("a", 1), item("a", 2))
	first := h.claim(T0, 10)[0]
	h.wantKeys(h.claim(T0.Add(lease-time.Millisecond), 10))
	second := h.claim(T0.Add(lease), 10)
	h.wantKeys(second, first.Key)
	if second[0].Attempts != 1 || second[0].Token == first.Token {
		h.t.Errorf("reclaimed with %d attempts and token %q (first %q); want 1 and a new token",
			second[0].Attempts, second[0].Token, first.Token)
	}
	if err := h.s.Done(h.ctx, T0.Add(lease), first); !errors.Is(err, outbox.ErrLeaseLost) {
		h.t.Errorf("Done with a lapsed token: %v, want ErrLeaseLost", err)
	}
	for _, op := range []func(outbox.Claimed) error{
		func(c outbox.Claimed) error { return h.s.Retry(h.ctx, c, T0, "x") },
		func(c outbox.Claimed) error { return h.s.Bury(h.ctx, T0, c, "x") },
		func(c outbox.Claimed) error { return h.s.Release(h.ctx, T0, c) },
	} {
		if err := op(first); !errors.Is(err, outbox.ErrLeaseLost) {
			h.t.Errorf("settling with a lapsed token: %v, want ErrLeaseLost", err)
		}
	}
	h.done(T0.Add(lease), second[0])
	h.wantKeys(h.claim(T0.Add(lease), 10), "ua:2")
}

func testRetry(h *harness) {
	h.put(T0, item("a", 1), item("a", 2))
	c := h.claim(T0, 10)[0]
	at := T0.Add(5 * time.Second)
	if err := h.s.Retry(h.ctx, c, at, "502 Bad Gateway"); err != nil {
		h.t.Fatal(err)
	}
	h.wantKeys(h.claim(at.Add(-time.Millisecond), 10)) // the lane waits: a2 does not overtake
	again := h.claim(at, 10)
	h.wantKeys(again, c.Key)
	if again[0].Attempts != 1 {
		h.t.Errorf("after a retry: %d attempts, want 1", again[0].Attempts)
	}
}

// Bury gives up on an item (the lane goes on) and keeps at most MaxDead dead letters,
// dropping the oldest.
func testBury(h *harness) {
	h.put(T0, item("a", 1), item("a", 2))
	c := h.claim(T0, 10)[0]
	if err := h.s.Bury(h.ctx, T0, c, strings.Repeat("é", outbox.MaxReason)); err != nil {
		h.t.Fatal(err)
	}
	h.wantKeys(h.claim(T0, 10), "ua:2")
	dead, err := h.s.Dead(h.ctx, T0)
	if err != nil {
		h.t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].Key != c.Key || dead[0].Lane != "a" || string(dead[0].Payload) != string(c.Payload) ||
		dead[0].Attempts != 1 || !dead[0].At.Equal(T0) || len(dead[0].Reason) > outbox.MaxReason || !strings.HasPrefix(dead[0].Reason, "éé") {
		h.t.Fatalf("dead letters: %+v", dead)
	}
	const extra = 5
	var batch []outbox.Item
	for i := range outbox.MaxDead + extra {
		batch = append(batch, item(fmt.Sprintf("d%d", i), 0))
	}
	h.put(T0, batch...)
	for n := 0; n < len(batch); {
		cs := h.claim(T0, outbox.MaxClaim)
		if len(cs) == 0 {
			h.t.Fatalf("%d of %d items claimed, then none", n, len(batch))
		}
		for _, c := range cs {
			at := T0.Add(time.Duration(n+1) * time.Millisecond)
			if err := h.s.Bury(h.ctx, at, c, "gone"); err != nil {
				h.t.Fatal(err)
			}
			n++
		}
	}
	dead, err = h.s.Dead(h.ctx, T0.Add(time.Second))
	if err != nil {
		h.t.Fatal(err)
	}
	if len(dead) != outbox.MaxDead {
		h.t.Fatalf("%d dead letters kept, want %d", len(dead), outbox.MaxDead)
	}
	for i := 1; i < len(dead); i++ {
		if dead[i].At.Before(dead[i-1].At) {
			h.t.Fatalf("dead letters not oldest first: %v after %v", dead[i].At, dead[i-1].At)
		}
	}
	if dead[0].Key == c.Key {
		h.t.Error("the oldest dead letter was kept beyond MaxDead")
	}
	// Dead letters hold personal data: none outlives DeadTTL, listed or not.
	if dead, err = h.s.Dead(h.ctx, T0.Add(outbox.DeadTTL+time.Second)); err != nil || len(dead) != 0 {
		h.t.Errorf("after DeadTTL: %v, %d dead letters", err, len(dead))
	}
	h.put(T0, item("late", 0))
	late := T0.Add(outbox.DeadTTL + time.Hour)
	if err := h.s.Bury(h.ctx, late, h.claim(late, 1)[0], "gone"); err != nil {
		h.t.Fatal(err)
	}
	if dead, err = h.s.Dead(h.ctx, T0); err != nil || len(dead) != 1 || dead[0].Key != "ulate:0" {
		h.t.Errorf("a Bury after DeadTTL kept %d older dead letters (%v)", len(dead)-1, err)
	}
}

func testRelease(h *harness) {
	h.put(T0, item("a", 1))
	c := h.claim(T0, 10)[0]
	if err := h.s.Release(h.ctx, T0, c); err != nil {
		h.t.Fatal(err)
	}
	again := h.claim(T0, 10)
	h.wantKeys(again, c.Key)
	if again[0].Attempts != 0 {
		h.t.Errorf("a released item has %d attempts, want 0", again[0].Attempts)
	}
}

// Claim takes at most max lanes, those waiting longest first.
func testClaimMax(h *harness) {
	for i := range 5 {
		h.put(T0.Add(time.Duration(i)*time.Second), item(fmt.Sprintf("l%d", i), 0))
	}
	now := T0.Add(time.Minute)
	h.wantKeys(h.claim(now, 2), "ul0:0", "ul1:0")
	h.wantKeys(h.claim(now, 2), "ul2:0", "ul3:0")
	h.wantKeys(h.claim(now, 2), "ul4:0")
	if _, err := h.s.Claim(h.ctx, now, lease, 0); err == nil {
		h.t.Error("Claim of 0 lanes succeeded")
	}
	if _, err := h.s.Claim(h.ctx, now, 0, 1); err == nil {
		h.t.Error("Claim with no lease succeeded")
	}
}

// A lane whose lease ran out and a lane whose item is due are claimed by how long
// they have waited: since the lease's end, and since the item was due.
func testLapsedAndDue(h *harness) {
	h.put(T0, item("p", 0))
	h.claim(T0, 1) // its lease ends at T0 + 30 s
	h.put(T0.Add(10*time.Second), item("q", 0))
	h.put(T0.Add(40*time.Second), item("r", 0))
	now := T0.Add(time.Minute)
	h.wantKeys(h.claim(now, 1), "uq:0")
	h.wantKeys(h.claim(now, 1), "up:0")
	h.wantKeys(h.claim(now, 1), "ur:0")
}

// Several dispatchers claiming at once never take the same item.
func testExclusive(h *harness) {
	const lanes, each, workers = 20, 3, 6
	for i := range each {
		var batch []outbox.Item
		for l := range lanes {
			batch = append(batch, item(fmt.Sprintf("c%d", l), i))
		}
		h.put(T0, batch...)
	}
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range 2 * lanes * each { // bounded: far more rounds than items
				cs, err := h.s.Claim(h.ctx, T0, lease, 3)
				if err != nil {
					h.t.Error(err)
					return
				}
				for _, c := range cs {
					mu.Lock()
					got[c.Key]++
					mu.Unlock()
					if err := h.s.Done(h.ctx, T0, c); err != nil {
						h.t.Error(err)
					}
				}
				mu.Lock()
				n := len(got)
				mu.Unlock()
				if n == lanes*each {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(got) != lanes*each {
		h.t.Errorf("%d of %d items claimed", len(got), lanes*each)
	}
	for k, n := range got {
		if n != 1 {
			h.t.Errorf("%s claimed %d times", k, n)
		}
	}
}

func testBounds(h *harness) {
	bad := []outbox.Item{
		{Key: "", Lane: "a"},
		{Key: "k", Lane: ""},
		{Key: strings.Repeat("k", outbox.MaxKey+1), Lane: "a"},
		{Key: "k", Lane: strings.Repeat("l", outbox.MaxLane+1)},
		{Key: "k\x00", Lane: "a"},
		{Key: "k", Lane: "a", Payload: make([]byte, outbox.MaxPayload+outbox.SealRoom+1)},
	}
	for _, b := range bad {
		if _, err := h.s.Put(h.ctx, T0, item("ok", 1), b); err == nil {
			h.t.Errorf("Put accepted %.40q / %.40q with %d bytes", b.Key, b.Lane, len(b.Payload))
		}
	}
	h.wantKeys(h.claim(T0, 10)) // all or none: the good item was not stored either
	big := outbox.Item{Key: "big", Lane: "big", Payload: make([]byte, outbox.MaxPayload)}
	h.put(T0, big)
	var full []outbox.Item
	for i := range outbox.MaxLaneItems {
		full = append(full, item("f", i))
	}
	h.put(T0, full[:outbox.MaxLaneItems-1]...)
	if _, err := h.s.Put(h.ctx, T0, item("f", -1), item("f", -2), item("g", 0)); !errors.Is(err, outbox.ErrFull) {
		h.t.Errorf("Put beyond MaxLaneItems: %v, want ErrFull", err)
	}
	h.put(T0, full[outbox.MaxLaneItems-1])
	got := h.claim(T0, 10)
	h.wantKeys(got, "big", "uf:0")
	for _, c := range got {
		if c.Key == "big" && len(c.Payload) != outbox.MaxPayload {
			h.t.Errorf("a payload of %d bytes came back with %d", outbox.MaxPayload, len(c.Payload))
		}
	}
}

func testCancelled(h *harness) {
	h.put(T0, item("a", 1))
	c := h.claim(T0, 1)[0]
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.s.Put(ctx, T0, item("b", 1)); err == nil {
		h.t.Error("Put with a cancelled context succeeded")
	}
	if _, err := h.s.Claim(ctx, T0.Add(time.Hour), lease, 1); err == nil {
		h.t.Error("Claim with a cancelled context succeeded")
	}
	if err := h.s.Done(ctx, T0, c); err == nil {
		h.t.Error("Done with a cancelled context succeeded")
	}
	if _, err := h.s.Dead(ctx, T0); err == nil {
		h.t.Error("Dead with a cancelled context succeeded")
	}
	h.done(T0, c) // nothing happened to the lease
}
