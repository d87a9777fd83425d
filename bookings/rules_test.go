package bookings_test

import (
	"errors"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// homeCare is a home-care service as the bundled data describes one: weekdays 8-20,
// at least 2 and at most 6 hours, 48 hours' notice, 60 days ahead, closed on
// holidays and for a summer break.
func homeCare() *catalogue.Service {
	s := service("ora", 8*60, 20*60, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday)
	s.Rules = catalogue.BookingRules{MinQuantity: 2, MaxQuantity: 6, LeadTime: 48 * time.Hour,
		Horizon: 60 * 24 * time.Hour, Venue: catalogue.AtHome,
		Closures: []catalogue.Closure{{From: time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC),
			To: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), Reason: "Formazione del personale"}}}
	return s
}

func TestCheckStart(t *testing.T) {
	loc := rome(t)
	// Friday 4 December 2026, 10:00: Monday 7 December is Sant'Ambrogio, Tuesday
	// 8 December the Immacolata.
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, loc)
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, loc)
	}
	meals := homeCare()
	meals.Rules.OpenOnHolidays, meals.Rules.Closures = true, nil
	tests := []struct {
		name     string
		s        *catalogue.Service
		start    time.Time
		qty      int
		rule     bookings.Rule
		holiday  string
		firstDay time.Time
	}{
		{"fine", homeCare(), at(12, 9, 10), 3, "", "", time.Time{}},
		{"past", homeCare(), at(12, 3, 10), 3, bookings.RulePast, "", at(12, 9, 0)},
		{"1 hour tomorrow: lead time", homeCare(), at(12, 5, 10), 1, bookings.RuleMinQuantity, "", time.Time{}},
		{"3 hours tomorrow: lead time", homeCare(), at(12, 5, 10), 3, bookings.RuleLead, "", at(12, 9, 0)},
		{"Sunday before the lead ends", homeCare(), at(12, 6, 12), 3, bookings.RuleWeekday, "", time.Time{}},
		{"7 December", homeCare(), at(12, 7, 10), 3, bookings.RuleHoliday, "santambrogio", time.Time{}},
		{"8 December", homeCare(), at(12, 8, 10), 3, bookings.RuleHoliday, "immacolata", time.Time{}},
		{"Christmas", homeCare(), at(12, 25, 10), 3, bookings.RuleHoliday, "natale", time.Time{}},
		{"open on holidays", meals, at(12, 8, 10), 3, "", "", time.Time{}},
		{"closure", homeCare(), time.Date(2027, 1, 13, 10, 0, 0, 0, loc), 3, bookings.RuleClosure, "", time.Time{}},
		{"day after the closure", homeCare(), time.Date(2027, 1, 16, 10, 0, 0, 0, loc), 3, "", "", time.Time{}},
		{"beyond the horizon", homeCare(), time.Date(2027, 2, 3, 10, 0, 0, 0, loc), 3, bookings.RuleHorizon, "", time.Time{}},
		{"last day of the horizon", homeCare(), time.Date(2027, 2, 2, 10, 0, 0, 0, loc), 3, "", "", time.Time{}},
		{"too many hours", homeCare(), at(12, 9, 10), 7, bookings.RuleMaxQuantity, "", time.Time{}},
		{"ends after closing", homeCare(), at(12, 9, 15), 6, bookings.RuleHours, "", time.Time{}},
		{"not on the hour: staff may agree on it", homeCare(), at(12, 9, 10).Add(30 * time.Minute), 2, "", "", time.Time{}},
		{"before opening", homeCare(), at(12, 9, 7), 2, bookings.RuleHours, "", time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := bookings.CheckStart(tc.s, tc.start, tc.qty, now, loc)
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("CheckStart = %v, want nil", err)
				}
				return
			}
			var re *bookings.RuleError
			if !errors.As(err, &re) || !errors.Is(err, bookings.ErrRule) {
				t.Fatalf("CheckStart = %v, want a RuleError %s", err, tc.rule)
			}
			if re.Rule != tc.rule || re.Holiday != tc.holiday {
				t.Errorf("rule %s holiday %q, want %s %q (%v)", re.Rule, re.Holiday, tc.rule, tc.holiday, err)
			}
			if !tc.firstDay.IsZero() && !re.FirstDay.Equal(tc.firstDay) {
				t.Errorf("first day %v, want %v", re.FirstDay, tc.firstDay)
			}
			if re.Error() == "" {
				t.Error("empty message")
			}
		})
	}
}

