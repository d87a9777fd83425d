package bookings

import "time"

// Offer is a provider's answer to a booking request: the total price the citizen
// pays and until when the offer can be taken. Paying it closes the other offers for
// the same request; an offer not taken by Expires expires (status scaduta).
type Offer struct {
	PriceCents int       `json:"price_cents"` // total, in euro cents; 0: free
	Expires    time.Time `json:"expires"`
	By         string    `json:"by"` // the operator's first name
	At         time.Time `json:"at"`
	// Note is what the provider adds for the citizen (what is included), at most
	// MaxNote runes.
	Note string `json:"note,omitempty"`
}

// Payment methods, as stored and shown to staff.
const (
	MethodCard     = "carta"    // Stripe Checkout: card, PayPal or another method Stripe offers
	MethodTelegram = "telegram" // Telegram Payments
	MethodVoucher  = "voucher"  // the Comune's voucher, all of the price
)

// Payment is what a citizen paid for a booking. While the booking is still offerta,
// a Payment with only the voucher part (VoucherCents, no Method) is a voucher spent
// on the offer whose rest is still to be paid by card. The bot never sees card data: Ref
// names the provider's record of the payment.
type Payment struct {
	// Method is how the part not covered by a voucher was paid (MethodCard,
	// MethodTelegram), or MethodVoucher when a voucher covered everything.
	Method     string `json:"method"`
	TotalCents int    `json:"total_cents"` // the offer's price
	CardCents  int    `json:"card_cents"`  // paid through the payment provider
	// VoucherCents is the part paid with a voucher; Voucher names it, masked
	// (its last four characters), for receipts and the staff card.
	VoucherCents int    `json:"voucher_cents,omitempty"`
	Voucher      string `json:"voucher,omitempty"`
	// VoucherCode is the voucher's whole code, kept (sealed with the booking, like
	// every record that names a citizen) only to give the voucher part back
	// (Vouchers.Unspend) on a refund or when the rest is never paid. It is never
	// shown to staff nor logged.
	VoucherCode string `json:"voucher_code,omitempty"`
	Provider    string `json:"provider,omitempty"` // "stripe", "telegram"
	Ref         string `json:"ref,omitempty"`      // the provider's payment id (a Checkout session, a charge)
	// EventID is the provider's event that reported the payment: the same event
	// delivered twice is applied once.
	EventID string    `json:"event_id,omitempty"`
	At      time.Time `json:"at"`
	// RefundedCents is what was paid back, once refunded; RefundRef the provider's
	// refund id.
	RefundedCents int    `json:"refunded_cents,omitempty"`
	RefundRef     string `json:"refund_ref,omitempty"`
}

// DueCents is what is left to pay for a booking's offer: its price less the voucher
// part already spent on it; 0 when there is no offer or it is paid.
func (b Booking) DueCents() int {
	if b.Offer == nil || b.Status != Offered {
		return 0
	}
	due := b.Offer.PriceCents
	if b.Payment != nil {
		due -= b.Payment.VoucherCents
	}
	return max(due, 0)
}

// PaidCents is what was paid for a booking, by card and voucher; 0 when unpaid.
func (b Booking) PaidCents() int {
	if b.Payment == nil || b.Payment.Method == "" {
		return 0
	}
	return b.Payment.CardCents + b.Payment.VoucherCents
}
