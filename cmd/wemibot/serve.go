package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/comune-milano/wemibot/activities"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/comune-milano/wemibot/adapters/stripe"
	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/search"
	"github.com/comune-milano/wemibot/vouchers"
)

// domesticOpenTTL bounds how long a Tate/Colf/Badanti request or application stays
// open without any change: staff close them long before.
const domesticOpenTTL = 365 * 24 * time.Hour

// shutdownTimeout bounds the wait for the HTTP requests in flight at shutdown.
const shutdownTimeout = 10 * time.Second

// serve runs the bot on every configured channel (the web chat always, Telegram when
// its token is set) until ctx ends (SIGINT, SIGTERM). SIGHUP reloads the catalogue.
func (c *cli) serve(ctx context.Context, args []string) error {
	fs := c.flagSet("serve", mainUsage)
	pos, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, pos[0])
	}
	s, err := newServer(ctx, c)
	if err != nil {
		return err
	}
	err = s.Run(ctx)
	return errors.Join(err, s.Close())
}

// server is the bot as serve runs it. newServer builds it in order: the catalogue's
// index, the stores, the channels and the staff desk (which the engine reaches
// citizens and operators through), the engine, then the web front that serves it;
// Run serves until its context ends, and Close releases what newServer opened.
type server struct {
	c   *cli
	log *slog.Logger
	hup chan os.Signal // SIGHUP: reload the catalogue

	reloader *catalogueReloader // the live index, and the replaced ones still open
	metrics  *web.Metrics
	store    stores
	answers  web.AnswerCache // shared by the replicas on Redis; nil on the embedded store
	bookings *bookings.Store
	domestic *domestic.Store
	vouchers *vouchers.Store // the Comune's vouchers: kept always, spent when citizens pay online
	pay      bot.Payments    // how citizens pay (buildPayments)
	mailbox  web.Mailbox     // the web chat's mailboxes, in the store

	telegram   *telegram.Adapter // nil without WEMI_TELEGRAM_TOKEN
	stripe     *stripe.Client    // nil without WEMI_STRIPE_SECRET_KEY
	desk       *slackDesk        // nil without WEMI_SLACK_BOT_TOKEN
	engine     *bot.Engine
	dispatcher *reminders.Dispatcher
	site       *web.Server
	listener   net.Listener
	http       *http.Server
}

