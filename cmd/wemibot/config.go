package main

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/search"
	"github.com/comune-milano/wemibot/vault"
)

// config holds the settings. Each comes from an environment variable and can be
// overridden by a flag; the README's settings table lists them all.
type config struct {
	CatalogueDir  string        // WEMI_CATALOGUE_DIR
	IndexDir      string        // WEMI_INDEX_DIR
	SearchTimeout time.Duration // WEMI_SEARCH_TIMEOUT
	DataDir       string        // WEMI_DATA_DIR: the embedded store's folder
	RedisURL      string        // WEMI_REDIS_URL: Redis instead of the embedded store
	// KEKs are the key-encryption keys of WEMI_KEK, current first; nil: the key file.
	KEKs         []vault.KEK
	KEKFile      string // WEMI_KEK_FILE; empty: <data dir>/kek
	HTTPAddr     string // WEMI_HTTP_ADDR
	SecureCookie bool   // WEMI_SECURE_COOKIE: the web chat is served over HTTPS
	AdminToken   string // WEMI_ADMIN_TOKEN: enables POST /admin/reload
	// FrameAncestors are the portal origins allowed to embed the chat
	// (WEMI_FRAME_ANCESTORS, comma-separated).
	FrameAncestors []string
	// TrustedProxies are the load balancers whose X-Forwarded-For names the web
	// chat's client (WEMI_TRUSTED_PROXIES, comma-separated CIDRs or addresses).
	TrustedProxies []netip.Prefix
	// SessionSecret signs the web chat's sessions (WEMI_SESSION_SECRET); the same on
	// every replica.
	SessionSecret string
	LogJSON       bool // WEMI_LOG_FORMAT=json

	TelegramToken   string        // WEMI_TELEGRAM_TOKEN
	TelegramAPI     string        // WEMI_TELEGRAM_API
	TelegramWebhook string        // WEMI_TELEGRAM_WEBHOOK_URL
	TelegramSecret  string        // WEMI_TELEGRAM_SECRET
	IdleTTL         time.Duration // WEMI_IDLE_TTL: conversations idle this long are forgotten
	StateJSON       bool          // WEMI_STATE_JSON: save states in JSON, for a rolling upgrade from a release before the compact encoding

	SlackBotToken      string        // WEMI_SLACK_BOT_TOKEN (xoxb-): switches the staff desk on
	SlackAppToken      string        // WEMI_SLACK_APP_TOKEN (xapp-): for Socket Mode
	SlackSigningSecret string        // WEMI_SLACK_SIGNING_SECRET: for the Events API over HTTP
	SlackChannel       string        // WEMI_SLACK_CHANNEL: the operators' channel id
	SlackMode          string        // WEMI_SLACK_MODE: socket (default) or http
	SlackAPI           string        // WEMI_SLACK_API_URL: another Web API base URL (a proxy, a test fake)
	ReplyWithin        time.Duration // WEMI_HANDOFF_REPLY_TIME: how soon operators usually answer

	ReminderOffsets []time.Duration // WEMI_REMINDERS: how long before a booked service reminders go out
	FollowupAfter   time.Duration   // WEMI_REMINDER_FOLLOWUP: how long after it the rating request goes out
	BookingTTL      time.Duration   // WEMI_BOOKING_TTL: how long a booking is kept after its last change
	ReminderRate    float64         // WEMI_REMINDER_RATE: reminders a second, per replica
	// DomesticRetention is how long a closed Tate/Colf/Badanti request or application
	// is kept (WEMI_DOMESTIC_RETENTION).
	DomesticRetention time.Duration

	// PublicURL is the bot's public https:// address (WEMI_PUBLIC_URL): the pages a
	// hosted payment returns to, and the Stripe webhook's address.
	PublicURL            string
	StripeSecretKey      string // WEMI_STRIPE_SECRET_KEY: switches Stripe Checkout on
	StripeWebhookSecret  string // WEMI_STRIPE_WEBHOOK_SECRET: the webhook endpoint's signing secret
	StripeAPI            string // WEMI_STRIPE_API_URL: another API base (stripe-mock)
	TelegramPaymentToken string // WEMI_TELEGRAM_PAYMENT_TOKEN: Telegram Payments' provider token

	// searchTimeoutErr is an invalid WEMI_SEARCH_TIMEOUT, reported only by commands
	// that search and only when no flag overrides it.
	searchTimeoutErr error
}

