package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// Recurring bookings ("🔁 Ripeti ogni settimana" on the booking summary, or "ogni
// martedì e giovedì fino al 31 gennaio" typed): the citizen picks the weekdays
// (the booked one preselected, only those the service runs), then the last day, sees
// the dates (and those the rules leave out, and why) and sends one request per date,
// the requests sharing a Series id. Staff handle the series as one request
// (seriesstaff.go).

// seriesDraft is the repetition of the booking being put together.
type seriesDraft struct {
	Weekdays []time.Weekday `json:"wd"`
	DaysDone bool           `json:"days_done,omitempty"`
	Until    time.Time      `json:"until,omitzero"` // the last day's midnight; zero until chosen
	// ID and IDs are given when the series is first sent, so that sending it again
	// (after a failure) makes the same requests, not more.
	ID  string   `json:"id,omitempty"`
	IDs []string `json:"ids,omitempty"`
}

// The quick choices of a series' end: the end of the first date's month, or a number
// of weeks.
const (
	untilMonthEnd = "m"
	maxSeriesWeek = 26
)

// seriesButton handles the buttons of a series being put together; it reports
// whether step was one of them.
func (bf *bookingFlow) seriesButton(ctx context.Context, t *Turn, s *catalogue.Service, step, value string) bool {
	d := t.st.Draft
	switch step {
	case "rep":
		first := bf.bookingStart(t)
		d.Series = &seriesDraft{Weekdays: []time.Weekday{first.Weekday()}}
	case "rno":
		d.Series = nil
	case "rwd", "rnext", "rend", "rday", "rok":
		if d.Series == nil {
			t.Stale()
			return true
		}
		bf.seriesStep(ctx, t, s, step, value)
		return true
	default:
		return false
	}
	bf.askBooking(t, s)
	return true
}

// seriesStep applies a button of the series form, then asks what is missing.
func (bf *bookingFlow) seriesStep(ctx context.Context, t *Turn, s *catalogue.Service, step, value string) {
	r := t.st.Draft.Series
	n, _ := strconv.Atoi(value)
	switch step {
	case "rwd":
		day := time.Weekday(n)
		if n < 0 || n > 6 || !slices.Contains(seriesDays(s), day) {
			t.Stale()
			return
		}
		if i := slices.Index(r.Weekdays, day); i >= 0 {
			if len(r.Weekdays) > 1 {
				r.Weekdays = slices.Delete(r.Weekdays, i, i+1)
			}
		} else {
			r.Weekdays = append(r.Weekdays, day)
			slices.Sort(r.Weekdays)
		}
		r.IDs, r.ID = nil, ""
	case "rnext":
		r.DaysDone = true
	case "rend":
		first := bf.bookingStart(t)
		day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, t.e.rome)
		switch {
		case value == untilMonthEnd:
			r.Until = time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, t.e.rome)
		case n >= 2 && n <= maxSeriesWeek:
			r.Until = day.AddDate(0, 0, 7*n-1)
		default:
			t.Stale()
			return
		}
		r.DaysDone, r.IDs, r.ID = true, nil, ""
	case "rday":
		day, err := time.ParseInLocation("20060102", value, t.e.rome)
		if err != nil || !day.After(bf.bookingStart(t)) {
			t.Stale()
			return
		}
		r.Until, r.DaysDone, r.IDs, r.ID = day, true, nil, ""
	case "rok":
		bf.submitSeries(ctx, t, s)
		return
	}
	bf.askBooking(t, s)
}

// seriesDays are the weekdays a series may repeat on: those the service runs (every
// day when its schedules say nothing).
func seriesDays(s *catalogue.Service) []time.Weekday {
	days := openDays(s)
	if len(days) == 0 {
		return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	}
	return days
}

