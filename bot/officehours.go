package bot

import "time"

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

// holiday reports whether day (a date in Europe/Rome) is a public holiday in Milan.
func holiday(day time.Time) bool {
	m, d := day.Month(), day.Day()
	switch {
	case m == time.January && (d == 1 || d == 6), // Capodanno, Epifania
		m == time.April && d == 25,                                     // Liberazione
		m == time.May && d == 1,                                        // Festa del lavoro
		m == time.June && d == 2,                                       // Festa della Repubblica
		m == time.August && d == 15,                                    // Ferragosto
		m == time.November && d == 1,                                   // Ognissanti
		m == time.December && (d == 7 || d == 8 || d == 25 || d == 26): // Sant'Ambrogio, Immacolata, Natale, Santo Stefano
		return true
	}
	if m == time.October && d == 4 && day.Year() >= 2026 {
		return true // San Francesco, a national holiday again from 2026 (Legge 8 ottobre 2025, n. 151)
	}
	easter := easterSunday(day.Year())
	monday := easter.AddDate(0, 0, 1) // Pasquetta
	return (m == easter.Month() && d == easter.Day()) || (m == monday.Month() && d == monday.Day())
}

// easterSunday computes Easter Sunday of the Gregorian calendar (the anonymous
// Gregorian algorithm, "Meeus/Jones/Butcher").
func easterSunday(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