// configFromEnv reads the settings from the environment, refusing invalid values.
func configFromEnv(env map[string]string) (config, error) {
	cfg := config{
		CatalogueDir:  env["WEMI_CATALOGUE_DIR"],
		IndexDir:      env["WEMI_INDEX_DIR"],
		SearchTimeout: search.DefaultTimeout,
		DataDir:       env["WEMI_DATA_DIR"],
		RedisURL:      env["WEMI_REDIS_URL"],
		HTTPAddr:      env["WEMI_HTTP_ADDR"],
		AdminToken:    env["WEMI_ADMIN_TOKEN"],

		TelegramToken:   env["WEMI_TELEGRAM_TOKEN"],
		TelegramAPI:     env["WEMI_TELEGRAM_API"],
		TelegramWebhook: env["WEMI_TELEGRAM_WEBHOOK_URL"],
		TelegramSecret:  env["WEMI_TELEGRAM_SECRET"],
		IdleTTL:         30 * 24 * time.Hour,

		SlackBotToken:      env["WEMI_SLACK_BOT_TOKEN"],
		SlackAppToken:      env["WEMI_SLACK_APP_TOKEN"],
		SlackSigningSecret: env["WEMI_SLACK_SIGNING_SECRET"],
		SlackChannel:       env["WEMI_SLACK_CHANNEL"],
		SlackMode:          env["WEMI_SLACK_MODE"],
		SlackAPI:           env["WEMI_SLACK_API_URL"],
		ReplyWithin:        30 * time.Minute,

		FollowupAfter: 2 * time.Hour,
		BookingTTL:    90 * 24 * time.Hour,
		ReminderRate:  10,

		DomesticRetention: 90 * 24 * time.Hour,

		PublicURL:            strings.TrimRight(env["WEMI_PUBLIC_URL"], "/"),
		StripeSecretKey:      env["WEMI_STRIPE_SECRET_KEY"],
		StripeWebhookSecret:  env["WEMI_STRIPE_WEBHOOK_SECRET"],
		StripeAPI:            env["WEMI_STRIPE_API_URL"],
		TelegramPaymentToken: env["WEMI_TELEGRAM_PAYMENT_TOKEN"],
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = "127.0.0.1:8080"
	}
	if err := cfg.readWeb(env); err != nil {
		return config{}, err
	}
	if err := cfg.checkTelegram(); err != nil {
		return config{}, err
	}
	if err := cfg.readConversations(env); err != nil {
		return config{}, err
	}
	if err := cfg.readKeys(env); err != nil {
		return config{}, err
	}
	if err := cfg.readServices(env); err != nil {
		return config{}, err
	}
	if err := cfg.checkSlack(); err != nil {
		return config{}, err
	}
	if err := cfg.checkPayments(); err != nil {
		return config{}, err
	}
	if v := env["WEMI_SEARCH_TIMEOUT"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			cfg.searchTimeoutErr = fmt.Errorf("WEMI_SEARCH_TIMEOUT=%q is not a positive duration such as 2s or 500ms", v)
		} else {
			cfg.SearchTimeout = d
		}
	}
	return cfg, nil
}

// readWeb reads the settings of the HTTP listener, the web chat and the logs.
func (cfg *config) readWeb(env map[string]string) error {
	switch v := env["WEMI_SECURE_COOKIE"]; v {
	case "", "false", "0":
	case "true", "1":
		cfg.SecureCookie = true
	default:
		return fmt.Errorf("WEMI_SECURE_COOKIE=%q must be true or false", v)
	}
	for _, o := range strings.Split(env["WEMI_FRAME_ANCESTORS"], ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if !strings.HasPrefix(o, "https://") || strings.ContainsAny(o, " ;'\"") {
			return fmt.Errorf("WEMI_FRAME_ANCESTORS: %q is not an https:// origin", o)
		}
		cfg.FrameAncestors = append(cfg.FrameAncestors, o)
	}
	if err := cfg.readSessions(env); err != nil {
		return err
	}
	if t := cfg.AdminToken; t != "" && len(t) < 16 {
		return fmt.Errorf("WEMI_ADMIN_TOKEN must be at least 16 characters")
	}
	if _, _, err := net.SplitHostPort(cfg.HTTPAddr); err != nil {
		return fmt.Errorf("WEMI_HTTP_ADDR=%q is not host:port (for example 127.0.0.1:8080 or :8080)", cfg.HTTPAddr)
	}
	switch f := env["WEMI_LOG_FORMAT"]; f {
	case "", "text":
	case "json":
		cfg.LogJSON = true
	default:
		return fmt.Errorf("WEMI_LOG_FORMAT=%q must be text or json", f)
	}
	return nil
}