// newServer builds the server, step by step; on an error it releases what the steps
// before opened.
func newServer(ctx context.Context, c *cli) (_ *server, err error) {
	s := &server{c: c, log: c.logger(), metrics: web.NewMetrics(), hup: make(chan os.Signal, 1)}
	// Caught from the start, so that a SIGHUP arriving while the index is built does
	// not kill the process.
	signal.Notify(s.hup, syscall.SIGHUP)
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	// The store first: a wrong key or an unreachable store stops serve before the
	// seconds spent indexing.
	if err := s.openStores(ctx); err != nil {
		return nil, err
	}
	if err := s.buildIndex(ctx); err != nil {
		return nil, err
	}
	if err := s.buildChannels(); err != nil {
		return nil, err
	}
	if err := s.buildEngine(ctx); err != nil {
		return nil, err
	}
	if err := s.buildSite(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// buildIndex loads and indexes the catalogue, and says what is served.
func (s *server) buildIndex(ctx context.Context) error {
	start := time.Now()
	cat, err := s.c.loadCatalogue()
	if err != nil {
		return err
	}
	logWarnings(s.log, cat)
	idx, err := s.c.buildIndex(ctx, cat)
	if err != nil {
		return err
	}
	s.reloader = &catalogueReloader{c: s.c, live: search.NewLive(idx), log: s.log, metrics: s.metrics}
	s.c.printSummary(cat, time.Since(start))
	return nil
}

// openStores opens the store, and the bookings, the Tate/Colf/Badanti records, the
// web chat's mailboxes and the Comune's vouchers kept in it.
func (s *server) openStores(ctx context.Context) (err error) {
	if s.store, s.answers, err = s.c.openStores(ctx); err != nil {
		return err
	}
	s.bookings = bookings.NewStore(s.store, s.c.cfg.BookingTTL)
	s.domestic = domestic.NewStore(s.store, domesticOpenTTL, s.c.cfg.DomesticRetention)
	s.mailbox = web.NewMailbox(s.store, 0)
	s.vouchers, err = openVouchers(ctx, s.store)
	return err
}

// buildChannels connects Telegram, says how citizens pay and builds the Slack desk,
// when they are on: the engine is built on them.
func (s *server) buildChannels() (err error) {
	if s.telegram, err = s.c.newTelegram(s.store.Outbox(), s.metrics, s.log); err != nil {
		return err
	}
	if s.pay, err = s.buildPayments(); err != nil {
		return err
	}
	s.desk, err = s.c.newSlackDesk(s.store, s.bookings, s.domestic, s.vouchers, s.pay.Online(), s.reloader.live, s.metrics, s.log)
	return err
}

// buildEngine builds the engine on the channels and the desk, gives Telegram the
// command menu in its texts, and builds the dispatcher of its reminders.
func (s *server) buildEngine(ctx context.Context) (err error) {
	cfg := s.c.cfg
	s.engine, err = bot.New(bot.Options{Payments: s.pay, Search: s.reloader.live, Store: s.store, Logger: s.log, IdleTTL: cfg.IdleTTL, JSONState: cfg.StateJSON,
		Observer: s.metrics, Staff: s.desk.staff(), Figures: s.desk.counted(), Pushers: pushers(s.telegram, s.mailbox),
		ReplyWithin: cfg.ReplyWithin, Bookings: s.bookings, Reminders: s.store, Domestic: s.domestic,
		Places:            activities.NewPlaces(s.store, nil), // the activities' places, shared by every replica
		DomesticRetention: cfg.DomesticRetention,
		ReminderPolicy:    reminders.Policy{Before: cfg.ReminderOffsets, FollowupAfter: cfg.FollowupAfter}})
	if err != nil {
		return err
	}
	if s.telegram != nil {
		s.telegram.SetCommands(s.engine.Texts()) // published once Telegram answers
	}
	s.dispatcher, err = reminders.NewDispatcher(s.store, s.engine, reminders.Options{Logger: s.log,
		RateLimit: rate.Limit(cfg.ReminderRate), OnFail: s.engine.ReminderFailed})
	return err
}

// buildSite builds the web front, routes the webhooks and the admin's reload to it,
// and listens.
func (s *server) buildSite(ctx context.Context) (err error) {
	cfg := s.c.cfg
	key, err := s.c.sessionKey(ctx, s.store)
	if err != nil {
		return err
	}
	s.site = s.c.newSite(s.engine, s.readinessChecks(), s.store, key, s.answers, s.mailbox, s.metrics, s.log)
	if cfg.AdminToken != "" {
		s.site.Handle("POST /admin/reload", adminOnly(cfg.AdminToken, s.reloader, s.log, nil))
		s.site.Handle("POST /admin/vouchers", adminOnly(cfg.AdminToken, vouchersImporter{vouchers: s.vouchers, log: s.log}, s.log, nil))
	}
	// The catalogue as HSDS 3.0 open data, read only, on the chat's live index.
	api := web.NewHSDS(s.reloader.live, web.HSDSOptions{Logger: s.log})
	s.site.Handle(web.HSDSPrefix, api)
	s.site.Handle(web.HSDSPrefix+"/", api)
	if err := s.desk.route(s.c, s.site, s.engine); err != nil {
		return err
	}
	if s.telegram != nil && cfg.TelegramWebhook != "" {
		s.site.Handle("POST "+telegramWebhookPath, s.telegram.Webhook(s.engine))
	}
	if err := s.routeStripe(); err != nil {
		return err
	}
	if s.listener, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return fmt.Errorf("listen on %s (WEMI_HTTP_ADDR / --http-addr): %w", cfg.HTTPAddr, err)
	}
	s.http = &http.Server{Handler: s.site, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	return nil
}

// Run serves until ctx ends (SIGINT, SIGTERM), then drains: readiness goes down, the
// HTTP server finishes the requests in flight and Telegram sends its queued replies,
// within about 10 s; the scheduled jobs in progress are cancelled. SIGHUP reloads the
// catalogue meanwhile.
func (s *server) Run(ctx context.Context) error {
	s.printBanner()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.runScheduler(gctx) })
	if s.telegram != nil {
		g.Go(func() error { return s.telegram.Run(gctx, s.engine) })
	}
	if s.desk != nil {
		g.Go(func() error { s.desk.run(gctx, s.c.cfg.SlackMode, s.engine, s.log); return nil })
	}
	g.Go(func() error {
		if err := s.http.Serve(s.listener); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	g.Go(func() error { s.handleSignals(gctx); return nil })
	err := g.Wait()
	// The channels have stopped: what the desk still has queued (a relay, a card
	// update) is finished before the store closes.
	s.desk.drain(s.log)
	s.log.Info("stopped")
	return err
}

// printBanner says where the bot is reached.
func (s *server) printBanner() {
	fmt.Fprintf(s.c.stdout, "\nWeb chat: http://%s/  (health /healthz, readiness /readyz, metrics /metrics, HSDS open data /hsds/)\n", displayAddr(s.listener.Addr()))
	fmt.Fprintln(s.c.stdout, s.c.telegramBanner(s.telegram))
	fmt.Fprintln(s.c.stdout, s.desk.banner(s.c))
	fmt.Fprintln(s.c.stdout, s.paymentsBanner())
	fmt.Fprintln(s.c.stdout, "Ctrl-C stops; SIGHUP reloads the catalogue.")
}

// runScheduler runs the scheduled work until ctx ends. Once it ends no new work
// starts, since a reminder must not be claimed while the channels that send it are
// stopping, and the jobs in progress, cancelled with ctx, are waited for.
func (s *server) runScheduler(ctx context.Context) error {
	stop, err := startScheduler(ctx, scheduled{store: s.store, desk: s.desk, dispatcher: s.dispatcher, engine: s.engine}, s.log)
	if err != nil {
		return err
	}
	<-ctx.Done()
	stop()
	return nil
}

// handleSignals reloads the catalogue on SIGHUP until ctx ends, then drains the HTTP
// server: readiness down, no new requests, those in flight finished within
// shutdownTimeout, then what is left closed.
func (s *server) handleSignals(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			s.site.Drain()
			sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
			defer cancel()
			if err := s.http.Shutdown(sctx); err != nil {
				s.log.Warn("requests still in flight after 10 s: closing them", "err", err)
				s.http.Close()
			}
			return
		case <-s.hup:
			s.reloader.reload(ctx)
		}
	}
}

