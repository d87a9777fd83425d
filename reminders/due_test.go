package reminders_test

import (
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/reminders"
)

func loadRome(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at parses a Rome wall-clock time, "2026-03-29 10:00".
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loadRome(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// summary writes reminders as "suffix@Rome wall clock (UTC offset)" for comparison.
func summary(rs []reminders.Reminder, loc *time.Location) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		_, suffix, _ := strings.Cut(r.ID, ":")
		parts[i] = suffix + "@" + r.Due.In(loc).Format("2006-01-02 15:04 -07")
	}
	return strings.Join(parts, " ")
}

func TestForBooking(t *testing.T) {
	rome := loadRome(t)
	tests := []struct {
		name       string
		start, end string
		now        string
		policy     reminders.Policy
		want       string
	}{
		{
			name: "ordinary day", start: "2026-05-12 10:00", end: "2026-05-12 11:00", now: "2026-05-01 12:00",
			want: "before-24h@2026-05-11 10:00 +02 before-2h@2026-05-12 08:00 +02 followup@2026-05-12 13:00 +02",
		},
		{
			// Summer time starts on 29 March 2026 at 02:00: the day before is 10:00
			// winter time, 23 hours earlier; two hours before is two hours.
			name: "spring forward", start: "2026-03-29 10:00", end: "2026-03-29 11:00", now: "2026-03-20 12:00",
			want: "before-24h@2026-03-28 10:00 +01 before-2h@2026-03-29 08:00 +02 followup@2026-03-29 13:00 +02",
		},
		{
			// Winter time comes back on 25 October 2026 at 03:00: the day before is
			// 10:00 summer time, 25 hours earlier.
			name: "fall back", start: "2026-10-25 10:00", end: "2026-10-25 11:00", now: "2026-10-20 12:00",
			want: "before-24h@2026-10-24 10:00 +02 before-2h@2026-10-25 08:00 +01 followup@2026-10-25 13:00 +01",
		},
		{
			// A night service the day after the change: the day before falls at
			// 04:30 of the change's own day, in the quiet hours.
			name: "night service after spring forward", start: "2026-03-30 04:30", end: "2026-03-30 06:00", now: "2026-03-20 12:00",
			want: "before-24h@2026-03-28 20:59 +01 before-2h@2026-03-29 20:59 +02 followup@2026-03-30 08:00 +02",
		},
		{
			name: "evening service", start: "2026-06-10 22:30", end: "2026-06-10 23:30", now: "2026-06-01 12:00",
			want: "before-24h@2026-06-09 20:59 +02 before-2h@2026-06-10 20:30 +02 followup@2026-06-11 08:00 +02",
		},
		{
			name: "early service", start: "2026-06-10 08:30", end: "2026-06-10 09:30", now: "2026-06-01 12:00",
			want: "before-24h@2026-06-09 08:30 +02 before-2h@2026-06-09 20:59 +02 followup@2026-06-10 11:30 +02",
		},
		{
			name: "due at 21:00: quiet", start: "2026-06-10 23:00", end: "2026-06-10 23:00", now: "2026-06-01 12:00",
			policy: reminders.Policy{Before: []time.Duration{2 * time.Hour}, FollowupAfter: -1},
			want:   "before-2h@2026-06-10 20:59 +02",
		},
		{
			name: "follow-up due at 21:00 waits until 08:00", start: "2026-06-10 18:00", end: "2026-06-10 19:00", now: "2026-06-01 12:00",
			policy: reminders.Policy{Before: []time.Duration{}},
			want:   "followup@2026-06-11 08:00 +02",
		},
		{
			name: "due at 20:59: stays", start: "2026-06-10 22:59", end: "2026-06-10 22:59", now: "2026-06-01 12:00",
			policy: reminders.Policy{Before: []time.Duration{2 * time.Hour}, FollowupAfter: -1},
			want:   "before-2h@2026-06-10 20:59 +02",
		},
		{
			name: "08:00 stays", start: "2026-06-10 10:00", end: "2026-06-10 19:00", now: "2026-06-01 12:00",
			policy: reminders.Policy{Before: []time.Duration{2 * time.Hour}, FollowupAfter: 13 * time.Hour},
			want:   "before-2h@2026-06-10 08:00 +02 followup@2026-06-11 08:00 +02",
		},
		{
			name: "quiet across the month's end", start: "2026-07-01 07:00", end: "2026-07-01 08:00", now: "2026-06-01 12:00",
			want: "before-24h@2026-06-29 20:59 +02 before-2h@2026-06-30 20:59 +02 followup@2026-07-01 10:00 +02",
		},
		{
			name: "booked the same morning: the day before is past", start: "2026-06-10 10:00", end: "2026-06-10 11:00", now: "2026-06-10 07:00",
			want: "before-2h@2026-06-10 08:00 +02 followup@2026-06-10 13:00 +02",
		},
		{
			// At 22:00 for 09:30 tomorrow: 07:30 moves back to 20:59 today, past, so
			// forward to 08:00; the day before is past.
			name: "booked late in the evening", start: "2026-06-11 09:30", end: "2026-06-11 10:00", now: "2026-06-10 22:00",
			want: "before-2h@2026-06-11 08:00 +02 followup@2026-06-11 12:00 +02",
		},
		{
			name: "booked late in the evening for 08:30", start: "2026-06-11 08:30", end: "2026-06-11 09:00", now: "2026-06-10 22:00",
			want: "before-2h@2026-06-11 08:00 +02 followup@2026-06-11 11:00 +02",
		},
		{
			name: "booked in the small hours", start: "2026-06-11 09:30", end: "2026-06-11 10:00", now: "2026-06-11 01:00",
			want: "before-2h@2026-06-11 08:00 +02 followup@2026-06-11 12:00 +02",
		},
		{
			// 08:00 is not before the service: no reminder rather than one at its start.
			name: "booked late in the evening for 08:00", start: "2026-06-11 08:00", end: "2026-06-11 09:00", now: "2026-06-10 22:00",
			want: "followup@2026-06-11 11:00 +02",
		},
		{
			// 07:00 and 07:30 both fall forward to 08:00: one reminder, the one
			// closest to the service.
			name: "fallen forward together", start: "2026-06-11 10:00", end: "2026-06-11 11:00", now: "2026-06-10 22:00",
			policy: reminders.Policy{Before: []time.Duration{3 * time.Hour, 150 * time.Minute}, FollowupAfter: -1},
			want:   "before-150m@2026-06-11 08:00 +02",
		},
		{
			// 08:00 has passed too.
			name: "booked at 08:30 for 09:30", start: "2026-06-11 09:30", end: "2026-06-11 10:00", now: "2026-06-11 08:30",
			policy: reminders.Policy{Before: []time.Duration{2 * time.Hour}, FollowupAfter: -1},
			want:   "",
		},
		{
			name: "booked after the service", start: "2026-06-10 10:00", end: "2026-06-10 11:00", now: "2026-06-10 12:00",
			want: "followup@2026-06-10 13:00 +02",
		},
		{
			name: "due now is kept", start: "2026-06-10 10:00", end: "2026-06-10 11:00", now: "2026-06-10 08:00",
			want: "before-2h@2026-06-10 08:00 +02 followup@2026-06-10 13:00 +02",
		},
		{
			// 05:30 and 06:30 both move to 20:59 the evening before: one reminder,
			// the one closest to the service.
			name: "collapsed reminders are sent once", start: "2026-06-10 08:30", end: "2026-06-10 09:00", now: "2026-06-01 12:00",
			policy: reminders.Policy{Before: []time.Duration{3 * time.Hour, 2 * time.Hour, 2 * time.Hour}},
			want:   "before-2h@2026-06-09 20:59 +02 followup@2026-06-10 11:00 +02",
		},
		{
			name: "configured offsets, no follow-up", start: "2026-03-30 11:00", end: "2026-03-30 12:00", now: "2026-03-01 12:00",
			policy: reminders.Policy{Before: []time.Duration{48 * time.Hour, 90 * time.Minute}, FollowupAfter: -1},
			want:   "before-48h@2026-03-28 11:00 +01 before-90m@2026-03-30 09:30 +02",
		},
		{
			name: "no reminders before", start: "2026-06-10 10:00", end: "2026-06-10 11:00", now: "2026-06-01 12:00",
			policy: reminders.Policy{Before: []time.Duration{}},
			want:   "followup@2026-06-10 13:00 +02",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := reminders.Booking{ID: "b42", Conversation: "telegram:7", Start: at(t, tt.start), End: at(t, tt.end)}
			got, err := reminders.ForBooking(b, tt.policy, at(t, tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if s := summary(got, rome); s != tt.want {
				t.Fatalf("ForBooking:\n got  %s\n want %s", s, tt.want)
			}
			for _, r := range got {
				if r.Booking != "b42" || r.Conversation != "telegram:7" || !r.Start.Equal(b.Start) || r.Attempts != 0 {
					t.Errorf("reminder %+v: booking fields not copied", r)
				}
				if (r.Kind == reminders.Before) != (r.Offset > 0) || !strings.HasPrefix(r.ID, "b42:"+string(r.Kind)) {
					t.Errorf("reminder %+v: kind, offset and id disagree", r)
				}
			}
		})
	}
}

// TestForBookingDayBeforeIsCalendarDay pins the choice about daylight saving: the day
// before is 23 or 25 hours before when the clocks change in between.
func TestForBookingDayBeforeIsCalendarDay(t *testing.T) {
	for start, gap := range map[string]time.Duration{
		"2026-03-29 10:00": 23 * time.Hour, // last Sunday of March
		"2026-10-25 10:00": 25 * time.Hour, // last Sunday of October
		"2026-10-26 10:00": 24 * time.Hour,
	} {
		b := reminders.Booking{ID: "b", Conversation: "web:1", Start: at(t, start), End: at(t, start)}
		p := reminders.Policy{Before: []time.Duration{24 * time.Hour}, FollowupAfter: -1}
		got, err := reminders.ForBooking(b, p, at(t, "2026-01-01 00:00"))
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: %v, %v", start, got, err)
		}
		if d := b.Start.Sub(got[0].Due); d != gap {
			t.Errorf("service at %s: reminded %v before, want %v", start, d, gap)
		}
	}
}

