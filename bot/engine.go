// Package bot is WeMi Bot's conversation engine: one channel-independent engine that
// turns citizens' messages into replies, keeps each conversation's state in a Store,
// and raises events for staff. Channels (Telegram, web, Slack, the terminal) only
// translate to and from it.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/search"
)

// Searcher finds services; *search.Index is one.
type Searcher interface {
	Search(ctx context.Context, req search.Request) (*search.Result, error)
}

// Staff receives the events operators must see: handoff requests and emergencies.
type Staff interface {
	Notify(ctx context.Context, e Event) error
}

// EventKind says what an Event is about.
type EventKind string

// The events the engine raises.
const (
	EventHandoff   EventKind = "handoff"
	EventEmergency EventKind = "emergency"
)

// Event is something staff must act on.
type Event struct {
	Kind         EventKind
	Priority     bool // answer before anything else
	Conversation string
	Channel      string
	Lang         string
	FirstName    string
	Reason       string // why: "asked", "no_results", or the kind of danger
	Query        string // what the citizen last searched for
	Recent       []Turn // the last turns of the conversation
	At           time.Time
}

// Turn is one line of a conversation shown to staff.
type Turn struct {
	From string // "user" or "bot"
	Text string
	At   time.Time
}

// ErrUnavailable is returned, with an apology reply to send, when the store could not
// be reached: nothing was applied, and the citizen can retry.
var ErrUnavailable = errors.New("conversation store unavailable")

// Options configure an Engine. Catalogue, Search and Store are required.
type Options struct {
	Catalogue *catalogue.Catalogue
	Search    Searcher
	Store     Store
	Staff     Staff        // nil: events are only logged
	Texts     *Texts       // nil: the bundled translations
	Logger    *slog.Logger // nil: discard
	Now       func() time.Time

	IdleTTL   time.Duration // a conversation is forgotten after this long idle; default 30 days
	DedupeTTL time.Duration // how long an update id is remembered; default 24 hours
	LockTTL   time.Duration // how long one message may hold its conversation; default 15 s
	LockWait  time.Duration // how long a message waits for its conversation; default 10 s
	// RateLimit messages per RateWindow are answered; beyond, the citizen is asked
	// once to slow down and the rest is ignored. Defaults 20 per 30 s.
	RateLimit  int
	RateWindow time.Duration
	// MaxMessageRunes bounds a message; longer ones are declined. Default 2,000.
	MaxMessageRunes int
	PageSize        int // results per page; default 5
}

// Engine handles conversations. It is safe for concurrent use.
type Engine struct {
	opts   Options
	cat    *catalogue.Catalogue
	texts  *Texts
	log    *slog.Logger
	now    func() time.Time
	rome   *time.Location
	safety *safety

	mu      sync.Mutex
	pending map[string]Message // the last message a store failure interrupted, per conversation
}

// maxPending bounds the interrupted messages kept in memory for a retry.
const maxPending = 10000

