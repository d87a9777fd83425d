package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/slack"
	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/internal/logtest"
	"github.com/comune-milano/wemibot/records"
	"github.com/comune-milano/wemibot/search/searchtest"
	"github.com/comune-milano/wemibot/vault"
	"github.com/comune-milano/wemibot/vault/sealed"
)

// The operators' channel and the people in the fake workspace.
const operators = "C0OPERATORS"

var (
	giulia = slacktest.User{ID: "U0GIULIA", FirstName: "Giulia", LastName: "Bianchi"}
	// Marco's profile has no first name: he signs with his real name's first word.
	marco = slacktest.User{ID: "U0MARCO", RealName: "Marco Rossi"}
)

// rome is the operators' and the engine's time zone.
var rome = mustLoad("Europe/Rome")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// monday10 is an office hour: Monday 2 March 2026, 10:00 in Milan.
var monday10 = time.Date(2026, time.March, 2, 10, 0, 0, 0, rome)

// env is a fake Slack, a real engine with a bolt store and the desk under test.
type env struct {
	t        *testing.T
	srv      *slacktest.Server
	store    *bolt.Store
	records  records.Records // the store's, sealed when envOptions.sealed
	convs    bot.Store       // the store's, sealed when envOptions.sealed
	shredder slack.Shredder  // nil unless envOptions.sealed
	handoffs *desk.Handoffs
	figures  *desk.Figures
	bookings *bookings.Store // nil unless envOptions.bookings
	domestic *domestic.Store // nil unless envOptions.domestic
	desk     *slack.Desk
	engine   *bot.Engine
	inbox    *inbox
	clock    *clocktest.Clock
	logs     *logtest.Buffer
	updates  int // citizen update ids handed out
}

// envOptions tweak an env.
type envOptions struct {
	now    time.Time
	noRun  bool // no Socket Mode: the test drives the desk over HTTP
	desk   func(*slack.Options)
	shared *env // share this env's fake Slack and stores: a second replica

	// bookings gives the engine and the desk a booking store: services can be booked.
	bookings bool
	// domestic gives the engine and the desk a store of Tate, Colf e Badanti requests
	// and applications.
	domestic bool
	// sealed seals the engine's and the desk's records with a vault, as cmd/wemibot
	// does; the desk shreds through it.
	sealed bool
	// payments are the engine's; with a Checkout, the desk makes offers.
	payments bot.Payments
}

func newEnv(t *testing.T, tweak ...func(*envOptions)) *env {
	t.Helper()
	o := envOptions{now: monday10}
	for _, f := range tweak {
		f(&o)
	}
	e := &env{t: t, clock: clocktest.New(o.now), inbox: newInbox(), logs: &logtest.Buffer{}}
	if o.shared != nil {
		e.srv, e.store, e.handoffs, e.figures = o.shared.srv, o.shared.store, o.shared.handoffs, o.shared.figures
		e.records, e.convs, e.shredder = o.shared.records, o.shared.convs, o.shared.shredder
	} else {
		e.srv = slacktest.New(t, slacktest.WithUsers(giulia, marco), slacktest.WithPingInterval(200*time.Millisecond))
		store := openBolt(t)
		e.store = store
		e.records, e.convs = store, store
		if o.sealed {
			v, err := vault.New(store, []vault.KEK{vault.NewKEK()}, vault.Options{})
			if err != nil {
				t.Fatal(err)
			}
			e.records, e.convs, e.shredder = sealed.NewRecords(store, v), sealed.NewStore(store, v, sealed.Options{}), v
		}
		e.handoffs = desk.NewHandoffs(e.records, 30*24*time.Hour)
		e.figures = desk.NewFigures(store, rome, nil)
	}
	if o.bookings {
		e.bookings = bookings.NewStore(e.records, 90*24*time.Hour)
	}
	if o.domestic {
		e.domestic = domestic.NewStore(e.records, 180*24*time.Hour, 90*24*time.Hour, domestic.WithClock(e.clock.Now))
	}
	api := slackapi.New(e.srv.BotToken(), slackapi.OptionAPIURL(e.srv.APIURL()), slackapi.OptionAppLevelToken(e.srv.AppToken()))
	opts := slack.Options{API: api, Channel: operators, Search: searchtest.Bundled(t), Handoffs: e.handoffs,
		Figures: e.figures, Once: e.store, Records: e.records, Shredder: e.shredder, Bookings: e.bookings, Domestic: e.domestic, Now: e.clock.Now, Location: rome,
		Offers:     o.payments.Checkout != nil,
		Logger:     slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ThreadWait: 300 * time.Millisecond}
	if o.desk != nil {
		o.desk(&opts)
	}
	d, err := slack.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.desk = d
	e.engine, err = bot.New(bot.Options{Search: searchtest.Bundled(t), Store: e.convs, Staff: d,
		Pushers: map[string]bot.Pusher{"telegram": e.inbox}, Figures: e.figures, Bookings: e.bookings, Domestic: e.domestic, Now: e.clock.Now,
		Payments: o.payments})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if !o.noRun {
		wg.Go(func() {
			if err := d.Run(ctx, e.engine); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer dcancel()
		if err := d.Drain(dctx); err != nil {
			t.Errorf("Drain: %v", err)
		}
	})
	return e
}

// openBolt opens a bolt store, the conversations' and the desk's, for one test.
func openBolt(t *testing.T) *bolt.Store {
	t.Helper()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "wemi.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// testContext returns a context that bounds every wait of a test.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// say is the citizen "42" on Telegram, Maria, writing text.
func (e *env) say(text string) []bot.Reply {
	e.t.Helper()
	return e.send(bot.Message{Text: text})
}

// press is the citizen pressing the button whose label contains label in replies.
func (e *env) press(replies []bot.Reply, label string) []bot.Reply {
	e.t.Helper()
	for _, r := range replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.Contains(b.Label, label) {
					return e.send(bot.Message{Button: b.Data})
				}
			}
		}
	}
	e.t.Fatalf("no button %q in %s", label, texts(replies))
	return nil
}

