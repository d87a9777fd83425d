package bookings_test

import (
	"testing"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

func TestEstimate(t *testing.T) {
	both := &catalogue.Service{
		Delivery: catalogue.Delivery{Individual: true, Shared: &catalogue.SharedDelivery{MinPeople: 2, MaxPeople: 6}},
		Cost:     catalogue.Cost{Unit: "ora", Individual: 1850, Shared: 900},
	}
	groupOnly := &catalogue.Service{
		Delivery: catalogue.Delivery{Shared: &catalogue.SharedDelivery{MinPeople: 3, MaxPeople: 10}},
		Cost:     catalogue.Cost{Unit: "corso", Shared: 12000},
	}
	alone := &catalogue.Service{
		Delivery: catalogue.Delivery{Individual: true},
		Cost:     catalogue.Cost{Unit: "pasto", Individual: 650},
	}
	free := &catalogue.Service{
		Delivery: catalogue.Delivery{Individual: true, Shared: &catalogue.SharedDelivery{MinPeople: 2, MaxPeople: 4}},
		Cost:     catalogue.Cost{Free: true},
	}
	unpriced := &catalogue.Service{
		Delivery: catalogue.Delivery{Individual: true},
		Cost:     catalogue.Cost{Unit: "intervento"},
	}
	tests := []struct {
		name   string
		s      *catalogue.Service
		qty    int
		shared bool
		want   int
		ok     bool
	}{
		{"free individual", free, 3, false, 0, true},
		{"free shared", free, 3, true, 0, true},
		{"hours individual", both, 3, false, 5550, true},
		{"hours shared", both, 2, true, 1800, true},
		{"per unit: meals", alone, 10, false, 6500, true},
		{"per unit: a course in a group", groupOnly, 1, true, 12000, true},
		{"quantity below 1 counts as 1", both, 0, false, 1850, true},
		{"no shared rate", alone, 2, true, 0, false},
		{"no individual delivery", groupOnly, 1, false, 0, false},
		{"missing rate", unpriced, 1, false, 0, false},
		{"overflow", both, int(^uint(0) >> 1), false, 0, false},
		{"no service", nil, 1, false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := bookings.Estimate(tt.s, tt.qty, tt.shared)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Estimate = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
