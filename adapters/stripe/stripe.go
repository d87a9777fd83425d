// Package stripe takes WeMi Bot's payments through Stripe: a hosted Checkout page per
// offer (bot.Checkout), refunds (bot.Refunder), and the webhook that tells the engine a
// booking was paid. The bot never sees card data: the citizen pays on Stripe's page,
// and Stripe's signed webhook reports the payment.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	stripeapi "github.com/stripe/stripe-go/v82"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
)

// Provider is the name payments through this package carry (bookings.Payment.Provider).
const Provider = "stripe"

// Checkout Sessions live between 30 minutes and 24 hours (Stripe's limits); a
// session's expiry is kept a little inside them, as Stripe counts from the moment it
// creates the session, a moment after the request leaves.
const (
	minSessionLife = 32 * time.Minute
	maxSessionLife = 24 * time.Hour
)

// ReturnPaidPath and ReturnCancelledPath are the pages of the web chat that Stripe
// sends the citizen back to, under Options.PublicURL.
const (
	ReturnPaidPath      = "/pay/done"
	ReturnCancelledPath = "/pay/cancelled"
)

// Options configure the client. SecretKey and PublicURL are required.
type Options struct {
	// SecretKey is the account's secret API key (sk_live_…, sk_test_…, rk_…): a
	// secret, never logged.
	SecretKey string
	// APIURL is another API base (stripe-mock in tests); empty: Stripe's.
	APIURL string
	// PublicURL is the bot's public https:// address: the return pages are under it.
	PublicURL string
	// HTTPClient makes the API calls; nil: a client with bounded timeouts.
	HTTPClient *http.Client
	// Logger gets the failures, without personal data; nil: none.
	Logger *slog.Logger
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Client makes Checkout Sessions and refunds through Stripe's API.
type Client struct {
	api    *stripeapi.Client
	public string
	log    *slog.Logger
	now    func() time.Time
}

var (
	_ bot.Checkout = (*Client)(nil)
	_ bot.Refunder = (*Client)(nil)
)

// New builds the client; it calls Stripe only when asked for a link or a refund.
func New(opts Options) (*Client, error) {
	if opts.SecretKey == "" {
		return nil, errors.New("stripe: no secret key")
	}
	public, err := publicBase(opts.PublicURL)
	if err != nil {
		return nil, err
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = boundedClient()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	cfg := &stripeapi.BackendConfig{
		HTTPClient: opts.HTTPClient,
		// The SDK's own logger would print requests to standard error: our logs
		// say what failed, without the request.
		LeveledLogger:     &stripeapi.LeveledLogger{Level: stripeapi.LevelNull},
		MaxNetworkRetries: stripeapi.Int64(2), // safe: every call carries an idempotency key
	}
	if opts.APIURL != "" {
		cfg.URL = stripeapi.String(strings.TrimRight(opts.APIURL, "/"))
	}
	backends := &stripeapi.Backends{
		API:         stripeapi.GetBackendWithConfig(stripeapi.APIBackend, cfg),
		Connect:     stripeapi.GetBackendWithConfig(stripeapi.ConnectBackend, cfg),
		Uploads:     stripeapi.GetBackendWithConfig(stripeapi.UploadsBackend, cfg),
		MeterEvents: stripeapi.GetBackendWithConfig(stripeapi.MeterEventsBackend, cfg),
	}
	return &Client{api: stripeapi.NewClient(opts.SecretKey, stripeapi.WithBackends(backends)),
		public: public, log: opts.Logger, now: opts.Now}, nil
}

// publicBase checks the bot's public address: https (plain http only on loopback, for
// tests), no query or fragment; it returns it without a trailing slash.
func publicBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("stripe: public URL %q is not an https:// address", raw)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return "", fmt.Errorf("stripe: public URL %q must be https:// (plain http only on loopback)", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// boundedClient is an HTTP client whose every step has a deadline: a Stripe that
// hangs delays a citizen's link by seconds, never for ever.
func boundedClient() *http.Client {
	return &http.Client{
		Timeout: 20 * time.Second,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: 15 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   8,
		},
	}
}

// CheckoutLink implements bot.Checkout: a Checkout Session in EUR for what is left to
// pay, with the booking as its reference (client_reference_id and metadata, on the
// session and its payment), the return pages in the citizen's language, and an
// expiry within the offer's and Stripe's limits. The same booking and amount asked
// again within the hour get the same session (an idempotency key), so a citizen who
// presses Pay twice is not offered two payments.
func (c *Client) CheckoutLink(ctx context.Context, p bot.PaymentRequest) (string, error) {
	if p.Booking == "" || p.AmountCents <= 0 {
		return "", fmt.Errorf("stripe: checkout for booking %q of %d cents: nothing to pay", p.Booking, p.AmountCents)
	}
	expires := c.sessionExpiry(p.Expires)
	lang := url.QueryEscape(p.Lang)
	meta := map[string]string{"booking": p.Booking}
	params := &stripeapi.CheckoutSessionCreateParams{
		Mode:              stripeapi.String(string(stripeapi.CheckoutSessionModePayment)),
		ClientReferenceID: stripeapi.String(p.Booking),
		Metadata:          meta,
		PaymentIntentData: &stripeapi.CheckoutSessionCreatePaymentIntentDataParams{Metadata: meta},
		LineItems: []*stripeapi.CheckoutSessionCreateLineItemParams{{
			Quantity: stripeapi.Int64(1),
			PriceData: &stripeapi.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:   stripeapi.String("eur"),
				UnitAmount: stripeapi.Int64(int64(p.AmountCents)),
				ProductData: &stripeapi.CheckoutSessionCreateLineItemPriceDataProductDataParams{
					Name:        stripeapi.String(nonEmpty(p.Title, "WeMi")),
					Description: optional(p.Description),
				},
			},
		}},
		SuccessURL: stripeapi.String(c.public + ReturnPaidPath + "?lang=" + lang),
		CancelURL:  stripeapi.String(c.public + ReturnCancelledPath + "?lang=" + lang),
		ExpiresAt:  stripeapi.Int64(expires.Unix()),
		Locale:     stripeapi.String(Locale(p.Lang)),
	}
	params.SetIdempotencyKey(fmt.Sprintf("wemibot-checkout:%s:%d:%d", p.Booking, p.AmountCents, expires.Unix()))
	s, err := c.api.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		c.log.Warn("stripe: checkout session not created", "booking", p.Booking, "err", describe(err))
		return "", fmt.Errorf("stripe: create checkout session for booking %s: %w", p.Booking, err)
	}
	if s.URL == "" {
		return "", fmt.Errorf("stripe: checkout session %s for booking %s has no URL", s.ID, p.Booking)
	}
	return s.URL, nil
}

