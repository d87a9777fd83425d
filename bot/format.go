package bot

// This file holds how the flows word what they share: dates and times, prices,
// places, languages, services' titles, durations.

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// whenText is "sab 28/11 alle 10:00".
func (t *Turn) whenText(at time.Time) string {
	at = at.In(t.e.rome)
	return t.T("book.when", "day", t.dayLabel(at), "time", at.Format("15:04"))
}

// dayLabel is "sab 28/11", "周六 11月28日".
func (t *Turn) dayLabel(day time.Time) string {
	day = day.In(t.e.rome)
	return t.T("day."+strconv.Itoa(int(day.Weekday()))) + " " + i18n.Of(t.st.Lang).DayMonth(day.Day(), int(day.Month()))
}

// date is a day's date in the citizen's language: "28/11".
func (t *Turn) date(at time.Time) string {
	at = at.In(t.e.rome)
	return i18n.Of(t.st.Lang).DayMonth(at.Day(), int(at.Month()))
}

// fullDate is a date with its year in the citizen's language: "28/11/2026".
func (t *Turn) fullDate(at time.Time) string {
	at = at.In(t.e.rome)
	return i18n.Of(t.st.Lang).FullDate(at.Day(), int(at.Month()), at.Year())
}

// today is midnight of the current day in Rome.
func (t *Turn) today() time.Time {
	n := t.now.In(t.e.rome)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, t.e.rome)
}

// municipioOf reads a Municipio number ("3", "Municipio 3", "zona 3") or a
// neighbourhood.
func (t *Turn) municipioOf(text string) (int, bool) {
	if n, ok := firstNumber(text); ok && n >= 1 && n <= 9 && utf8.RuneCountInString(text) <= 20 {
		return n, true
	}
	if nb, ok := t.cat.Milan.FindNeighbourhood(text); ok {
		return nb.Municipio, true
	}
	return 0, false
}

// languageNames names ISO 639-1 codes in the citizen's language ("italiano,
// inglese"); a code without a translation shows as itself.
func (t *Turn) languageNames(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		key := "lang." + c
		if t.e.texts.Has(key) {
			names[i] = t.T(key)
		} else {
			names[i] = strings.ToUpper(c)
		}
	}
	return strings.Join(names, ", ")
}

// serviceTitle is a service's name in the citizen's language; a name the catalogue
// has not translated yet shows in English or Italian, saying so.
func (t *Turn) serviceTitle(s *catalogue.Service) string {
	return t.translated(s.NameIn(t.st.Lang))
}

// titleText is a service's name for a reply's text: an asterisk in it is not bold.
func (t *Turn) titleText(s *catalogue.Service) string { return Literal(t.serviceTitle(s)) }

// translated marks a catalogue text that is in another language than the citizen's
// ("Home care (in English)").
func (t *Turn) translated(text, got string) string {
	if got == t.st.Lang || text == "" {
		return text
	}
	return text + " " + t.T("language.fallback", "language", t.T("lang."+got))
}

// euros formats cents as money in the citizen's language: 14,50 € or €14.50.
func (t *Turn) euros(cents int) string { return i18n.Of(t.st.Lang).Money(cents) }

func (t *Turn) municipi(ms []int) string {
	if len(ms) == 9 {
		return t.T("zones.all")
	}
	s := append([]int(nil), ms...)
	sort.Ints(s)
	parts := make([]string, len(s))
	for i, m := range s {
		parts[i] = strconv.Itoa(m)
	}
	return strings.Join(parts, ", ")
}

// schedules formats time slots as "lun–ven 08:00–19:30; sab 09:00–12:00".
func (t *Turn) schedules(ss []catalogue.Schedule) string {
	parts := make([]string, 0, len(ss))
	for _, s := range ss {
		parts = append(parts, t.days(s.Days)+" "+s.OpensAt.String()+"–"+s.ClosesAt.String())
	}
	return strings.Join(parts, "; ")
}

// days names weekdays, collapsing runs: lun–ven, sab.
func (t *Turn) days(ds []time.Weekday) string {
	// Order Monday first.
	idx := func(d time.Weekday) int { return (int(d) + 6) % 7 }
	s := append([]time.Weekday(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return idx(s[i]) < idx(s[j]) })
	name := func(d time.Weekday) string { return t.T("day." + strconv.Itoa(int(d))) }
	var parts []string
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && idx(s[j+1]) == idx(s[j])+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, name(s[i])+"–"+name(s[j]))
		case j == i:
			parts = append(parts, name(s[i]))
		default:
			parts = append(parts, name(s[i]), name(s[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// duration says how long in words: "30 minuti", "1 ora", "2 ore".
func (t *Turn) duration(d time.Duration) string {
	if d < time.Hour || d%time.Hour != 0 {
		m := int(d / time.Minute)
		return t.Plural("duration.minutes", m, "n", strconv.Itoa(m))
	}
	h := int(d / time.Hour)
	return t.Plural("duration.hours", h, "n", strconv.Itoa(h))
}