func TestForBookingInvalid(t *testing.T) {
	start := at(t, "2026-06-10 10:00")
	ok := reminders.Booking{ID: "b", Conversation: "web:1", Start: start, End: start.Add(time.Hour)}
	tests := []struct {
		name string
		b    reminders.Booking
		p    reminders.Policy
	}{
		{"no id", reminders.Booking{Conversation: "web:1", Start: start, End: start}, reminders.Policy{}},
		{"no conversation", reminders.Booking{ID: "b", Start: start, End: start}, reminders.Policy{}},
		{"no start", reminders.Booking{ID: "b", Conversation: "web:1"}, reminders.Policy{}},
		{"end before start", reminders.Booking{ID: "b", Conversation: "web:1", Start: start, End: start.Add(-time.Minute)}, reminders.Policy{}},
		{"zero offset", ok, reminders.Policy{Before: []time.Duration{0}}},
		{"negative offset", ok, reminders.Policy{Before: []time.Duration{-time.Hour}}},
		{"id too long", reminders.Booking{ID: strings.Repeat("b", reminders.MaxID), Conversation: "web:1", Start: start, End: start}, reminders.Policy{}},
	}
	for _, tt := range tests {
		if got, err := reminders.ForBooking(tt.b, tt.p, start.Add(-48*time.Hour)); err == nil {
			t.Errorf("%s: ForBooking = %v, want an error", tt.name, got)
		}
	}
}

