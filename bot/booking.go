package bot

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// bookingFlow is the booking flow: its handlers and what it keeps in the conversation state.
type bookingFlow struct{ e *Engine }

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
	// Move is the booking being moved (bookingmove.go), MoveFrom its start: the
	// form then asks only for the new day and time.
	Move     string    `json:"move,omitempty"`
	MoveFrom time.Time `json:"move_from,omitzero"`
	// Series repeats the booking every week (bookingseries.go); nil for one date.
	Series *seriesDraft `json:"series,omitempty"`
}

// Booking limits; the service's rules may be stricter (bookingrules.go).
const (
	maxNoteRunes = 300
	// maxQuantity bounds what one booking may ask for through the bot, whatever
	// the rules allow: a larger need is a conversation with staff.
	maxQuantity = 12
)

// flowBook is the booking flow.
const flowBook = "book"

// bookable reports whether a service can be booked through the bot: bookings are
// handled by staff, so a desk and a booking store are needed.
func (bf *bookingFlow) bookable(t *Turn) bool {
	return t.e.opts.Staff != nil && t.e.opts.Bookings != nil
}

// startBooking begins a booking of a service from its card.
func (bf *bookingFlow) startBooking(t *Turn, id string) {
	s, ok := t.cat.Service(id)
	if !ok || s.Organization == nil {
		t.Stale()
		return
	}
	if !bf.bookable(t) {
		t.e.flows.card.request(t, id)
		return
	}
	t.st.Flow = flowBook
	t.st.Draft = &bookingDraft{Service: s.ID, Minute: -1}
	t.Text("book.start", "service", t.titleText(s))
	bf.askBooking(t, s)
}

// bookingService returns the draft's service, ending the flow when it is gone (a
// catalogue reload removed it).
func (bf *bookingFlow) bookingService(t *Turn) (*catalogue.Service, bool) {
	d := t.st.Draft
	if d == nil {
		return nil, false
	}
	s, ok := t.cat.Service(d.Service)
	if !ok {
		t.st.Draft, t.st.Flow = nil, ""
		t.Say(Reply{Text: t.T("book.service_gone"), Buttons: t.MainMenu()})
		return nil, false
	}
	return s, true
}

// askBooking asks for the first missing field, or shows the summary.
func (bf *bookingFlow) askBooking(t *Turn, s *catalogue.Service) {
	d := t.st.Draft
	switch {
	case d.Day.IsZero():
		bf.askDay(t, s, "")
	case d.Quantity == 0:
		bf.askQuantity(t, s, "")
	case d.Minute >= 0 && !bf.slotOffered(t, s, d.Minute):
		// A time typed with the day, checked now that the length is known.
		t.Text("book.slot_unavailable", "time", clockText(d.Minute))
		d.Minute = -1
		bf.askSlot(t, s)
	case d.Minute < 0:
		bf.askSlot(t, s)
	case !d.SharedSet && s.Delivery.Individual && s.Delivery.Shared != nil:
		t.Say(Reply{Text: t.T("book.ask_shared"), Buttons: [][]Button{
			{btn(t.T("book.individual"), actBook, "sh", "0"), btn(t.T("book.shared"), actBook, "sh", "1")},
			bf.bookingCancelRow(t)}})
	case d.ForWhom == "":
		t.Say(Reply{Text: t.T("book.ask_for"), Buttons: [][]Button{
			{btn(t.T("book.for_self"), actBook, "who", bookings.ForSelf), btn(t.T("book.for_relative"), actBook, "who", bookings.ForRelative)},
			bf.bookingCancelRow(t)}})
	case d.Municipio == 0:
		bf.askBookingZone(t, s)
	case !d.NoteDone:
		t.Say(Reply{Text: t.T("book.ask_note", "max", strconv.Itoa(maxNoteRunes)), Buttons: [][]Button{
			{btn(t.T("book.no_note"), actBook, "skip")}, bf.bookingCancelRow(t)}})
	case d.Move != "":
		bf.moveSummary(t, s)
	case d.Series != nil:
		bf.askSeries(t, s)
	default:
		bf.bookingSummary(t, s)
	}
}

func (bf *bookingFlow) bookingCancelRow(t *Turn) []Button {
	return []Button{btn(t.T("book.abandon"), actBook, "x")}
}

