package bookings

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// When is what a citizen typed about a date and a time.
type When struct {
	// Day is the day's midnight in loc; today when the text named no day.
	Day time.Time
	// HasDate reports whether the text named a day; when it only gave a time, Day is
	// today and the caller may prefer the day it already knows.
	HasDate bool
	// HasTime reports whether the text gave a time of day.
	HasTime bool
	// Minute is the time of day in minutes after midnight, when HasTime.
	Minute int
}

// At returns the instant the When names in loc: Day at Minute, or Day's midnight when
// it has no time. A time the clocks skip moves forward by the gap.
func (w When) At(loc *time.Location) time.Time {
	y, m, d := w.Day.In(loc).Date()
	if !w.HasTime {
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m, d, w.Minute/60, w.Minute%60, 0, 0, loc)
}

// maxWhenRunes bounds how much of a message ParseWhen reads.
const maxWhenRunes = 200

// ParseWhen reads a date and a time of day from what a citizen typed, in Italian or
// English (and in the other languages the bot speaks, whose words data/when/<lang>.yaml
// writes as English ones), relative to now in loc. It understands:
//
//   - "oggi"/"today" (also "stasera"/"tonight"), "domani"/"tomorrow", "dopodomani"/
//     "the day after tomorrow", "tra 3 giorni"/"in 3 days", "tra una settimana"/"in a week";
//   - weekday names, with or without accents ("lunedì", "lunedi", "monday"), alone
//     or with "prossimo"/"next": the first such day after today (never today);
//   - "12/3", "12/03", "12-3", "12/3/2027", "12/3/27", "12.03.2027", ISO "2027-03-12",
//     "12 marzo", "12 mar", "3 December", "December 3rd", "the 12th", "il 12" (always
//     day before month);
//   - a time anywhere: "alle 10", "ore 15", "h 9", "at 10", "10:30", "10.30", "10am",
//     "3 pm", "alle 10 e mezza", "mezzogiorno"/"noon", and "alle 3 del pomeriggio" or
//     "stasera alle 8" for the afternoon and the evening.
//
// A date without a year is the next such date from today: this year unless it has
// passed, else next year. A day of the month alone is the next such day. Whether the
// result is in the past is for the caller to judge. ok is false when the text names
// neither a day nor a time, or names an impossible one (31/2, 25:00). Only the first
// 200 runes are read.
func ParseWhen(text string, now time.Time, loc *time.Location) (When, bool) {
	s := normalizeWhen(translateWhen(catalogue.TruncateRunes(text, maxWhenRunes)))
	today := midnight(now.In(loc), loc)
	var w When

	// Numeric dates first, so that their digits are not read as times; then times,
	// so that their digits are not read as days of the month.
	day, found, ok := numericDate(&s, today, loc)
	if !ok {
		return When{}, false
	}
	minute, hasTime, ok := timeOfDay(&s)
	if !ok {
		return When{}, false
	}
	if !found {
		if day, found, ok = wordDate(&s, today, loc); !ok {
			return When{}, false
		}
	}
	if !found && !hasTime {
		return When{}, false
	}
	w.Day, w.HasDate = today, found
	if found {
		w.Day = day
	}
	if hasTime {
		w.HasTime, w.Minute = true, minute
	}
	return w, true
}

// normalizeWhen lowercases the first maxWhenRunes runes of text and strips the accents
// Italian puts on weekdays, so the patterns below stay plain ASCII.
func normalizeWhen(text string) string {
	var b strings.Builder
	n := 0
	for _, r := range text {
		if n == maxWhenRunes {
			break
		}
		n++
		switch r {
		case 'à', 'á', 'À', 'Á':
			r = 'a'
		case 'è', 'é', 'È', 'É':
			r = 'e'
		case 'ì', 'í', 'Ì', 'Í':
			r = 'i'
		case 'ò', 'ó', 'Ò', 'Ó':
			r = 'o'
		case 'ù', 'ú', 'Ù', 'Ú':
			r = 'u'
		case '’', '‘', '`':
			r = '\''
		}
		b.WriteRune(r)
	}
	return " " + strings.ToLower(b.String()) + " "
}

func midnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Patterns. Go's regexp has no look-around, so the numeric ones consume one character
// on each side to stay clear of longer numbers; the part that counts is group 1.
var (
	isoDate = regexp.MustCompile(`[^0-9/.:-]((\d{4})[-/](\d{1,2})[-/](\d{1,2}))[^0-9/:-]`)
	dmyDate = regexp.MustCompile(`[^0-9/.:-]((\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?)[^0-9/:-]`)
	dotDate = regexp.MustCompile(`[^0-9/.:-]((\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2}))[^0-9/:-]`)

	ampm      = `(?:\s*([ap])\.?m\b\.?)?`
	clockTime = regexp.MustCompile(`[^0-9/.:-]((\d{1,2})[:.h](\d{2})` + ampm + `)[^0-9/:-]`)
	saidTime  = regexp.MustCompile(`\b((?:alle|dalle|all'|dall'|verso le|per le|ore|h|at|around|from)\s*(\d{1,2})()` + ampm +
		`(?:\s+e\s+(mezza|mezzo|un quarto|quarto|tre quarti))?)[^0-9/:-]`)
	hourAMPM  = regexp.MustCompile(`[^0-9/.:-]((\d{1,2})()\s*([ap])\.?m\b\.?)`)
	namedTime = regexp.MustCompile(`\b(mezzogiorno|noon|midday|mezzanotte|midnight)\b`)
	laterDay  = regexp.MustCompile(`\b(pomeriggio|sera|stasera|afternoon|evening|tonight)\b`)

	months   = `(gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre|january|february|march|april|may|june|july|august|september|october|november|december|sett|gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic|jan|jun|jul|aug|sep|oct|dec)`
	ordinal  = `(?:st|nd|rd|th|°|º)?`
	dayMonth = regexp.MustCompile(`[^0-9]((\d{1,2})` + ordinal + `\s*(?:of\s+|di\s+)?` + months + `\b\.?(?:\s*(\d{4}))?)[^0-9]`)
	monthDay = regexp.MustCompile(`\b(` + months + `\b\.?\s+(?:the\s+)?(\d{1,2})` + ordinal + `(?:\s*,?\s*(\d{4}))?)[^0-9]`)
	dayOnly  = regexp.MustCompile(`(?:\b(?:il|the|on the|on)\s+(\d{1,2})` + ordinal + `[^0-9]|[^0-9](\d{1,2})(?:st|nd|rd|th)\b)`)

	inDays   = regexp.MustCompile(`\b(?:tra|fra|in)\s+(\d{1,3})\s+(?:giorni|giorno|days?)\b`)
	inWeek   = regexp.MustCompile(`\b(?:tra|fra)\s+(?:una|1)\s+settimana\b|\bin\s+(?:a|one|1)\s+week\b`)
	relative = regexp.MustCompile(`\b(dopodomani|day after tomorrow|oggi|today|stasera|stamattina|stamani|tonight|domani|tomorrow)\b`)
	weekday  = regexp.MustCompile(`\b(domenica|lunedi|martedi|mercoledi|giovedi|venerdi|sabato|sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b`)
)

var monthNumber = map[string]time.Month{
	"gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
	"agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
	"gen": 1, "feb": 2, "mar": 3, "apr": 4, "mag": 5, "giu": 6, "lug": 7, "ago": 8, "set": 9,
	"sett": 9, "ott": 10, "nov": 11, "dic": 12, "jan": 1, "jun": 6, "jul": 7, "aug": 8,
	"sep": 9, "oct": 10, "dec": 12,
}

