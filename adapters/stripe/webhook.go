package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	stripeapi "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/internal/lograte"
	"github.com/comune-milano/wemibot/records"
)

// MaxWebhookBody bounds a webhook request: Stripe's events are a few KB.
const MaxWebhookBody = 64 << 10

// Tolerance is how old a signature may be: Stripe's, against replayed requests.
const Tolerance = 5 * time.Minute

// EventKind is the kind of the records that mark Stripe events as handled (id: the
// event's id). They hold a booking id and a time, nothing personal, so they are kept
// in clear.
const EventKind = "stripe.event"

// DefaultEventTTL is how long a handled event is remembered: Stripe retries an event
// for up to three days.
const DefaultEventTTL = 7 * 24 * time.Hour

// badSignatureEvery bounds the warnings about forged, old or unsigned requests.
const badSignatureEvery = time.Minute

// Payments is what the webhook tells of a paid booking; *bot.Engine is one. It is
// atomic and idempotent: the same payment reported twice is applied once.
type Payments interface {
	PaymentReceived(ctx context.Context, n bot.PaymentNotice) (bookings.Booking, error)
}

// Marks keeps the events already handled, shared by every replica: the store's records.
type Marks interface {
	Get(ctx context.Context, kind, id string) ([]byte, error)
	Update(ctx context.Context, kind, id string, ttl time.Duration, fn func(old []byte) ([]byte, error)) ([]byte, error)
}

// WebhookOptions configure the webhook. Secret, Payments and Marks are required.
type WebhookOptions struct {
	// Secret is the endpoint's signing secret (whsec_…): a secret, never logged.
	Secret   string
	Payments Payments
	Marks    Marks
	// Receipts finds a payment's receipt link (the Client); nil: no link.
	Receipts *Client
	// EventTTL is how long a handled event is remembered; default DefaultEventTTL.
	EventTTL time.Duration
	Logger   *slog.Logger
	// Now is the clock of the warnings' rate and of the marks; nil: time.Now.
	// Signatures are checked against the real time, as Stripe signs them.
	Now func() time.Time
}

// Webhook is the handler of POST /stripe/webhook.
type Webhook struct {
	opts WebhookOptions
	log  *slog.Logger
	bad  *lograte.Limiter
}