// checkTelegram refuses an incomplete webhook setting.
func (cfg *config) checkTelegram() error {
	if cfg.TelegramWebhook != "" {
		if cfg.TelegramToken == "" {
			return fmt.Errorf("WEMI_TELEGRAM_WEBHOOK_URL is set but WEMI_TELEGRAM_TOKEN is not")
		}
		if !strings.HasPrefix(cfg.TelegramWebhook, "https://") {
			return fmt.Errorf("WEMI_TELEGRAM_WEBHOOK_URL must be an https:// URL (Telegram calls only HTTPS webhooks)")
		}
		if len(cfg.TelegramSecret) < 16 {
			return fmt.Errorf("WEMI_TELEGRAM_SECRET must be set, at least 16 characters, when WEMI_TELEGRAM_WEBHOOK_URL is")
		}
	}
	return nil
}

// readConversations reads how long conversations are kept and how soon operators
// answer.
func (cfg *config) readConversations(env map[string]string) error {
	if v := env["WEMI_IDLE_TTL"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return fmt.Errorf("WEMI_IDLE_TTL=%q is not a duration of at least 1m, such as 720h", v)
		}
		cfg.IdleTTL = d
	}
	switch v := env["WEMI_STATE_JSON"]; v {
	case "", "false", "0":
	case "true", "1":
		cfg.StateJSON = true
	default:
		return fmt.Errorf("WEMI_STATE_JSON=%q is not true or false", v)
	}
	if v := env["WEMI_HANDOFF_REPLY_TIME"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 72*time.Hour {
			return fmt.Errorf("WEMI_HANDOFF_REPLY_TIME=%q is not a duration between 1m and 72h, such as 30m", v)
		}
		cfg.ReplyWithin = d
	}
	return nil
}

// readServices reads the settings of bookings, their reminders, and the Tate/Colf/
// Badanti requests.
func (cfg *config) readServices(env map[string]string) error {
	if v := env["WEMI_REMINDERS"]; v != "" {
		cfg.ReminderOffsets = []time.Duration{} // "none" means no reminders before
		if v != "none" {
			for _, f := range strings.Split(v, ",") {
				d, err := time.ParseDuration(strings.TrimSpace(f))
				if err != nil || d < 15*time.Minute || d > 7*24*time.Hour {
					return fmt.Errorf("WEMI_REMINDERS=%q must be durations between 15m and 168h separated by commas, such as 24h,2h (or none)", v)
				}
				cfg.ReminderOffsets = append(cfg.ReminderOffsets, d)
			}
		}
	}
	if v := env["WEMI_REMINDER_FOLLOWUP"]; v != "" {
		d, err := time.ParseDuration(v)
		if v == "none" {
			d, err = -1, nil
		}
		if err != nil || d == 0 || d > 7*24*time.Hour {
			return fmt.Errorf("WEMI_REMINDER_FOLLOWUP=%q must be a duration up to 168h, such as 2h (or none)", v)
		}
		cfg.FollowupAfter = d
	}
	if v := env["WEMI_BOOKING_TTL"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 24*time.Hour {
			return fmt.Errorf("WEMI_BOOKING_TTL=%q is not a duration of at least 24h, such as 2160h", v)
		}
		cfg.BookingTTL = d
	}
	if v := env["WEMI_REMINDER_RATE"]; v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0.1 || r > 30 {
			return fmt.Errorf("WEMI_REMINDER_RATE=%q must be a number of reminders a second, each replica's share of Telegram's 30, such as 10", v)
		}
		cfg.ReminderRate = r
	}
	if v := env["WEMI_DOMESTIC_RETENTION"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 24*time.Hour || d > 5*365*24*time.Hour {
			return fmt.Errorf("WEMI_DOMESTIC_RETENTION=%q is not a duration between 24h and 43800h, such as 2160h", v)
		}
		cfg.DomesticRetention = d
	}
	return nil
}

