package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/adapters/slack"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/search"
	"github.com/comune-milano/wemibot/vouchers"
)

// slackDesk is the staff desk in Slack, when its tokens are set: built before the
// engine, whose staff it is, and started with it.
type slackDesk struct {
	desk    *slack.Desk
	figures *desk.Figures
}

// shreddingStore is the desk's store, which also shreds an erased citizen's key.
type shreddingStore interface {
	desk.Store
	slack.Shredder
}

// newSlackDesk builds the Slack desk when WEMI_SLACK_BOT_TOKEN is set (nil otherwise):
// handoffs and the day's figures in the desk store, /wemi cerca on the live catalogue,
// /wemi voucher on the Comune's vouchers, offers to pay when citizens can pay online
// (offers), and the open-handoffs gauge.
func (c *cli) newSlackDesk(store shreddingStore, bs *bookings.Store, ds *domestic.Store, vs *vouchers.Store, offers bool, live *search.Live, metrics *web.Metrics, log *slog.Logger) (*slackDesk, error) {
	if c.cfg.SlackBotToken == "" {
		return nil, nil
	}
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return nil, fmt.Errorf("load the Europe/Rome time zone: %w", err)
	}
	opts := []slackapi.Option{slackapi.OptionAppLevelToken(c.cfg.SlackAppToken)}
	if c.cfg.SlackAPI != "" {
		opts = append(opts, slackapi.OptionAPIURL(strings.TrimSuffix(c.cfg.SlackAPI, "/")+"/"))
	}
	api := slackapi.New(c.cfg.SlackBotToken, opts...)
	figures := desk.NewFigures(store, rome, log)
	deskOpts := slack.Options{API: api, Channel: c.cfg.SlackChannel, Search: live,
		Handoffs: desk.NewHandoffs(store, c.cfg.IdleTTL), Figures: figures, Once: store, Records: store, Shredder: store, Bookings: bs, Domestic: ds,
		Offers: offers, Logger: log, Location: rome}
	if vs != nil { // a nil *Store in the interface would not read as none
		deskOpts.Vouchers = vs
	}
	d, err := slack.New(deskOpts)
	if err != nil {
		return nil, err
	}
	metrics.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "wemibot_open_handoffs",
		Help: "Handoffs waiting for an operator or being answered (NaN when the store cannot be read)."},
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			n, err := d.OpenHandoffs(ctx)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}))
	return &slackDesk{desk: d, figures: figures}, nil
}

// staff returns the desk as the engine's bot.Staff: a nil interface without one.
func (s *slackDesk) staff() bot.Staff {
	if s == nil {
		return nil
	}
	return s.desk
}

// counted returns the engine's bot.Figures: the day's figures are counted only for a
// desk that shows them.
func (s *slackDesk) counted() bot.Figures {
	if s == nil {
		return nil
	}
	return s.figures
}

// slackEventsPath is where the Events API requests are served in http mode: the Slack
// app's Event Subscriptions, Interactivity and /wemi URLs point at
// /slack/events, /slack/interactions and /slack/commands.
const slackEventsPath = "/slack/"

// route serves the Events API on the site in http mode, applying operators' actions
// through engine.
func (s *slackDesk) route(c *cli, site *web.Server, engine slack.Engine) error {
	if s == nil || c.cfg.SlackMode != "http" {
		return nil
	}
	h, err := s.desk.Handler(c.cfg.SlackSigningSecret, engine)
	if err != nil {
		return err
	}
	site.Handle("POST "+slackEventsPath, h)
	return nil
}

// banner says how the desk is reached.
func (s *slackDesk) banner(c *cli) string {
	switch {
	case s == nil:
		return "Slack staff desk: off (set WEMI_SLACK_BOT_TOKEN and WEMI_SLACK_CHANNEL to switch it on)"
	case c.cfg.SlackMode == "http":
		return "Slack staff desk: Events API at " + slackEventsPath + "{events,interactions,commands}, channel " + c.cfg.SlackChannel
	default:
		return "Slack staff desk: Socket Mode, channel " + c.cfg.SlackChannel
	}
}

// run keeps the desk in touch with Slack until ctx ends: it checks the bot token
// (auth.test) with growing pauses until Slack answers, and in Socket Mode keeps the
// connection up, applying operators' actions through engine. Slack unreachable or
// refusing the tokens (revoked, app uninstalled) stops the desk, not the bot: citizens
// keep their channels, the desk's health says why, and it tries again with growing
// pauses.
func (s *slackDesk) run(ctx context.Context, mode string, engine slack.Engine, log *slog.Logger) {
	if mode != "socket" {
		s.desk.Verify(ctx, time.Second, 5*time.Minute)
		return
	}
	go s.desk.Verify(ctx, time.Second, 5*time.Minute)
	wait := 30 * time.Second
	for {
		err := s.desk.Run(ctx, engine)
		if ctx.Err() != nil {
			return
		}
		// Jittered, so that replicas refused together do not call Slack in step.
		pause := wait/2 + rand.N(wait/2)
		log.Error("slack: the staff desk stopped; trying again", "in", pause.Round(time.Second), "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		wait = min(2*wait, 30*time.Minute)
	}
}

// repair posts the handoff cards that never made it, finishes the erasures from
// operators' threads that Slack refused or delayed, and redacts the cards of expired
// requests: the desk's share of the 5-minute repair.
func (s *slackDesk) repair(ctx context.Context, log *slog.Logger) {
	if s == nil {
		return
	}
	n, err := s.desk.RepostMissing(ctx)
	if err != nil {
		log.Error("repost of missing handoff cards incomplete", "err", err)
	}
	if n > 0 {
		log.Info("handoff cards posted late", "cards", n)
	}
	n, err = s.desk.ResumeErasures(ctx)
	if err != nil {
		log.Error("erasure from operators' threads incomplete; going on next time", "err", err)
	}
	if n > 0 {
		log.Info("erasures from operators' threads finished", "threads", n)
	}
	n, err = s.desk.RedactExpired(ctx)
	if err != nil {
		log.Error("redaction of expired requests' cards incomplete", "err", err)
	}
	if n > 0 {
		log.Info("cards of expired requests and applications redacted", "cards", n)
	}
}

// drain finishes the desk's queued work at shutdown, within a bound.
func (s *slackDesk) drain(log *slog.Logger) {
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.desk.Drain(ctx); err != nil {
		log.Warn("slack: work still queued at shutdown was dropped", "err", err)
	}
}
