package catalogue

import "time"

// When a WeMi space is open: its weekly schedules, except on public holidays
// (Holidays: Milan's, Sant'Ambrogio included) and during its exceptional closures.

// Closing is why a space is closed on a day: a public holiday, or one of its
// exceptional closures (which wins when both fall on the same day, as it is what
// staff wrote for that day).
type Closing struct {
	// Day is the first day closed for this reason (midnight, in the location
	// asked for); for a closure that began earlier, the first day looked at.
	Day time.Time
	// Holiday is the holiday's key ("santambrogio"), or "" for a closure.
	Holiday string
	// Closure is the exceptional closure, or nil for a holiday.
	Closure *Closure
}

// Opening is when a space next opens, and why it stays closed until then.
type Opening struct {
	At time.Time
	// Closed are the holidays and closures that fall on today or on days the
	// space would have opened before At, each once, in date order: what a citizen
	// who expected it open needs to hear.
	Closed []Closing
}

// maxOpeningDays bounds how far ahead the next opening is looked for: a closure
// lasts at most a year (maxClosureDays), and a few days more cover the week.
const maxOpeningDays = maxClosureDays + 8

// ClosedOn returns why the space is closed all of t's calendar day (read in loc),
// or false when it keeps its weekly hours that day.
func (s *Space) ClosedOn(t time.Time, loc *time.Location) (Closing, bool) {
	day := dayOf(t, loc)
	for i := range s.Closures {
		if s.Closures[i].Covers(day, loc) {
			return Closing{Day: day, Closure: &s.Closures[i]}, true
		}
	}
	if h, ok := HolidayOn(day, loc); ok {
		return Closing{Day: day, Holiday: h.Key}, true
	}
	return Closing{}, false
}

// OpenAt reports whether the space is open at t, read in loc (Europe/Rome): within
// one of its schedules, on a day that is neither a holiday nor closed.
func (s *Space) OpenAt(t time.Time, loc *time.Location) bool {
	t = t.In(loc)
	if _, closed := s.ClosedOn(t, loc); closed {
		return false
	}
	for _, sc := range s.Schedules {
		if sc.Covers(t) {
			return true
		}
	}
	return false
}

// NextOpening returns when the space next opens after now (read in loc), skipping
// holidays and closures, and the reasons it stays closed until then. It is false
// for a space with no schedules, or closed for longer than it looks ahead.
func (s *Space) NextOpening(now time.Time, loc *time.Location) (Opening, bool) {
	now = now.In(loc)
	var op Opening
	seen := map[string]bool{}
	for d := 0; d <= maxOpeningDays; d++ {
		day := time.Date(now.Year(), now.Month(), now.Day()+d, 0, 0, 0, 0, loc)
		opens, ok := s.firstOpeningOn(day, now)
		closing, closed := s.ClosedOn(day, loc)
		switch {
		case closed && (ok || d == 0):
			// Today, or a day it would have opened: the citizen needs the reason.
			if k := closing.key(); !seen[k] {
				seen[k] = true
				op.Closed = append(op.Closed, closing)
			}
		case ok:
			op.At = opens
			return op, true
		}
	}
	return Opening{}, false
}

// firstOpeningOn returns the earliest time the weekly schedules open on day
// (midnight, in its location) after now.
func (s *Space) firstOpeningOn(day, now time.Time) (time.Time, bool) {
	var best time.Time
	for _, sc := range s.Schedules {
		for _, wd := range sc.Days {
			if wd != day.Weekday() {
				continue
			}
			at := time.Date(day.Year(), day.Month(), day.Day(), int(sc.OpensAt)/60, int(sc.OpensAt)%60, 0, 0, day.Location())
			if at.After(now) && (best.IsZero() || at.Before(best)) {
				best = at
			}
		}
	}
	return best, !best.IsZero()
}

// UpcomingClosings lists the days ahead (from today, for the given number of
// days) on which the space would open but is closed — each holiday, and each
// exceptional closure once — at most limit of them, in date order. A space's card
// shows them.
func (s *Space) UpcomingClosings(now time.Time, loc *time.Location, days, limit int) []Closing {
	now = now.In(loc)
	var out []Closing
	seen := map[string]bool{}
	for d := 0; d < days && len(out) < limit; d++ {
		day := time.Date(now.Year(), now.Month(), now.Day()+d, 0, 0, 0, 0, loc)
		closing, closed := s.ClosedOn(day, loc)
		if !closed || seen[closing.key()] {
			continue
		}
		if closing.Closure == nil && !s.opensOnWeekday(day.Weekday()) {
			continue // a holiday on a day the space is closed anyway
		}
		seen[closing.key()] = true
		out = append(out, closing)
	}
	return out
}

// opensOnWeekday reports whether one of the schedules opens on wd.
func (s *Space) opensOnWeekday(wd time.Weekday) bool {
	for _, sc := range s.Schedules {
		for _, d := range sc.Days {
			if d == wd {
				return true
			}
		}
	}
	return false
}

// key tells closings apart: a closure by its first day, a holiday by its key and
// day.
func (c Closing) key() string {
	if c.Closure != nil {
		return "closure " + c.Closure.From.Format(time.DateOnly)
	}
	return "holiday " + c.Holiday + " " + c.Day.Format(time.DateOnly)
}
