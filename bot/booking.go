package bot

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// bookingDraft is a booking being put together, one answer at a time. Each answer
// fills a field; the next question is always the first field still missing, so the
// citizen can answer in any order ("domani alle 10" fills the day and the time).
type bookingDraft struct {
	// ID is given when the request is first sent, so that sending it again (after a
	// failure) is the same request, not a second one.
	ID        string    `json:"id,omitempty"`
	Service   string    `json:"service"`
	Day       time.Time `json:"day,omitzero"` // midnight in Rome; zero until chosen
	Minute    int       `json:"minute"`       // start, minutes after midnight; -1 until chosen
	Quantity  int       `json:"qty,omitempty"`
	Shared    bool      `json:"shared,omitempty"`
	SharedSet bool      `json:"shared_set,omitempty"`
	ForWhom   string    `json:"for,omitempty"`
	Municipio int       `json:"municipio,omitempty"`
	Note      string    `json:"note,omitempty"`
	NoteDone  bool      `json:"note_done,omitempty"`
	Month     string    `json:"month,omitempty"` // the calendar page shown, "2026-11"
}

// Booking limits.
const (
	maxBookingDays = 120 // how far ahead a booking may be
	maxNoteRunes   = 300
	maxQuantity    = 12
)

// flowBook is the booking flow.
const flowBook = "book"

// bookable reports whether a service can be booked through the bot: bookings are
// handled by staff, so a desk and a booking store are needed.
func (t *turnCtx) bookable() bool {
	return t.e.opts.Staff != nil && t.e.opts.Bookings != nil
}

// startBooking begins a booking of a service from its card.
func (t *turnCtx) startBooking(id string) {
	s, ok := t.cat.Service(id)
	if !ok || s.Organization == nil {
		t.stale()
		return
	}
	if !t.bookable() {
		t.request(id)
		return
	}
	t.st.Flow = flowBook
	t.st.Draft = &bookingDraft{Service: s.ID, Minute: -1}
	t.text("book.start", "service", t.serviceTitle(s))
	t.askBooking(s)
}

// bookingService returns the draft's service, ending the flow when it is gone (a
// catalogue reload removed it).
func (t *turnCtx) bookingService() (*catalogue.Service, bool) {
	d := t.st.Draft
	if d == nil {
		return nil, false
	}
	s, ok := t.cat.Service(d.Service)
	if !ok {
		t.st.Draft, t.st.Flow = nil, ""
		t.say(Reply{Text: t.T("book.service_gone"), Buttons: t.mainMenu()})
		return nil, false
	}
	return s, true
}

// askBooking asks for the first missing field, or shows the summary.
func (t *turnCtx) askBooking(s *catalogue.Service) {
	d := t.st.Draft
	unit := s.Cost.Unit
	switch {
	case d.Day.IsZero():
		t.askDay(s, "")
	case d.Quantity == 0:
		key := "book.ask_quantity"
		if !bookings.Hourly(unit) {
			key = "book.ask_units"
		}
		row := []Button{}
		for _, n := range []int{1, 2, 3, 4} {
			row = append(row, btn(strconv.Itoa(n), actBook, "qty", strconv.Itoa(n)))
		}
		t.say(Reply{Text: t.T(key, "unit", t.T("unitname."+string(unit))), Buttons: [][]Button{row, t.bookingCancelRow()}})
	case d.Minute >= 0 && !t.slotOffered(s, d.Minute):
		// A time typed with the day, checked now that the length is known.
		t.text("book.slot_unavailable", "time", clockText(d.Minute))
		d.Minute = -1
		t.askSlot(s)
	case d.Minute < 0:
		t.askSlot(s)
	case !d.SharedSet && s.Delivery.Individual && s.Delivery.Shared != nil:
		t.say(Reply{Text: t.T("book.ask_shared"), Buttons: [][]Button{
			{btn(t.T("book.individual"), actBook, "sh", "0"), btn(t.T("book.shared"), actBook, "sh", "1")},
			t.bookingCancelRow()}})
	case d.ForWhom == "":
		t.say(Reply{Text: t.T("book.ask_for"), Buttons: [][]Button{
			{btn(t.T("book.for_self"), actBook, "who", bookings.ForSelf), btn(t.T("book.for_relative"), actBook, "who", bookings.ForRelative)},
			t.bookingCancelRow()}})
	case d.Municipio == 0:
		t.askBookingZone(s)
	case !d.NoteDone:
		t.say(Reply{Text: t.T("book.ask_note", "max", strconv.Itoa(maxNoteRunes)), Buttons: [][]Button{
			{btn(t.T("book.no_note"), actBook, "skip")}, t.bookingCancelRow()}})
	default:
		t.bookingSummary(s)
	}
}

func (t *turnCtx) bookingCancelRow() []Button {
	return []Button{btn(t.T("book.abandon"), actBook, "x")}
}

