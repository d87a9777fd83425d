package main

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/search"
)

// config holds the settings. Each comes from an environment variable and can be
// overridden by a flag; the README's settings table lists them all.
type config struct {
	CatalogueDir  string        // WEMI_CATALOGUE_DIR
	IndexDir      string        // WEMI_INDEX_DIR
	SearchTimeout time.Duration // WEMI_SEARCH_TIMEOUT
	DataDir       string        // WEMI_DATA_DIR: the embedded store's folder
	RedisURL      string        // WEMI_REDIS_URL: Redis instead of the embedded store
	HTTPAddr      string        // WEMI_HTTP_ADDR
	SecureCookie  bool          // WEMI_SECURE_COOKIE: the web chat is served over HTTPS
	AdminToken    string        // WEMI_ADMIN_TOKEN: enables POST /admin/reload
	// FrameAncestors are the portal origins allowed to embed the chat
	// (WEMI_FRAME_ANCESTORS, comma-separated).
	FrameAncestors []string
	LogJSON        bool // WEMI_LOG_FORMAT=json

	TelegramToken   string        // WEMI_TELEGRAM_TOKEN
	TelegramAPI     string        // WEMI_TELEGRAM_API
	TelegramWebhook string        // WEMI_TELEGRAM_WEBHOOK_URL
	TelegramSecret  string        // WEMI_TELEGRAM_SECRET
	IdleTTL         time.Duration // WEMI_IDLE_TTL: conversations idle this long are forgotten

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
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = "127.0.0.1:8080"
	}
	switch v := env["WEMI_SECURE_COOKIE"]; v {
	case "", "false", "0":
	case "true", "1":
		cfg.SecureCookie = true
	default:
		return config{}, fmt.Errorf("WEMI_SECURE_COOKIE=%q must be true or false", v)
	}
	for _, o := range strings.Split(env["WEMI_FRAME_ANCESTORS"], ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if !strings.HasPrefix(o, "https://") || strings.ContainsAny(o, " ;'\"") {
			return config{}, fmt.Errorf("WEMI_FRAME_ANCESTORS: %q is not an https:// origin", o)
		}
		cfg.FrameAncestors = append(cfg.FrameAncestors, o)
	}
	if t := cfg.AdminToken; t != "" && len(t) < 16 {
		return config{}, fmt.Errorf("WEMI_ADMIN_TOKEN must be at least 16 characters")
	}
	if _, _, err := net.SplitHostPort(cfg.HTTPAddr); err != nil {
		return config{}, fmt.Errorf("WEMI_HTTP_ADDR=%q is not host:port (for example 127.0.0.1:8080 or :8080)", cfg.HTTPAddr)
	}
	switch f := env["WEMI_LOG_FORMAT"]; f {
	case "", "text":
	case "json":
		cfg.LogJSON = true
	default:
		return config{}, fmt.Errorf("WEMI_LOG_FORMAT=%q must be text or json", f)
	}
	if cfg.TelegramWebhook != "" {
		if cfg.TelegramToken == "" {
			return config{}, fmt.Errorf("WEMI_TELEGRAM_WEBHOOK_URL is set but WEMI_TELEGRAM_TOKEN is not")
		}
		if !strings.HasPrefix(cfg.TelegramWebhook, "https://") {
			return config{}, fmt.Errorf("WEMI_TELEGRAM_WEBHOOK_URL must be an https:// URL (Telegram calls only HTTPS webhooks)")
		}
		if len(cfg.TelegramSecret) < 16 {
			return config{}, fmt.Errorf("WEMI_TELEGRAM_SECRET must be set, at least 16 characters, when WEMI_TELEGRAM_WEBHOOK_URL is")
		}
	}
	if v := env["WEMI_IDLE_TTL"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return config{}, fmt.Errorf("WEMI_IDLE_TTL=%q is not a duration of at least 1m, such as 720h", v)
		}
		cfg.IdleTTL = d
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