func (bf *bookingFlow) askBookingZone(t *Turn, s *catalogue.Service) {
	d := t.st.Draft
	if len(s.Municipi) == 1 {
		d.Municipio = s.Municipi[0]
		bf.askBooking(t, s)
		return
	}
	if d.Municipio == 0 && t.st.Filters.Municipio != 0 && s.Serves(t.st.Filters.Municipio) {
		d.Municipio = t.st.Filters.Municipio // the zone the citizen searched in
		bf.askBooking(t, s)
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
	rows = append(rows, bf.bookingCancelRow(t))
	t.Say(Reply{Text: t.T("book.ask_zone", "zones", t.municipi(s.Municipi)), Buttons: rows})
}

// bookingStart is the draft's start time.
func (bf *bookingFlow) bookingStart(t *Turn) time.Time {
	d := t.st.Draft
	// Wall-clock time on that day: on the days the clocks change, midnight plus ten
	// hours is not ten o'clock.
	y, m, day := d.Day.In(t.e.rome).Date()
	return time.Date(y, m, day, d.Minute/60, d.Minute%60, 0, 0, t.e.rome)
}

// bookingSummary shows everything with the estimated price and asks for confirmation.
func (bf *bookingFlow) bookingSummary(t *Turn, s *catalogue.Service) {
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
	note := Literal(d.Note)
	if note == "" {
		note = t.T("book.no_note_given")
	}
	t.Say(Reply{Text: t.T("book.summary", "service", t.titleText(s), "provider", Literal(s.Organization.Name),
		"when", t.whenText(bf.bookingStart(t)), "quantity", bf.quantityText(t, s, d.Quantity), "delivery", delivery,
		"who", who, "zone", strconv.Itoa(d.Municipio), "note", note, "cost", cost),
		Buttons: [][]Button{{btn(t.T("book.confirm"), actBook, "ok")}, {btn(t.T("book.repeat"), actBook, "rep")},
			{btn(t.T("book.restart"), actBook, "redo"), btn(t.T("book.abandon"), actBook, "x")}}})
}

// quantityText is "2 ore" or "3 pasti"; a free service has no unit, only a number.
func (bf *bookingFlow) quantityText(t *Turn, s *catalogue.Service, q int) string {
	if s.Cost.Unit == "" {
		return strconv.Itoa(q)
	}
	return t.Plural("qty."+string(s.Cost.Unit), q, "n", strconv.Itoa(q))
}

// onBookingButton handles the booking flow's buttons ("book:<step>:<value>"): those
// about a booking made, then those of the form being filled.
func (bf *bookingFlow) onBookingButton(ctx context.Context, t *Turn, arg string) {
	step, value, _ := strings.Cut(arg, ":")
	if !bf.bookingButton(ctx, t, step, value) {
		bf.draftButton(ctx, t, step, value)
	}
}

// bookingButton handles the buttons about a booking made (or to make anew); it
// reports whether step was one of them.
func (bf *bookingFlow) bookingButton(ctx context.Context, t *Turn, step, value string) bool {
	switch step {
	case "nop":
		// a calendar placeholder
	case "cancel":
		bf.askCancelBooking(ctx, t, value)
	case "cancelyes":
		bf.cancelBooking(ctx, t, value)
	case "cancelser":
		bf.cancelSeries(ctx, t, value) // bookingseriessend.go
	case "accept", "decline":
		bf.answerProposal(ctx, t, value, step == "accept")
	case "rate":
		bf.rateBooking(ctx, t, value)
	case "new":
		bf.startBooking(t, value)
	case "move":
		bf.moveButton(ctx, t, value)
	default:
		return false
	}
	return true
}

// draftButton handles the buttons of the booking form.
func (bf *bookingFlow) draftButton(ctx context.Context, t *Turn, step, value string) {
	s, ok := bf.bookingService(t)
	if !ok {
		if t.st.Draft == nil {
			t.Stale()
		}
		return
	}
	d := t.st.Draft
	t.st.Flow = flowBook
	n, _ := strconv.Atoi(value)
	switch step {
	case "x":
		t.st.Draft, t.st.Flow = nil, ""
		t.Say(Reply{Text: t.T("book.abandoned"), Buttons: [][]Button{{btn(t.T("button.back_card"), actService, s.ID), btn(t.T("button.menu"), actMenu)}}})
	case "redo":
		t.st.Draft = &bookingDraft{Service: s.ID, Minute: -1}
		bf.askBooking(t, s)
	case "cal":
		bf.calendar(t, s, value)
	case "day":
		day, err := time.ParseInLocation("20060102", value, t.e.rome)
		if err != nil {
			t.Stale()
			return
		}
		bf.setDay(t, s, day, false, 0)
	case "reday":
		d.Day, d.Minute = time.Time{}, -1
		bf.askBooking(t, s)
	case "qty":
		if lo, hi := quantityBounds(s); n < lo || n > hi {
			t.Stale() // a button from before the catalogue changed
			return
		}
		d.Quantity = n
		bf.askBooking(t, s)
	case "slot":
		bf.setSlot(t, s, n)
	case "sh":
		d.Shared, d.SharedSet = value == "1", true
		bf.askBooking(t, s)
	case "who":
		d.ForWhom = value
		if value != bookings.ForSelf && value != bookings.ForRelative {
			d.ForWhom = ""
		}
		bf.askBooking(t, s)
	case "mun":
		if n < 1 || n > 9 || !s.Serves(n) {
			t.Text("book.zone_not_served", "zone", strconv.Itoa(n), "zones", t.municipi(s.Municipi))
			bf.askBookingZone(t, s)
			return
		}
		d.Municipio = n
		bf.askBooking(t, s)
	case "skip":
		d.NoteDone = true
		bf.askBooking(t, s)
	case "ok":
		bf.submitBooking(ctx, t, s)
	case "moveok":
		if d.Move == "" {
			t.Stale()
			return
		}
		bf.applyMove(ctx, t, s)
	default:
		if !bf.seriesButton(ctx, t, s, step, value) { // bookingseries.go
			t.Stale()
		}
	}
}

// bookingText takes what the citizen typed in the booking flow as the answer to the
// question asked.
func (bf *bookingFlow) bookingText(ctx context.Context, t *Turn, text string) {
	s, ok := bf.bookingService(t)
	if !ok {
		return
	}
	d := t.st.Draft
	switch {
	case d.Day.IsZero() || (d.Quantity > 0 && d.Minute < 0):
		if n, ok := bareNumber(text); ok && !d.Day.IsZero() && n >= 0 && n <= 23 {
			bf.setSlot(t, s, n*60) // "9" at the time question is nine o'clock
			return
		}
		if d.Day.IsZero() && bf.seriesFromDay(t, s, text) {
			return // "ogni martedì fino al 31 gennaio" (bookingseries.go)
		}
		w, ok := bookings.ParseWhen(hoursInDigits(text), t.now, t.e.rome)
		switch {
		case !ok && d.Day.IsZero():
			bf.askDay(t, s, t.T("book.day_not_understood"))
		case !ok:
			t.Text("book.slot_not_understood")
			bf.askSlot(t, s)
		case d.Day.IsZero() || w.HasDate && !w.Day.Equal(d.Day):
			bf.setDay(t, s, w.Day, w.HasTime, w.Minute)
		case w.HasTime:
			bf.setSlot(t, s, w.Minute)
		default:
			bf.askSlot(t, s)
		}
	case d.Quantity == 0:
		bf.quantityTyped(t, s, text) // "2", "2 ore", "tre ore"
	case d.ForWhom == "":
		if who, ok := t.e.forWhom(text); ok {
			d.ForWhom = who // "per mia nonna", "for me"
		} else {
			t.Text("book.use_buttons")
		}
		bf.askBooking(t, s)
	case !d.SharedSet && s.Delivery.Individual && s.Delivery.Shared != nil:
		t.Text("book.use_buttons")
		bf.askBooking(t, s)
	case d.Municipio == 0:
		m, ok := t.municipioOf(text)
		switch {
		case !ok:
			t.Text("dom.zone_invalid")
		case !s.Serves(m):
			t.Text("book.zone_not_served", "zone", strconv.Itoa(m), "zones", t.municipi(s.Municipi))
		default:
			d.Municipio = m
		}
		bf.askBooking(t, s)
	case !d.NoteDone:
		if utf8.RuneCountInString(text) > maxNoteRunes {
			t.Text("book.note_too_long", "max", strconv.Itoa(maxNoteRunes))
			return
		}
		d.Note, d.NoteDone = text, true
		if t.e.says(intentSkip, text) || (len(strings.Fields(text)) <= 3 && t.e.mentions(intentSkip, text)) {
			d.Note = "" // "niente", "no": no note
		}
		bf.askBooking(t, s)
	case d.Move == "" && bf.seriesTyped(t, s, text):
		// "ogni martedì fino al 31 gennaio" to the summary (bookingseries.go)
	case d.Series != nil && t.e.assents(text) && d.Series.DaysDone && !d.Series.Until.IsZero():
		bf.submitSeries(ctx, t, s)
	case d.Series != nil:
		t.Text("book.use_buttons")
		bf.askSeries(t, s)
	case t.e.assents(text):
		bf.submitBooking(ctx, t, s) // "sì, mandala" to the summary
	default:
		t.Text("book.use_buttons")
		bf.bookingSummary(t, s)
	}
}

// numberRE finds a number in a message.
var numberRE = regexp.MustCompile(`\d{1,4}`)

// firstNumber returns the first number in a message, in digits or in words ("circa
// 20 ore" is 20, "two hours" is 2).
func firstNumber(text string) (int, bool) {
	if m := numberRE.FindString(text); m != "" {
		n, err := strconv.Atoi(m)
		return n, err == nil
	}
	for _, w := range strings.Fields(catalogue.Fold(text)) {
		if n, ok := numberWord(w); ok {
			return n, true
		}
	}
	return 0, false
}

// bareNumber reads a message that is only a number, in digits or in words ("3",
// "tre", "three"), give or take punctuation.
func bareNumber(text string) (int, bool) {
	if t := strings.TrimSpace(text); isInteger(t) {
		n, _ := strconv.Atoi(t)
		return n, true
	}
	if len(text) > 32 {
		return 0, false // far longer than any number word with spaces and punctuation around
	}
	return numberWord(catalogue.Fold(text))
}

// numberWord reads the numbers from one to ten written as a word, in Italian or
// English.
func numberWord(w string) (int, bool) {
	for i, names := range [][]string{
		{"zero"}, {"uno", "una", "un", "one"}, {"due", "two"}, {"tre", "three"}, {"quattro", "four"},
		{"cinque", "five"}, {"sei", "six"}, {"sette", "seven"}, {"otto", "eight"}, {"nove", "nine"}, {"dieci", "ten"},
	} {
		if slices.Contains(names, w) {
			return i, true
		}
	}
	return 0, false
}

// register routes the booking form, the citizen's bookings, and typed answers to
// the questions their bookings asked (a proposed time, a rating).
func (bf *bookingFlow) register(r *routes) {
	r.button(actBookings, func(ctx context.Context, t *Turn, _ button) { bf.bookings(ctx, t) })
	r.button(actBook, func(ctx context.Context, t *Turn, b button) { bf.onBookingButton(ctx, t, b.arg) })
	r.button(actPay, func(ctx context.Context, t *Turn, b button) { bf.onPayButton(ctx, t, b.arg) })
	r.answer(flowVoucher, bf.voucherText)
	r.intent(IntentPayHelp, func(ctx context.Context, t *Turn, _ Interpretation) {
		t.st.resetFlow()
		bf.payHelp(ctx, t)
	})
	r.command(func(ctx context.Context, t *Turn, _ string) { bf.bookings(ctx, t) }, "prenotazioni", "bookings")
	r.answer(flowBook, bf.bookingText)
	r.intent(IntentMyBookings, func(ctx context.Context, t *Turn, _ Interpretation) {
		t.st.resetFlow()
		bf.bookings(ctx, t)
	})
	r.intent(IntentReschedule, func(ctx context.Context, t *Turn, in Interpretation) {
		t.st.resetFlow()
		bf.reschedule(ctx, t, in)
	})
	// A yes, a no or a digit answers, in turn: a question a booking pushed since
	// the citizen's last message; the buttons of the bot's last message; nothing.
	yesNo := func(ctx context.Context, t *Turn, in Interpretation) {
		switch {
		case bf.typedBookingAnswer(ctx, t, in.Text):
		case in.Button != "":
			press(ctx, t, in)
		default:
			t.e.flows.menu.ack(t)
		}
	}
	r.intent(IntentYes, yesNo)
	r.intent(IntentNo, yesNo)
	r.intent(IntentNumber, func(ctx context.Context, t *Turn, in Interpretation) {
		switch {
		case bf.typedBookingAnswer(ctx, t, in.Text):
		case in.Button != "":
			press(ctx, t, in)
		default:
			r.intents[IntentSearch](ctx, t, in)
		}
	})
}
