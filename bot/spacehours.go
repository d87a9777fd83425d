package bot

import (
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// This file words when a WeMi space is open: "open now", and when closed, when it
// opens next and why it stays closed until then (a public holiday, an exceptional
// closure), and the closures a space's card lists.

// What a space's card lists of its next closures: those within the next weeks, a
// few at most.
const (
	closingsAheadDays = 45
	maxCardClosings   = 4
)

// openNow says whether a space is open, and when closed, when it opens next: "closed
// for Sant'Ambrogio and the Immacolata: opens again Wednesday 9 December at 09:00".
func (nf *nearFlow) openNow(t *Turn, s *catalogue.Space) string {
	if s.OpenAt(t.now, t.e.rome) {
		return t.T("space.open_now")
	}
	op, ok := s.NextOpening(t.now, t.e.rome)
	switch {
	case !ok:
		if c, closed := s.ClosedOn(t.now, t.e.rome); closed {
			return t.T("space.closed_for", "reasons", nf.closingReason(t, c))
		}
		return t.T("space.closed_now")
	case len(op.Closed) > 0:
		reasons := make([]string, len(op.Closed))
		for i, c := range op.Closed {
			reasons[i] = nf.closingReason(t, c)
		}
		return t.T("space.closed_reopens", "reasons", nf.andList(t, reasons), "when", nf.longWhen(t, op.At))
	case op.At.Sub(t.now) < 6*24*time.Hour:
		// Within the week a weekday says it: "opens Tue at 14:00".
		at := op.At.In(t.e.rome)
		day := t.T("day." + strconv.Itoa(int(at.Weekday())))
		if sameDay(at, t.now, t.e.rome) {
			day = t.T("space.today")
		}
		return t.T("space.closed_opens", "day", day, "time", catalogue.Clock(at.Hour()*60+at.Minute()).String())
	default:
		return t.T("space.closed_opens_on", "when", nf.longWhen(t, op.At))
	}
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
	cs := s.UpcomingClosings(t.now, t.e.rome, closingsAheadDays, maxCardClosings)
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
			dates = t.T("space.closing_range", "from", nf.dayMonth(t, from), "to", nf.dayMonth(t, cl.To))
		}
		b.WriteString("\n• " + t.T("space.closing_item", "dates", dates, "reason", nf.closingReason(t, c)))
	}
	return b.String()
}