// NewWebhook builds the handler.
func NewWebhook(opts WebhookOptions) (*Webhook, error) {
	switch {
	case opts.Secret == "":
		return nil, errors.New("stripe: webhook without a signing secret")
	case opts.Payments == nil || opts.Marks == nil:
		return nil, errors.New("stripe: webhook without the engine or the store")
	}
	if opts.EventTTL <= 0 {
		opts.EventTTL = DefaultEventTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Webhook{opts: opts, log: opts.Logger,
		bad: lograte.New(opts.Logger, "stripe: webhook requests refused: forged, old or unsigned", badSignatureEvery, opts.Now)}, nil
}

// mark is the record of a handled event.
type mark struct {
	Booking string    `json:"booking,omitempty"`
	At      time.Time `json:"at"`
}

// ServeHTTP verifies the request's signature (400 when forged, too old or unsigned:
// nothing is applied), then applies a paid Checkout Session to its booking once,
// however often Stripe delivers the event and to whichever replica. Events it does not
// act on are acknowledged. When the store or the engine cannot apply the payment now
// it answers 503, and Stripe delivers the event again later.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.bad.Warn("reason", "body over 64 KB")
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ev, err := webhook.ConstructEventWithOptions(body, r.Header.Get("Stripe-Signature"), h.opts.Secret,
		webhook.ConstructEventOptions{Tolerance: Tolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		h.bad.Warn("reason", signatureProblem(err))
		http.Error(w, "invalid signature", http.StatusBadRequest)
		return
	}
	status := h.handle(r.Context(), ev)
	if status != http.StatusOK {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// signatureProblem names why a request was refused, for the log: never its body.
func signatureProblem(err error) string {
	switch {
	case errors.Is(err, webhook.ErrNotSigned):
		return "unsigned"
	case errors.Is(err, webhook.ErrTooOld):
		return "signature too old"
	case errors.Is(err, webhook.ErrNoValidSignature), errors.Is(err, webhook.ErrInvalidHeader):
		return "bad signature"
	}
	return "signed, but not an event"
}

// handle applies one verified event and returns the HTTP status to answer.
func (h *Webhook) handle(ctx context.Context, ev stripeapi.Event) int {
	switch ev.Type {
	case stripeapi.EventTypeCheckoutSessionCompleted, stripeapi.EventTypeCheckoutSessionAsyncPaymentSucceeded:
	default:
		return http.StatusOK // not ours to act on: acknowledged, or Stripe retries it
	}
	if ev.ID == "" || ev.Data == nil {
		h.log.Warn("stripe: event without an id or data", "type", ev.Type)
		return http.StatusBadRequest
	}
	// A redelivered event costs one read.
	switch _, err := h.opts.Marks.Get(ctx, EventKind, ev.ID); {
	case err == nil:
		return http.StatusOK
	case !errors.Is(err, records.ErrNotFound):
		h.log.Error("stripe: store unavailable; Stripe will deliver the event again", "event", ev.ID, "err", err)
		return http.StatusServiceUnavailable
	}
	n, ok, err := h.notice(ctx, ev)
	if err != nil {
		h.log.Warn("stripe: event not applied", "event", ev.ID, "type", ev.Type, "err", err)
		return http.StatusOK // nothing Stripe could change by sending it again
	}
	if !ok {
		return http.StatusOK
	}
	_, err = h.opts.Payments.PaymentReceived(ctx, n)
	switch {
	case err == nil:
	case errors.Is(err, bot.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		h.log.Error("stripe: payment not applied yet; Stripe will deliver the event again", "event", ev.ID, "booking", n.Booking, "err", err)
		return http.StatusServiceUnavailable
	case errors.Is(err, bot.ErrOfferExpired), errors.Is(err, bot.ErrNotDue), errors.Is(err, bot.ErrAmountMismatch),
		errors.Is(err, bookings.ErrNotFound):
		// Handled: a late payment refunded, another amount put to staff, an unknown
		// booking. Stripe sending it again would change nothing.
		h.log.Warn("stripe: payment handled without confirming a booking", "event", ev.ID, "booking", n.Booking, "err", err)
	default:
		h.log.Error("stripe: payment failed; Stripe will deliver the event again", "event", ev.ID, "booking", n.Booking, "err", err)
		return http.StatusInternalServerError
	}
	h.markHandled(ctx, ev.ID, n.Booking)
	return http.StatusOK
}

// markHandled remembers the event for the replicas; on failure the event is still
// applied once, as PaymentReceived is idempotent: a redelivery then costs more.
func (h *Webhook) markHandled(ctx context.Context, event, booking string) {
	doc, _ := json.Marshal(mark{Booking: booking, At: h.opts.Now().UTC()})
	if _, err := h.opts.Marks.Update(ctx, EventKind, event, h.opts.EventTTL, func([]byte) ([]byte, error) { return doc, nil }); err != nil {
		h.log.Warn("stripe: event applied but not marked", "event", event, "err", err)
	}
}

// notice reads a paid Checkout Session out of an event. ok is false for a session not
// paid yet (a bank transfer: async_payment_succeeded follows).
func (h *Webhook) notice(ctx context.Context, ev stripeapi.Event) (bot.PaymentNotice, bool, error) {
	var s stripeapi.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &s); err != nil {
		return bot.PaymentNotice{}, false, fmt.Errorf("read checkout session: %w", err)
	}
	if s.PaymentStatus != stripeapi.CheckoutSessionPaymentStatusPaid {
		return bot.PaymentNotice{}, false, nil
	}
	booking := s.ClientReferenceID
	if booking == "" {
		booking = s.Metadata["booking"]
	}
	switch {
	case booking == "":
		return bot.PaymentNotice{}, false, fmt.Errorf("checkout session %s names no booking", s.ID)
	case s.Currency != stripeapi.CurrencyEUR:
		return bot.PaymentNotice{}, false, fmt.Errorf("checkout session %s is in %q, not EUR", s.ID, s.Currency)
	case s.AmountTotal <= 0:
		return bot.PaymentNotice{}, false, fmt.Errorf("checkout session %s has no amount", s.ID)
	}
	n := bot.PaymentNotice{Booking: booking, AmountCents: int(s.AmountTotal), Method: bookings.MethodCard,
		Provider: Provider, Ref: s.ID, EventID: ev.ID}
	if pi := s.PaymentIntent; pi != nil && pi.ID != "" {
		n.Ref = pi.ID // what a refund names
		if pi.LatestCharge != nil && pi.LatestCharge.ReceiptURL != "" {
			n.ReceiptURL = pi.LatestCharge.ReceiptURL
		} else if h.opts.Receipts != nil {
			n.ReceiptURL = h.opts.Receipts.receiptURL(ctx, pi.ID)
		}
	}
	return n, true, nil
}
