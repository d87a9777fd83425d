package reminders

import (
	"testing"
	"time"
)

// An offer is reminded 12 hours before its deadline, or halfway through a short one,
// never in the quiet hours, and expires at its deadline; a past deadline plans none.
func TestForOffer(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, rome) }
	for _, c := range []struct {
		name          string
		made, expires time.Time
		wantDue       time.Time // zero: no reminder
	}{
		{"two days", at(6, 18), at(8, 18), at(8, 6).Add(0)},
		{"short", at(7, 10), at(7, 18), at(7, 14)},
		{"too short", at(7, 17), at(7, 17).Add(90 * time.Second), time.Time{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs := ForOffer(Offer{Booking: "b1", Conversation: "test:u1", Made: c.made, Expires: c.expires}, c.made, rome)
			last := rs[len(rs)-1]
			if last.Kind != OfferExpiry || !last.Due.Equal(c.expires) || !last.Start.Equal(c.expires) || last.Validate() != nil {
				t.Fatalf("expiry: %+v", last)
			}
			if c.wantDue.IsZero() {
				if len(rs) != 1 {
					t.Fatalf("reminders: %+v", rs)
				}
				return
			}
			r := rs[0]
			if len(rs) != 2 || r.Kind != OfferDue || r.Validate() != nil || Quiet(r.Due, rome) {
				t.Fatalf("reminder: %+v", rs)
			}
			// 06:00 is quiet: the reminder moves to the evening before.
			want := c.wantDue
			if Quiet(want, rome) {
				want = OutOfQuietBefore(want, rome)
			}
			if !r.Due.Equal(want) {
				t.Errorf("due %s, want %s", r.Due, want)
			}
		})
	}
	if rs := ForOffer(Offer{Booking: "b1", Conversation: "c", Made: at(1, 10), Expires: at(2, 10)}, at(3, 10), rome); len(rs) != 0 {
		t.Errorf("past deadline: %+v", rs)
	}
}