func TestQuietHours(t *testing.T) {
	rome := loadRome(t)
	tests := []struct {
		t             string
		quiet         bool
		before, after string
	}{
		{"2026-06-10 07:59", true, "2026-06-09 20:59", "2026-06-10 08:00"},
		{"2026-06-10 08:00", false, "2026-06-10 08:00", "2026-06-10 08:00"},
		{"2026-06-10 20:59", false, "2026-06-10 20:59", "2026-06-10 20:59"},
		{"2026-06-10 21:00", true, "2026-06-10 20:59", "2026-06-11 08:00"},
		{"2026-06-10 23:59", true, "2026-06-10 20:59", "2026-06-11 08:00"},
		{"2026-06-11 00:00", true, "2026-06-10 20:59", "2026-06-11 08:00"},
		{"2026-03-29 03:30", true, "2026-03-28 20:59", "2026-03-29 08:00"}, // the hour after the clocks jump
		{"2026-12-31 22:00", true, "2026-12-31 20:59", "2027-01-01 08:00"},
		{"2027-01-01 01:00", true, "2026-12-31 20:59", "2027-01-01 08:00"},
	}
	for _, tt := range tests {
		v := at(t, tt.t)
		if got := reminders.Quiet(v, rome); got != tt.quiet {
			t.Errorf("Quiet(%s) = %v, want %v", tt.t, got, tt.quiet)
		}
		if got := reminders.OutOfQuietBefore(v, rome); !got.Equal(at(t, tt.before)) {
			t.Errorf("OutOfQuietBefore(%s) = %s, want %s", tt.t, got.In(rome), tt.before)
		}
		if got := reminders.OutOfQuietAfter(v, rome); !got.Equal(at(t, tt.after)) {
			t.Errorf("OutOfQuietAfter(%s) = %s, want %s", tt.t, got.In(rome), tt.after)
		}
	}
	// The second 02:30 of 25 October (winter time) is as quiet as the first.
	second := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)
	if !reminders.Quiet(second, rome) || !reminders.OutOfQuietBefore(second, rome).Equal(at(t, "2026-10-24 20:59")) {
		t.Errorf("02:30 winter time on 25 October: not moved to 20:59 of the 24th")
	}
}
