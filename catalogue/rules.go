package catalogue

import "time"

// Venue is where a service happens.
type Venue string

// The places a service can happen.
const (
	AtHome     Venue = "domicilio" // at the citizen's home: the booking's place is theirs
	AtProvider Venue = "sede"      // at the provider's office (Organization.Location)
	Online     Venue = "online"
)

// BookingRules are a service's booking rules, from the catalogue's data: the booking
// flow offers only what they allow, and staff's "propose another time" too. Zero
// values mean "no constraint" except where a field says otherwise.
type BookingRules struct {
	// MinQuantity and MaxQuantity bound one booking, in the cost unit ("minimum
	// three hours per visit"); 0: 1 and bookings.MaxQuantity.
	MinQuantity int
	MaxQuantity int
	// LeadTime is how long before its start a booking must be requested (the
	// provider needs to confirm it): 0 means the next full hour.
	LeadTime time.Duration
	// Horizon is how far ahead a booking may start; 0 means 90 days.
	Horizon time.Duration
	// Venue is where the service happens; empty: at the provider's.
	Venue Venue
	// OpenOnHolidays says the service also runs on public holidays (a meal
	// delivery, a carer): otherwise Holidays' days are closed.
	OpenOnHolidays bool
	// Closures are exceptional closed days (a provider's summer break), from the
	// first day to the last, both included; Reason is shown to citizens.
	Closures []Closure
	// Refund is what a cancelled paid booking gets back.
	Refund RefundPolicy
}

// Closure is a span of days when a service or a space is closed.
type Closure struct {
	// From and To are calendar dates, kept as midnight UTC so that they name the
	// same day whatever the zone: compare them with Covers, which reads a time's
	// date in the zone it is asked for. To may equal From.
	From, To time.Time
	Reason   string // Italian; shown to citizens
	ReasonEN string
}

// Covers reports whether t's calendar day, read in loc, is one of the closure's days.
func (c Closure) Covers(t time.Time, loc *time.Location) bool {
	k := dateKey(t.In(loc))
	return k >= dateKey(c.From) && k <= dateKey(c.To)
}

// dateKey is a date as one comparable number, 20261207.
func dateKey(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// RefundPolicy is a service's cancellation policy for paid bookings: a cancellation
// at least FullBefore before the start gets everything back; at least PartialBefore
// before, PartialPercent of it; later, nothing. The zero policy refunds everything
// until the start.
type RefundPolicy struct {
	FullBefore     time.Duration
	PartialBefore  time.Duration
	PartialPercent int
}

// Defaults of the booking rules, for a service whose data leaves them out.
const (
	// DefaultHorizon is how far ahead a booking may start when Horizon is 0.
	DefaultHorizon = 90 * 24 * time.Hour
	// DefaultLeadTime is the shortest notice when LeadTime is 0: the provider
	// still needs the time to read the request.
	DefaultLeadTime = time.Hour
	// MaxBookingQuantity is the most units one booking may ask for (bookings'
	// own bound: a larger maximum in the data is refused).
	MaxBookingQuantity = 100
)

// Quantities returns the smallest and largest quantity one booking may ask for,
// with the defaults filled in (1, and maxDefault when MaxQuantity is 0).
func (r BookingRules) Quantities(maxDefault int) (lo, hi int) {
	lo, hi = max(r.MinQuantity, 1), r.MaxQuantity
	if hi == 0 {
		hi = max(maxDefault, lo)
	}
	return lo, hi
}

// Lead returns the shortest notice a booking needs, the default filled in.
func (r BookingRules) Lead() time.Duration {
	if r.LeadTime <= 0 {
		return DefaultLeadTime
	}
	return r.LeadTime
}

// Ahead returns how far ahead a booking may start, the default filled in.
func (r BookingRules) Ahead() time.Duration {
	if r.Horizon <= 0 {
		return DefaultHorizon
	}
	return r.Horizon
}

// Where returns where the service happens, the default (at the provider's) filled in.
func (r BookingRules) Where() Venue {
	if r.Venue == "" {
		return AtProvider
	}
	return r.Venue
}

// ClosedOn says why the service is closed on t's calendar day, read in loc: a
// public holiday (unless the service runs on holidays) or one of its closures.
// Both are false on a day it may open (its schedules still decide the hours).
func (r BookingRules) ClosedOn(t time.Time, loc *time.Location) (Holiday, *Closure, bool) {
	if !r.OpenOnHolidays {
		if h, ok := HolidayOn(t, loc); ok {
			return h, nil, true
		}
	}
	for i := range r.Closures {
		if r.Closures[i].Covers(t, loc) {
			return Holiday{}, &r.Closures[i], true
		}
	}
	return Holiday{}, nil, false
}
