package bot

import (
	"strconv"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// askDay offers the next days the service opens and a calendar; why says why the
// last answer was not taken ("" the first time).
func (bf *bookingFlow) askDay(t *Turn, s *catalogue.Service, why string) {
	text := t.T("book.ask_day", "days", t.days(openDays(s)))
	if why != "" {
		text = why + "\n" + text
	}
	var quick []Button
	// The next three days the rules allow, within a month: a service closed for
	// longer is booked from the calendar.
	for day := t.today().AddDate(0, 0, 1); len(quick) < 3 && day.Before(t.today().AddDate(0, 0, 31)); day = day.AddDate(0, 0, 1) {
		if bf.bookableDay(t, s, day) == "" {
			quick = append(quick, btn(t.dayLabel(day), actBook, "day", day.Format("20060102")))
		}
	}
	rows := [][]Button{}
	if len(quick) > 0 {
		rows = append(rows, quick)
	}
	rows = append(rows, []Button{btn(t.T("book.calendar"), actBook, "cal", t.today().Format("200601"))}, bf.bookingCancelRow(t))
	t.Say(Reply{Text: text, Buttons: rows})
}

// openDays lists the weekdays a service opens.
func openDays(s *catalogue.Service) []time.Weekday {
	seen := map[time.Weekday]bool{}
	var out []time.Weekday
	for _, sc := range s.Schedules {
		for _, d := range sc.Days {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// calendar shows a month as buttons: the days the service can be booked are
// buttons, the others placeholders that do nothing.
func (bf *bookingFlow) calendar(t *Turn, s *catalogue.Service, month string) {
	m, err := time.ParseInLocation("200601", month, t.e.rome)
	first := time.Date(t.today().Year(), t.today().Month(), 1, 0, 0, 0, 0, t.e.rome)
	lastDay := bookings.LastDay(s, t.now, t.e.rome)
	last := time.Date(lastDay.Year(), lastDay.Month(), 1, 0, 0, 0, 0, t.e.rome).AddDate(0, 1, 0)
	if err != nil || m.Before(first) || !m.Before(last) {
		m = first
	}
	t.st.Draft.Month = m.Format("200601")
	pick := "day"
	if r := t.st.Draft.Series; r != nil && r.DaysDone && r.Until.IsZero() {
		pick = "rday" // the last day of a weekly series (bookingseries.go)
	}
	rows := [][]Button{}
	head := []Button{}
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		head = append(head, btn(t.T("dayshort."+strconv.Itoa(d)), actBook, "nop"))
	}
	rows = append(rows, head)
	for _, week := range bookings.Calendar(m.Year(), m.Month(), t.e.rome) {
		row := make([]Button, 0, 7)
		for _, day := range week {
			switch {
			case day.IsZero():
				row = append(row, btn(t.T("book.cal_blank"), actBook, "nop"))
			case bf.bookableDay(t, s, day) == "":
				row = append(row, btn(strconv.Itoa(day.Day()), actBook, pick, day.Format("20060102")))
			default:
				row = append(row, btn(t.T("book.cal_closed"), actBook, "nop"))
			}
		}
		rows = append(rows, row)
	}
	nav := []Button{}
	if prev := m.AddDate(0, -1, 0); !prev.Before(first) {
		nav = append(nav, btn(t.T("book.cal_prev", "month", t.T("month."+strconv.Itoa(int(prev.Month())))), actBook, "cal", prev.Format("200601")))
	}
	if next := m.AddDate(0, 1, 0); next.Before(last) {
		nav = append(nav, btn(t.T("book.cal_next", "month", t.T("month."+strconv.Itoa(int(next.Month())))), actBook, "cal", next.Format("200601")))
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows, bf.bookingCancelRow(t))
	t.Say(Reply{Text: t.T("book.calendar_title", "month", t.T("month."+strconv.Itoa(int(m.Month()))), "year", strconv.Itoa(m.Year()),
		"days", t.days(openDays(s))), Buttons: rows, Replace: t.m.Button != ""})
}

// bookableDay says why a day cannot be booked ("" when it can): the service's
// rules (holidays, closures, lead time, horizon) and its weekly schedules.
func (bf *bookingFlow) bookableDay(t *Turn, s *catalogue.Service, day time.Time) string {
	if err := bookings.CheckDay(s, day, bf.draftQuantity(t, s), t.now, t.e.rome); err != nil {
		return bf.ruleText(t, s, err)
	}
	return ""
}

// setDay takes a day (and maybe a time) for the draft, or says why not.
func (bf *bookingFlow) setDay(t *Turn, s *catalogue.Service, day time.Time, hasTime bool, minute int) {
	if why := bf.bookableDay(t, s, day); why != "" {
		bf.askDay(t, s, why)
		return
	}
	d := t.st.Draft
	d.Day, d.Minute = day, -1
	if hasTime {
		d.Minute = minute // checked against the slots once the quantity is known
	}
	bf.askBooking(t, s)
}

// askSlot offers the start times of the chosen day.
func (bf *bookingFlow) askSlot(t *Turn, s *catalogue.Service) {
	d := t.st.Draft
	slots := bf.futureSlots(t, s, d.Day)
	if len(slots) == 0 {
		why := t.T("book.no_slots", "day", t.dayLabel(d.Day))
		d.Day = time.Time{}
		bf.askDay(t, s, why)
		return
	}
	rows := [][]Button{}
	row := []Button{}
	for _, at := range slots {
		m := at.Hour()*60 + at.Minute()
		row = append(row, btn(at.Format("15:04"), actBook, "slot", strconv.Itoa(m)))
		if len(row) == 4 {
			rows, row = append(rows, row), []Button{}
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, []Button{btn(t.T("book.other_day"), actBook, "reday")}, bf.bookingCancelRow(t))
	t.Say(Reply{Text: t.T("book.ask_slot", "day", t.dayLabel(d.Day)), Buttons: rows})
}

// futureSlots are the day's start times the rules allow (the lead time included).
func (bf *bookingFlow) futureSlots(t *Turn, s *catalogue.Service, day time.Time) []time.Time {
	return bookings.Bookable(s, day, bf.draftQuantity(t, s), t.now, t.e.rome)
}

// slotOffered reports whether the draft's day offers a start at minute.
func (bf *bookingFlow) slotOffered(t *Turn, s *catalogue.Service, minute int) bool {
	for _, at := range bf.futureSlots(t, s, t.st.Draft.Day) {
		if at.Hour()*60+at.Minute() == minute {
			return true
		}
	}
	return false
}

// setSlot takes a start time, if the day offers it.
func (bf *bookingFlow) setSlot(t *Turn, s *catalogue.Service, minute int) {
	d := t.st.Draft
	if bf.slotOffered(t, s, minute) {
		d.Minute = minute
		bf.askBooking(t, s)
		return
	}
	d.Minute = -1
	t.Text("book.slot_unavailable", "time", clockText(minute))
	bf.askSlot(t, s)
}

func clockText(minute int) string {
	return time.Date(2000, 1, 1, minute/60, minute%60, 0, 0, time.UTC).Format("15:04")
}
