package bot

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
)

// This file words when a WeMi space is open: "open now", and when closed, when it
// opens next and why it stays closed until then (a public holiday, an exceptional
// closure), and the closures a space's card lists.

// What a space's card lists of its next closures: those within the next weeks, a
// few at most.
const (
	closingsAheadDays = 45
	maxCardClosings   = 3
)

// openNow says whether a space is open, and when closed, when it opens next: "closed
// for Sant'Ambrogio and the Immacolata: opens again Wednesday 9 December at 09:00".
func (nf *nearFlow) openNow(t *Turn, s *catalogue.Space) string { return nf.openForms(t, s)[0] }

// openForms are the ways to say whether a space is open, the whole sentence first,
// then shorter ones for a line of a list: the day in short ("mer 9/12"), then only
// the first reason, then none.
func (nf *nearFlow) openForms(t *Turn, s *catalogue.Space) []string {
	if s.OpenAt(t.now, t.e.rome) {
		return []string{t.T("space.open_now")}
	}
	op, ok := s.NextOpening(t.now, t.e.rome)
	if !ok {
		if c, closed := s.ClosedOn(t.now, t.e.rome); closed {
			return []string{t.T("space.closed_for", "reasons", nf.closingReason(t, c)), t.T("space.closed_now")}
		}
		return []string{t.T("space.closed_now")}
	}
	if len(op.Closed) == 0 && op.At.Sub(t.now) < 6*24*time.Hour {
		// Within the week a weekday says it: "opens Tue at 14:00".
		at := op.At.In(t.e.rome)
		day := t.T("day." + strconv.Itoa(int(at.Weekday())))
		if sameDay(at, t.now, t.e.rome) {
			day = t.T("space.today")
		}
		return []string{t.T("space.closed_opens", "day", day, "time", catalogue.Clock(at.Hour()*60+at.Minute()).String())}
	}
	long, short := nf.longWhen(t, op.At), nf.shortWhen(t, op.At)
	bare := t.T("space.closed_opens_on", "when", short)
	if len(op.Closed) == 0 {
		return []string{t.T("space.closed_opens_on", "when", long), bare}
	}
	reasons := make([]string, len(op.Closed))
	for i, c := range op.Closed {
		reasons[i] = nf.closingReason(t, c)
	}
	all := nf.andList(t, reasons)
	return []string{t.T("space.closed_reopens", "reasons", all, "when", long),
		t.T("space.closed_reopens", "reasons", all, "when", short),
		t.T("space.closed_reopens", "reasons", reasons[0], "when", short), bare}
}

// listLineRunes is how long a line of a list may be to show whole on a phone.
const listLineRunes = 110

// listLine is a list's line about a space: head (its name, its distance), then
// whether it is open, said as fully as the line allows; the address (optional) gives
// way first, as the space's card has it.
func (nf *nearFlow) listLine(t *Turn, s *catalogue.Space, head, optional string) string {
	forms := nf.openForms(t, s)
	for _, f := range forms {
		// Counted before the line is put together: only the line chosen is.
		n := utf8.RuneCountInString(head) + utf8.RuneCountInString(f)
		switch {
		case n+utf8.RuneCountInString(optional) <= listLineRunes:
			return head + optional + f
		case n <= listLineRunes:
			return head + f
		}
	}
	return head + forms[len(forms)-1]
}

// shortWhen is "mer 9/12 alle 09:00".
func (nf *nearFlow) shortWhen(t *Turn, at time.Time) string {
	at = at.In(t.e.rome)
	return t.T("space.when", "day", t.dayLabel(at), "time", catalogue.Clock(at.Hour()*60+at.Minute()).String())
}

// closingReason names why a space is closed, in the citizen's language: the
// holiday's name, or the closure's reason as staff wrote it.
func (nf *nearFlow) closingReason(t *Turn, c catalogue.Closing) string {
	if c.Closure != nil {
		text, _ := c.Closure.ReasonIn(t.st.Lang)
		return Literal(text)
	}
	return t.T("holiday." + c.Holiday)
}

// andList joins items as a sentence does: "a, b e c".
func (nf *nearFlow) andList(t *Turn, items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	last := len(items) - 1
	return t.T("space.list_and", "first", strings.Join(items[:last], t.T("space.list_sep")), "last", items[last])
}

// dayMonth is "9 dicembre", "9 грудня", "12月9日".
func (nf *nearFlow) dayMonth(t *Turn, at time.Time) string {
	at = at.In(t.e.rome)
	return t.T("space.day_month", "day", strconv.Itoa(at.Day()), "month", t.T("space.month."+strconv.Itoa(int(at.Month()))))
}

// onDay is "mercoledì 9 dicembre".
func (nf *nearFlow) onDay(t *Turn, at time.Time) string {
	at = at.In(t.e.rome)
	return t.T("space.on_day", "weekday", t.T("space.weekday."+strconv.Itoa(int(at.Weekday()))), "date", nf.dayMonth(t, at))
}

// longWhen is "mercoledì 9 dicembre alle 09:00".
func (nf *nearFlow) longWhen(t *Turn, at time.Time) string {
	at = at.In(t.e.rome)
	return t.T("space.when", "day", nf.onDay(t, at), "time", catalogue.Clock(at.Hour()*60+at.Minute()).String())
}

// closings lists a space's next closures for its card, or "" when none is near.
func (nf *nearFlow) closings(t *Turn, s *catalogue.Space) string {
	// A holiday the card's first line already names ("closed for …, opens again
	// …") is not listed again; a closure of several days is, for its dates.
	said := time.Time{}
	if op, ok := s.NextOpening(t.now, t.e.rome); ok && len(op.Closed) > 0 {
		said = op.At
	}
	var cs []catalogue.Closing
	for _, c := range s.UpcomingClosings(t.now, t.e.rome, closingsAheadDays, 2*maxCardClosings) {
		if (c.Holiday == "" || !c.Day.Before(said)) && len(cs) < maxCardClosings {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(t.T("space.closings"))
	for _, c := range cs {
		dates := nf.onDay(t, c.Day)
		if cl := c.Closure; cl != nil && !sameDay(cl.From, cl.To, t.e.rome) {
			from := cl.From
			if from.Before(c.Day) {
				from = c.Day // what is left of a closure under way
			}
			start := nf.dayMonth(t, from)
			if from.Month() == cl.To.Month() && from.Year() == cl.To.Year() {
				start = t.T("space.day_only", "day", strconv.Itoa(from.In(t.e.rome).Day())) // "dal 9 al 19 dicembre"
			}
			dates = t.T("space.closing_range", "from", start, "to", nf.dayMonth(t, cl.To))
		}
		b.WriteString("\n• " + t.T("space.closing_item", "dates", dates, "reason", nf.closingReason(t, c)))
	}
	return b.String()
}
