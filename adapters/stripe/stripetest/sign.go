package stripetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Sign returns the Stripe-Signature header Stripe sends with payload at time at:
// "t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<payload>" with the endpoint's secret>".
// It is written from Stripe's description of its scheme, apart from the SDK that
// verifies it, so that a test proves the two agree.
func Sign(secret string, payload []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(payload)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// APIVersion is the API version the test events say they were rendered with: an
// older one than the SDK's, as a real endpoint may have, which the webhook tolerates.
const APIVersion = "2024-06-20"

// Session is the part of a Checkout Session a test event carries.
type Session struct {
	ID            string // "cs_test_…"; empty: made from the booking
	Booking       string // client_reference_id and metadata.booking
	AmountCents   int
	Currency      string // default "eur"
	PaymentStatus string // default "paid"
	PaymentIntent string // "pi_…"; empty: none
}

// Event returns the JSON of a Stripe event of type (checkout.session.completed,
// checkout.session.async_payment_succeeded…) with id about session s, as Stripe
// delivers it to a webhook endpoint.
func Event(id, typ string, s Session) []byte {
	if s.ID == "" {
		s.ID = "cs_test_" + s.Booking
	}
	if s.Currency == "" {
		s.Currency = "eur"
	}
	if s.PaymentStatus == "" {
		s.PaymentStatus = "paid"
	}
	var pi any
	if s.PaymentIntent != "" {
		pi = s.PaymentIntent
	}
	obj := map[string]any{
		"id": s.ID, "object": "checkout.session", "mode": "payment", "status": "complete",
		"payment_status": s.PaymentStatus, "amount_total": s.AmountCents, "amount_subtotal": s.AmountCents,
		"currency": s.Currency, "client_reference_id": s.Booking, "metadata": map[string]string{"booking": s.Booking},
		"payment_intent": pi, "livemode": false,
	}
	ev := map[string]any{
		"id": id, "object": "event", "api_version": APIVersion, "created": time.Now().Unix(),
		"type": typ, "livemode": false, "pending_webhooks": 1,
		"request": map[string]any{"id": nil, "idempotency_key": nil},
		"data":    map[string]any{"object": obj},
	}
	out, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("stripetest: encode event: %v", err)) // only plain values above
	}
	return out
}
