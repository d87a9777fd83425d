// Package bot is WeMi Bot's conversation engine: one channel-independent engine that
// turns citizens' messages into replies, keeps each conversation's state in a Store,
// and raises events for staff. Channels (Telegram, web, Slack, the terminal) only
// translate to and from it.
package bot

import (
	"github.com/comune-milano/wemibot/activities"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/i18n"
	"github.com/comune-milano/wemibot/langid"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/safety"
)

// Searcher finds services in a catalogue, which it also serves; *search.Index is one,
// and so is *search.Live, which swaps in a reloaded catalogue without downtime.
type Searcher interface {
	Search(ctx context.Context, req catalogue.SearchRequest) (*catalogue.SearchResult, error)
	Catalogue() *catalogue.Catalogue
}

// Observer is told what the engine does, for metrics. Every method must be cheap and
// safe for concurrent use; nil means no metrics.
type Observer interface {
	// Message counts a message handled, by channel and by what it asked for
	// ("search", "card", "near", "command:start"...: a bounded set).
	Message(channel, flow string)
	// Searched reports a search's latency and whether it found nothing.
	Searched(d time.Duration, empty bool)
	// Raised counts an event for staff.
	Raised(kind EventKind)
}

// ErrUnavailable is returned, with an apology reply to send, when the store could not
// be reached: nothing was applied, and the citizen can retry.
var ErrUnavailable = errors.New("conversation store unavailable")

// ErrDuplicate is returned, with no reply, for an update handled before (a channel's
// redelivery, a client's retry): its answer was already given.
var ErrDuplicate = errors.New("update already handled")

// Options configure an Engine. Search and Store are required.
type Options struct {
	Search  Searcher
	Store   Store
	Staff   Staff             // nil: events are only logged, and no handoff opens
	Pushers map[string]Pusher // by channel: how operators' replies reach citizens
	Figures Figures           // nil: the day's figures are not counted
	// Bookings keeps citizens' bookings; with Staff, services can be booked from
	// their card. Nil: the card says how to request a service.
	Bookings *bookings.Store
	// Domestic keeps families' requests and workers' applications for Tate, Colf e
	// Badanti; with Staff, the bot takes them. Nil: it explains the service only.
	Domestic *domestic.Store
	// DomesticRetention is how long a closed request or application is kept (as the
	// privacy notice says); default 90 days.
	DomesticRetention time.Duration
	// Reminders plans confirmed bookings' reminders by ReminderPolicy; nil: none.
	Reminders      ReminderQueue
	ReminderPolicy reminders.Policy
	// Places counts the places taken in activities' sessions; with Staff and
	// Bookings, citizens enrol in activities from the chat. Nil: the activities are
	// listed without places left, and their cards say how to enrol elsewhere.
	Places *activities.Places
	// Payments say how citizens pay for services; the zero value takes no payment.
	Payments Payments
	Texts    *Texts   // nil: the bundled translations
	Observer Observer // nil: no metrics
	// Trace, when set, is told how each text was understood, before the engine acts
	// on it (wemibot shell --debug prints it). It must not keep the text: it is the
	// citizen's.
	Trace  func(ctx context.Context, conversation string, in Interpretation)
	Logger *slog.Logger // nil: discard
	Now    func() time.Time
	// JSONState saves conversations' states in JSON, as releases before the compact
	// encoding did: the only encoding they read. It is for the first step of a rolling
	// upgrade, while replicas of such a release still run; states in either encoding
	// are read whatever it says.
	JSONState bool

	IdleTTL   time.Duration // a conversation is forgotten after this long idle; default 30 days
	DedupeTTL time.Duration // how long an update id is remembered; default 24 hours
	LockTTL   time.Duration // how long one message may hold its conversation; default 15 s
	LockWait  time.Duration // how long a message waits for its conversation; default 10 s

	// GreetingTTL is how long a conversation is kept while it has had nothing but the
	// bare greeting (/start, which the web page sends by itself when opened), and the
	// greeting's handled mark with it: a session that never says anything costs little
	// and goes soon. Default 1 hour.
	GreetingTTL time.Duration

	// RateLimit messages per RateWindow are answered; beyond, the citizen is asked
	// once to slow down and the rest is ignored. Defaults 30 per 30 s (a multiple choice
	// toggled button by button takes a dozen presses).
	RateLimit  int
	RateWindow time.Duration
	// MaxMessageRunes bounds a message; longer ones are declined. Default 2,000.
	MaxMessageRunes int
	PageSize        int // results per page; default and at most 5 (maxListItems)
	// ReplyWithin is how soon an operator usually answers a handoff during office
	// hours, as the citizen is told; default 30 minutes.
	ReplyWithin time.Duration
}