func (t *turnCtx) askBookingZone(s *catalogue.Service) {
	d := t.st.Draft
	if len(s.Municipi) == 1 {
		d.Municipio = s.Municipi[0]
		t.askBooking(s)
		return
	}
	if d.Municipio == 0 && t.st.Filters.Municipio != 0 && s.Serves(t.st.Filters.Municipio) {
		d.Municipio = t.st.Filters.Municipio // the zone the citizen searched in
		t.askBooking(s)
		return
	}
	rows := [][]Button{}
	row := []Button{}
	for m := 1; m <= 9; m++ {
		if s.Serves(m) {
			row = append(row, btn(strconv.Itoa(m), actBook, "mun", strconv.Itoa(m)))
		}
		if len(row) == 5 {
			rows, row = append(rows, row), []Button{}
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, t.bookingCancelRow())
	t.say(Reply{Text: t.T("book.ask_zone", "zones", t.municipi(s.Municipi)), Buttons: rows})
}

// bookingStart is the draft's start time.
func (t *turnCtx) bookingStart() time.Time {
	d := t.st.Draft
	// Wall-clock time on that day: on the days the clocks change, midnight plus ten
	// hours is not ten o'clock.
	y, m, day := d.Day.In(t.e.rome).Date()
	return time.Date(y, m, day, d.Minute/60, d.Minute%60, 0, 0, t.e.rome)
}

// bookingSummary shows everything with the estimated price and asks for confirmation.
func (t *turnCtx) bookingSummary(s *catalogue.Service) {
	d := t.st.Draft
	cost := t.T("book.cost_tbd")
	if cents, ok := bookings.Estimate(s, d.Quantity, d.Shared); ok {
		cost = t.T("book.cost_estimate", "price", t.euros(cents))
		if cents == 0 {
			cost = t.T("cost.free")
		}
	}
	if s.Cost.ISEE != nil {
		cost += "\n" + t.T("book.cost_isee", "percent", strconv.Itoa(s.Cost.ISEE.ReductionPercent), "isee", t.euros(s.Cost.ISEE.MaxISEE*100))
	}
	delivery := t.T("book.individual")
	if d.Shared {
		delivery = t.T("book.shared")
	}
	who := t.T("book.for_self")
	if d.ForWhom == bookings.ForRelative {
		who = t.T("book.for_relative")
	}
	note := d.Note
	if note == "" {
		note = t.T("book.no_note_given")
	}
	t.say(Reply{Text: t.T("book.summary", "service", t.serviceTitle(s), "provider", s.Organization.Name,
		"when", t.whenText(t.bookingStart()), "quantity", t.quantityText(s, d.Quantity), "delivery", delivery,
		"who", who, "zone", strconv.Itoa(d.Municipio), "note", note, "cost", cost),
		Buttons: [][]Button{{btn(t.T("book.confirm"), actBook, "ok")}, {btn(t.T("book.restart"), actBook, "redo"), btn(t.T("book.abandon"), actBook, "x")}}})
}

// quantityText is "2 ore" or "3 pasti".
func (t *turnCtx) quantityText(s *catalogue.Service, q int) string {
	return t.T(plural("qty."+string(s.Cost.Unit), q), "n", strconv.Itoa(q))
}

// whenText is "sab 28/11 alle 10:00".
func (t *turnCtx) whenText(at time.Time) string {
	at = at.In(t.e.rome)
	return t.T("book.when", "day", t.dayLabel(at), "time", at.Format("15:04"))
}

// dayLabel is "sab 28/11".
func (t *turnCtx) dayLabel(day time.Time) string {
	day = day.In(t.e.rome)
	return t.T("day."+strconv.Itoa(int(day.Weekday()))) + " " + day.Format("02/01")
}

// today is midnight of the current day in Rome.
func (t *turnCtx) today() time.Time {
	n := t.now.In(t.e.rome)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, t.e.rome)
}

