package bookings

import (
	"slices"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// Slots returns the start times the service offers on day, a date whose year, month
// and day are read in loc (the time of day does not count). Each schedule open on that
// weekday gives a start at its opening and then every hour after it, up to the last
// one that still ends by its closing: a booking lasts quantity hours when the service
// is charged by the hour, else one hour. The times are wall-clock times in loc, sorted
// and without duplicates; a time the clocks skip on the day daylight-saving time
// starts is left out. None when the service does not open that weekday.
func Slots(s *catalogue.Service, day time.Time, quantity int, loc *time.Location) []time.Time {
	if s == nil {
		return nil
	}
	y, m, d := day.In(loc).Date()
	weekday := time.Date(y, m, d, 12, 0, 0, 0, loc).Weekday()
	length := catalogue.Clock(duration(s.Cost.Unit, quantity) / time.Minute)
	var out []time.Time
	for _, sc := range s.Schedules {
		if !slices.Contains(sc.Days, weekday) {
			continue
		}
		for at := sc.OpensAt; at+length <= sc.ClosesAt; at += 60 {
			t := time.Date(y, m, d, int(at)/60, int(at)%60, 0, 0, loc)
			if t.Hour()*60+t.Minute() != int(at) {
				continue // skipped by the clocks going forward
			}
			out = append(out, t)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return slices.CompactFunc(out, time.Time.Equal)
}

// OpenOn reports whether the service opens at all on the weekday of day, read in loc.
func OpenOn(s *catalogue.Service, day time.Time, loc *time.Location) bool {
	if s == nil {
		return false
	}
	y, m, d := day.In(loc).Date()
	weekday := time.Date(y, m, d, 12, 0, 0, 0, loc).Weekday()
	for _, sc := range s.Schedules {
		if slices.Contains(sc.Days, weekday) {
			return true
		}
	}
	return false
}
