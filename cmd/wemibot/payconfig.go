package main

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// checkPayments refuses an incomplete or unsafe payment setting at start: better than
// a citizen who pays and is never confirmed. Stripe needs its secret key, the
// webhook's signing secret and the public address together; Telegram Payments need
// Telegram.
func (cfg *config) checkPayments() error {
	if cfg.PublicURL != "" {
		if err := checkPublicURL("WEMI_PUBLIC_URL", cfg.PublicURL); err != nil {
			return err
		}
	}
	stripeOn := cfg.StripeSecretKey != "" || cfg.StripeWebhookSecret != "" || cfg.StripeAPI != ""
	if stripeOn {
		switch {
		case cfg.StripeSecretKey == "":
			return fmt.Errorf("WEMI_STRIPE_WEBHOOK_SECRET or WEMI_STRIPE_API_URL is set but WEMI_STRIPE_SECRET_KEY is not")
		case !strings.HasPrefix(cfg.StripeSecretKey, "sk_") && !strings.HasPrefix(cfg.StripeSecretKey, "rk_"):
			return fmt.Errorf("WEMI_STRIPE_SECRET_KEY must be a secret or restricted API key (sk_… or rk_…)")
		case !strings.HasPrefix(cfg.StripeWebhookSecret, "whsec_"):
			return fmt.Errorf("WEMI_STRIPE_SECRET_KEY needs WEMI_STRIPE_WEBHOOK_SECRET, the webhook endpoint's signing secret (whsec_…): without it no payment is ever confirmed")
		case cfg.PublicURL == "":
			return fmt.Errorf("WEMI_STRIPE_SECRET_KEY needs WEMI_PUBLIC_URL, the bot's https:// address (the pages after paying, the webhook at /stripe/webhook)")
		}
		if cfg.StripeAPI != "" {
			if err := checkPublicURL("WEMI_STRIPE_API_URL", cfg.StripeAPI); err != nil {
				return err
			}
		}
	}
	if cfg.TelegramPaymentToken != "" && cfg.TelegramToken == "" {
		return fmt.Errorf("WEMI_TELEGRAM_PAYMENT_TOKEN is set but WEMI_TELEGRAM_TOKEN is not")
	}
	return nil
}

// checkPublicURL accepts an https:// address (plain http only on loopback, for tests),
// without credentials, query or fragment.
func checkPublicURL(name, raw string) error {
	u, err := url.Parse(raw)
	bad := err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil
	if !bad && u.Scheme != "https" {
		ip := net.ParseIP(u.Hostname())
		bad = u.Scheme != "http" || !(u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()))
	}
	if bad {
		return fmt.Errorf("%s=%q must be an https:// address such as https://wemi.example.org (plain http only on loopback)", name, raw)
	}
	return nil
}
