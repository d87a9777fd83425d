package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/search"
)

// telegramWebhookPath is where the Telegram webhook is served; the public URL in
// WEMI_TELEGRAM_WEBHOOK_URL must reach it.
const telegramWebhookPath = "/telegram/webhook"

// domesticOpenTTL bounds how long a Tate/Colf/Badanti request or application stays
// open without any change: staff close them long before.
const domesticOpenTTL = 365 * 24 * time.Hour

// bookingStores returns the bookings and the reminder queue kept in the same store
// as conversations.
func bookingStores(store bot.Store, ttl time.Duration) (*bookings.Store, reminders.Queue, error) {
	recs, ok := store.(bookings.Records)
	queue, ok2 := store.(reminders.Queue)
	if !ok || !ok2 {
		return nil, nil, fmt.Errorf("the store %T cannot keep bookings and reminders", store)
	}
	return bookings.NewStore(recs, ttl), queue, nil
}

// oldIndexGrace is how long a replaced index stays open for searches in flight.
const oldIndexGrace = 30 * time.Second

// pinger is a store that can tell whether it is reachable.
type pinger interface {
	Ping(ctx context.Context) error
}

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
	// SIGHUP reloads the catalogue; caught from the start, so that one arriving while
	// the index is built does not kill the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
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
	live := search.NewLive(idx)
	reloader := &catalogueReloader{c: c, live: live, log: log}
	defer reloader.close()
	c.printSummary(cat, time.Since(start))

	store, cache, closeStore, err := c.openStores(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	var answers web.AnswerCache
	if cache != nil {
		answers = cache
	}
	metrics := web.NewMetrics()
	deskStore, ok := store.(desk.Store)
	if !ok {
		return fmt.Errorf("the store %T cannot keep the staff desk's records", store)
	}
	bookingStore, queue, err := bookingStores(store, c.cfg.BookingTTL)
	if err != nil {
		return err
	}
	domesticStore := domestic.NewStore(deskStore, domesticOpenTTL, c.cfg.DomesticRetention)
	sd, err := c.newStaffDesk(deskStore, bookingStore, domesticStore, live, metrics, log)
	if err != nil {
		return err
	}
	// Each channel that can reach a citizen on the bot's initiative (an operator's
	// reply) registers here before anything is served.
	pushers := map[string]bot.Pusher{}
	engine, err := bot.New(bot.Options{Search: live, Store: store, Logger: log, IdleTTL: c.cfg.IdleTTL, Observer: metrics,
		Staff: sd.staff(), Figures: sd.counted(), Pushers: pushers, ReplyWithin: c.cfg.ReplyWithin,
		Bookings: bookingStore, Reminders: queue, Domestic: domesticStore, DomesticRetention: c.cfg.DomesticRetention,
		ReminderPolicy: reminders.Policy{Before: c.cfg.ReminderOffsets, FollowupAfter: c.cfg.FollowupAfter}})
	if err != nil {
		return err
	}
	reloader.metrics = metrics
	site := c.newSite(engine, live, store, answers, web.NewMailbox(deskStore, 0), metrics, log)
	pushers["web"] = site
	if c.cfg.AdminToken != "" {
		site.Handle("POST /admin/reload", adminOnly(c.cfg.AdminToken, reloader))
	}
	if err := sd.route(c, site, engine); err != nil {
		return err
	}

	tg, err := c.startTelegram(ctx, engine, site, metrics, log)
	if err != nil {
		return err
	}
	if tg != nil {
		pushers["telegram"] = tg
	}

	ln, err := net.Listen("tcp", c.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (WEMI_HTTP_ADDR / --http-addr): %w", c.cfg.HTTPAddr, err)
	}
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(c.stdout, "\nWeb chat: http://%s/  (health /healthz, readiness /readyz, metrics /metrics)\n", displayAddr(ln.Addr()))
	if tg != nil {
		mode := "long polling"
		if c.cfg.TelegramWebhook != "" {
			mode = "webhook at " + telegramWebhookPath
		}
		fmt.Fprintf(c.stdout, "Telegram: @%s (%s)\n", tg.Username(), mode)
	} else {
		fmt.Fprintln(c.stdout, "Telegram: off (set WEMI_TELEGRAM_TOKEN to switch it on)")
	}
	fmt.Fprintln(c.stdout, sd.banner(c))
	fmt.Fprintln(c.stdout, "Ctrl-C stops; SIGHUP reloads the catalogue.")

	dispatcher, err := reminders.NewDispatcher(queue, engine, reminders.Options{Logger: log,
		RateLimit: rate.Limit(c.cfg.ReminderRate), OnFail: engine.ReminderFailed})
	if err != nil {
		return err
	}
	stopScheduler, err := startScheduler(ctx, scheduled{store: store, desk: sd, dispatcher: dispatcher,
		engine: engine, once: deskStore}, log)
	if err != nil {
		return err
	}
	defer stopScheduler()
	// No new scheduled work once shutdown starts: a reminder must not be claimed
	// while the channels that send it are stopping.
	go func() { <-ctx.Done(); stopScheduler() }()

	g, gctx := errgroup.WithContext(ctx)
	if tg != nil {
		g.Go(func() error { return tg.Run(gctx, engine) })
	}
	if sd != nil && c.cfg.SlackMode == "socket" {
		g.Go(func() error { sd.run(gctx, engine, log); return nil })
	}
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		for {
			select {
			case <-gctx.Done():
				// Drain: readiness down, stop taking requests, finish those in flight,
				// within a bound; then close what is left.
				site.Drain()
				sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := srv.Shutdown(sctx); err != nil {
					log.Warn("requests still in flight after 10 s: closing them", "err", err)
					srv.Close()
				}
				return nil
			case <-hup:
				reloader.reload(gctx)
			}
		}
	})
	err = g.Wait()
	// The channels have stopped: what the desk still has queued (a relay, a card
	// update) is finished before the store closes.
	sd.drain(log)
	log.Info("stopped")
	return err
}

