package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/search"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// errUsage marks an error the user fixes by changing the command line.
var errUsage = errors.New("usage")

// cli carries what every subcommand needs: settings and the standard streams.
type cli struct {
	cfg    config
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// run is the whole program behind main, so that tests run exactly what users run.
func run(ctx context.Context, args []string, env map[string]string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	cfg, err := configFromEnv(env)
	if err != nil {
		fmt.Fprintf(stderr, "wemibot: %v\n", err)
		return exitUsage
	}
	c.cfg = cfg

	fs := c.flagSet("wemibot", mainUsage)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, mainUsage)
			return exitOK
		}
		return c.fail(fmt.Errorf("%w: %v", errUsage, err))
	}
	c.noteFlags(fs)
	args = fs.Args()
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		err = c.serve(ctx, args)
	case "search":
		err = c.search(ctx, args)
	case "shell":
		err = c.shell(ctx, args)
	case "catalogue", "catalog":
		err = c.catalogue(ctx, args)
	case "keys":
		err = c.keys(ctx, args)
	case "vouchers", "voucher":
		err = c.vouchers(ctx, args)
	case "help":
		fmt.Fprint(stdout, mainUsage)
		return exitOK
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	return c.fail(err)
}

// fail prints err and returns the exit code it deserves.
func (c *cli) fail(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errPartialImport):
		fmt.Fprintf(c.stderr, "wemibot: %v (exit status %d)\n", err, exitPartial)
		return exitPartial
	case errors.Is(err, errUsage):
		fmt.Fprintf(c.stderr, "wemibot: %s\nRun 'wemibot help' for usage.\n", strings.TrimPrefix(err.Error(), "usage: "))
		return exitUsage
	default:
		fmt.Fprintf(c.stderr, "wemibot: %v\n", err)
		return exitError
	}
}

// flagSet returns a flag set with the settings every command shares.
func (c *cli) flagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// The flag package calls Usage on every parse error; usage is printed only on
	// -h (parseInterleaved), and errors get one line on standard error.
	fs.Usage = func() {}
	fs.StringVar(&c.cfg.CatalogueDir, "catalogue", c.cfg.CatalogueDir, "catalogue folder")
	fs.StringVar(&c.cfg.IndexDir, "index-dir", c.cfg.IndexDir, "index folder")
	fs.DurationVar(&c.cfg.SearchTimeout, "search-timeout", c.cfg.SearchTimeout, "search deadline")
	fs.StringVar(&c.cfg.DataDir, "data-dir", c.cfg.DataDir, "data folder")
	fs.StringVar(&c.cfg.RedisURL, "redis-url", c.cfg.RedisURL, "Redis URL")
	fs.StringVar(&c.cfg.HTTPAddr, "http-addr", c.cfg.HTTPAddr, "HTTP listen address")
	return fs
}

// parseInterleaved parses flags that may come before or after positional arguments
// ("search --json badante" and "search badante --json").
func (c *cli) parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(c.stdout, mainUsage)
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		c.noteFlags(fs)
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// loadCatalogue loads the configured catalogue: the folder in the settings, or the
// bundled one.
func (c *cli) loadCatalogue() (*catalogue.Catalogue, error) {
	if c.cfg.CatalogueDir == "" {
		return catalogue.Bundled()
	}
	cat, err := catalogue.LoadDir(c.cfg.CatalogueDir)
	if err != nil {
		return nil, fmt.Errorf("catalogue folder (WEMI_CATALOGUE_DIR / --catalogue) %s: %w", c.cfg.CatalogueDir, err)
	}
	return cat, nil
}

// noteFlags records which settings were given as flags: a flag overrides its
// environment variable, even an invalid one.
func (c *cli) noteFlags(fs *flag.FlagSet) {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "search-timeout" {
			c.cfg.searchTimeoutErr = nil
		}
	})
}

func (c *cli) buildIndex(ctx context.Context, cat *catalogue.Catalogue) (*search.Index, error) {
	if c.cfg.searchTimeoutErr != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, c.cfg.searchTimeoutErr)
	}
	if c.cfg.SearchTimeout <= 0 {
		return nil, fmt.Errorf("%w: --search-timeout must be a positive duration such as 2s or 500ms", errUsage)
	}
	return search.Build(ctx, cat, search.Options{Dir: c.cfg.IndexDir, Timeout: c.cfg.SearchTimeout})
}

