package bookings

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// Rule names the booking rule a day, a time or a quantity breaks.
type Rule string

// The booking rules (catalogue.BookingRules and the service's schedules).
const (
	RulePast        Rule = "past"         // the day is over
	RuleLead        Rule = "lead"         // too soon: the provider needs more notice
	RuleHorizon     Rule = "horizon"      // too far ahead
	RuleHoliday     Rule = "holiday"      // a public holiday, and the service does not run on them
	RuleClosure     Rule = "closure"      // one of the service's exceptional closures
	RuleWeekday     Rule = "weekday"      // the service does not run on that weekday
	RuleHours       Rule = "hours"        // not a start time the schedules offer
	RuleMinQuantity Rule = "min_quantity" // fewer units than one booking needs
	RuleMaxQuantity Rule = "max_quantity" // more units than one booking may ask for
)

// ErrRule is what every *RuleError wraps: errors.Is(err, ErrRule) tells a broken
// rule from a store's failure.
var ErrRule = errors.New("against the service's booking rules")

// RuleError says which rule a booking breaks, with what the citizen or the
// operator needs to be told to choose again.
type RuleError struct {
	Rule Rule
	Day  time.Time // the day asked for, midnight in the location used
	// Holiday is the holiday's key (RuleHoliday), "santambrogio".
	Holiday string
	// Closure is the closure that covers the day (RuleClosure).
	Closure catalogue.Closure
	// FirstDay is the first day a booking can start (RuleLead, RulePast), zero when
	// none within the horizon; LastDay the last one (RuleHorizon).
	FirstDay time.Time
	LastDay  time.Time
	// Lead is the notice the service needs (RuleLead).
	Lead time.Duration
	// Limit is the bound a quantity broke (RuleMinQuantity, RuleMaxQuantity).
	Limit int
}

// Error says the rule in English, for logs and staff tools.
func (e *RuleError) Error() string {
	day := e.Day.Format(time.DateOnly)
	switch e.Rule {
	case RuleLead:
		return fmt.Sprintf("%s: the service needs %s notice", day, e.Lead)
	case RuleHorizon:
		return fmt.Sprintf("%s: bookings go up to %s", day, e.LastDay.Format(time.DateOnly))
	case RuleHoliday:
		return fmt.Sprintf("%s is a public holiday (%s): the service is closed", day, e.Holiday)
	case RuleClosure:
		return fmt.Sprintf("%s: the service is closed (%s)", day, e.Closure.Reason)
	case RuleWeekday:
		return fmt.Sprintf("%s: the service does not run on %s", day, e.Day.Weekday())
	case RuleHours:
		return fmt.Sprintf("%s: not a start time the service offers", e.Day.Format("2006-01-02 15:04"))
	case RuleMinQuantity:
		return fmt.Sprintf("at least %d units per booking", e.Limit)
	case RuleMaxQuantity:
		return fmt.Sprintf("at most %d units per booking", e.Limit)
	}
	return fmt.Sprintf("%s: the day has passed", day)
}

// Unwrap makes every RuleError an ErrRule.
func (e *RuleError) Unwrap() error { return ErrRule }

// Quantities returns the smallest and largest quantity one booking of s may ask for.
func Quantities(s *catalogue.Service) (lo, hi int) { return s.Rules.Quantities(MaxQuantity) }

// CheckQuantity reports a quantity outside the service's bounds as a *RuleError.
func CheckQuantity(s *catalogue.Service, quantity int) error {
	lo, hi := Quantities(s)
	switch {
	case quantity < lo:
		return &RuleError{Rule: RuleMinQuantity, Limit: lo}
	case quantity > hi:
		return &RuleError{Rule: RuleMaxQuantity, Limit: hi}
	}
	return nil
}

// Earliest is the earliest start a booking requested at now may have: the service's
// lead time after now ("at least 24 hours before" allows exactly 24 hours).
func Earliest(s *catalogue.Service, now time.Time) time.Time { return now.Add(s.Rules.Lead()) }

// LastDay is the last day, midnight in loc, a booking requested at now may start on.
func LastDay(s *catalogue.Service, now time.Time, loc *time.Location) time.Time {
	days := int(s.Rules.Ahead() / (24 * time.Hour))
	return dayIn(now, loc).AddDate(0, 0, days)
}

