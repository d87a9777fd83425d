package bot

import (
	"errors"
	"strconv"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// The booking flow follows each service's booking rules (catalogue.BookingRules,
// checked by package bookings): this file words a broken rule for the citizen and
// works out the quantities the form offers.

// ruleText is what the citizen reads when a day, a time or a quantity breaks one of
// the service's rules: the holiday by its name, the closure with its reason, the
// first day the lead time allows. Any other error reads as "that day is closed".
func (bf *bookingFlow) ruleText(t *Turn, s *catalogue.Service, err error) string {
	var re *bookings.RuleError
	if !errors.As(err, &re) {
		return t.T("book.day_not_understood")
	}
	day := t.dayLabel(re.Day)
	switch re.Rule {
	case bookings.RulePast:
		return t.T("book.day_past")
	case bookings.RuleHorizon:
		return t.T("book.day_far", "days", strconv.Itoa(int(s.Rules.Ahead()/(24*time.Hour))))
	case bookings.RuleHoliday:
		return t.T("book.day_holiday", "day", day, "holiday", t.T("holiday."+re.Holiday))
	case bookings.RuleClosure:
		return t.T("book.day_closure", "day", day, "reason", Literal(closureReason(t, re.Closure)))
	case bookings.RuleLead:
		if re.FirstDay.IsZero() {
			return t.T("book.day_lead_none", "lead", leadText(t, re.Lead))
		}
		return t.T("book.day_lead", "lead", leadText(t, re.Lead), "first", t.dayLabel(re.FirstDay))
	case bookings.RuleHours:
		return t.T("book.slot_unavailable", "time", re.Day.In(t.e.rome).Format("15:04"))
	case bookings.RuleMinQuantity:
		return t.T("book.quantity_min", "min", bf.quantityText(t, s, re.Limit))
	case bookings.RuleMaxQuantity:
		return t.T("book.quantity_max", "max", bf.quantityText(t, s, re.Limit))
	}
	return t.T("book.day_closed", "day", day, "days", t.days(openDays(s)))
}

// closureReason is a closure's reason in the citizen's language: the catalogue
// has it in Italian and, where given, in English for everyone else.
func closureReason(t *Turn, c catalogue.Closure) string {
	if t.st.Lang == catalogue.LangItalian || c.ReasonEN == "" {
		return c.Reason
	}
	return c.ReasonEN
}

// leadText is a lead time in words: whole days when it is a number of days ("2
// giorni"), else hours ("3 ore").
func leadText(t *Turn, d time.Duration) string {
	if days := int(d / (24 * time.Hour)); days > 0 && d%(24*time.Hour) == 0 {
		return t.Plural("qty.giorno", days, "n", strconv.Itoa(days))
	}
	hours := max(int((d+time.Hour-1)/time.Hour), 1)
	return t.Plural("qty.ora", hours, "n", strconv.Itoa(hours))
}

// quantityBounds are the quantities one booking of s may ask for: the rules'
// bounds, and for an hourly service no more hours than its longest opening holds.
func quantityBounds(s *catalogue.Service) (lo, hi int) {
	lo, hi = bookings.Quantities(s)
	hi = min(hi, maxQuantity)
	if bookings.Hourly(s.Cost.Unit) {
		longest := 0
		for _, sc := range s.Schedules {
			longest = max(longest, int(sc.ClosesAt-sc.OpensAt)/60)
		}
		if longest > 0 {
			hi = min(hi, longest)
		}
	}
	return lo, max(hi, lo)
}

// askQuantity asks how many hours or units, with buttons from the least a booking
// takes; when the rules allow one quantity only, it is taken without asking.
func (bf *bookingFlow) askQuantity(t *Turn, s *catalogue.Service, why string) {
	lo, hi := quantityBounds(s)
	if lo == hi && why == "" {
		t.st.Draft.Quantity = lo
		bf.askBooking(t, s)
		return
	}
	key := "book.ask_quantity"
	if !bookings.Hourly(s.Cost.Unit) {
		key = "book.ask_units"
	}
	text := t.T(key, "unit", t.T("unitname."+string(s.Cost.Unit)))
	if lo > 1 || hi < maxQuantity {
		text += " " + t.T("book.quantity_range", "min", bf.quantityText(t, s, lo), "max", bf.quantityText(t, s, hi))
	}
	if why != "" {
		text = why + "\n" + text
	}
	row := []Button{}
	for n := lo; n <= hi && len(row) < 4; n++ {
		row = append(row, btn(bf.quantityText(t, s, n), actBook, "qty", strconv.Itoa(n)))
	}
	t.Say(Reply{Text: text, Buttons: [][]Button{row, bf.bookingCancelRow(t)}})
}

// quantityTyped takes a typed quantity ("3 ore", "tre", "un'ora e mezza"), or says
// why not and asks again.
func (bf *bookingFlow) quantityTyped(t *Turn, s *catalogue.Service, text string) {
	lo, hi := quantityBounds(s)
	q, ok := bookings.ParseQuantity(text)
	switch {
	case !q.Whole:
		bf.askQuantity(t, s, t.T("book.quantity_not_whole", "unit", t.T("unitname."+string(s.Cost.Unit))))
	case !ok || q.N < 1:
		bf.askQuantity(t, s, t.T("book.quantity_not_understood", "min", strconv.Itoa(lo), "max", strconv.Itoa(hi)))
	case q.N < lo:
		bf.askQuantity(t, s, t.T("book.quantity_min", "min", bf.quantityText(t, s, lo)))
	case q.N > hi:
		bf.askQuantity(t, s, t.T("book.quantity_max", "max", bf.quantityText(t, s, hi)))
	default:
		t.st.Draft.Quantity = q.N
		bf.askBooking(t, s)
	}
}

// draftQuantity is the quantity the draft's times are checked for: the one chosen,
// else the least the service takes (a longer booking fits fewer start times).
func (bf *bookingFlow) draftQuantity(t *Turn, s *catalogue.Service) int {
	if d := t.st.Draft; d != nil && d.Quantity > 0 {
		return d.Quantity
	}
	lo, _ := quantityBounds(s)
	return lo
}
