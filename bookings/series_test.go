package bookings_test

import (
	"errors"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
)

// Every Monday and Wednesday at 10:00 from 30 November 2026 to 13 January 2027: the
// holidays on those days and the service's closure are skipped and listed; the rest
// keep the same wall-clock time.
func TestWeekly(t *testing.T) {
	loc := rome(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	s := homeCare()
	first := time.Date(2026, 11, 30, 10, 0, 0, 0, loc)
	until := time.Date(2027, 1, 13, 0, 0, 0, 0, loc)
	starts, skipped := bookings.Weekly(s, first, []time.Weekday{time.Monday, time.Wednesday}, until, 3, now, loc)
	var got []string
	for _, at := range starts {
		got = append(got, at.Format("01-02 15:04"))
	}
	want := []string{"11-30 10:00", "12-02 10:00", "12-09 10:00", "12-14 10:00", "12-16 10:00", "12-21 10:00",
		"12-23 10:00", "12-28 10:00", "12-30 10:00", "01-04 10:00"}
	if len(got) != len(want) {
		t.Fatalf("starts = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("start %d = %s, want %s", i, got[i], want[i])
		}
	}
	// Skipped: 7 December (Sant'Ambrogio), 6 January (Epifania), 11 and 13 January
	// (the closure).
	wantSkipped := map[string]bookings.Rule{"12-07": bookings.RuleHoliday, "01-06": bookings.RuleHoliday,
		"01-11": bookings.RuleClosure, "01-13": bookings.RuleClosure}
	if len(skipped) != len(wantSkipped) {
		t.Fatalf("skipped = %+v", skipped)
	}
	for _, sk := range skipped {
		var re *bookings.RuleError
		if !errors.As(sk.Err, &re) || re.Rule != wantSkipped[sk.Start.Format("01-02")] {
			t.Errorf("skipped %s: %v", sk.Start.Format("01-02"), sk.Err)
		}
	}
}

// A series stops at MaxSeries and at the horizon, whatever end date is asked.
func TestWeeklyIsBounded(t *testing.T) {
	loc := rome(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	s := homeCare()
	s.Rules.Closures, s.Rules.Horizon = nil, 0 // 90 days
	every := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
	starts, _ := bookings.Weekly(s, time.Date(2026, 11, 30, 10, 0, 0, 0, loc), every, time.Date(2030, 1, 1, 0, 0, 0, 0, loc), 3, now, loc)
	if len(starts) != bookings.MaxSeries {
		t.Errorf("%d starts, want MaxSeries %d", len(starts), bookings.MaxSeries)
	}
	starts, _ = bookings.Weekly(s, time.Date(2026, 11, 30, 10, 0, 0, 0, loc), []time.Weekday{time.Monday}, time.Date(2030, 1, 1, 0, 0, 0, 0, loc), 3, now, loc)
	if last := starts[len(starts)-1]; last.After(bookings.LastDay(s, now, loc).AddDate(0, 0, 1)) {
		t.Errorf("a start past the horizon: %v", last)
	}
	// Across the change to summer time the wall-clock time stays 10:00.
	s.Rules.Horizon = 200 * 24 * time.Hour
	starts, _ = bookings.Weekly(s, time.Date(2027, 3, 22, 10, 0, 0, 0, loc), []time.Weekday{time.Monday}, time.Date(2027, 4, 12, 0, 0, 0, 0, loc), 3, now, loc)
	for _, at := range starts {
		if at.Hour() != 10 {
			t.Errorf("%v is not 10:00", at)
		}
	}
}
