package main

import (
	"strings"
	"testing"
)

func TestPaymentSettingsAreChecked(t *testing.T) {
	stripeOK := map[string]string{"WEMI_STRIPE_SECRET_KEY": "sk_test_1", "WEMI_STRIPE_WEBHOOK_SECRET": "whsec_1",
		"WEMI_PUBLIC_URL": "https://wemi.example.org"}
	with := func(k, v string) map[string]string {
		env := map[string]string{}
		for a, b := range stripeOK {
			env[a] = b
		}
		if v == "" {
			delete(env, k)
		} else {
			env[k] = v
		}
		return env
	}
	bad := map[string]map[string]string{
		"public url over http":       {"WEMI_PUBLIC_URL": "http://wemi.example.org"},
		"public url with a query":    {"WEMI_PUBLIC_URL": "https://wemi.example.org/?a=1"},
		"public url with a password": {"WEMI_PUBLIC_URL": "https://u:p@wemi.example.org"},
		"stripe without a key":       with("WEMI_STRIPE_SECRET_KEY", ""),
		"stripe publishable key":     with("WEMI_STRIPE_SECRET_KEY", "pk_test_1"),
		"stripe without webhook":     with("WEMI_STRIPE_WEBHOOK_SECRET", ""),
		"stripe webhook not whsec":   with("WEMI_STRIPE_WEBHOOK_SECRET", "secret"),
		"stripe without public url":  with("WEMI_PUBLIC_URL", ""),
		"stripe api over http":       with("WEMI_STRIPE_API_URL", "http://stripe.example.org"),
		"telegram payments alone":    {"WEMI_TELEGRAM_PAYMENT_TOKEN": "284685063:TEST:x"},
	}
	for name, env := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := configFromEnv(env); err == nil || !strings.Contains(err.Error(), "WEMI_") {
				t.Errorf("%v accepted (%v)", env, err)
			}
		})
	}
	for name, env := range map[string]map[string]string{
		"stripe":               stripeOK,
		"stripe-mock":          with("WEMI_STRIPE_API_URL", "http://127.0.0.1:12111"),
		"public url with path": with("WEMI_PUBLIC_URL", "https://www.comune.milano.it/wemibot/"),
		"telegram payments":    {"WEMI_TELEGRAM_TOKEN": "1:x", "WEMI_TELEGRAM_PAYMENT_TOKEN": "284685063:TEST:x"},
		"none":                 {},
	} {
		cfg, err := configFromEnv(env)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if strings.HasSuffix(cfg.PublicURL, "/") {
			t.Errorf("%s: public URL kept its trailing slash", name)
		}
	}
}

func TestPaymentSecretsStayOutOfTheBanner(t *testing.T) {
	t.Parallel() // a real server (or shell) of its own: runs beside the others
	env := map[string]string{"WEMI_STRIPE_SECRET_KEY": "sk_test_supersecret", "WEMI_STRIPE_WEBHOOK_SECRET": "whsec_supersecret",
		"WEMI_PUBLIC_URL": "http://127.0.0.1:9", "WEMI_STRIPE_API_URL": "http://127.0.0.1:9"}
	_, out := startServe(t, env)
	if s := out.String(); strings.Contains(s, "supersecret") || !strings.Contains(s, "Stripe Checkout") {
		t.Errorf("banner and logs:\n%s", s)
	}
}
