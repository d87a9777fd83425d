package bookings

import (
	"slices"
	"testing"
	"time"
)

func TestParseRepeat(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, rome) // a Tuesday
	tueThu := []time.Weekday{time.Tuesday, time.Thursday}
	jan31 := time.Date(2027, 1, 31, 0, 0, 0, 0, rome)
	dec31 := time.Date(2026, 12, 31, 0, 0, 0, 0, rome)
	for _, tc := range []struct {
		text  string
		days  []time.Weekday
		until time.Time
	}{
		{"ogni martedì e giovedì fino al 31 gennaio", tueThu, jan31},
		{"Ogni martedi e giovedi fino a fine gennaio", tueThu, jan31},
		{"tutti i lunedì fino a fine mese", []time.Weekday{time.Monday}, dec31},
		{"every Tuesday and Thursday until the end of January", tueThu, jan31},
		{"Tuesdays and Thursdays until 31/1", tueThu, jan31},
		{"every friday", []time.Weekday{time.Friday}, time.Time{}},
		{"todos los martes y jueves hasta el 31 de enero", tueThu, jan31},
		{"cada martes y jueves hasta finales de enero", tueThu, jan31},
		{"tous les mardis et jeudis jusqu'au 31 janvier", tueThu, jan31},
		{"chaque mardi et jeudi jusqu'à la fin de janvier", tueThu, jan31},
		{"в каждый вторник и четверг до 31 января", tueThu, jan31},
		{"по вторникам и четвергам до конца января", tueThu, jan31},
		{"кожного вівторка і четверга до 31 січня", tueThu, jan31},
		{"în fiecare marți și joi până la 31 ianuarie", tueThu, jan31},
		{"كل ثلاثاء وخميس حتى 31 يناير", tueThu, jan31},
		{"每周二和周四直到一月底", tueThu, jan31},
	} {
		t.Run(tc.text, func(t *testing.T) {
			r, ok := ParseRepeat(tc.text, now, rome)
			if !ok || !slices.Equal(r.Weekdays, tc.days) || !r.Until.Equal(tc.until) {
				t.Errorf("ParseRepeat = %v %v, %v; want %v until %v", r.Weekdays, r.Until, ok, tc.days, tc.until)
			}
		})
	}
	for _, text := range []string{"martedì alle 10", "ogni tanto", "every day until tomorrow", "ogni martedì fino a boh", "", "every"} {
		if r, ok := ParseRepeat(text, now, rome); ok {
			t.Errorf("ParseRepeat(%q) = %v, want nothing", text, r)
		}
	}
}