var weekdayNumber = map[string]time.Weekday{
	"domenica": time.Sunday, "lunedi": time.Monday, "martedi": time.Tuesday, "mercoledi": time.Wednesday,
	"giovedi": time.Thursday, "venerdi": time.Friday, "sabato": time.Saturday,
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// find returns the submatches of re's first match in *s and blanks group 1 out of *s,
// so that later patterns do not read it again.
func find(s *string, re *regexp.Regexp) []string {
	idx := re.FindStringSubmatchIndex(*s)
	if idx == nil {
		return nil
	}
	groups := make([]string, len(idx)/2)
	for i := range groups {
		if idx[2*i] >= 0 {
			groups[i] = (*s)[idx[2*i]:idx[2*i+1]]
		}
	}
	if len(idx) > 3 && idx[2] >= 0 {
		*s = (*s)[:idx[2]] + strings.Repeat(" ", idx[3]-idx[2]) + (*s)[idx[3]:]
	}
	return groups
}

// number parses a short run of digits; the patterns bound its length.
func number(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// numericDate reads the dates written in digits. found says whether there was one; ok
// is false when there was one and it does not exist.
func numericDate(s *string, today time.Time, loc *time.Location) (day time.Time, found, ok bool) {
	if g := find(s, isoDate); g != nil {
		day, ok = exact(number(g[2]), time.Month(number(g[3])), number(g[4]), loc)
		return day, true, ok
	}
	g := find(s, dotDate)
	if g == nil {
		g = find(s, dmyDate)
	}
	if g == nil {
		return time.Time{}, false, true
	}
	day, ok = dayOfYear(number(g[2]), time.Month(number(g[3])), g[4], today, loc)
	return day, true, ok
}

// wordDate reads the dates written with words: month names, days of the month,
// relative days and weekdays, in that order of precedence.
func wordDate(s *string, today time.Time, loc *time.Location) (day time.Time, found, ok bool) {
	if g := find(s, dayMonth); g != nil {
		day, ok = dayOfYear(number(g[2]), monthNumber[g[3]], g[4], today, loc)
		return day, true, ok
	}
	if g := find(s, monthDay); g != nil {
		day, ok = dayOfYear(number(g[3]), monthNumber[g[2]], g[4], today, loc)
		return day, true, ok
	}
	if g := find(s, dayOnly); g != nil {
		day, ok = dayOfMonth(number(g[1]+g[2]), today, loc)
		return day, true, ok
	}
	if g := find(s, inDays); g != nil {
		n := number(g[1])
		if n > 366 {
			return time.Time{}, true, false
		}
		return today.AddDate(0, 0, n), true, true
	}
	if find(s, inWeek) != nil {
		return today.AddDate(0, 0, 7), true, true
	}
	if g := find(s, relative); g != nil {
		switch g[1] {
		case "domani", "tomorrow":
			return today.AddDate(0, 0, 1), true, true
		case "dopodomani", "day after tomorrow":
			return today.AddDate(0, 0, 2), true, true
		}
		return today, true, true
	}
	if g := find(s, weekday); g != nil {
		ahead := (int(weekdayNumber[g[1]]) - int(today.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		return today.AddDate(0, 0, ahead), true, true
	}
	return time.Time{}, false, true
}

// exact returns the midnight of a date that exists, ok false for 31/2 and the like.
func exact(y int, m time.Month, d int, loc *time.Location) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if t.Year() != y || t.Month() != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// dayOfYear resolves day d of month m in the year written (two or four digits), or
// when none is, in the next year that has that date from today on.
func dayOfYear(d int, m time.Month, year string, today time.Time, loc *time.Location) (time.Time, bool) {
	switch len(year) {
	case 4:
		return exact(number(year), m, d, loc)
	case 2:
		return exact(2000+number(year), m, d, loc)
	}
	if t, ok := exact(today.Year(), m, d, loc); ok && !t.Before(today) {
		return t, true
	}
	return exact(today.Year()+1, m, d, loc)
}

// dayOfMonth resolves a day of the month alone: this month unless it has passed, else
// the next month that has it.
func dayOfMonth(d int, today time.Time, loc *time.Location) (time.Time, bool) {
	y, m, _ := today.Date()
	for range 3 { // any day up to 31 comes within three months
		if t, ok := exact(y, m, d, loc); ok && !t.Before(today) {
			return t, true
		}
		if m++; m > 12 {
			y, m = y+1, 1
		}
	}
	return time.Time{}, false
}

// timeOfDay reads a time of day. has says whether there was one; ok is false when
// there was one and it does not exist.
func timeOfDay(s *string) (minute int, has, ok bool) {
	g := find(s, clockTime)
	if g == nil {
		g = find(s, saidTime)
	}
	if g == nil {
		g = find(s, hourAMPM)
	}
	if g == nil {
		if n := find(s, namedTime); n != nil {
			if n[1] == "mezzanotte" || n[1] == "midnight" {
				return 0, true, true
			}
			return 12 * 60, true, true
		}
		return 0, false, true
	}
	hour, mm := number(g[2]), number(g[3])
	if len(g) > 5 {
		switch g[5] {
		case "mezza", "mezzo":
			mm = 30
		case "quarto", "un quarto":
			mm = 15
		case "tre quarti":
			mm = 45
		}
	}
	if hour > 23 || mm > 59 {
		return 0, true, false
	}
	switch {
	case g[4] == "a" && hour >= 1 && hour <= 12:
		hour %= 12
	case g[4] == "p" && hour >= 1 && hour <= 23:
		hour = hour%12 + 12 // "15:30pm" is odd but clear
	case g[4] != "":
		return 0, true, false
	case hour >= 1 && hour < 12 && laterDay.MatchString(*s):
		hour += 12
	}
	return hour*60 + mm, true, true
}