// checkSlack refuses an incomplete or inconsistent staff desk setting: better at
// start than at the first handoff.
func (cfg *config) checkSlack() error {
	if cfg.SlackBotToken == "" {
		for name, v := range map[string]string{"WEMI_SLACK_APP_TOKEN": cfg.SlackAppToken,
			"WEMI_SLACK_SIGNING_SECRET": cfg.SlackSigningSecret, "WEMI_SLACK_CHANNEL": cfg.SlackChannel} {
			if v != "" {
				return fmt.Errorf("%s is set but WEMI_SLACK_BOT_TOKEN is not: the staff desk needs its bot token", name)
			}
		}
		return nil
	}
	if !strings.HasPrefix(cfg.SlackBotToken, "xoxb-") {
		return fmt.Errorf("WEMI_SLACK_BOT_TOKEN must be a bot token (xoxb-…)")
	}
	if !slackChannelRE.MatchString(cfg.SlackChannel) {
		return fmt.Errorf("WEMI_SLACK_CHANNEL=%q must be the operators' channel id, such as C0123ABCD (channel details, at the bottom)", cfg.SlackChannel)
	}
	if cfg.SlackAPI != "" {
		u, err := url.Parse(cfg.SlackAPI)
		loopback := err == nil && u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1")
		if err != nil || u.Host == "" || (u.Scheme != "https" && !loopback) {
			return fmt.Errorf("WEMI_SLACK_API_URL=%q must be an https:// URL (plain http only on loopback)", cfg.SlackAPI)
		}
	}
	switch cfg.SlackMode {
	case "", "socket":
		cfg.SlackMode = "socket"
		if !strings.HasPrefix(cfg.SlackAppToken, "xapp-") {
			return fmt.Errorf("Socket Mode needs WEMI_SLACK_APP_TOKEN, an app-level token (xapp-…) with connections:write; or set WEMI_SLACK_MODE=http")
		}
	case "http":
		if len(cfg.SlackSigningSecret) < 16 {
			return fmt.Errorf("WEMI_SLACK_MODE=http needs WEMI_SLACK_SIGNING_SECRET, the app's signing secret")
		}
	default:
		return fmt.Errorf("WEMI_SLACK_MODE=%q must be socket or http", cfg.SlackMode)
	}
	return nil
}

// slackChannelRE matches a Slack channel id (public C…, private G…).
var slackChannelRE = regexp.MustCompile(`^[CG][A-Z0-9]{6,20}$`)

// environ turns os.Environ's KEY=VALUE list into a map.
func environ(kv []string) map[string]string {
	env := make(map[string]string, len(kv))
	for _, e := range kv {
		if k, v, ok := strings.Cut(e, "="); ok {
			env[k] = v
		}
	}
	return env
}

// readKeys reads the key-encryption keys of personal data: WEMI_KEK, or the file
// WEMI_KEK_FILE names, not both. An invalid WEMI_KEK is refused here; the file is read
// when a store is opened.
func (cfg *config) readKeys(env map[string]string) error {
	cfg.KEKFile = env["WEMI_KEK_FILE"]
	v := env["WEMI_KEK"]
	if v == "" {
		return nil
	}
	if cfg.KEKFile != "" {
		return fmt.Errorf("set WEMI_KEK or WEMI_KEK_FILE, not both")
	}
	keks, err := vault.ParseKEKs(v)
	if err != nil {
		return fmt.Errorf("WEMI_KEK: %w", err)
	}
	cfg.KEKs = keks
	return nil
}

// readSessions reads the settings of the web chat's sessions: who may name the client,
// and the key that signs them.
func (cfg *config) readSessions(env map[string]string) error {
	for _, p := range strings.Split(env["WEMI_TRUSTED_PROXIES"], ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return fmt.Errorf("WEMI_TRUSTED_PROXIES: %q is not a CIDR (10.0.0.0/8) or an address", p)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, prefix.Masked())
	}
	cfg.SessionSecret = env["WEMI_SESSION_SECRET"]
	if s := cfg.SessionSecret; s != "" && len(s) < 32 {
		return fmt.Errorf("WEMI_SESSION_SECRET must be at least 32 characters")
	}
	return nil
}
