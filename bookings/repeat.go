package bookings

import (
	"embed"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

//go:embed data/repeat/*.yaml
var repeatFiles embed.FS

// repeatWords loads data/repeat/<lang>.yaml once: the phrases of every language that
// ask for a repetition, an end date, the end of a month.
var repeatWords = sync.OnceValues(func() ([]whenWord, error) { return loadWords(repeatFiles, "data/repeat/*.yaml") })

// Repeat is a recurring booking a citizen typed: "ogni martedì e giovedì fino al 31
// gennaio".
type Repeat struct {
	Weekdays []time.Weekday // in week order, from Sunday
	// Until is the last day's midnight in loc; zero when the text gave no end.
	Until time.Time
}

var (
	everyWeekday = regexp.MustCompile(`\bevery\b`)
	endOfMonth   = regexp.MustCompile(`\bendof\b\s*(?:` + months + `\b|month\b)|\b(?:month|` + months + `)\s*\bendof\b`)
	monthName    = regexp.MustCompile(`\b` + months + `\b`)
)

// ParseRepeat reads a recurring booking from what a citizen typed, in any of the bot's
// languages (words as data in data/repeat and data/when): a word for "every" with
// one or more weekdays, and optionally an end: a date ("fino al 31 gennaio", "until
// 12/2"), the end of a month ("fino a fine gennaio", "until the end of January") or
// of this one ("fino a fine mese"). ok is false when the text asks for no
// repetition or names no weekday, or its end is not a date.
func ParseRepeat(text string, now time.Time, loc *time.Location) (Repeat, bool) {
	text = catalogue.TruncateRunes(text, maxWhenRunes)
	s := " " + foldWhen(text) + " "
	if words, err := repeatWords(); err == nil {
		s = replaceWords(s, words)
	}
	s = normalizeWhen(translateWhen(s))
	if !everyWeekday.MatchString(s) {
		return Repeat{}, false
	}
	before, after, hasEnd := strings.Cut(s, " until ")
	var r Repeat
	for _, m := range weekday.FindAllStringSubmatch(before, -1) {
		if d := weekdayNumber[m[1]]; !slices.Contains(r.Weekdays, d) {
			r.Weekdays = append(r.Weekdays, d)
		}
	}
	if len(r.Weekdays) == 0 {
		return Repeat{}, false
	}
	slices.Sort(r.Weekdays)
	if !hasEnd {
		return r, true
	}
	today := midnight(now.In(loc), loc)
	if endOfMonth.MatchString(after) {
		m := today.Month()
		if g := monthName.FindStringSubmatch(after); g != nil {
			m = monthNumber[g[1]]
		}
		y := today.Year()
		if m < today.Month() {
			y++
		}
		r.Until = time.Date(y, m+1, 0, 0, 0, 0, 0, loc) // the day before the next month's first
		return r, true
	}
	w, ok := ParseWhen(after, now, loc)
	if !ok || !w.HasDate {
		return Repeat{}, false
	}
	r.Until = w.Day
	return r, true
}
