package bookings_test

import (
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

func TestSlots(t *testing.T) {
	loc := rome(t)
	monWed := service("ora", 9*60, 13*60, time.Monday, time.Wednesday)
	meals := service("pasto", 9*60, 13*60, time.Monday, time.Wednesday)
	split := &catalogue.Service{Cost: catalogue.Cost{Unit: "ora"}, Schedules: []catalogue.Schedule{
		{Days: []time.Weekday{time.Tuesday}, OpensAt: 14 * 60, ClosesAt: 17 * 60},
		{Days: []time.Weekday{time.Tuesday, time.Thursday}, OpensAt: 9*60 + 30, ClosesAt: 12 * 60},
		{Days: []time.Weekday{time.Tuesday}, OpensAt: 15 * 60, ClosesAt: 16 * 60}, // overlaps the first
	}}
	nights := service("ora", 0, 6*60, time.Sunday)
	sundays := service("ora", 9*60, 13*60, time.Sunday)

	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, loc)
	tests := []struct {
		name  string
		s     *catalogue.Service
		day   time.Time
		qty   int
		want  []string // "15:04 -0700"
		opens bool
	}{
		{"1 hour", monWed, monday, 1, []string{"09:00 +0100", "10:00 +0100", "11:00 +0100", "12:00 +0100"}, true},
		{"2 hours", monWed, monday, 2, []string{"09:00 +0100", "10:00 +0100", "11:00 +0100"}, true},
		{"4 hours", monWed, monday, 4, []string{"09:00 +0100"}, true},
		{"5 hours", monWed, monday, 5, nil, true},
		{"not hourly: a meal lasts an hour", meals, monday, 3, []string{"09:00 +0100", "10:00 +0100", "11:00 +0100", "12:00 +0100"}, true},
		{"wednesday", monWed, monday.AddDate(0, 0, 2), 3, []string{"09:00 +0100", "10:00 +0100"}, true},
		{"closed day", monWed, monday.AddDate(0, 0, 1), 1, nil, false},
		{"day given at noon UTC", monWed, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), 1, []string{"09:00 +0100", "10:00 +0100", "11:00 +0100", "12:00 +0100"}, true},
		{"several schedules, sorted, no duplicates", split, time.Date(2026, 12, 1, 0, 0, 0, 0, loc), 1,
			[]string{"09:30 +0100", "10:30 +0100", "14:00 +0100", "15:00 +0100", "16:00 +0100"}, true},
		{"clocks go forward: daytime in summer time", sundays, time.Date(2026, 3, 29, 0, 0, 0, 0, loc), 1,
			[]string{"09:00 +0200", "10:00 +0200", "11:00 +0200", "12:00 +0200"}, true},
		{"clocks go forward: no 02:00", nights, time.Date(2026, 3, 29, 0, 0, 0, 0, loc), 1,
			[]string{"00:00 +0100", "01:00 +0100", "03:00 +0200", "04:00 +0200", "05:00 +0200"}, true},
		{"clocks go back: daytime in standard time", sundays, time.Date(2026, 10, 25, 0, 0, 0, 0, loc), 2,
			[]string{"09:00 +0100", "10:00 +0100", "11:00 +0100"}, true},
		{"clocks go back: 02:00 once", nights, time.Date(2026, 10, 25, 0, 0, 0, 0, loc), 1,
			[]string{"00:00 +0200", "01:00 +0200", "02:00", "03:00 +0100", "04:00 +0100", "05:00 +0100"}, true},
		{"the day before the change", sundays, time.Date(2026, 3, 28, 0, 0, 0, 0, loc), 1, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bookings.Slots(tt.s, tt.day, tt.qty, loc)
			var formatted []string
			for _, s := range got {
				if s.Location() != loc {
					t.Errorf("slot %v not in Europe/Rome", s)
				}
				formatted = append(formatted, s.Format("15:04 -0700"))
			}
			if !sameSlots(formatted, tt.want) {
				t.Errorf("Slots = %v\nwant    %v", formatted, tt.want)
			}
			if bookings.OpenOn(tt.s, tt.day, loc) != tt.opens {
				t.Errorf("OpenOn = %v", !tt.opens)
			}
		})
	}
	if bookings.Slots(nil, monday, 1, loc) != nil || bookings.OpenOn(nil, monday, loc) {
		t.Error("a nil service has slots")
	}
}

// sameSlots compares formatted slots with the wanted ones; a wanted "15:04" without
// an offset is a wall-clock time the clocks show twice, either offset will do.
func sameSlots(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] && !(len(want[i]) == 5 && strings.HasPrefix(got[i], want[i]+" ")) {
			return false
		}
	}
	return true
}
