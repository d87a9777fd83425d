package reminderstest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/reminders"
)

// Unreadable checks that a stored reminder that cannot be read jams nothing: Claim
// makes it a dead letter, says so and goes on with the others; Failed lists it; it can
// be planned again or cancelled, also before a claim finds it; a dead letter that
// cannot be read is listed all the same. corrupt overwrites what q stores of the
// reminder id with something it cannot read, as a bug or a bad disk would: each store
// knows where that is.
func Unreadable(t *testing.T, q reminders.Queue, corrupt func(t *testing.T, id string)) {
	h := &harness{t: t, q: q}
	ctx := context.Background()
	t.Run("ClaimedOnce", func(t *testing.T) {
		h.t = t
		h.plan(Reminder("b1:a", "b1", T0.Add(-2*time.Second)), Reminder("b2:bad", "b2", T0.Add(-time.Second)),
			Reminder("b3:c", "b3", T0))
		corrupt(t, "b2:bad")
		cs, err := q.Claim(ctx, T0, lease, 10)
		if got := claimedIDs(cs); len(got) != 2 || got[0] != "b1:a" || got[1] != "b3:c" {
			t.Fatalf("Claim past an unreadable reminder: %q, %v; want the other two", got, err)
		}
		if err == nil || !strings.Contains(err.Error(), "b2:bad") {
			t.Fatalf("Claim past an unreadable reminder: error %v, want one naming it", err)
		}
		h.done(cs[0])
		h.done(cs[1])
		wantUnreadable(t, h.failed("b2:bad")[0], "b2:bad")
		if cs, err := q.Claim(ctx, T0.Add(2*lease), lease, 10); len(cs) != 0 || err != nil {
			t.Fatalf("Claim after the dead letter: %q, %v; want nothing", claimedIDs(cs), err)
		}
		h.plan(Reminder("b2:bad", "b2", T0)) // planned again, it is revived
		h.failed()
		h.pending("b2", "b2:bad")
		h.done(h.claimIDs(T0.Add(2*lease), 10, "b2:bad")[0])
	})
	t.Run("PlannedAgain", func(t *testing.T) {
		h.t = t
		h.plan(Reminder("b4:d", "b4", T0.Add(time.Hour)))
		corrupt(t, "b4:d")
		h.plan(Reminder("b4:d", "b4", T0.Add(2*time.Hour)))
		h.pending("b4", "b4:d")
		h.claimIDs(T0.Add(90*time.Minute), 10) // nothing left at the old time
		h.done(h.claimIDs(T0.Add(2*time.Hour), 10, "b4:d")[0])
	})
	t.Run("Cancelled", func(t *testing.T) {
		h.t = t
		h.plan(Reminder("b5:e", "b5", T0.Add(time.Hour)), Reminder("b6:f", "b6", T0.Add(time.Hour)))
		corrupt(t, "b5:e")
		corrupt(t, "b6:f")
		if err := q.Cancel(ctx, "b5:e"); err != nil {
			t.Fatalf("Cancel of an unreadable reminder: %v", err)
		}
		if err := q.CancelBooking(ctx, "b6"); err != nil {
			t.Fatalf("CancelBooking with an unreadable reminder: %v", err)
		}
		h.pending("b5")
		h.pending("b6")
		h.claimIDs(T0.Add(3*time.Hour), 10)
		h.failed()
	})
	t.Run("DeadLetter", func(t *testing.T) {
		h.t = t
		h.plan(Reminder("b7:g", "b7", T0))
		if err := q.Fail(ctx, h.claimIDs(T0, 10, "b7:g")[0], "blocked"); err != nil {
			t.Fatal(err)
		}
		corrupt(t, "b7:g")
		wantUnreadable(t, h.failed("b7:g")[0], "b7:g")
		if err := q.Cancel(ctx, "b7:g"); err != nil {
			t.Fatal(err)
		}
		h.failed()
	})
}

// wantUnreadable checks the dead letter of an unreadable reminder.
func wantUnreadable(t *testing.T, r reminders.Reminder, id string) {
	t.Helper()
	if r.ID != id || r.Due.IsZero() || !strings.HasPrefix(r.LastError, reminders.UnreadableError) {
		t.Fatalf("dead letter of unreadable %s: %+v; want its id, a due time and a LastError saying so", id, r)
	}
}