// CheckDay reports whether a booking of quantity units requested at now may start
// on day (its date read in loc): nil, or a *RuleError that says why not. The day's
// start times then come from Bookable.
func CheckDay(s *catalogue.Service, day time.Time, quantity int, now time.Time, loc *time.Location) error {
	day = dayIn(day, loc)
	today := dayIn(now, loc)
	switch last := LastDay(s, now, loc); {
	case day.Before(today):
		first, _ := FirstDay(s, quantity, now, loc)
		return &RuleError{Rule: RulePast, Day: day, FirstDay: first}
	case day.After(last):
		return &RuleError{Rule: RuleHorizon, Day: day, LastDay: last}
	}
	if h, c, closed := s.Rules.ClosedOn(day, loc); closed {
		if c != nil {
			return &RuleError{Rule: RuleClosure, Day: day, Closure: *c}
		}
		return &RuleError{Rule: RuleHoliday, Day: day, Holiday: h.Key}
	}
	if !OpenOn(s, day, loc) {
		return &RuleError{Rule: RuleWeekday, Day: day}
	}
	if len(afterLead(s, Slots(s, day, quantity, loc), now)) == 0 {
		first, _ := FirstDay(s, quantity, now, loc)
		return &RuleError{Rule: RuleLead, Day: day, FirstDay: first, Lead: s.Rules.Lead()}
	}
	return nil
}

// CheckStart reports whether a booking of quantity units requested at now may start
// at start: the quantity, the day, the lead time and the schedules' hours.
func CheckStart(s *catalogue.Service, start time.Time, quantity int, now time.Time, loc *time.Location) error {
	if err := CheckQuantity(s, quantity); err != nil {
		return err
	}
	return CheckTime(s, start, quantity, now, loc)
}

// CheckTime is CheckStart for a quantity already agreed: the day, the lead time and
// the start times of a booking of quantity units. Staff's proposal of another time
// for a booking is checked with it.
func CheckTime(s *catalogue.Service, start time.Time, quantity int, now time.Time, loc *time.Location) error {
	if err := CheckDay(s, start, quantity, now, loc); err != nil {
		return err
	}
	if start.Before(Earliest(s, now)) {
		first, _ := FirstDay(s, quantity, now, loc)
		return &RuleError{Rule: RuleLead, Day: dayIn(start, loc), FirstDay: first, Lead: s.Rules.Lead()}
	}
	if !withinHours(s, start, quantity, loc) {
		return &RuleError{Rule: RuleHours, Day: start.In(loc)}
	}
	return nil
}

// withinHours reports whether a booking of quantity units starting at start fits in
// one of the schedules of its weekday. Any minute will do: the form offers the hourly
// slots, but staff may agree on 15:15.
func withinHours(s *catalogue.Service, start time.Time, quantity int, loc *time.Location) bool {
	t := start.In(loc)
	from := catalogue.Clock(t.Hour()*60 + t.Minute())
	to := from + catalogue.Clock(duration(s.Cost.Unit, quantity)/time.Minute)
	for _, sc := range s.Schedules {
		if slices.Contains(sc.Days, t.Weekday()) && from >= sc.OpensAt && to <= sc.ClosesAt {
			return true
		}
	}
	return false
}

// Bookable returns the start times on day that a booking of quantity units
// requested at now may take: the schedules' slots on a day CheckDay allows, after
// the lead time. None when the day is not allowed.
func Bookable(s *catalogue.Service, day time.Time, quantity int, now time.Time, loc *time.Location) []time.Time {
	if CheckDay(s, day, quantity, now, loc) != nil {
		return nil
	}
	return afterLead(s, Slots(s, day, quantity, loc), now)
}

// FirstDay returns the first day, midnight in loc, with a start time a booking of
// quantity units requested at now may take; false when none within the horizon.
func FirstDay(s *catalogue.Service, quantity int, now time.Time, loc *time.Location) (time.Time, bool) {
	last := LastDay(s, now, loc)
	// Bounded by the horizon, itself at most a year (catalogue validation).
	for day := dayIn(now, loc); !day.After(last); day = day.AddDate(0, 0, 1) {
		if _, _, closed := s.Rules.ClosedOn(day, loc); closed || !OpenOn(s, day, loc) {
			continue
		}
		if len(afterLead(s, Slots(s, day, quantity, loc), now)) > 0 {
			return day, true
		}
	}
	return time.Time{}, false
}

// afterLead keeps the times from the earliest start on.
func afterLead(s *catalogue.Service, slots []time.Time, now time.Time) []time.Time {
	earliest := Earliest(s, now)
	out := slots[:0:0]
	for _, at := range slots {
		if !at.Before(earliest) {
			out = append(out, at)
		}
	}
	return out
}

// dayIn is the start of t's calendar day in loc.
func dayIn(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Refundable returns how much of paidCents a paid booking starting at start gets
// back when cancelled at at, under policy: everything at least FullBefore before the
// start, PartialPercent of it (rounded down to the cent) at least PartialBefore
// before, nothing later. Nothing once the start has come, whatever the policy.
func Refundable(policy catalogue.RefundPolicy, paidCents int, start, at time.Time) int {
	left := start.Sub(at)
	switch {
	case paidCents <= 0 || left <= 0:
		return 0
	case left >= policy.FullBefore:
		return paidCents
	case policy.PartialPercent > 0 && left >= policy.PartialBefore:
		return paidCents * min(policy.PartialPercent, 100) / 100
	}
	return 0
}