func (e *env) send(m bot.Message) []bot.Reply {
	e.t.Helper()
	e.updates++
	m.Channel, m.UserID, m.FirstName, m.LangCode = "telegram", "42", "Maria", "it"
	m.UpdateID = fmt.Sprint(e.updates)
	replies, err := e.engine.Handle(context.Background(), m)
	if err != nil {
		e.t.Fatalf("Handle(%+v): %v", m, err)
	}
	return replies
}

// openHandoff makes the citizen ask for a person after a search, and returns the
// handoff's card as posted.
func (e *env) openHandoff(ctx context.Context) (card slacktest.Post, handoff desk.Handoff) {
	e.t.Helper()
	before := len(e.srv.Posts(operators))
	e.say("babysitter")
	if got := texts(e.say("/operatore")); !strings.Contains(got, "Ho passato la tua richiesta") {
		e.t.Fatalf("asking for an operator answered %q", got)
	}
	posts, err := e.srv.WaitPosts(ctx, operators, before+1)
	if err != nil {
		e.t.Fatal(err)
	}
	card = posts[before]
	// The desk records the thread once Slack answered the post: a moment later.
	var h desk.Handoff
	err = poll(ctx, func() bool {
		h, err = e.handoffs.ByThread(ctx, operators+"/"+card.TS)
		return err == nil && h.Thread != ""
	})
	if err != nil {
		e.t.Fatalf("the card's thread is no handoff's: %v", err)
	}
	return card, h
}

// poll checks cond every few milliseconds until it holds or ctx ends: for what only
// a store can tell, which has nothing to wait on.
func poll(ctx context.Context, cond func() bool) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// waitPost waits for the bot's post number n (counting from 1) in the operators'
// channel.
func (e *env) waitPost(ctx context.Context, n int) slacktest.Post {
	e.t.Helper()
	posts, err := e.srv.WaitPosts(ctx, operators, n)
	if err != nil {
		e.t.Fatal(err)
	}
	return posts[n-1]
}

func (e *env) waitUpdate(ctx context.Context, n int) slacktest.Post {
	e.t.Helper()
	updates, err := e.srv.WaitUpdates(ctx, n)
	if err != nil {
		e.t.Fatal(err)
	}
	return updates[n-1]
}

func (e *env) waitEphemeral(ctx context.Context, n int) slacktest.Post {
	e.t.Helper()
	got, err := e.srv.WaitEphemerals(ctx, n)
	if err != nil {
		e.t.Fatal(err)
	}
	return got[n-1]
}

// ack waits for Socket Mode envelope id to be acknowledged.
func (e *env) ack(ctx context.Context, id string) {
	e.t.Helper()
	if _, err := e.srv.WaitAck(ctx, id); err != nil {
		e.t.Fatal(err)
	}
}

func texts(replies []bot.Reply) string {
	var parts []string
	for _, r := range replies {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n")
}

// inbox is the citizen's Telegram: it records what the engine pushes.
type inbox struct {
	mu      sync.Mutex
	fail    error
	got     []bot.Reply
	changed chan struct{}
}

func newInbox() *inbox { return &inbox{changed: make(chan struct{})} }

func (b *inbox) Push(_ context.Context, user string, replies []bot.Reply) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	if user != "42" {
		return errors.New("no such chat")
	}
	b.got = append(b.got, replies...)
	close(b.changed)
	b.changed = make(chan struct{})
	return nil
}

func (b *inbox) setFail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = err
}

func (b *inbox) all() []bot.Reply {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]bot.Reply(nil), b.got...)
}

// wait blocks until the citizen received at least n replies and returns them all.
func (b *inbox) wait(ctx context.Context, t *testing.T, n int) []bot.Reply {
	t.Helper()
	for {
		b.mu.Lock()
		got, changed := append([]bot.Reply(nil), b.got...), b.changed
		b.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("the citizen received %d replies, want %d: %s", len(got), n, texts(got))
		}
	}
}

// submit is an operator submitting a modal with values; it returns the
// acknowledgement's payload, nil when the modal may close.
func (e *env) submit(ctx context.Context, user string, v slacktest.View, values map[string]map[string]any) json.RawMessage {
	e.t.Helper()
	ack, err := e.srv.WaitAck(ctx, e.srv.PushInteractionJSON(e.srv.ViewSubmission(user, v, values)))
	if err != nil {
		e.t.Fatal(err)
	}
	return ack.Payload
}

// buttonData returns the data of the button in replies whose data is want.
func buttonData(t *testing.T, replies []bot.Reply, want string) string {
	t.Helper()
	for _, r := range replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Data == want {
					return b.Data
				}
			}
		}
	}
	t.Fatalf("no button %q in %+v", want, replies)
	return ""
}