// Engine handles conversations. It is safe for concurrent use.
type Engine struct {
	opts    Options
	texts   *Texts
	menus   map[string][][]Button // the main menu by language (Turn.MainMenu)
	log     *slog.Logger
	now     func() time.Time
	rome    *time.Location
	office  officeHours
	intents *intentPhrases
	dangers *safety.Recogniser
	langs   *langid.Detector
	flows   flows
	lexicon *lexicon
	vocab   vocabulary
	routes  routes
	// The domestic-work pay tables and the help families may get, for estimates.
	pay      *domestic.Pay
	supports []domestic.Support

	mu      sync.Mutex
	pending map[string]pendingMessage // the last message a store failure interrupted, per conversation
	queues  map[string]*convQueue     // conversations with a message being handled here
}

// pendingMessage is a message kept for a retry, in this process only.
type pendingMessage struct {
	m  Message
	at time.Time
}

// convQueue lets a conversation's messages take turns in arrival order: blocked
// senders on a channel are served first in, first out.
type convQueue struct {
	turn    chan struct{}
	waiting int
}

// Interrupted messages are kept in memory for a retry: at most maxPending of them,
// each for pendingTTL. With several replicas a retry that reaches another replica
// finds nothing and shows the menu; the channels' own redelivery covers that case.
const (
	maxPending = 10000
	pendingTTL = 15 * time.Minute
)

