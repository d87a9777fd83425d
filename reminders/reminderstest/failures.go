package reminderstest

// The suite's tests of retries, dead letters and bad calls.

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/reminders"
)

func testRetry(h *harness) {
	ctx := context.Background()
	a := Reminder("a", "b", T0)
	h.plan(a)
	c := h.claimIDs(T0, 1, "a")[0]
	if err := h.q.Retry(ctx, c, T0.Add(5*time.Minute), "timeout"); err != nil {
		h.t.Fatal(err)
	}
	want := a
	want.Due, want.Attempts, want.LastError = T0.Add(5*time.Minute), 1, "timeout"
	h.wantSame("retried", h.pending("b", "a")[0], want)
	h.lost(c) // the retry ended the claim
	h.claimIDs(T0.Add(4*time.Minute), 1)
	c = h.claimIDs(T0.Add(5*time.Minute), 1, "a")[0]
	h.wantSame("claimed again", c.Reminder, want)
	// An empty text postpones without counting an attempt.
	if err := h.q.Retry(ctx, c, T0.Add(10*time.Minute), ""); err != nil {
		h.t.Fatal(err)
	}
	want.Due = T0.Add(10 * time.Minute)
	h.wantSame("postponed", h.pending("b", "a")[0], want)
	c = h.claimIDs(T0.Add(10*time.Minute), 1, "a")[0]
	if err := h.q.Retry(ctx, c, T0.Add(11*time.Minute), strings.Repeat("è", reminders.MaxErrorText)); err != nil {
		h.t.Fatal(err)
	}
	if got := h.pending("b", "a")[0]; len(got.LastError) > reminders.MaxErrorText || got.Attempts != 2 {
		h.t.Fatalf("long error: %d bytes kept, %d attempts", len(got.LastError), got.Attempts)
	}
}

func testFail(h *harness) {
	ctx := context.Background()
	a, b := Reminder("a", "b1", T0.Add(time.Second)), Reminder("z", "b2", T0)
	h.plan(a, b)
	cs := h.claimIDs(T0.Add(time.Second), 2, "z", "a")
	for _, c := range []reminders.Claimed{cs[1], cs[0]} {
		if err := h.q.Fail(ctx, c, "blocked by the citizen"); err != nil {
			h.t.Fatal(err)
		}
	}
	got := h.failed("z", "a") // by due time
	want := a
	want.Attempts, want.LastError = 1, "blocked by the citizen"
	h.wantSame("failed", got[1], want)
	h.lost(cs[1])
	h.pending("b1")
	h.claimIDs(T0.Add(48*time.Hour), 10) // dead letters are not claimed
	h.plan(a)                            // planning it again revives it
	h.failed("z")
	h.claimIDs(T0.Add(time.Hour), 10, "a")
	if err := h.q.Cancel(ctx, "z"); err != nil {
		h.t.Fatal(err)
	}
	h.failed()
}

func testInvalid(h *harness) {
	ctx := context.Background()
	good := Reminder("good", "b", T0)
	bad := []reminders.Reminder{
		{},
		Reminder("", "b", T0),
		Reminder("x", "", T0),
		Reminder("nul\x00", "b", T0),
		Reminder("x", "b", time.Time{}),
		{ID: "x", Booking: "b", Conversation: "c", Kind: "other", Start: T0, Due: T0},
	}
	for _, r := range bad {
		if err := h.q.Plan(ctx, good, r); err == nil {
			h.t.Fatalf("Plan(%+v) accepted", r)
		}
	}
	h.pending("b") // nothing stored, not even the good one
	if err := h.q.Plan(ctx); err != nil {
		h.t.Fatalf("Plan of nothing: %v", err)
	}
	for _, c := range []struct {
		lease time.Duration
		max   int
	}{{0, 1}, {-time.Second, 1}, {lease, 0}, {lease, -1}, {lease, reminders.MaxClaim + 1}} {
		if _, err := h.q.Claim(ctx, T0, c.lease, c.max); err == nil {
			h.t.Fatalf("Claim(lease %v, max %d) accepted", c.lease, c.max)
		}
	}
	if err := h.q.CancelBooking(ctx, ""); err == nil {
		h.t.Fatal("CancelBooking of an empty booking id accepted")
	}
}

func testCancelledContext(h *harness) {
	h.plan(Reminder("a", "b", T0))
	c := h.claimIDs(T0, 1, "a")[0]
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]error{
		"Plan":          h.q.Plan(ctx, Reminder("x", "b", T0)),
		"Cancel":        h.q.Cancel(ctx, "a"),
		"CancelBooking": h.q.CancelBooking(ctx, "b"),
		"Done":          h.q.Done(ctx, c),
		"Retry":         h.q.Retry(ctx, c, T0, "x"),
		"Fail":          h.q.Fail(ctx, c, "x"),
	}
	_, calls["Claim"] = h.q.Claim(ctx, T0.Add(time.Hour), lease, 1)
	_, calls["Pending"] = h.q.Pending(ctx, "b")
	_, calls["Failed"] = h.q.Failed(ctx)
	for name, err := range calls {
		if !errors.Is(err, context.Canceled) {
			h.t.Errorf("%s with a cancelled context: %v, want context.Canceled", name, err)
		}
	}
	h.pending("b", "a") // nothing happened
	h.done(c)
}
