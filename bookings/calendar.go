package bookings

import "time"

// Calendar returns the weeks of a month, for a calendar of buttons: each week has 7
// days, Monday to Sunday, each the day's midnight in loc, and the zero time for the
// days before the 1st and after the last day of the month.
func Calendar(year int, month time.Month, loc *time.Location) [][7]time.Time {
	first := time.Date(year, month, 1, 0, 0, 0, 0, loc)
	days := time.Date(year, month+1, 0, 0, 0, 0, 0, loc).Day()
	col := (int(first.Weekday()) + 6) % 7 // Monday is column 0
	var weeks [][7]time.Time
	var week [7]time.Time
	for d := 1; d <= days; d++ {
		week[col] = time.Date(year, month, d, 0, 0, 0, 0, loc)
		if col++; col == 7 {
			weeks, week, col = append(weeks, week), [7]time.Time{}, 0
		}
	}
	if col > 0 {
		weeks = append(weeks, week)
	}
	return weeks
}
