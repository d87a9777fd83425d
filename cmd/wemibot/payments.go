package main

import (
	"strings"

	"github.com/comune-milano/wemibot/adapters/stripe"
	"github.com/comune-milano/wemibot/bot"
)

// stripeWebhookPath is where Stripe's webhook is served: the endpoint to register in
// Stripe is WEMI_PUBLIC_URL followed by it.
const stripeWebhookPath = "/stripe/webhook"

// buildPayments says how citizens pay, from the settings: a hosted Stripe Checkout
// page and Stripe refunds with WEMI_STRIPE_SECRET_KEY, Telegram's own invoices with
// WEMI_TELEGRAM_PAYMENT_TOKEN, and the Comune's vouchers with either (a voucher pays
// an offer, and offers are made only where the rest can be paid online). Without them
// the zero value: no payment, as before.
func (s *server) buildPayments() (bot.Payments, error) {
	cfg := s.c.cfg
	var pay bot.Payments
	if cfg.StripeSecretKey != "" {
		client, err := stripe.New(stripe.Options{SecretKey: cfg.StripeSecretKey, APIURL: cfg.StripeAPI,
			PublicURL: cfg.PublicURL, Logger: s.log})
		if err != nil {
			return bot.Payments{}, err
		}
		s.stripe = client
		pay.Checkout, pay.Refunder = client, client
	}
	if s.telegram != nil && cfg.TelegramPaymentToken != "" {
		pay.Invoices = map[string]bool{"telegram": true}
	}
	if pay.Online() {
		pay.Vouchers = s.vouchers
	}
	return pay, nil
}

// routeStripe serves Stripe's webhook on the site, when Stripe is on. Handled events
// are marked in the store, shared by the replicas.
func (s *server) routeStripe() error {
	if s.stripe == nil {
		return nil
	}
	hook, err := stripe.NewWebhook(stripe.WebhookOptions{Secret: s.c.cfg.StripeWebhookSecret, Payments: s.engine,
		Marks: s.store, Receipts: s.stripe, Logger: s.log})
	if err != nil {
		return err
	}
	s.site.Handle("POST "+stripeWebhookPath, hook)
	return nil
}

// paymentsBanner says how citizens pay, for the operator starting the bot.
func (s *server) paymentsBanner() string {
	var ways []string
	if s.stripe != nil {
		ways = append(ways, "Stripe Checkout (webhook at "+stripeWebhookPath+")")
	}
	if s.telegram != nil && s.c.cfg.TelegramPaymentToken != "" {
		ways = append(ways, "Telegram Payments")
	}
	if len(ways) == 0 {
		return "Payments: off (set WEMI_STRIPE_SECRET_KEY or WEMI_TELEGRAM_PAYMENT_TOKEN to take them)"
	}
	return "Payments: " + strings.Join(ways, ", ")
}
