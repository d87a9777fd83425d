package bookings

import (
	"math"

	"github.com/comune-milano/wemibot/catalogue"
)

// Estimate returns the estimated price in euro cents of qty units of the service, at
// the individual rate or the shared (group) one. ok is false when the service has no
// price for that delivery (the citizen is told the price is to be agreed); a free
// service costs 0. A quantity below 1 counts as 1. The estimate ignores ISEE
// reductions and vouchers, which depend on the citizen's documents.
func Estimate(s *catalogue.Service, qty int, shared bool) (cents int, ok bool) {
	if s == nil {
		return 0, false
	}
	if s.Cost.Free {
		return 0, true
	}
	price := s.Cost.Individual
	if shared {
		if s.Delivery.Shared == nil {
			return 0, false
		}
		price = s.Cost.Shared
	} else if !s.Delivery.Individual {
		return 0, false
	}
	qty = max(qty, 1)
	if price <= 0 || qty > math.MaxInt/price {
		return 0, false
	}
	return price * qty, true
}
