// Package slack is WeMi Bot's staff desk in Slack, where WeMi operators work: a
// citizen's request for a person becomes a card with a thread in the operators'
// channel, the citizen's messages are relayed into that thread and the operators'
// replies there go back to the citizen; bookings, and the families' requests and
// workers' applications for Tate, Colf e Badanti, become cards too, whose buttons
// change them and tell the citizen; buttons on request cards are routed to their
// handlers; the /wemi command answers operators privately; a daily digest sums up the
// day before. Slack reaches the desk through Socket Mode (Run) or the Events API over
// HTTP (Handler); both share one dispatcher and one background work queue.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/records"
)

// Engine applies operators' actions to citizens' handoffs, bookings, and Tate, Colf e
// Badanti requests and applications; *bot.Engine is one.
type Engine interface {
	FromStaff(ctx context.Context, a bot.StaffAction) error
	BookingFromStaff(ctx context.Context, a bot.BookingAction) (bookings.Booking, error)
	MoveFromStaff(ctx context.Context, a bot.MoveAction) (bookings.Booking, error)
	SeriesFromStaff(ctx context.Context, a bot.BookingAction) ([]bookings.Booking, error)
	DomesticFromStaff(ctx context.Context, a bot.DomesticAction) (conversation string, err error)
}

// Searcher answers /wemi cerca and names the services on booking cards; *search.Index
// and *search.Live are ones.
type Searcher interface {
	Search(ctx context.Context, req catalogue.SearchRequest) (*catalogue.SearchResult, error)
	Catalogue() *catalogue.Catalogue
}

// Options configure a Desk. API, Channel, Handoffs and Once are required.
type Options struct {
	// API is the Web API client with the bot token (xoxb-). For Socket Mode it also
	// carries the app-level token (slackapi.OptionAppLevelToken).
	API *slackapi.Client
	// Channel is the id of the operators' channel, where cards and threads go.
	Channel string
	// Cards route the presses on request cards of other kinds (Card.Kind) to their
	// handlers; a kind of the desk's own (handoffs, bookings, Tate, Colf e Badanti
	// requests and applications) given here replaces the desk's handler.
	Cards map[string]CardHandler
	// Search answers /wemi cerca; nil: the command says search is unavailable.
	Search Searcher
	// Handoffs are the open handoffs, shared by the replicas.
	Handoffs *desk.Handoffs
	// Figures are the day's figures for /wemi stats and the digest; nil: none shown.
	Figures *desk.Figures
	// Once says which replica does what must be done once: handle a Slack event, post
	// the day's digest.
	Once desk.Onces
	// Bookings are the citizens' bookings, shared with the engine: a request becomes a
	// card, whose reference the desk records in the booking. Nil: booking events are
	// ignored.
	Bookings *bookings.Store
	// Domestic are the families' requests and the workers' applications for Tate, Colf
	// e Badanti, shared with the engine: each becomes a card, whose reference the desk
	// records in it. Nil: their events are ignored.
	Domestic *domestic.Store
	// Vouchers are the Comune's vouchers, for /wemi voucher; nil: the command says
	// they are unavailable.
	Vouchers Vouchers
	// Offers says citizens pay online (the engine's Payments have a Checkout,
	// Invoices or Vouchers): Conferma on a request for a service that is not free
	// opens a modal for the offer's price, deadline and note. False: Conferma
	// confirms at once, and the citizen pays the provider directly.
	Offers bool
	// Records keeps what the desk needs after a handoff closes (its thread, for the
	// citizen's rating) and where the card of a Tate, Colf e Badanti request is once the
	// citizen erased it; the desk store. Nil: ratings are posted in the channel, and
	// the card of an erased request keeps what it showed.
	Records records.Records
	// Shredder destroys the key a citizen's data is sealed with, once the desk has
	// taken them out of their handoffs' threads (vault.Vault is one). Nil: nothing to
	// shred.
	Shredder Shredder
	// Logger gets no personal data: no names, texts or conversation ids. Nil: discard.
	Logger *slog.Logger
	// Now tells the time; nil: time.Now.
	Now func() time.Time
	// Location is the operators' time zone; nil: Europe/Rome.
	Location *time.Location

	// Workers bound the desk's background work running at once; default 8.
	Workers int
	// WorkTimeout bounds one piece of background work; default 30 s.
	WorkTimeout time.Duration
	// ThreadWait is how long a citizen's message waits for the thread of its handoff
	// when another replica is still posting the card; default 2 s.
	ThreadWait time.Duration
}

