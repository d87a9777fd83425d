package bot

import (
	"testing"
	"time"
)

func TestOfficeHours(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	o := officeHours{rome: rome}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, rome)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		now  string
		open bool
		next string
	}{
		{"2026-11-23 10:00", true, "2026-11-23 10:00"},  // Monday morning
		{"2026-11-23 17:00", false, "2026-11-24 09:00"}, // Monday at closing time
		{"2026-11-28 12:59", true, "2026-11-28 12:59"},  // Saturday before 13
		{"2026-11-28 13:00", false, "2026-11-30 09:00"}, // Saturday afternoon: Monday
		{"2026-12-04 18:00", false, "2026-12-05 09:00"}, // Friday evening: Saturday morning
		{"2026-12-06 10:00", false, "2026-12-09 09:00"}, // Sunday, then Sant'Ambrogio (7) and Immacolata (8)
		{"2026-04-06 10:00", false, "2026-04-07 09:00"}, // Easter Monday
		{"2026-12-24 16:00", true, "2026-12-24 16:00"},  // Christmas Eve is a working day
		{"2026-12-24 18:00", false, "2026-12-28 09:00"}, // then Christmas, Santo Stefano (Saturday), Sunday
		{"2026-03-29 10:00", false, "2026-03-30 09:00"}, // the Sunday the clocks go forward
		{"2026-10-25 02:30", false, "2026-10-26 09:00"}, // the night the clocks go back
		{"2027-10-04 10:00", false, "2027-10-05 09:00"}, // San Francesco, a national holiday from 2026
		{"2025-10-03 18:00", false, "2025-10-04 09:00"}, // ...not before: 4 October 2025 was a working Saturday
	}
	for _, tt := range tests {
		t.Run(tt.now, func(t *testing.T) {
			now := at(tt.now)
			if got := o.open(now); got != tt.open {
				t.Errorf("open = %v, want %v", got, tt.open)
			}
			if got := o.next(now); !got.Equal(at(tt.next)) {
				t.Errorf("next = %s, want %s", got.In(rome).Format("2006-01-02 15:04"), tt.next)
			}
		})
	}
}
