package stripetest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/comune-milano/wemibot/adapters/stripe/stripetest"
)

// Sign, written from Stripe's description, agrees with stripe-go's verification.
func TestSignAgreesWithStripeGo(t *testing.T) {
	body := stripetest.Event("evt_1", "checkout.session.completed", stripetest.Session{Booking: "bk-1", AmountCents: 100})
	if err := webhook.ValidatePayload(body, stripetest.Sign("whsec_a", body, time.Now()), "whsec_a"); err != nil {
		t.Fatalf("a signature of ours refused: %v", err)
	}
	if err := webhook.ValidatePayload(body, stripetest.Sign("whsec_b", body, time.Now()), "whsec_a"); !errors.Is(err, webhook.ErrNoValidSignature) {
		t.Errorf("another secret: %v", err)
	}
	if err := webhook.ValidatePayload(body, stripetest.Sign("whsec_a", body, time.Now().Add(-6*time.Minute)), "whsec_a"); !errors.Is(err, webhook.ErrTooOld) {
		t.Errorf("six minutes old: %v", err)
	}
	var ev struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Data struct {
			Object struct {
				ClientReferenceID string `json:"client_reference_id"`
				AmountTotal       int    `json:"amount_total"`
				PaymentStatus     string `json:"payment_status"`
			} `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	if o := ev.Data.Object; ev.ID != "evt_1" || o.ClientReferenceID != "bk-1" || o.AmountTotal != 100 || o.PaymentStatus != "paid" {
		t.Errorf("event = %+v", ev)
	}
}

// Start runs stripe-mock on loopback, answering Stripe's API.
func TestStartServesTheAPIOnLoopback(t *testing.T) {
	m := stripetest.Start(t)
	if !strings.HasPrefix(m.URL, "http://127.0.0.1:") {
		t.Errorf("stripe-mock at %s, want loopback", m.URL)
	}
	req, _ := http.NewRequest(http.MethodGet, m.URL+"/v1/charges/ch_1", nil)
	req.SetBasicAuth("sk_test_x", "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v1/charges/ch_1: %d", resp.StatusCode)
	}
}

// A binary named by WEMI_STRIPE_MOCK that is not there is an error naming the setting,
// which Start turns into a failed test (never a skip).
func TestBinaryNamedButMissing(t *testing.T) {
	t.Setenv("WEMI_STRIPE_MOCK", filepath.Join(t.TempDir(), "no-stripe-mock"))
	if _, err := stripetest.Binary(); err == nil || !strings.Contains(err.Error(), "WEMI_STRIPE_MOCK") {
		t.Errorf("Binary() = %v", err)
	}
}
