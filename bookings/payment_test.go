package bookings

import (
	"testing"
	"time"
)

// What is left to pay is the offer's price less a voucher part; a paid or closed
// booking owes nothing. An offer paid after it expired or was declined may be
// refunded.
func TestDueAndRefundTransitions(t *testing.T) {
	b := Booking{Status: Offered, Offer: &Offer{PriceCents: 4550, Expires: time.Now()}}
	if b.DueCents() != 4550 || b.PaidCents() != 0 {
		t.Fatalf("due %d, paid %d", b.DueCents(), b.PaidCents())
	}
	b.Payment = &Payment{VoucherCents: 1000}
	if b.DueCents() != 3550 || b.PaidCents() != 0 {
		t.Fatalf("with a voucher part: due %d, paid %d", b.DueCents(), b.PaidCents())
	}
	b.Status, b.Payment = Confirmed, &Payment{Method: MethodCard, CardCents: 3550, VoucherCents: 1000}
	if b.DueCents() != 0 || b.PaidCents() != 4550 {
		t.Fatalf("paid: due %d, paid %d", b.DueCents(), b.PaidCents())
	}
	for _, from := range []Status{Expired, Refused, Cancelled, Confirmed, Paid} {
		if !CanTransition(from, Refunded) {
			t.Errorf("%s cannot be refunded", from)
		}
	}
	if CanTransition(Refunded, Confirmed) || CanTransition(Expired, Paid) {
		t.Error("a final status moved on")
	}
}
