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
	From, To time.Time // dates (midnight, Europe/Rome); To may equal From
	Reason   string    // Italian; shown to citizens
	ReasonEN string
	// Texts holds the reason in the registry's other languages, by language code;
	// ReasonIn falls back to English and Italian.
	Texts map[string]string
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