// newSite builds the web front: the chat, readiness (the store answers, an index is
// loaded) and metrics.
func (c *cli) newSite(engine *bot.Engine, live *search.Live, store bot.Store, answers web.AnswerCache,
	mailbox web.Mailbox, metrics *web.Metrics, log *slog.Logger) *web.Server {
	return web.New(engine, web.Options{Logger: log, Metrics: metrics.Handler(), SecureCookie: c.cfg.SecureCookie,
		Answers: answers, FrameAncestors: c.cfg.FrameAncestors, Mailbox: mailbox,
		Ready: func(ctx context.Context) error {
			if live.Current() == nil {
				return errors.New("no catalogue index")
			}
			if p, ok := store.(pinger); ok {
				return p.Ping(ctx)
			}
			return nil
		}})
}

// startTelegram builds the Telegram channel when its token is set (nil otherwise),
// publishes its command menu and routes its webhook.
func (c *cli) startTelegram(ctx context.Context, engine *bot.Engine, site *web.Server, metrics *web.Metrics,
	log *slog.Logger) (*telegram.Adapter, error) {
	if c.cfg.TelegramToken == "" {
		return nil, nil
	}
	tg, err := telegram.New(telegram.Options{Token: c.cfg.TelegramToken, APIEndpoint: c.cfg.TelegramAPI,
		WebhookURL: c.cfg.TelegramWebhook, SecretToken: c.cfg.TelegramSecret, Logger: log,
		OnAPIError: func(method string, retried bool) { metrics.APIError("telegram", method, retried) }})
	if err != nil {
		return nil, err
	}
	if err := tg.SetCommands(ctx, engine.Texts()); err != nil {
		log.Warn("telegram: command menu not set", "err", err)
	}
	if c.cfg.TelegramWebhook != "" {
		site.Handle("POST "+telegramWebhookPath, tg.Webhook(engine))
	}
	return tg, nil
}

// scheduled is what the scheduler runs.
type scheduled struct {
	store      bot.Store
	desk       *staffDesk
	dispatcher *reminders.Dispatcher
	engine     *bot.Engine
	once       desk.Onces
}

// reconcileEvery is how often bookings are checked for what a failure left behind;
// one replica does it each time.
const reconcileEvery = 5 * time.Minute