// sessionExpiry is when a session made now expires: with the offer, kept within
// Stripe's limits. It is a function of the hour (or, for an offer about to expire, the
// minute), so that the same request within it makes the same idempotent call.
func (c *Client) sessionExpiry(offer time.Time) time.Time {
	now := c.now()
	latest := now.Truncate(time.Hour).Add(maxSessionLife) // at least 23 h from now
	earliest := now.Truncate(time.Minute).Add(minSessionLife + time.Minute)
	switch {
	case offer.IsZero() || offer.After(latest):
		return latest
	case offer.Before(earliest):
		// An offer about to expire still gets Stripe's shortest session: the engine
		// refuses a payment that arrives after the offer has expired.
		return earliest
	}
	return offer.Truncate(time.Second)
}

// checkoutLocales are the citizen's languages Stripe Checkout speaks; the others
// (Ukrainian, Arabic) let Stripe follow the browser.
var checkoutLocales = map[string]bool{"it": true, "en": true, "es": true, "fr": true, "ro": true, "ru": true, "zh": true}

// Locale is Stripe Checkout's locale for a language of the bot: the same code where
// Checkout has it, else "auto" (the browser's language).
func Locale(lang string) string {
	if checkoutLocales[lang] {
		return lang
	}
	return "auto"
}

// Refund implements bot.Refunder: it pays back cents of a payment taken through
// Stripe, either a Checkout payment (Ref: its payment intent) or a Telegram payment
// whose provider is Stripe (Ref: see telegram's payment reference, whose provider
// part is a charge or payment intent id). A refund asked twice is made once.
func (c *Client) Refund(ctx context.Context, p bookings.Payment, cents int) (string, error) {
	if cents <= 0 || cents > p.CardCents-p.RefundedCents {
		return "", fmt.Errorf("stripe: refund of %d cents of a payment of %d (%d already refunded)", cents, p.CardCents, p.RefundedCents)
	}
	id := p.Ref
	if p.Provider == "telegram" {
		_, id, _ = strings.Cut(p.Ref, "/") // "<telegram charge>/<provider charge>"
	}
	params := &stripeapi.RefundCreateParams{Amount: stripeapi.Int64(int64(cents))}
	switch {
	case strings.HasPrefix(id, "pi_"):
		params.PaymentIntent = stripeapi.String(id)
	case strings.HasPrefix(id, "ch_") || strings.HasPrefix(id, "py_"):
		params.Charge = stripeapi.String(id)
	default:
		return "", fmt.Errorf("stripe: refund: payment reference %q names no Stripe payment", id)
	}
	params.SetIdempotencyKey(fmt.Sprintf("wemibot-refund:%s:%d:%d", id, p.RefundedCents, cents))
	r, err := c.api.V1Refunds.Create(ctx, params)
	if err != nil {
		c.log.Warn("stripe: refund failed", "payment", id, "err", describe(err))
		return "", fmt.Errorf("stripe: refund %d cents of %s: %w", cents, id, err)
	}
	if r.Status == stripeapi.RefundStatusFailed || r.Status == stripeapi.RefundStatusCanceled {
		return "", fmt.Errorf("stripe: refund %s of %s: %s", r.ID, id, r.Status)
	}
	return r.ID, nil
}

// receiptURL returns the receipt page of a payment intent's charge, or "" when Stripe
// does not say within a few seconds: a receipt link is welcome, not required.
func (c *Client) receiptURL(ctx context.Context, paymentIntent string) string {
	if paymentIntent == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	params := &stripeapi.PaymentIntentRetrieveParams{}
	params.AddExpand("latest_charge")
	pi, err := c.api.V1PaymentIntents.Retrieve(ctx, paymentIntent, params)
	if err != nil {
		c.log.Info("stripe: receipt link not known", "payment", paymentIntent, "err", describe(err))
		return ""
	}
	if pi.LatestCharge == nil {
		return ""
	}
	return pi.LatestCharge.ReceiptURL
}

// describe is what the log says of a failed call: Stripe's error type and code, or the
// transport's error, never the request.
func describe(err error) string {
	var se *stripeapi.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%s %s (HTTP %d, request %s)", se.Type, se.Code, se.HTTPStatusCode, se.RequestID)
	}
	return err.Error()
}

func nonEmpty(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return stripeapi.String(s)
}
