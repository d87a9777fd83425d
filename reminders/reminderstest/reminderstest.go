// Package reminderstest is the contract test suite of reminders.Queue: adapters/redis
// and adapters/bolt both run it, so the dispatcher can rely on the same behaviour from
// either. Every time is passed to the queue explicitly, so the suite needs no clock
// and never sleeps.
package reminderstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/reminders"
)

// T0 is the suite's "now": a weekday noon in Milan.
var T0 = time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)

// lease is the suite's lease.
const lease = time.Minute

// Run runs the contract suite against the queues open makes. Subtests run in parallel:
// open is called once per subtest, concurrently, and must return a queue that shares
// no reminders with the others.
func Run(t *testing.T, open func(t *testing.T) reminders.Queue) {
	tests := []struct {
		name string
		run  func(h *harness)
	}{
		{"AddClaimDone", testAddClaimDone},
		{"ClaimOrderAndMax", testClaimOrder},
		{"RoundTrip", testRoundTrip},
		{"ConcurrentClaimsAreExclusive", testExclusive},
		{"LeaseExpiryLetsAnotherClaim", testLeaseExpiry},
		{"LateDoneWithinLapsedLease", testLateDone},
		{"StaleTokenRefused", testStaleToken},
		{"Cancel", testCancel},
		{"CancelBooking", testCancelBooking},
		{"Reschedule", testReschedule},
		{"RescheduleWhileClaimed", testRescheduleClaimed},
		{"Retry", testRetry},
		{"FailIsListed", testFail},
		{"InvalidInput", testInvalid},
		{"CancelledContext", testCancelledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(&harness{t: t, q: open(t)})
		})
	}
}

// harness wraps a queue with helpers that fail the test on unexpected errors.
type harness struct {
	t *testing.T
	q reminders.Queue
}

// Reminder returns a valid Before reminder of booking, due at due, for a service a day
// after T0.
func Reminder(id, booking string, due time.Time) reminders.Reminder {
	return reminders.Reminder{ID: id, Booking: booking, Conversation: "telegram:" + booking,
		Kind: reminders.Before, Offset: 2 * time.Hour, Start: T0.Add(24 * time.Hour), Due: due}
}

func (h *harness) plan(rs ...reminders.Reminder) {
	h.t.Helper()
	if err := h.q.Plan(context.Background(), rs...); err != nil {
		h.t.Fatalf("Plan: %v", err)
	}
}

func (h *harness) claim(now time.Time, max int) []reminders.Claimed {
	h.t.Helper()
	cs, err := h.q.Claim(context.Background(), now, lease, max)
	if err != nil {
		h.t.Fatalf("Claim at %v: %v", now, err)
	}
	for _, c := range cs {
		if c.Token == "" || !c.Until.Equal(now.Add(lease)) {
			h.t.Fatalf("claimed %s: token %q, until %v; want a token, until %v", c.ID, c.Token, c.Until, now.Add(lease))
		}
	}
	return cs
}

// claimIDs claims and checks the ids claimed, in order.
func (h *harness) claimIDs(now time.Time, max int, want ...string) []reminders.Claimed {
	h.t.Helper()
	cs := h.claim(now, max)
	if got := claimedIDs(cs); !slices.Equal(got, want) {
		h.t.Fatalf("Claim at T0%+v: %q, want %q", now.Sub(T0), got, want)
	}
	return cs
}

func claimedIDs(cs []reminders.Claimed) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func (h *harness) done(c reminders.Claimed) {
	h.t.Helper()
	if err := h.q.Done(context.Background(), c); err != nil {
		h.t.Fatalf("Done(%s): %v", c.ID, err)
	}
}

// lost checks that Done, Retry and Fail all refuse c.
func (h *harness) lost(c reminders.Claimed) {
	h.t.Helper()
	ctx := context.Background()
	if err := h.q.Done(ctx, c); !errors.Is(err, reminders.ErrLeaseLost) {
		h.t.Fatalf("Done(%s) with a lost claim: %v, want ErrLeaseLost", c.ID, err)
	}
	if err := h.q.Retry(ctx, c, T0, "x"); !errors.Is(err, reminders.ErrLeaseLost) {
		h.t.Fatalf("Retry(%s) with a lost claim: %v, want ErrLeaseLost", c.ID, err)
	}
	if err := h.q.Fail(ctx, c, "x"); !errors.Is(err, reminders.ErrLeaseLost) {
		h.t.Fatalf("Fail(%s) with a lost claim: %v, want ErrLeaseLost", c.ID, err)
	}
}

// pending checks a booking's pending reminders, in order, and returns them.
func (h *harness) pending(booking string, want ...string) []reminders.Reminder {
	h.t.Helper()
	rs, err := h.q.Pending(context.Background(), booking)
	if err != nil {
		h.t.Fatalf("Pending(%q): %v", booking, err)
	}
	if got := ids(rs); !slices.Equal(got, want) {
		h.t.Fatalf("Pending(%q) = %q, want %q", booking, got, want)
	}
	return rs
}

