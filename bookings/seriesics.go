package bookings

import (
	"bytes"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// SeriesICS is one calendar file with an event per booking of a series (each with its
// own UID, so a calendar updates them one by one), as ICS writes them. A series
// skips holidays and closures, so its dates are listed rather than written as a rule.
func SeriesICS(bs []Booking, summary, location, description string, unit catalogue.CostUnit, now time.Time) []byte {
	if len(bs) == 0 {
		return nil
	}
	first := ICS(bs[0], summary, location, description, unit, now)
	end := []byte("END:VCALENDAR")
	cut := bytes.LastIndex(first, end)
	if cut < 0 {
		return first
	}
	out := bytes.Clone(first[:cut])
	begin := []byte("BEGIN:VEVENT")
	for _, b := range bs[1:] {
		one := ICS(b, summary, location, description, unit, now)
		i, j := bytes.Index(one, begin), bytes.LastIndex(one, end)
		if i < 0 || j < i {
			continue
		}
		out = append(out, one[i:j]...)
	}
	return append(out, first[cut:]...)
}
