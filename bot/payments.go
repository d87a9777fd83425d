package bot

import (
	"context"
	"time"

	"github.com/comune-milano/wemibot/bookings"
)

// Payments configure how citizens pay for services. The zero value takes no payment:
// a booking is confirmed by staff as before, and the citizen is told how the provider
// takes payment.
type Payments struct {
	// Checkout makes hosted payment pages (Stripe Checkout); nil: no online payment.
	Checkout Checkout
	// Refunder pays back a cancelled paid booking, within its service's policy.
	Refunder Refunder
	// Invoices are the channels that pay natively: an offer there is sent as a
	// Reply with an Invoice (Telegram Payments), and the payment comes back as a
	// Message with a Payment.
	Invoices map[string]bool
	// Vouchers spends the Comune's vouchers; nil: no vouchers.
	Vouchers Vouchers
}

// Online reports whether citizens can pay online at all: staff then answer a
// request with an offer to pay, rather than confirming it at once.
func (p Payments) Online() bool { return p.Checkout != nil || len(p.Invoices) > 0 }

// Checkout makes a hosted payment page for a booking's offer: the citizen pays on the
// provider's page, so the bot never sees card data.
type Checkout interface {
	CheckoutLink(ctx context.Context, p PaymentRequest) (url string, err error)
}

// Refunder pays back part or all of what was paid through the payment provider.
type Refunder interface {
	Refund(ctx context.Context, p bookings.Payment, cents int) (ref string, err error)
}

// Vouchers spends the Comune's vouchers on bookings. Spending is atomic and
// idempotent per booking: the same booking spending again gets the same amount, and
// a balance is never spent twice, whatever replica asks.
type Vouchers interface {
	// Spend takes up to cents from the voucher code, whose holder has taxCode, for
	// booking; it returns what it took (the balance may be smaller) and a masked
	// code for receipts.
	Spend(ctx context.Context, code, taxCode, booking string, cents int) (spent int, masked string, err error)
	// Unspend gives back what booking took from the voucher (a refund, a payment
	// not completed).
	Unspend(ctx context.Context, code, booking string) error
}

// PaymentRequest is what a hosted payment page asks the citizen to pay.
type PaymentRequest struct {
	Booking     string // the booking's id: the payment's reference, back in the webhook
	AmountCents int    // what is left to pay, in euro cents
	Title       string // the service's name, in Lang
	Description string // the booking in one line (date, quantity), in Lang
	Lang        string
	// Expires is when the offer expires: a hosted page made for it expires then too,
	// within its provider's limits (zero: the provider's longest).
	Expires time.Time
}

// PaymentNotice says a booking was paid: from a payment provider's webhook, or from
// a channel's native payment (Message.Payment).
type PaymentNotice struct {
	Booking     string
	AmountCents int
	Method      string // bookings.MethodCard, bookings.MethodTelegram
	Provider    string // "stripe", "telegram"
	Ref         string // the provider's payment id
	EventID     string // the provider's event id: the same event twice is applied once
	// ReceiptURL is the provider's receipt page, when it has one.
	ReceiptURL string
}

// Invoice is a channel's native payment request (Telegram's sendInvoice).
type Invoice struct {
	Title       string
	Description string
	Payload     string // the booking's id, back in the pre-checkout query and the payment
	Currency    string // "EUR"
	AmountCents int
}
