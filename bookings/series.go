package bookings

import (
	"slices"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// MaxSeries bounds a recurring booking: half a year of weekly appointments. Longer
// arrangements are a conversation with the provider, not a form.
const MaxSeries = 26

// Skipped is a date of a recurring booking that the rules leave out, and why (a
// *RuleError: a holiday, a closure...), so the citizen is told which dates are not in it.
type Skipped struct {
	Start time.Time
	Err   error
}

// Weekly returns the starts of a recurring booking of quantity units: first, then the
// same wall-clock time on each of weekdays up to until (a date, included), as many as
// MaxSeries. A start the service's rules refuse (a holiday, a closure, the horizon, a
// day it does not run at that hour) is left out and returned among the skipped, in
// date order; the walk stops at the horizon. first itself is checked like the others.
func Weekly(s *catalogue.Service, first time.Time, weekdays []time.Weekday, until time.Time, quantity int,
	now time.Time, loc *time.Location) (starts []time.Time, skipped []Skipped) {
	first = first.In(loc)
	hour, minute := first.Hour(), first.Minute()
	last := dayIn(until, loc)
	if horizon := LastDay(s, now, loc); horizon.Before(last) {
		last = horizon
	}
	// Bounded by the horizon, at most a year (catalogue validation), and MaxSeries.
	for day := dayIn(first, loc); !day.After(last) && len(starts) < MaxSeries; day = day.AddDate(0, 0, 1) {
		if !day.Equal(dayIn(first, loc)) && !slices.Contains(weekdays, day.Weekday()) {
			continue
		}
		at := time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc)
		if err := CheckStart(s, at, quantity, now, loc); err != nil {
			skipped = append(skipped, Skipped{Start: at, Err: err})
			continue
		}
		starts = append(starts, at)
	}
	return starts, skipped
}