// New builds an Engine.
func New(opts Options) (*Engine, error) {
	if opts.Search == nil || opts.Store == nil || opts.Search.Catalogue() == nil {
		return nil, errors.New("bot: Search (with its catalogue) and Store are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.IdleTTL, 30*24*time.Hour)
	def(&opts.GreetingTTL, time.Hour)
	def(&opts.DedupeTTL, 24*time.Hour)
	def(&opts.LockTTL, 15*time.Second)
	def(&opts.LockWait, 10*time.Second)
	def(&opts.RateWindow, 30*time.Second)
	def(&opts.ReplyWithin, 30*time.Minute)
	def(&opts.DomesticRetention, 90*24*time.Hour)
	if opts.RateLimit <= 0 {
		opts.RateLimit = 30
	}
	if opts.MaxMessageRunes <= 0 {
		opts.MaxMessageRunes = 2000
	}
	if opts.PageSize <= 0 || opts.PageSize > maxListItems {
		opts.PageSize = maxListItems
	}
	e := &Engine{opts: opts, texts: opts.Texts, log: opts.Logger, now: opts.Now,
		pending: map[string]pendingMessage{}, queues: map[string]*convQueue{}}
	if e.texts == nil {
		t, err := LoadTexts()
		if err != nil {
			return nil, err
		}
		e.texts = t
	}
	e.langs = NewDetector(e.texts)
	e.menus = mainMenus(e.texts)
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return nil, fmt.Errorf("bot: load Europe/Rome: %w", err)
	}
	e.rome = rome
	e.flows = newFlows(e)
	e.routes = newRoutes(e.flows)
	e.office = officeHours{rome: rome}
	if e.intents, err = loadIntents(); err != nil {
		return nil, err
	}
	if e.lexicon, err = loadLexicon(); err != nil {
		return nil, err
	}
	if e.dangers, err = safety.Load(); err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	if e.pay, err = domestic.LoadPay(); err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	if e.supports, err = domestic.LoadSupports(); err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	return e, nil
}

// Handle answers one message. The replies are to be sent in order even when err is
// not nil: on ErrUnavailable they hold an apology with a retry button (or, for a
// message that signals danger, the emergency numbers: those never wait for the store).
func (e *Engine) Handle(ctx context.Context, m Message) ([]Reply, error) {
	return e.HandleKeeping(ctx, m, nil)
}

// Keeper keeps the answer to a message where a retry of it will find the answer. It
// is called before the conversation's state is saved, so that a process dying in
// between loses no answer: the state says the message was handled only once its
// answer is kept.
type Keeper func(ctx context.Context, replies []Reply) error

// HandleKeeping is Handle for a channel that answers the retries of a message itself
// (the web chat): keep, when not nil, receives the replies before the state is saved,
// except those that erase the conversation (an erased answer is not kept). When keep
// fails nothing is saved, the message counts as not handled, and the error wraps
// ErrUnavailable.
func (e *Engine) HandleKeeping(ctx context.Context, m Message, keep Keeper) ([]Reply, error) {
	if m.Channel == "" || m.UserID == "" {
		return nil, errors.New("bot: message without channel or user")
	}
	var t *Turn
	var keepErr error
	err := e.transact(ctx, m.Conversation(), m.UpdateID, func(x *tx) txEnd {
		greetedOnly := isGreeting(m) && (!x.known || x.st.GreetedOnly)
		t = e.citizenMessage(ctx, m, x)
		if t.forget {
			// The citizen's records go before the store forgets the conversation,
			// which may destroy the key they are sealed with (vault/sealed): after
			// it they could no longer be found to be erased.
			t.events = append(t.events, e.forgetBookings(ctx, t)...)
			t.events = append(t.events, e.forgetDomestic(ctx, t)...)
			return txForget
		}
		if x.st.GreetedOnly = greetedOnly; greetedOnly {
			x.keepFor = e.opts.GreetingTTL
		}
		if keep != nil {
			if keepErr = keep(ctx, withLang(t.replies, t.st.Lang)); keepErr != nil {
				return txDrop
			}
		}
		return txSave
	})
	if err == nil && keepErr != nil {
		err = fmt.Errorf("%w: keep the answer: %w", ErrUnavailable, keepErr)
	}
	if err != nil {
		return e.failed(ctx, m, t, err)
	}
	conv := m.Conversation()
	e.dropRetry(conv)
	if t.forget {
		e.notify(ctx, t.events)
		if n := len(t.replies); n > 0 {
			t.replies[n-1].Forgotten = true
		}
		return withLang(t.replies, t.st.Lang), nil
	}
	e.notify(ctx, t.events)
	e.count(ctx, t.facts)
	if o := e.opts.Observer; o != nil {
		o.Message(m.Channel, t.flow)
	}
	return withLang(t.replies, t.st.Lang), nil
}

// citizenMessage handles a citizen's message on the conversation's state: danger
// first, whatever the flow; then the rate limit; then an open handoff; then the
// routes.
func (e *Engine) citizenMessage(ctx context.Context, m Message, x *tx) *Turn {
	now := e.now()
	if !x.known {
		x.st = state{Lang: guessLang(m.LangCode), Created: now}
	}
	st := &x.st
	if !st.LangSet && m.LangCode != "" {
		st.Lang = guessLang(m.LangCode) // the app's language, until the citizen chooses
	}
	t := &Turn{e: e, cat: e.opts.Search.Catalogue(), m: m, st: st, now: now, fresh: !x.known}
	if !x.known || !sameDay(st.Updated, now, e.rome) {
		t.Count(desk.Fact{Kind: desk.FactConversation, At: now})
	}
	if m.Button == actRetry {
		if prev, ok := e.takeRetry(m.Conversation()); ok {
			t.m = prev
		}
	}
	danger, isDanger := e.danger(t.m)
	switch {
	case isDanger:
		e.flows.language.followInDanger(t)
		// Kept whole (up to the danger bound): operators must read all of it.
		st.remember("user", truncateRunes(cleanText(t.m.Text), maxDangerRunes), now)
		e.flows.emergency.emergency(t, danger)
	case m.Payment != nil:
		// Money was taken: never held back by the rate limit or a handoff.
		t.flow = "payment"
		e.flows.booking.paymentInTurn(ctx, t, *m.Payment)
	case x.Count > e.opts.RateLimit:
		t.slowDown()
	case st.Handoff != nil:
		e.flows.language.followQuietly(t)
		e.flows.handoff.inHandoff(ctx, t)
	case e.flows.language.followLanguage(t):
		// asked whether to go on in the language the citizen wrote in
	default:
		t.dispatch(ctx)
	}
	st.Updated = now
	return t
}

// failed answers a message whose transaction failed: t is the turn that ran, or
// nil when the store could not be reached before it.
func (e *Engine) failed(ctx context.Context, m Message, t *Turn, err error) ([]Reply, error) {
	switch {
	case errors.Is(err, ErrDuplicate):
		return nil, err
	case errors.Is(err, errPanic):
		return []Reply{{Text: e.texts.T(guessLang(m.LangCode), "error.internal")}}, err
	case !errors.Is(err, ErrUnavailable):
		return nil, err
	case t != nil && t.forget:
		e.log.WarnContext(ctx, "erase conversation failed", "channel", m.Channel, "err", err)
		// The records went before the failure: staff must forget them all the same.
		e.notify(ctx, t.events)
		return []Reply{{Lang: t.st.Lang, Text: e.texts.T(t.st.Lang, "privacy.forget_failed"), Buttons: [][]Button{
			{btn(e.texts.T(t.st.Lang, "privacy.forget_yes"), actForgetAsk)}}}}, err
	}
	lang := guessLang(m.LangCode)
	if t == nil {
		e.log.WarnContext(ctx, "conversation store unavailable", "channel", m.Channel, "err", err)
	} else {
		e.log.WarnContext(ctx, "save conversation failed", "channel", m.Channel, "err", err)
		m, lang = t.m, t.st.Lang // the message handled: a retry may have replayed another
	}
	if danger, ok := e.danger(m); ok {
		// Staff hear of danger even though the state was not saved, without a
		// handoff that does not exist.
		return e.emergencyWithoutState(ctx, m, danger), err
	}
	e.keepForRetry(m.Conversation(), m)
	return []Reply{e.unavailable(lang)}, err
}

// withLang marks replies with the language they are in: the conversation's, unless
// a reply says otherwise (the question whether to go on in another language).
func withLang(replies []Reply, lang string) []Reply {
	for i := range replies {
		if replies[i].Lang == "" {
			replies[i].Lang = lang
		}
	}
	return replies
}

// danger reports whether a message signals danger, whatever its length or flow, and
// which kinds.
func (e *Engine) danger(m Message) (safety.Assessment, bool) {
	if m.Text == "" {
		return safety.Assessment{}, false
	}
	return e.dangers.Assess(truncateRunes(cleanText(m.Text), maxDangerRunes))
}

// maxDangerRunes bounds the text assessed for danger: far more than any
// message the bot reads, so that a long message is still checked.
const maxDangerRunes = 20000

// emergencyWithoutState answers danger when the store cannot be reached: the
// numbers at once, and staff alerted with what this message says.
func (e *Engine) emergencyWithoutState(ctx context.Context, m Message, danger safety.Assessment) []Reply {
	now := e.now()
	st := state{Lang: guessLang(m.LangCode), Created: now}
	t := &Turn{e: e, cat: e.opts.Search.Catalogue(), m: m, st: &st, now: now, unsaved: true}
	t.st.remember("user", truncateRunes(cleanText(m.Text), maxDangerRunes), now)
	t.e.flows.emergency.emergency(t, danger)
	e.notify(ctx, t.events)
	return t.replies
}

func (e *Engine) unavailable(lang string) Reply {
	return Reply{Lang: lang, Text: e.texts.T(lang, "error.unavailable"),
		Buttons: [][]Button{{btn(e.texts.T(lang, "button.retry"), actRetry)}}}
}

func (e *Engine) notify(ctx context.Context, events []Event) {
	for _, ev := range events {
		if o := e.opts.Observer; o != nil {
			o.Raised(ev.Kind)
		}
		if e.opts.Staff == nil {
			e.log.InfoContext(ctx, "staff event (no staff desk configured)", "kind", ev.Kind, "channel", ev.Channel, "priority", ev.Priority)
			continue
		}
		if err := e.opts.Staff.Notify(ctx, ev); err != nil {
			e.log.ErrorContext(ctx, "notify staff failed", "kind", ev.Kind, "channel", ev.Channel, "err", err)
		}
	}
}

func (e *Engine) keepForRetry(conv string, m Message) {
	if m.Button == actRetry {
		return // the interrupted message is still kept
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	if len(e.pending) >= maxPending {
		for k, p := range e.pending {
			if now.Sub(p.at) > pendingTTL || len(e.pending) >= maxPending {
				delete(e.pending, k)
			}
		}
	}
	m.UpdateID = "" // a replay is a new update
	m.Text = truncateRunes(m.Text, e.opts.MaxMessageRunes+1)
	e.pending[conv] = pendingMessage{m: m, at: now}
}

func (e *Engine) takeRetry(conv string) (Message, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.pending[conv]
	delete(e.pending, conv)
	if !ok || e.now().Sub(p.at) > pendingTTL {
		return Message{}, false
	}
	return p.m, true
}

func (e *Engine) dropRetry(conv string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.pending, conv)
}

// guessLang picks the bot's language from the language code a platform reports.
func guessLang(code string) string {
	if l := i18n.FromHint(code); l != "" {
		return l
	}
	return defaultLang
}

// Texts returns the engine's translations, for channels that show them themselves
// (a chat app's command menu).
func (e *Engine) Texts() *Texts { return e.texts }
