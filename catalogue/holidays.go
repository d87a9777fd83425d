package catalogue

import (
	"slices"
	"time"
)

// Holiday is a day on which WeMi's services and spaces are closed by default: a
// national public holiday of Italy, or Milan's patron saint's day (Sant'Ambrogio,
// 7 December). Key names it in the translation files ("holiday.<key>").
type Holiday struct {
	Date time.Time // midnight of the day, in the location asked for
	Key  string    // stable id: "capodanno", "pasquetta", "santambrogio"...
}

// fixedHolidays are the holidays on the same date every year, with the first year
// they apply (San Francesco, 4 October, is a national holiday again from 2026).
var fixedHolidays = []struct {
	month time.Month
	day   int
	key   string
	since int
}{
	{time.January, 1, "capodanno", 0},
	{time.January, 6, "epifania", 0},
	{time.April, 25, "liberazione", 0},
	{time.May, 1, "lavoro", 0},
	{time.June, 2, "repubblica", 0},
	{time.August, 15, "ferragosto", 0},
	{time.October, 4, "sanfrancesco", 2026},
	{time.November, 1, "ognissanti", 0},
	{time.December, 7, "santambrogio", 0}, // Milan's patron: closed in Milan only
	{time.December, 8, "immacolata", 0},
	{time.December, 25, "natale", 0},
	{time.December, 26, "santostefano", 0},
}

// Holidays returns the year's holidays in Milan, in date order, each at midnight in
// loc: the fixed ones, Easter Sunday and Easter Monday (Pasquetta).
func Holidays(year int, loc *time.Location) []Holiday {
	out := make([]Holiday, 0, len(fixedHolidays)+2)
	for _, f := range fixedHolidays {
		if year >= f.since {
			out = append(out, Holiday{Date: time.Date(year, f.month, f.day, 0, 0, 0, 0, loc), Key: f.key})
		}
	}
	em, ed := easter(year)
	out = append(out,
		Holiday{Date: time.Date(year, em, ed, 0, 0, 0, 0, loc), Key: "pasqua"},
		Holiday{Date: time.Date(year, em, ed+1, 0, 0, 0, 0, loc), Key: "pasquetta"})
	slices.SortFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}

// HolidayOn returns the holiday that falls on t's calendar day, read in loc. It
// builds no list: it runs for every day a calendar or an opening line shows.
func HolidayOn(t time.Time, loc *time.Location) (Holiday, bool) {
	y, m, d := t.In(loc).Date()
	at := func(key string) (Holiday, bool) {
		return Holiday{Date: time.Date(y, m, d, 0, 0, 0, 0, loc), Key: key}, true
	}
	for _, f := range fixedHolidays {
		if f.month == m && f.day == d && y >= f.since {
			return at(f.key)
		}
	}
	em, ed := easter(y)
	sunday := time.Date(y, em, ed, 0, 0, 0, 0, time.UTC)
	switch day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); {
	case day.Equal(sunday):
		return at("pasqua")
	case day.Equal(sunday.AddDate(0, 0, 1)):
		return at("pasquetta")
	}
	return Holiday{}, false
}

// easter returns the date of Easter Sunday in the Gregorian calendar (the anonymous
// Gregorian algorithm, also known as Meeus/Jones/Butcher).
func easter(year int) (time.Month, int) {
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
	return time.Month(month), day
}
