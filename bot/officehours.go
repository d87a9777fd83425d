package bot

import (
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// officeHours are when WeMi operators answer: Monday to Friday 9-17 and Saturday 9-13
// (Europe/Rome), except on Italian public holidays and on 7 December, Sant'Ambrogio,
// Milan's patron saint.
type officeHours struct {
	rome *time.Location
}

// openingHours returns the hours an office day opens and closes; ok is false on days
// the offices are closed all day.
func (o officeHours) openingHours(day time.Time) (opens, closes int, ok bool) {
	if holiday(day) {
		return 0, 0, false
	}
	switch day.Weekday() {
	case time.Sunday:
		return 0, 0, false
	case time.Saturday:
		return 9, 13, true
	default:
		return 9, 17, true
	}
}

// open reports whether an operator can answer at t.
func (o officeHours) open(t time.Time) bool {
	t = t.In(o.rome)
	opens, closes, ok := o.openingHours(t)
	return ok && t.Hour() >= opens && t.Hour() < closes
}

// next returns when the offices next open after t (t itself if they are open).
func (o officeHours) next(t time.Time) time.Time {
	t = t.In(o.rome)
	if o.open(t) {
		return t
	}
	for d := 0; d < 15; d++ {
		day := time.Date(t.Year(), t.Month(), t.Day()+d, 0, 0, 0, 0, o.rome)
		opens, _, ok := o.openingHours(day)
		if !ok {
			continue
		}
		at := time.Date(day.Year(), day.Month(), day.Day(), opens, 0, 0, 0, o.rome)
		if at.After(t) {
			return at
		}
	}
	return t // not reached: no fortnight is all holidays
}

// holiday reports whether day (a date in Europe/Rome) is a public holiday in Milan:
// the catalogue's list, which the WeMi spaces and the bookings follow too.
func holiday(day time.Time) bool {
	_, ok := catalogue.HolidayOn(day, day.Location())
	return ok
}
