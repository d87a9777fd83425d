package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/sync/errgroup"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// telegramWebhookPath is where the Telegram webhook is served; the public URL in
// WEMI_TELEGRAM_WEBHOOK_URL must reach it.
const telegramWebhookPath = "/telegram/webhook"

// serve runs the bot on every configured channel until ctx ends (SIGINT, SIGTERM).
func (c *cli) serve(ctx context.Context, args []string) error {
	fs := c.flagSet("serve", mainUsage)
	pos, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, pos[0])
	}
	log := c.logger()
	start := time.Now()
	cat, err := c.loadCatalogue()
	if err != nil {
		return err
	}
	idx, err := c.buildIndex(ctx, cat)
	if err != nil {
		return err
	}
	defer idx.Close()
	c.printSummary(cat, time.Since(start))
	if c.cfg.TelegramToken == "" {
		fmt.Fprint(c.stdout, `
No chat channel is configured: set WEMI_TELEGRAM_TOKEN to run the Telegram bot.
Meanwhile, chat in the terminal (wemibot shell) or search the catalogue:
  wemibot search "non so a chi lasciare i bambini"
  wemibot search --lang en "someone to walk my dog"
`)
		return nil
	}
	store, closeStore, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	engine, err := bot.New(bot.Options{Catalogue: cat, Search: idx, Store: store, Logger: log, IdleTTL: c.cfg.IdleTTL})
	if err != nil {
		return err
	}
	tg, err := telegram.New(engine, telegram.Options{Token: c.cfg.TelegramToken, APIEndpoint: c.cfg.TelegramAPI,
		WebhookURL: c.cfg.TelegramWebhook, SecretToken: c.cfg.TelegramSecret, Logger: log})
	if err != nil {
		return err
	}
	if err := tg.SetCommands(ctx); err != nil {
		log.Warn("telegram: command menu not set", "err", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	if c.cfg.TelegramWebhook != "" {
		mux.Handle("POST "+telegramWebhookPath, tg)
	}
	ln, err := net.Listen("tcp", c.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (WEMI_HTTP_ADDR / --http-addr): %w", c.cfg.HTTPAddr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	mode := "long polling"
	if c.cfg.TelegramWebhook != "" {
		mode = "webhook at " + telegramWebhookPath
	}
	fmt.Fprintf(c.stdout, "\nTelegram bot @%s running (%s); HTTP on http://%s (GET /healthz). Ctrl-C stops.\n",
		tg.Username(), mode, ln.Addr())

	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return fmt.Errorf("load the Europe/Rome time zone: %w", err)
	}
	sched := cron.New(cron.WithLocation(rome))
	if s, ok := store.(*bolt.Store); ok {
		sched.AddFunc("@every 1h", func() {
			if n, err := s.Sweep(context.Background()); err != nil {
				log.Error("sweep expired conversations failed", "err", err)
			} else if n > 0 {
				log.Info("expired conversations swept", "records", n)
			}
		})
	}
	sched.Start()
	defer sched.Stop()

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return tg.Run(gctx) })
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	err = g.Wait()
	log.Info("stopped")
	return err
}

// printSummary says what catalogue is being served.
func (c *cli) printSummary(cat *catalogue.Catalogue, took time.Duration) {
	st := statsOf(cat)
	source := "bundled sample catalogue"
	if c.cfg.CatalogueDir != "" {
		source = c.cfg.CatalogueDir
	}
	fmt.Fprintf(c.stdout, "WeMi Bot: catalogue loaded from %s and indexed in %s.\n", source, took.Round(time.Millisecond))
	fmt.Fprintf(c.stdout, "  %d providers (%d cooperative sociali, %d associazioni), %d services, %d WeMi spaces.\n",
		st.Providers, st.ProvidersByKind[string(catalogue.KindCooperative)], st.ProvidersByKind[string(catalogue.KindAssociation)],
		st.Services, st.Spaces)
	for _, cg := range cat.Categories {
		fmt.Fprintf(c.stdout, "  %-26s %3d  %s\n", cg.ID, st.ServicesByCategory[string(cg.ID)], cg.Name)
	}
}

// logger writes structured logs to standard error; they carry no personal data.
func (c *cli) logger() *slog.Logger {
	if c.cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(c.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(c.stderr, nil))
}