// onBookingButton handles the booking flow's buttons ("book:<step>:<value>").
func (t *turnCtx) onBookingButton(ctx context.Context, arg string) {
	step, value, _ := strings.Cut(arg, ":")
	switch step {
	case "nop":
		return // a calendar placeholder
	case "cancel":
		t.askCancelBooking(ctx, value)
		return
	case "cancelyes":
		t.cancelBooking(ctx, value)
		return
	case "accept", "decline":
		t.answerProposal(ctx, value, step == "accept")
		return
	case "rate":
		t.rateBooking(ctx, value)
		return
	case "new":
		t.startBooking(value)
		return
	}
	s, ok := t.bookingService()
	if !ok {
		if t.st.Draft == nil {
			t.stale()
		}
		return
	}
	d := t.st.Draft
	t.st.Flow = flowBook
	n, _ := strconv.Atoi(value)
	switch step {
	case "x":
		t.st.Draft, t.st.Flow = nil, ""
		t.say(Reply{Text: t.T("book.abandoned"), Buttons: [][]Button{{btn(t.T("button.back_card"), actService, s.ID), btn(t.T("button.menu"), actMenu)}}})
	case "redo":
		t.st.Draft = &bookingDraft{Service: s.ID, Minute: -1}
		t.askBooking(s)
	case "cal":
		t.calendar(s, value)
	case "day":
		day, err := time.ParseInLocation("20060102", value, t.e.rome)
		if err != nil {
			t.stale()
			return
		}
		t.setDay(s, day, false, 0)
	case "reday":
		d.Day, d.Minute = time.Time{}, -1
		t.askBooking(s)
	case "qty":
		if n < 1 || n > maxQuantity {
			t.stale()
			return
		}
		d.Quantity = n
		t.askBooking(s)
	case "slot":
		t.setSlot(s, n)
	case "sh":
		d.Shared, d.SharedSet = value == "1", true
		t.askBooking(s)
	case "who":
		d.ForWhom = value
		if value != bookings.ForSelf && value != bookings.ForRelative {
			d.ForWhom = ""
		}
		t.askBooking(s)
	case "mun":
		if n < 1 || n > 9 || !s.Serves(n) {
			t.text("book.zone_not_served", "zone", strconv.Itoa(n), "zones", t.municipi(s.Municipi))
			t.askBookingZone(s)
			return
		}
		d.Municipio = n
		t.askBooking(s)
	case "skip":
		d.NoteDone = true
		t.askBooking(s)
	case "ok":
		t.submitBooking(ctx, s)
	default:
		t.stale()
	}
}

// bookingText takes what the citizen typed in the booking flow as the answer to the
// question asked.
func (t *turnCtx) bookingText(ctx context.Context, text string) {
	s, ok := t.bookingService()
	if !ok {
		return
	}
	d := t.st.Draft
	switch {
	case d.Day.IsZero() || (d.Quantity > 0 && d.Minute < 0):
		if n, ok := bareNumber(text); ok && !d.Day.IsZero() && n >= 0 && n <= 23 {
			t.setSlot(s, n*60) // "9" at the time question is nine o'clock
			return
		}
		w, ok := bookings.ParseWhen(text, t.now, t.e.rome)
		switch {
		case !ok && d.Day.IsZero():
			t.askDay(s, t.T("book.day_not_understood"))
		case !ok:
			t.text("book.slot_not_understood")
			t.askSlot(s)
		case d.Day.IsZero() || w.HasDate && !w.Day.Equal(d.Day):
			t.setDay(s, w.Day, w.HasTime, w.Minute)
		case w.HasTime:
			t.setSlot(s, w.Minute)
		default:
			t.askSlot(s)
		}
	case d.Quantity == 0:
		n, ok := firstNumber(text) // "2", "2 ore", "circa 3"
		if !ok || n < 1 || n > maxQuantity {
			t.text("book.quantity_invalid", "max", strconv.Itoa(maxQuantity))
			t.askBooking(s)
			return
		}
		d.Quantity = n
		t.askBooking(s)
	case d.ForWhom == "" || (!d.SharedSet && s.Delivery.Individual && s.Delivery.Shared != nil):
		t.text("book.use_buttons")
		t.askBooking(s)
	case d.Municipio == 0:
		m, ok := t.municipioOf(text)
		switch {
		case !ok:
			t.text("dom.zone_invalid")
		case !s.Serves(m):
			t.text("book.zone_not_served", "zone", strconv.Itoa(m), "zones", t.municipi(s.Municipi))
		default:
			d.Municipio = m
		}
		t.askBooking(s)
	case !d.NoteDone:
		if utf8.RuneCountInString(text) > maxNoteRunes {
			t.text("book.note_too_long", "max", strconv.Itoa(maxNoteRunes))
			return
		}
		d.Note, d.NoteDone = text, true
		if t.e.says(intentSkip, text) {
			d.Note = "" // "niente", "no": no note
		}
		t.askBooking(s)
	default:
		t.text("book.use_buttons")
		t.bookingSummary(s)
	}
}

// municipioOf reads a Municipio number ("3", "Municipio 3", "zona 3") or a
// neighbourhood.
func (t *turnCtx) municipioOf(text string) (int, bool) {
	if n, ok := firstNumber(text); ok && n >= 1 && n <= 9 && utf8.RuneCountInString(text) <= 20 {
		return n, true
	}
	if nb, ok := t.cat.Milan.FindNeighbourhood(text); ok {
		return nb.Municipio, true
	}
	return 0, false
}

// numberRE finds a number in a message.
var numberRE = regexp.MustCompile(`\d{1,4}`)

// firstNumber returns the first number in a message ("circa 20 ore" is 20).
func firstNumber(text string) (int, bool) {
	m := numberRE.FindString(text)
	if m == "" {
		return 0, false
	}
	n, err := strconv.Atoi(m)
	return n, err == nil
}

// bareNumber reads a message that is only a number.
func bareNumber(text string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	return n, err == nil
}