// New builds an Engine.
func New(opts Options) (*Engine, error) {
	if opts.Catalogue == nil || opts.Search == nil || opts.Store == nil {
		return nil, errors.New("bot: Catalogue, Search and Store are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.IdleTTL, 30*24*time.Hour)
	def(&opts.DedupeTTL, 24*time.Hour)
	def(&opts.LockTTL, 15*time.Second)
	def(&opts.LockWait, 10*time.Second)
	def(&opts.RateWindow, 30*time.Second)
	if opts.RateLimit <= 0 {
		opts.RateLimit = 20
	}
	if opts.MaxMessageRunes <= 0 {
		opts.MaxMessageRunes = 2000
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 5
	}
	e := &Engine{opts: opts, cat: opts.Catalogue, texts: opts.Texts, log: opts.Logger, now: opts.Now,
		pending: map[string]Message{}}
	if e.texts == nil {
		t, err := LoadTexts()
		if err != nil {
			return nil, err
		}
		e.texts = t
	}
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
	if e.safety, err = loadSafety(); err != nil {
		return nil, err
	}
	return e, nil
}

// Handle answers one message. The replies are to be sent in order even when err is
// not nil: on ErrUnavailable they hold an apology with a retry button.
func (e *Engine) Handle(ctx context.Context, m Message) ([]Reply, error) {
	if m.Channel == "" || m.UserID == "" {
		return nil, errors.New("bot: message without channel or user")
	}
	conv := m.Conversation()
	sess, err := e.begin(ctx, m)
	if err != nil {
		e.log.WarnContext(ctx, "conversation store unavailable", "channel", m.Channel, "err", err)
		e.keepForRetry(conv, m)
		return []Reply{e.unavailable(guessLang(m.LangCode))}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if sess.Duplicate {
		return nil, nil
	}
	now := e.now()
	st, ok := decodeState(sess.State)
	if !ok {
		st = state{Lang: guessLang(m.LangCode), Created: now}
	}
	t := &turnCtx{e: e, ctx: ctx, m: m, st: &st, now: now}
	if m.Button == actRetry {
		if prev, ok := e.takeRetry(conv); ok {
			t.m, m = prev, prev
		}
	}
	if sess.Count > e.opts.RateLimit {
		t.slowDown()
	} else {
		t.dispatch()
	}
	st.Updated = now
	if t.forget {
		return e.finishForget(ctx, sess, t)
	}
	data, err := st.encode()
	if err != nil {
		e.opts.Store.Release(ctx, sess)
		return nil, fmt.Errorf("encode state: %w", err)
	}
	if err := e.opts.Store.Commit(ctx, sess, Commit{State: data, IdleTTL: e.opts.IdleTTL, DedupeTTL: e.opts.DedupeTTL}); err != nil {
		e.log.WarnContext(ctx, "save conversation failed", "channel", m.Channel, "err", err)
		e.keepForRetry(conv, m)
		return []Reply{e.unavailable(st.Lang)}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	e.dropRetry(conv)
	e.notify(ctx, t.events)
	return t.replies, nil
}

// begin waits for the conversation's lock, retrying while another message of the
// same conversation is being handled.
func (e *Engine) begin(ctx context.Context, m Message) (Session, error) {
	ctx, cancel := context.WithTimeout(ctx, e.opts.LockWait)
	defer cancel()
	wait := 2 * time.Millisecond
	for {
		sess, err := e.opts.Store.Begin(ctx, Begin{Conversation: m.Conversation(), UpdateID: m.UpdateID,
			LockTTL: e.opts.LockTTL, RateWindow: e.opts.RateWindow})
		if !errors.Is(err, ErrLocked) {
			return sess, err
		}
		select {
		case <-ctx.Done():
			return Session{}, fmt.Errorf("wait for conversation: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, 100*time.Millisecond)
	}
}

// finishForget saves nothing about the citizen: the update is committed with an empty
// state (so a redelivery is still dropped) and everything is then erased.
func (e *Engine) finishForget(ctx context.Context, sess Session, t *turnCtx) ([]Reply, error) {
	empty := state{Lang: t.st.Lang, Created: t.now, Updated: t.now}
	data, _ := empty.encode()
	if err := e.opts.Store.Commit(ctx, sess, Commit{State: data, IdleTTL: time.Minute, DedupeTTL: e.opts.DedupeTTL}); err != nil {
		return []Reply{e.unavailable(t.st.Lang)}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if err := e.opts.Store.Forget(ctx, sess.Conversation); err != nil {
		return []Reply{e.unavailable(t.st.Lang)}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	e.dropRetry(sess.Conversation)
	return t.replies, nil
}

func (e *Engine) unavailable(lang string) Reply {
	return Reply{Text: e.texts.T(lang, "error.unavailable"),
		Buttons: [][]Button{{btn(e.texts.T(lang, "button.retry"), actRetry)}}}
}

func (e *Engine) notify(ctx context.Context, events []Event) {
	for _, ev := range events {
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
	if len(e.pending) >= maxPending {
		for k := range e.pending { // drop an arbitrary one: memory stays bounded
			delete(e.pending, k)
			break
		}
	}
	m.UpdateID = "" // a replay is a new update
	e.pending[conv] = m
}

func (e *Engine) takeRetry(conv string) (Message, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.pending[conv]
	delete(e.pending, conv)
	return m, ok
}

func (e *Engine) dropRetry(conv string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.pending, conv)
}

// guessLang picks the bot's language from the language code a platform reports.
func guessLang(code string) string {
	code = strings.ToLower(code)
	if strings.HasPrefix(code, "en") {
		return "en"
	}
	return defaultLang
}

// Texts returns the engine's translations, for channels that show them themselves
// (a chat app's command menu).
func (e *Engine) Texts() *Texts { return e.texts }