// startScheduler runs the scheduled work (robfig/cron, Europe/Rome): booking
// reminders every 10 seconds, the repair of bookings and of handoff cards that never
// made it every 5 minutes, the staff
// desk's daily digest at 08:00, and every hour the sweep of expired records from the
// embedded store (Redis expires them by itself). The returned function stops it and
// waits for a job in progress; calling it again does nothing.
func startScheduler(ctx context.Context, jobs scheduled, log *slog.Logger) (func(), error) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return nil, fmt.Errorf("load the Europe/Rome time zone: %w", err)
	}
	sched := cron.New(cron.WithLocation(rome), cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	if s, ok := jobs.store.(*bolt.Store); ok {
		sched.AddFunc("@every 1h", func() {
			if n, err := s.Sweep(ctx); err != nil {
				log.Error("sweep expired records failed", "err", err)
			} else if n > 0 {
				log.Info("expired records swept", "records", n)
			}
		})
	}
	if jobs.desk != nil {
		if _, err := jobs.desk.desk.AddTo(ctx, sched); err != nil {
			return nil, fmt.Errorf("schedule the daily digest: %w", err)
		}
	}
	if _, err := jobs.dispatcher.AddTo(ctx, sched); err != nil {
		return nil, fmt.Errorf("schedule the reminders: %w", err)
	}
	sched.AddFunc("@every "+reconcileEvery.String(), func() {
		rctx, cancel := context.WithTimeout(ctx, reconcileEvery/2)
		defer cancel()
		turn := time.Now().Truncate(reconcileEvery).Format(time.RFC3339)
		if first, err := jobs.once.Once(rctx, "reconcile:"+turn, reconcileEvery); err != nil || !first {
			return // another replica's turn, or the store is away: next time
		}
		done, err := jobs.engine.Reconcile(rctx)
		if err != nil {
			log.Error("repair of bookings incomplete", "err", err)
		}
		if done != (bot.Reconciled{}) {
			log.Info("bookings repaired", "reminders_replanned", done.Replanned, "requests_reposted", done.Reposted, "concluded", done.Concluded)
		}
		if jobs.desk != nil {
			n, err := jobs.desk.desk.RepostMissing(rctx)
			if err != nil {
				log.Error("repost of missing handoff cards incomplete", "err", err)
			}
			if n > 0 {
				log.Info("handoff cards posted late", "cards", n)
			}
			n, err = jobs.desk.desk.ResumeErasures(rctx)
			if err != nil {
				log.Error("erasure from operators' threads incomplete; going on next time", "err", err)
			}
			if n > 0 {
				log.Info("erasures from operators' threads finished", "threads", n)
			}
			n, err = jobs.desk.desk.RedactExpired(rctx)
			if err != nil {
				log.Error("redaction of expired requests' cards incomplete", "err", err)
			}
			if n > 0 {
				log.Info("cards of expired requests and applications redacted", "cards", n)
			}
		}
	})
	sched.Start()
	var once sync.Once
	return func() { once.Do(func() { <-sched.Stop().Done() }) }, nil
}

// catalogueReloader loads, validates and indexes the catalogue aside, then swaps it in;
// a bad catalogue leaves the old one serving.
type catalogueReloader struct {
	c       *cli
	live    *search.Live
	log     *slog.Logger
	metrics *web.Metrics
	mu      sync.Mutex      // one reload at a time
	old     []*search.Index // replaced indexes not closed yet
}

// close closes the current index and every replaced one still open.
func (r *catalogueReloader) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, idx := range append(r.old, r.live.Current()) {
		if idx != nil {
			idx.Close()
		}
	}
	r.old = nil
}

func (r *catalogueReloader) reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	cat, err := r.c.loadCatalogue()
	if err == nil {
		var idx *search.Index
		if idx, err = r.c.buildIndex(ctx, cat); err == nil {
			old := r.live.Swap(idx)
			r.old = append(r.old, old)
			// Searches in flight on the old index finish within their deadline.
			grace := max(oldIndexGrace, 2*r.c.cfg.SearchTimeout)
			time.AfterFunc(grace, func() {
				r.mu.Lock()
				defer r.mu.Unlock()
				for i, o := range r.old {
					if o == old {
						r.old = append(r.old[:i], r.old[i+1:]...)
						old.Close()
						break
					}
				}
			})
			r.metrics.Reloaded(true)
			r.log.Info("catalogue reloaded", "services", len(cat.Services), "took", time.Since(start).Round(time.Millisecond))
			return nil
		}
	}
	r.metrics.Reloaded(false)
	r.log.Error("catalogue reload refused: the old catalogue keeps serving", "err", err)
	return err
}

// ServeHTTP reloads on POST /admin/reload and says how it went.
func (r *catalogueReloader) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if err := r.reload(req.Context()); err != nil {
		http.Error(w, "reload refused, the old catalogue keeps serving:\n"+err.Error(), http.StatusUnprocessableEntity)
		return
	}
	fmt.Fprintf(w, "catalogue reloaded: %d services\n", len(r.live.Catalogue().Services))
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

// adminOnly requires the admin token as a bearer token.
func adminOnly(token string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization")
		if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+token)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
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
