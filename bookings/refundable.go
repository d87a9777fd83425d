package bookings

import (
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// Refundable is what a paid booking cancelled at at gets back of paid, by its
// service's policy: everything until FullBefore before start, PartialPercent until
// PartialBefore, then nothing; the zero policy refunds everything until the start.
//
// This is h-offers' stand-in for the rules helper's function of the same signature
// (branch h-rules): delete this file when merging that branch.
func Refundable(p catalogue.RefundPolicy, paid int, start, at time.Time) int {
	left := start.Sub(at)
	switch {
	case paid <= 0 || left <= 0:
		return 0
	case p.FullBefore == 0 && p.PartialBefore == 0:
		return paid
	case left >= p.FullBefore:
		return paid
	case p.PartialBefore > 0 && left >= p.PartialBefore:
		return paid * min(max(p.PartialPercent, 0), 100) / 100
	}
	return 0
}