const mainUsage = `WeMi Bot - the chatbot of Milan's shared-welfare portal WeMi.

Usage:
  wemibot [serve]                         run the bot: the web chat, and Telegram when configured
  wemibot search [flags] QUERY|-          search the catalogue ('-': one query per line on stdin)
  wemibot shell [--lang en] [--debug]     chat with the bot in the terminal
  wemibot catalogue validate PATH         check a catalogue folder, or one file of it
  wemibot catalogue stats [--json]        count providers, services and spaces
  wemibot catalogue reload [--url URL]    make a running server reload its catalogue
  wemibot catalogue export --hsds DIR     write the catalogue as HSDS 3.0 (services.json, organizations.json)
  wemibot catalogue import --hsds DIR OUT make the catalogue folder OUT from an HSDS 3.0 dataset
  wemibot keys rotate                     re-wrap every citizen's data key with a new key-encryption key
  wemibot vouchers import FILE [--dry-run] import the Comune's list of vouchers (CSV) and print the report
  wemibot vouchers show CODE              a voucher's state, balance, spends and history (no tax code)
  wemibot vouchers cancel CODE            cancel a voucher: it cannot be spent until restored
  wemibot vouchers restore CODE           give a cancelled voucher back the state it had
  wemibot help                            this help

Search flags:
  --lang CODE       language of the query, a code of i18n/languages (default it)
  --category ID     only this category
  --free            only free services
  --zone N|PLACE    only services in Municipio N (1-9), or the Municipio of a neighbourhood,
                    a street ("via Padova") or a postcode (20127)
  --for TARGET      bambini, ragazzi, adulti, anziani, famiglie, disabilita, stranieri
  --delivery D      individuale or condivisione
  --limit N         hits per query (default 10, at most 100)
  --json            one JSON object per query

Settings (environment variable, or the flag, which wins):
  WEMI_CATALOGUE_DIR    --catalogue DIR       catalogue folder (default: the bundled one)
  WEMI_INDEX_DIR        --index-dir DIR       keep the search index on disk (default: memory)
  WEMI_SEARCH_TIMEOUT   --search-timeout D    deadline of one search (default 2s)
  WEMI_DATA_DIR         --data-dir DIR        folder of the embedded store (default ./data)
  WEMI_REDIS_URL        --redis-url URL       keep conversations in Redis instead (redis://, unix://)
  WEMI_IDLE_TTL                               forget idle conversations after (default 720h)
  WEMI_STATE_JSON                             true: save conversations in JSON (first step of a rolling upgrade from before 2026-12)
  WEMI_KEK                                    key-encryption key of personal data: base64 of 32 bytes, or id:base64,... (current first)
  WEMI_KEK_FILE                               file of those keys instead (default: <data dir>/kek, created 0600)
  WEMI_HTTP_ADDR        --http-addr ADDR      HTTP listener: web chat, health, metrics, webhook (default 127.0.0.1:8080)
  WEMI_LOG_FORMAT                             text (default) or json
  WEMI_SECURE_COOKIE                          true behind HTTPS: the session cookie is Secure
  WEMI_ADMIN_TOKEN                            enables POST /admin/reload (wemibot catalogue reload) and POST /admin/vouchers
  WEMI_FRAME_ANCESTORS                        https:// origins allowed to embed the chat (the portal)
  WEMI_TRUSTED_PROXIES                        CIDRs of the proxies whose X-Forwarded-For names the client
  WEMI_SESSION_SECRET                         signs the web chat's sessions: the same on every replica
  WEMI_TELEGRAM_TOKEN                         the bot's token: switches Telegram on
  WEMI_TELEGRAM_API                           another Bot API server (self-hosted or a test fake)
  WEMI_TELEGRAM_WEBHOOK_URL                   public URL of the webhook (default: long polling)
  WEMI_TELEGRAM_SECRET                        the webhook's secret token (at least 16 characters)
`