// Close releases what newServer opened: the listener (when Run did not serve it), the
// store and the catalogue's indexes. It stops catching SIGHUP.
func (s *server) Close() error {
	signal.Stop(s.hup)
	if s.listener != nil {
		s.listener.Close() // already closed once served
	}
	var err error
	if s.store != nil {
		err = s.store.Close()
	}
	if s.reloader != nil {
		s.reloader.close()
	}
	return err
}

// displayAddr makes a listener's address usable in a browser: ":8080" and "[::]:8080"
// become "localhost:8080".
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil || (host != "" && host != "::" && host != "0.0.0.0") {
		return a.String()
	}
	return net.JoinHostPort("localhost", port)
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
}

// logger writes structured logs to standard error; they carry no personal data.
func (c *cli) logger() *slog.Logger {
	var w io.Writer = c.stderr
	if c.cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// maxLoggedWarnings bounds the catalogue warnings logged one by one.
const maxLoggedWarnings = 10

// logWarnings logs the catalogue's warnings (a missing translation): the first few
// one by one, and how many there are.
func logWarnings(log *slog.Logger, cat *catalogue.Catalogue) {
	if len(cat.Warnings) == 0 {
		return
	}
	for _, w := range cat.Warnings[:min(len(cat.Warnings), maxLoggedWarnings)] {
		log.Warn("catalogue: " + w.String())
	}
	log.Warn("catalogue: warnings (wemibot catalogue validate lists them all)", "count", len(cat.Warnings))
}
