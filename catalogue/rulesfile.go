package catalogue

import (
	"fmt"
	"strings"
	"time"
)

// bookingRecord is a service's `booking:` block as staff write it: whole hours and
// days rather than durations, dates as YYYY-MM-DD, so that every value is easy to
// write and every mistake can be named with its field.
type bookingRecord struct {
	MinQuantity    *int            `yaml:"min_quantity"`
	MaxQuantity    *int            `yaml:"max_quantity"`
	LeadHours      *int            `yaml:"lead_hours"`
	HorizonDays    *int            `yaml:"horizon_days"`
	Venue          string          `yaml:"venue"`
	OpenOnHolidays bool            `yaml:"open_on_holidays"`
	Closures       []closureRecord `yaml:"closures"`
	Refund         *refundRecord   `yaml:"refund"`
}

type closureRecord struct {
	From     string `yaml:"from"`
	To       string `yaml:"to"`
	Reason   string `yaml:"reason"`
	ReasonEN string `yaml:"reason_en"`
}

type refundRecord struct {
	FullHoursBefore    *int `yaml:"full_hours_before"`
	PartialHoursBefore *int `yaml:"partial_hours_before"`
	PartialPercent     *int `yaml:"partial_percent"`
}

// Bounds on the booking rules: beyond them a value is a typo, not a policy.
const (
	maxLeadHours   = 30 * 24 // a month's notice
	maxHorizonDays = 366
	maxClosureDays = 366
	maxClosures    = 50
	maxRefundHours = 30 * 24
	maxReasonRunes = 120
)

// bookingRules validates a service's booking block against the rest of the service
// (its schedules, its price unit) and returns the rules; nil is the zero rules.
func (c checker) bookingRules(v *bookingRecord, s *Service) BookingRules {
	if v == nil {
		return BookingRules{}
	}
	var r BookingRules
	r.MinQuantity = c.bounded("booking.min_quantity", v.MinQuantity, 1, MaxBookingQuantity)
	r.MaxQuantity = c.bounded("booking.max_quantity", v.MaxQuantity, 1, MaxBookingQuantity)
	if r.MinQuantity > 0 && r.MaxQuantity > 0 && r.MinQuantity > r.MaxQuantity {
		c.bad("booking.max_quantity", "%d is below min_quantity %d", r.MaxQuantity, r.MinQuantity)
	}
	if s.Cost.Unit == "ora" && r.MinQuantity > 0 {
		if longest := longestOpening(s.Schedules); longest > 0 && Clock(r.MinQuantity*60) > longest {
			c.bad("booking.min_quantity", "%d hours never fit in the schedules (the longest opening lasts %d minutes)",
				r.MinQuantity, int(longest))
		}
	}
	r.LeadTime = time.Duration(c.bounded("booking.lead_hours", v.LeadHours, 0, maxLeadHours)) * time.Hour
	r.Horizon = time.Duration(c.bounded("booking.horizon_days", v.HorizonDays, 1, maxHorizonDays)) * 24 * time.Hour
	if r.LeadTime > 0 && r.Horizon > 0 && r.LeadTime >= r.Horizon {
		c.bad("booking.horizon_days", "%d days leave no day to book after a lead time of %d hours",
			*v.HorizonDays, *v.LeadHours)
	}
	switch Venue(v.Venue) {
	case "", AtHome, AtProvider, Online:
		r.Venue = Venue(v.Venue)
	default:
		c.bad("booking.venue", "unknown venue %q (expected domicilio, sede or online)", v.Venue)
	}
	r.OpenOnHolidays = v.OpenOnHolidays
	r.Closures = c.closures(v.Closures)
	if v.Refund != nil {
		r.Refund = c.refund(*v.Refund)
	}
	return r
}

// bounded checks an optional whole number against lo..hi; missing or wrong is 0.
func (c checker) bounded(field string, v *int, lo, hi int) int {
	switch {
	case v == nil:
		return 0
	case *v < 0:
		c.bad(field, "negative value %d", *v)
	case *v < lo || *v > hi:
		c.bad(field, "%d is not between %d and %d", *v, lo, hi)
	default:
		return *v
	}
	return 0
}

// longestOpening is the longest single opening among the schedules.
func longestOpening(scs []Schedule) Clock {
	var out Clock
	for _, sc := range scs {
		out = max(out, sc.ClosesAt-sc.OpensAt)
	}
	return out
}

func (c checker) closures(recs []closureRecord) []Closure {
	if len(recs) > maxClosures {
		c.bad("booking.closures", "%d closures: at most %d", len(recs), maxClosures)
		recs = recs[:maxClosures]
	}
	var out []Closure
	for i, r := range recs {
		f := fmt.Sprintf("booking.closures[%d]", i)
		from, okFrom := c.date(f+".from", r.From, true)
		to, okTo := c.date(f+".to", r.To, false)
		if r.To == "" {
			to = from // a single day
		}
		if strings.TrimSpace(r.Reason) == "" {
			c.bad(f+".reason", "is required: citizens are told why the service is closed")
		}
		for _, reason := range []struct{ field, text string }{{".reason", r.Reason}, {".reason_en", r.ReasonEN}} {
			if n := len([]rune(reason.text)); n > maxReasonRunes {
				c.bad(f+reason.field, "%d characters: at most %d", n, maxReasonRunes)
			}
		}
		if !okFrom || !okTo {
			continue
		}
		switch {
		case to.Before(from):
			c.bad(f+".to", "%s is before from %s", r.To, r.From)
		case to.Sub(from) > maxClosureDays*24*time.Hour:
			c.bad(f+".to", "a closure of more than %d days: remove the service instead", maxClosureDays)
		default:
			out = append(out, Closure{From: from, To: to, Reason: strings.TrimSpace(r.Reason), ReasonEN: strings.TrimSpace(r.ReasonEN)})
		}
	}
	return out
}

// date reads a YYYY-MM-DD date as midnight UTC (see Closure).
func (c checker) date(field, v string, required bool) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			c.bad(field, "is required (YYYY-MM-DD)")
			return time.Time{}, false
		}
		return time.Time{}, true
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		c.bad(field, "%q is not a date YYYY-MM-DD", v)
		return time.Time{}, false
	}
	return t, true
}

func (c checker) refund(v refundRecord) RefundPolicy {
	p := RefundPolicy{
		FullBefore:     time.Duration(c.bounded("booking.refund.full_hours_before", v.FullHoursBefore, 0, maxRefundHours)) * time.Hour,
		PartialBefore:  time.Duration(c.bounded("booking.refund.partial_hours_before", v.PartialHoursBefore, 0, maxRefundHours)) * time.Hour,
		PartialPercent: c.bounded("booking.refund.partial_percent", v.PartialPercent, 0, 100),
	}
	switch {
	case v.PartialPercent != nil && v.PartialHoursBefore == nil:
		c.bad("booking.refund.partial_hours_before", "is required with partial_percent")
	case v.PartialHoursBefore != nil && v.PartialPercent == nil:
		c.bad("booking.refund.partial_percent", "is required with partial_hours_before")
	case v.PartialHoursBefore != nil && v.FullHoursBefore != nil && p.PartialBefore > p.FullBefore:
		c.bad("booking.refund.partial_hours_before", "%d hours is more than full_hours_before %d: the partial refund comes after the full one",
			*v.PartialHoursBefore, *v.FullHoursBefore)
	}
	return p
}
