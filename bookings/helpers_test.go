package bookings_test

import (
	"testing"
	"time"
	_ "time/tzdata" // Europe/Rome without the system's zoneinfo

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// rome returns the Europe/Rome location.
func rome(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// booking returns a valid requested booking starting at start.
func booking(id, conversation string, start, created time.Time) bookings.Booking {
	return bookings.Booking{
		ID: id, Conversation: conversation, Lang: "it", FirstName: "Giulia", Service: "coop-aurora-badanti",
		Start: start, Quantity: 2, ForWhom: bookings.ForSelf, Municipio: 3, EstimateCents: 3600,
		Status:  bookings.Requested,
		History: []bookings.Change{{Status: bookings.Requested, At: created, By: "citizen"}},
		Created: created, Updated: created,
	}
}

// service returns a paid hourly service open on the given days from opens to closes
// (minutes after midnight).
func service(unit catalogue.CostUnit, opens, closes catalogue.Clock, days ...time.Weekday) *catalogue.Service {
	return &catalogue.Service{
		ID:        "svc",
		Delivery:  catalogue.Delivery{Individual: true},
		Cost:      catalogue.Cost{Unit: unit, Individual: 1800},
		Schedules: []catalogue.Schedule{{Days: days, OpensAt: opens, ClosesAt: closes}},
	}
}
