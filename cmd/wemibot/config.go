package main

import (
	"fmt"
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
	IdleTTL       time.Duration // WEMI_IDLE_TTL: conversations idle this long are forgotten

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
		IdleTTL:       30 * 24 * time.Hour,
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
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