// Desk is the staff desk in Slack. It implements bot.Staff, so it is built before the
// engine; the engine that applies operators' actions is given to Run or Handler when
// the desk starts serving Slack. It is safe for concurrent use.
type Desk struct {
	api      *slackapi.Client
	channel  string
	search   Searcher
	handoffs *desk.Handoffs
	figures  *desk.Figures
	once     desk.Onces
	records  records.Records
	bookings *bookings.Store
	domestic *domestic.Store
	vouchers Vouchers
	offers   bool
	shredder Shredder
	log      *slog.Logger
	now      func() time.Time
	loc      *time.Location
	texts    texts
	work     *workQueue
	names    *nameCache
	wait     time.Duration
	health   health

	cards     map[string]CardHandler // Options.Cards, never changed
	mu        sync.RWMutex
	workspace string // the workspace's URL, for links to threads; "" until known
	botID     string // the bot's own id, to tell its messages from operators'; "" until known
}

var _ bot.Staff = (*Desk)(nil)

// Bounds of the desk's background work.
const (
	defaultWorkers     = 8
	defaultWorkTimeout = 30 * time.Second
	maxQueuedWork      = 2000
)

// New builds a Desk. It makes no call to Slack: the desk can start while Slack is
// unreachable.
func New(opts Options) (*Desk, error) {
	switch {
	case opts.API == nil:
		return nil, errors.New("slack: no API client")
	case opts.Channel == "":
		return nil, errors.New("slack: no operators' channel")
	case opts.Handoffs == nil || opts.Once == nil:
		return nil, errors.New("slack: Handoffs and Once are required")
	}
	t, err := loadTexts()
	if err != nil {
		return nil, err
	}
	d := &Desk{api: opts.API, channel: opts.Channel, search: opts.Search, handoffs: opts.Handoffs,
		figures: opts.Figures, once: opts.Once, records: opts.Records, bookings: opts.Bookings,
		domestic: opts.Domestic, vouchers: opts.Vouchers, offers: opts.Offers, shredder: opts.Shredder, log: opts.Logger, now: opts.Now, loc: opts.Location, texts: t, cards: maps.Clone(opts.Cards),
		wait: opts.ThreadWait, names: newNameCache(maxCachedNames, nameTTL)}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.loc == nil {
		if d.loc, err = time.LoadLocation("Europe/Rome"); err != nil {
			return nil, fmt.Errorf("slack: load Europe/Rome: %w", err)
		}
	}
	if d.wait <= 0 {
		d.wait = 2 * time.Second
	}
	workers, timeout := opts.Workers, opts.WorkTimeout
	if workers <= 0 {
		workers = defaultWorkers
	}
	if timeout <= 0 {
		timeout = defaultWorkTimeout
	}
	d.work = newWorkQueue(workers, maxQueuedWork, timeout, d.log)
	return d, nil
}

// OpenHandoffs returns how many handoffs are waiting for an operator or being
// answered, for a gauge.
func (d *Desk) OpenHandoffs(ctx context.Context) (int, error) {
	open, err := d.handoffs.Waiting(ctx)
	if err != nil {
		return 0, fmt.Errorf("slack: count open handoffs: %w", err)
	}
	return len(open), nil
}

// Drain stops taking new work (Slack requests then get 503 and are retried, by
// Slack, at another replica) and waits until the work already taken is done or ctx
// ends. Call it at shutdown, after the channels that feed the engine stopped.
func (d *Desk) Drain(ctx context.Context) error {
	return d.work.drain(ctx)
}

// text returns an operator-facing sentence.
func (d *Desk) text(key string, kv ...string) string { return d.texts.text(key, kv...) }

// channelName is how operators read a citizen's channel ("Telegram", "chat web"),
// escaped for a message.
func (d *Desk) channelName(channel string) string {
	return Escape(d.texts.textOr("channel."+channel, channel))
}

// clock formats a time as operators read it: 10:32 in Milan.
func (d *Desk) clock(t time.Time) string { return t.In(d.loc).Format("15:04") }