// askSeries asks for what the series still misses, or shows it.
func (bf *bookingFlow) askSeries(t *Turn, s *catalogue.Service) {
	r := t.st.Draft.Series
	switch {
	case !r.DaysDone:
		var row []Button
		rows := [][]Button{}
		for _, day := range mondayFirst(seriesDays(s)) {
			label := t.T("day." + strconv.Itoa(int(day)))
			if slices.Contains(r.Weekdays, day) {
				label = "✅ " + label
			}
			if row = append(row, btn(label, actBook, "rwd", strconv.Itoa(int(day)))); len(row) == 4 {
				rows, row = append(rows, row), nil
			}
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
		rows = append(rows, []Button{btn(t.T("book.series_next"), actBook, "rnext")},
			[]Button{btn(t.T("book.series_once"), actBook, "rno")})
		t.Say(Reply{Text: t.T("book.series_ask_days", "days", t.days(r.Weekdays)), Buttons: rows})
	case r.Until.IsZero():
		t.Say(Reply{Text: t.T("book.series_ask_until", "days", t.days(r.Weekdays)), Buttons: [][]Button{
			{btn(t.T("book.series_month_end"), actBook, "rend", untilMonthEnd)},
			{btn(t.T("book.series_weeks", "n", "4"), actBook, "rend", "4"), btn(t.T("book.series_weeks", "n", "8"), actBook, "rend", "8")},
			{btn(t.T("book.calendar"), actBook, "cal", bf.bookingStart(t).Format("200601"))},
			{btn(t.T("book.series_change_days"), actBook, "rep"), btn(t.T("book.series_once"), actBook, "rno")}}})
	default:
		bf.seriesSummary(t, s)
	}
}

// mondayFirst orders weekdays as a week is read in Italy.
func mondayFirst(days []time.Weekday) []time.Weekday {
	out := slices.Clone(days)
	slices.SortFunc(out, func(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 })
	return out
}

// seriesStarts are the series' dates under the service's rules, and those left out.
func (bf *bookingFlow) seriesStarts(t *Turn, s *catalogue.Service) ([]time.Time, []bookings.Skipped) {
	d := t.st.Draft
	return bookings.Weekly(s, bf.bookingStart(t), d.Series.Weekdays, d.Series.Until, d.Quantity, t.now, t.e.rome)
}

// seriesSummary lists the dates of the series, and those the rules leave out with
// the reason ("8/12 l'Immacolata"), and asks to send them.
func (bf *bookingFlow) seriesSummary(t *Turn, s *catalogue.Service) {
	d := t.st.Draft
	starts, skipped := bf.seriesStarts(t, s)
	var b strings.Builder
	b.WriteString(t.T("book.series_summary", "service", t.titleText(s), "days", t.days(d.Series.Weekdays),
		"time", bf.bookingStart(t).Format("15:04"), "until", t.dayLabel(d.Series.Until),
		"count", t.Plural("book.series_count", len(starts), "n", strconv.Itoa(len(starts)))))
	for _, at := range starts {
		b.WriteString("\n• " + t.dayLabel(at))
	}
	if len(skipped) > 0 {
		b.WriteString("\n\n" + t.T("book.series_skipped"))
		for _, sk := range skipped {
			b.WriteString("\n• " + bf.skipReason(t, s, sk))
		}
	}
	if len(starts) == bookings.MaxSeries {
		b.WriteString("\n\n" + t.T("book.series_capped", "max", strconv.Itoa(bookings.MaxSeries)))
	}
	rows := [][]Button{}
	if len(starts) > 0 {
		rows = append(rows, []Button{btn(t.T("book.series_send", "n", strconv.Itoa(len(starts))), actBook, "rok")})
	}
	rows = append(rows, []Button{btn(t.T("book.series_change_days"), actBook, "rep"), btn(t.T("book.series_once"), actBook, "rno")},
		bf.bookingCancelRow(t))
	t.Say(Reply{Text: b.String(), Buttons: rows})
}

// skipReason is a left-out date and why, short: "lun 8/12: l'Immacolata".
func (bf *bookingFlow) skipReason(t *Turn, s *catalogue.Service, sk bookings.Skipped) string {
	var re *bookings.RuleError
	day := t.dayLabel(sk.Start)
	switch {
	case errors.As(sk.Err, &re) && re.Rule == bookings.RuleHoliday:
		return t.T("book.series_skip", "day", day, "reason", t.T("holiday."+re.Holiday))
	case errors.As(sk.Err, &re) && re.Rule == bookings.RuleClosure:
		return t.T("book.series_skip", "day", day, "reason", Literal(closureReason(t, re.Closure)))
	}
	return t.T("book.series_skip", "day", day, "reason", bf.ruleText(t, s, sk.Err))
}

// seriesTyped takes a typed recurrence ("ogni martedì e giovedì fino al 31 gennaio")
// once the booking's first date is known; it reports whether text was one.
func (bf *bookingFlow) seriesTyped(t *Turn, s *catalogue.Service, text string) bool {
	d := t.st.Draft
	if d.Series != nil && d.Series.DaysDone && d.Series.Until.IsZero() {
		if w, ok := bookings.ParseWhen(text, t.now, t.e.rome); ok && w.HasDate {
			d.Series.Until = w.Day // "fino al 20 gennaio", "20/1"
			bf.askBooking(t, s)
			return true
		}
	}
	rep, ok := bookings.ParseRepeat(text, t.now, t.e.rome)
	if !ok {
		return false
	}
	var days []time.Weekday
	for _, day := range rep.Weekdays {
		if slices.Contains(seriesDays(s), day) {
			days = append(days, day)
		}
	}
	if len(days) < len(rep.Weekdays) {
		t.Text("book.series_days_closed", "days", t.days(seriesDays(s)))
	}
	if len(days) == 0 {
		days = []time.Weekday{bf.bookingStart(t).Weekday()}
	}
	d.Series = &seriesDraft{Weekdays: days, DaysDone: true, Until: rep.Until}
	bf.askBooking(t, s)
	return true
}

// seriesFromDay takes a recurrence typed at the day question ("ogni martedì fino al
// 31 gennaio"): the first day of the series is the first of those weekdays the
// rules allow, and the summary then shows the series. It reports whether text was one.
func (bf *bookingFlow) seriesFromDay(t *Turn, s *catalogue.Service, text string) bool {
	d := t.st.Draft
	rep, ok := bookings.ParseRepeat(text, t.now, t.e.rome)
	if !ok || d.Move != "" {
		return false
	}
	last := bookings.LastDay(s, t.now, t.e.rome)
	for day := t.today(); !day.After(last); day = day.AddDate(0, 0, 1) {
		if slices.Contains(rep.Weekdays, day.Weekday()) && bf.bookableDay(t, s, day) == "" {
			d.Series = &seriesDraft{Weekdays: rep.Weekdays, DaysDone: true, Until: rep.Until}
			bf.setDay(t, s, day, false, 0)
			return true
		}
	}
	return false // no such day: asked again as any other answer
}