func TestBookableAndFirstDay(t *testing.T) {
	loc := rome(t)
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, loc) // Friday
	s := homeCare()
	// Lead time of 48 hours: Sunday 10:00 is the earliest, but Sunday is closed,
	// Monday 7 and Tuesday 8 are holidays: Wednesday 9 is the first day.
	first, ok := bookings.FirstDay(s, 2, now, loc)
	if want := time.Date(2026, 12, 9, 0, 0, 0, 0, loc); !ok || !first.Equal(want) {
		t.Fatalf("FirstDay = %v %v, want %v", first, ok, want)
	}
	if got := bookings.Bookable(s, time.Date(2026, 12, 7, 0, 0, 0, 0, loc), 2, now, loc); len(got) != 0 {
		t.Errorf("Bookable on Sant'Ambrogio = %v", got)
	}
	// Saturday 5 December opens, but not 48 hours from now.
	if got := bookings.Bookable(s, time.Date(2026, 12, 5, 0, 0, 0, 0, loc), 2, now, loc); len(got) != 0 {
		t.Errorf("Bookable tomorrow = %v", got)
	}
	got := bookings.Bookable(s, time.Date(2026, 12, 9, 0, 0, 0, 0, loc), 6, now, loc)
	if len(got) != 7 || got[0].Hour() != 8 || got[6].Hour() != 14 {
		t.Errorf("Bookable for 6 hours = %v, want 08:00 to 14:00", got)
	}
	// A lead that ends in the middle of a day keeps that day's later times.
	short := homeCare()
	short.Rules.LeadTime = 3 * time.Hour
	got = bookings.Bookable(short, now, 2, now, loc)
	if len(got) == 0 || got[0].Hour() != 13 {
		t.Errorf("Bookable today with 3 hours' notice = %v, want from 13:00", got)
	}
	// A service always closed has no first day, and says so without looping forever.
	closed := homeCare()
	closed.Rules.Closures = []catalogue.Closure{{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC), Reason: "chiuso"}}
	if d, ok := bookings.FirstDay(closed, 2, now, loc); ok {
		t.Errorf("FirstDay of a closed service = %v", d)
	}
}

func TestCheckQuantity(t *testing.T) {
	s := homeCare()
	for q, want := range map[int]bookings.Rule{0: bookings.RuleMinQuantity, 1: bookings.RuleMinQuantity, 2: "", 6: "", 7: bookings.RuleMaxQuantity} {
		var re *bookings.RuleError
		err := bookings.CheckQuantity(s, q)
		switch {
		case want == "" && err != nil:
			t.Errorf("%d: %v", q, err)
		case want != "" && (!errors.As(err, &re) || re.Rule != want):
			t.Errorf("%d: %v, want %s", q, err, want)
		}
	}
	free := service("seduta", 9*60, 18*60, time.Monday)
	if lo, hi := bookings.Quantities(free); lo != 1 || hi != bookings.MaxQuantity {
		t.Errorf("default quantities = %d..%d", lo, hi)
	}
}

func TestRefundable(t *testing.T) {
	start := time.Date(2026, 12, 10, 10, 0, 0, 0, time.UTC)
	policy := catalogue.RefundPolicy{FullBefore: 48 * time.Hour, PartialBefore: 24 * time.Hour, PartialPercent: 50}
	tests := []struct {
		name   string
		policy catalogue.RefundPolicy
		paid   int
		at     time.Time
		want   int
	}{
		{"three days before", policy, 5000, start.Add(-72 * time.Hour), 5000},
		{"exactly 48 hours before", policy, 5000, start.Add(-48 * time.Hour), 5000},
		{"a minute under 48 hours", policy, 5000, start.Add(-48*time.Hour + time.Minute), 2500},
		{"exactly 24 hours before", policy, 5001, start.Add(-24 * time.Hour), 2500},
		{"the evening before", policy, 5000, start.Add(-12 * time.Hour), 0},
		{"after the start", policy, 5000, start.Add(time.Hour), 0},
		{"zero policy: until the start", catalogue.RefundPolicy{}, 3000, start.Add(-time.Minute), 3000},
		{"zero policy: at the start", catalogue.RefundPolicy{}, 3000, start, 0},
		{"nothing paid", policy, 0, start.Add(-72 * time.Hour), 0},
		{"negative paid", policy, -100, start.Add(-72 * time.Hour), 0},
		{"no partial refund", catalogue.RefundPolicy{FullBefore: 24 * time.Hour}, 4000, start.Add(-2 * time.Hour), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := bookings.Refundable(tc.policy, tc.paid, start, tc.at); got != tc.want {
				t.Errorf("Refundable = %d, want %d", got, tc.want)
			}
		})
	}
}