// failed checks the dead letters, in order, and returns them.
func (h *harness) failed(want ...string) []reminders.Reminder {
	h.t.Helper()
	rs, err := h.q.Failed(context.Background())
	if err != nil {
		h.t.Fatalf("Failed: %v", err)
	}
	if got := ids(rs); !slices.Equal(got, want) {
		h.t.Fatalf("Failed() = %q, want %q", got, want)
	}
	return rs
}

func ids(rs []reminders.Reminder) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// same reports whether two reminders hold the same values.
func same(a, b reminders.Reminder) bool {
	return a.ID == b.ID && a.Booking == b.Booking && a.Conversation == b.Conversation &&
		a.Kind == b.Kind && a.Offset == b.Offset && a.Start.Equal(b.Start) && a.Due.Equal(b.Due) &&
		a.Attempts == b.Attempts && a.LastError == b.LastError
}

func (h *harness) wantSame(what string, got, want reminders.Reminder) {
	h.t.Helper()
	if !same(got, want) {
		h.t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func testAddClaimDone(h *harness) {
	a, b, c := Reminder("b1:a", "b1", T0), Reminder("b1:b", "b1", T0.Add(time.Minute)), Reminder("b1:c", "b1", T0.Add(2*time.Minute))
	x := Reminder("b2:x", "b2", T0.Add(10*time.Minute))
	h.plan(c, x)
	h.plan(a, b)
	h.pending("b1", "b1:a", "b1:b", "b1:c")
	cs := h.claimIDs(T0.Add(90*time.Second), 10, "b1:a", "b1:b")
	if cs[0].Token == cs[1].Token {
		h.t.Fatalf("two claims share the token %q", cs[0].Token)
	}
	h.wantSame("claimed", cs[0].Reminder, a)
	h.claimIDs(T0.Add(90*time.Second), 10)  // leased: nobody else gets them
	h.pending("b1", "b1:a", "b1:b", "b1:c") // claimed ones are still to send
	h.done(cs[0])
	h.done(cs[1])
	h.lost(cs[0]) // done once only
	h.pending("b1", "b1:c")
	rest := h.claimIDs(T0.Add(time.Hour), 10, "b1:c", "b2:x")
	h.done(rest[0])
	h.done(rest[1])
	h.pending("b1")
	h.pending("b2")
	h.claimIDs(T0.Add(48*time.Hour), 10)
}

func testClaimOrder(h *harness) {
	for i := range 10 {
		h.plan(Reminder(fmt.Sprintf("r%d", i), "b", T0.Add(-time.Duration(i)*time.Minute)))
	}
	h.claimIDs(T0.Add(-10*time.Minute), 5) // none due yet
	h.claimIDs(T0, 3, "r9", "r8", "r7")
	for _, c := range h.claimIDs(T0.Add(-5*time.Minute), 10, "r6", "r5") {
		h.done(c) // else their leases run out by T0
	}
	h.claimIDs(T0, 10, "r4", "r3", "r2", "r1", "r0")
}

func testRoundTrip(h *harness) {
	start := time.Date(2026, 10, 25, 9, 30, 0, 123456789, time.FixedZone("CET", 3600))
	odd := []reminders.Reminder{
		{ID: "b:{x}%:followup", Booking: "b:{x}%", Conversation: "telegram:ñ{}%\n", Kind: reminders.Followup,
			Start: start, Due: start.Add(3 * time.Hour)},
		{ID: "b:{x}%:before-90m", Booking: "b:{x}%", Conversation: "web:\"quoted\"", Kind: reminders.Before,
			Offset: 90 * time.Minute, Start: start, Due: start.Add(-90 * time.Minute), Attempts: 2, LastError: "è già"},
	}
	h.plan(odd...)
	got := h.pending("b:{x}%", "b:{x}%:before-90m", "b:{x}%:followup")
	h.wantSame("pending", got[0], odd[1])
	h.wantSame("pending", got[1], odd[0])
	cs := h.claimIDs(start.Add(4*time.Hour), 10, "b:{x}%:before-90m", "b:{x}%:followup")
	h.wantSame("claimed", cs[1].Reminder, odd[0])
}

func testExclusive(h *harness) {
	const n, claimers, max = 300, 8, 7
	var all []reminders.Reminder
	for i := range n {
		all = append(all, Reminder(fmt.Sprintf("r%03d", i), fmt.Sprintf("b%d", i%10), T0.Add(-time.Duration(i%5)*time.Second)))
	}
	h.plan(all...)
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		errs []error
		wg   sync.WaitGroup
	)
	for range claimers {
		wg.Go(func() {
			for range n { // bounded: each round takes at least one, or stops
				cs, err := h.q.Claim(context.Background(), T0, time.Hour, max)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				for _, c := range cs {
					seen[c.ID]++
				}
				mu.Unlock()
				if err != nil || len(cs) == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		h.t.Fatalf("concurrent claims: %v", errors.Join(errs...))
	}
	if len(seen) != n {
		h.t.Fatalf("%d distinct reminders claimed, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			h.t.Fatalf("%s claimed %d times", id, k)
		}
	}
}

func testLeaseExpiry(h *harness) {
	a := Reminder("a", "b", T0)
	h.plan(a)
	first := h.claimIDs(T0, 1, "a")[0]
	h.claimIDs(T0.Add(lease-time.Millisecond), 1) // still leased
	second := h.claimIDs(T0.Add(lease), 1, "a")[0]
	if second.Token == first.Token {
		h.t.Fatalf("reclaimed with the same token")
	}
	h.wantSame("reclaimed", second.Reminder, reminders.Lapsed(a, 1))
	h.lost(first)
	third := h.claimIDs(T0.Add(3*lease), 1, "a")[0] // lapses add up
	if third.Attempts != 2 {
		h.t.Fatalf("after two lapsed leases: %d attempts, want 2", third.Attempts)
	}
	h.lost(second)
	h.done(third)
	h.pending("b")
}

func testLateDone(h *harness) {
	h.plan(Reminder("a", "b", T0))
	c := h.claimIDs(T0, 1, "a")[0]
	// Past its lease, but nobody claimed it since: the send it records stands.
	h.done(c)
	h.claimIDs(T0.Add(time.Hour), 1)
}

func testStaleToken(h *harness) {
	h.plan(Reminder("a", "b", T0))
	c := h.claimIDs(T0, 1, "a")[0]
	forged := c
	forged.Token = "not-" + c.Token
	h.lost(forged)
	never := c
	never.ID = "never-added"
	h.lost(never)
	h.done(c)
}

func testCancel(h *harness) {
	h.plan(Reminder("b1:a", "b1", T0), Reminder("b1:b", "b1", T0.Add(time.Hour)), Reminder("b2:c", "b2", T0.Add(time.Hour)))
	claimed := h.claimIDs(T0, 1, "b1:a")[0]
	if err := h.q.Cancel(context.Background(), "b1:a", "b1:b", "unknown"); err != nil {
		h.t.Fatal(err)
	}
	h.lost(claimed) // a cancelled claim cannot be retried back into the queue
	h.pending("b1")
	h.pending("b2", "b2:c")
	h.claimIDs(T0.Add(2*time.Hour), 10, "b2:c")
	if err := h.q.Cancel(context.Background()); err != nil {
		h.t.Fatalf("Cancel of nothing: %v", err)
	}
}

func testCancelBooking(h *harness) {
	ctx := context.Background()
	h.plan(Reminder("b1:claimed", "b1", T0), Reminder("b1:failed", "b1", T0.Add(time.Second)),
		Reminder("b1:pending", "b1", T0.Add(time.Hour)),
		Reminder("b10:x", "b10", T0.Add(time.Hour)), Reminder("b:y", "b", T0.Add(time.Hour)))
	cs := h.claimIDs(T0.Add(time.Second), 2, "b1:claimed", "b1:failed")
	if err := h.q.Fail(ctx, cs[1], "blocked"); err != nil {
		h.t.Fatal(err)
	}
	h.failed("b1:failed")
	if err := h.q.CancelBooking(ctx, "b1"); err != nil {
		h.t.Fatal(err)
	}
	h.pending("b1")
	h.failed()
	h.lost(cs[0])
	h.pending("b10", "b10:x") // bookings whose id starts with another's stay
	h.pending("b", "b:y")
	if err := h.q.CancelBooking(ctx, "unknown"); err != nil {
		h.t.Fatalf("CancelBooking of an unknown booking: %v", err)
	}
	h.claimIDs(T0.Add(2*time.Hour), 10, "b10:x", "b:y")
}

func testReschedule(h *harness) {
	a := Reminder("a", "b", T0.Add(time.Hour))
	h.plan(a)
	moved := a
	moved.Due, moved.Start, moved.Conversation = T0.Add(2*time.Hour), T0.Add(48*time.Hour), "web:new"
	h.plan(moved)
	h.claimIDs(T0.Add(90*time.Minute), 10) // not at the old time
	h.wantSame("rescheduled", h.pending("b", "a")[0], moved)
	c := h.claimIDs(T0.Add(2*time.Hour), 10, "a")[0]
	h.wantSame("claimed", c.Reminder, moved)
	h.done(c)
}

func testRescheduleClaimed(h *harness) {
	a := Reminder("a", "b", T0)
	h.plan(a)
	c := h.claimIDs(T0, 1, "a")[0]
	moved := a
	moved.Due = T0.Add(3 * time.Hour)
	h.plan(moved)
	h.lost(c)                                     // the old claim cannot remove the new reminder
	h.claimIDs(T0.Add(lease+time.Millisecond), 1) // nor does its lease bring it back early
	again := h.claimIDs(T0.Add(3*time.Hour), 1, "a")[0]
	h.wantSame("re-planned while claimed", again.Reminder, moved)
	// Moving it to another booking takes it out of the old booking's list.
	other := moved
	other.Booking = "b2"
	h.plan(other)
	h.pending("b")
	h.pending("b2", "a")
}
