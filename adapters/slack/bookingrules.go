package slack

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/comune-milano/wemibot/bookings"
)

// The booking rules on the desk: a proposed time that breaks one of the service's
// rules is refused in the modal, with the reason, before anything changes; the
// booking card words the quantity as people say it ("3 ore", "1 seduta").

// proposalRule says why a proposed start breaks the booking's service rules: the
// modal's block to show it under and the text, or "" when it keeps them (or when the
// booking or its service cannot be read: the engine then decides and reports).
func (d *Desk) proposalRule(ctx context.Context, id string, at time.Time) (block, text string) {
	if d.bookings == nil || d.search == nil {
		return "", ""
	}
	b, err := d.bookings.Get(ctx, id)
	if err != nil {
		return "", ""
	}
	s, ok := d.search.Catalogue().Service(b.Service)
	if !ok {
		return "", ""
	}
	return d.ruleText(bookings.CheckTime(s, at, b.Quantity, d.now(), d.loc))
}

// ruleText words a broken booking rule for operators, with the modal block it
// concerns; "" when err is not a *bookings.RuleError.
func (d *Desk) ruleText(err error) (block, text string) {
	var re *bookings.RuleError
	if !errors.As(err, &re) {
		return "", ""
	}
	day := d.text(weekdayKeys[re.Day.Weekday()]) + " " + re.Day.In(d.loc).Format("02/01")
	switch re.Rule {
	case bookings.RuleHoliday:
		return blockDate, d.text("rule.holiday", "day", day, "holiday", d.texts.textOr("holiday."+re.Holiday, re.Holiday))
	case bookings.RuleClosure:
		return blockDate, d.text("rule.closure", "day", day, "reason", Escape(re.Closure.Reason))
	case bookings.RuleWeekday:
		return blockDate, d.text("rule.weekday", "day", day)
	case bookings.RuleHorizon:
		return blockDate, d.text("rule.horizon", "last", re.LastDay.In(d.loc).Format("02/01/2006"))
	case bookings.RuleLead:
		first := d.text("rule.no_day")
		if !re.FirstDay.IsZero() {
			first = d.text(weekdayKeys[re.FirstDay.Weekday()]) + " " + re.FirstDay.In(d.loc).Format("02/01")
		}
		return blockDate, d.text("rule.lead", "hours", strconv.Itoa(int(re.Lead/time.Hour)), "first", first)
	case bookings.RulePast:
		return blockDate, d.text("booking.proposal_past")
	}
	return blockTime, d.text("rule.hours", "time", re.Day.In(d.loc).Format("15:04"))
}

// quantityText is a booking's quantity in the service's unit, singular or plural:
// "1 ora", "3 ore", "2 sedute".
func (d *Desk) quantityText(n int, unit string) string {
	form := "other"
	if n == 1 {
		form = "one"
	}
	name := d.texts.textOr("qty."+unit+"."+form, unit)
	return d.text("booking.quantity", "n", strconv.Itoa(n), "unit", name)
}
