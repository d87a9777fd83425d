package bot_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/search"
	"github.com/comune-milano/wemibot/search/searchtest"
)

func testIndex(t testing.TB) *search.Index { t.Helper(); return searchtest.Bundled(t) }

// storeKind builds a fresh store of one kind for a test.
type storeKind struct {
	name string
	open func(t *testing.T) bot.Store
}

// stores lists both stores: every conversation test runs on each.
func stores() []storeKind {
	return []storeKind{
		{"bolt", func(t *testing.T) bot.Store {
			s, err := bolt.Open(filepath.Join(t.TempDir(), "wemi.db"), bolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{"redis", func(t *testing.T) bot.Store {
			srv := redistest.Start(t)
			return redis.New(redisClient(t, srv), redis.Options{})
		}},
	}
}

func redisClient(t testing.TB, srv *redistest.Server) *goredis.Client {
	t.Helper()
	opts, err := goredis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	// A stopped server has no socket: dialling fails at once, whatever the timeout.
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = 3*time.Second, 3*time.Second, 3*time.Second
	opts.MaxRetries = 0
	c := goredis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// eachStore runs a test on both stores.
func eachStore(t *testing.T, f func(t *testing.T, store bot.Store)) {
	for _, k := range stores() {
		t.Run(k.name, func(t *testing.T) { f(t, k.open(t)) })
	}
}

// staffDesk records the events the engine raises.
type staffDesk struct {
	mu     sync.Mutex
	events []bot.Event
}

func (s *staffDesk) Notify(_ context.Context, e bot.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
	return nil
}

func (s *staffDesk) all() []bot.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bot.Event(nil), s.events...)
}

// monday10 is a Monday morning in Milan, when WeMi spaces are open.
func monday10(t testing.TB) time.Time {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 11, 23, 10, 0, 0, 0, rome)
}

type harness struct {
	engine *bot.Engine
	staff  *staffDesk
	clock  *clocktest.Clock
	store  bot.Store
}

func newHarness(t *testing.T, store bot.Store, tweak ...func(*bot.Options)) *harness {
	t.Helper()
	idx := testIndex(t)
	h := &harness{staff: &staffDesk{}, clock: clocktest.New(monday10(t)), store: store}
	opts := bot.Options{Search: idx, Store: store, Staff: h.staff, Now: h.clock.Now}
	for _, f := range tweak {
		f(&opts)
	}
	e, err := bot.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.engine = e
	return h
}

// convo is one citizen's scripted conversation: user says → bot answers, with
// assertions on texts and buttons.
type convo struct {
	t       *testing.T
	h       *harness
	channel string
	user    string
	lang    string
	name    string
	update  int
	replies []bot.Reply
	err     error
	wantErr error // what the next message's Handle must fail with; nil: nothing
}

func (h *harness) citizen(t *testing.T, user string) *convo {
	return &convo{t: t, h: h, channel: "test", user: user, name: "Giulia"}
}

func (c *convo) send(m bot.Message) *convo {
	c.t.Helper()
	c.update++
	m.Channel, m.UserID, m.LangCode, m.FirstName = c.channel, c.user, c.lang, c.name
	if m.UpdateID == "" {
		m.UpdateID = fmt.Sprintf("%s-%d", c.user, c.update)
	}
	c.replies, c.err = c.h.engine.Handle(context.Background(), m)
	want := c.wantErr
	c.wantErr = nil
	switch {
	case want == nil && c.err != nil:
		c.t.Fatalf("Handle(%+v): %v", m, c.err)
	case want != nil && !errors.Is(c.err, want):
		c.t.Fatalf("Handle(%+v): err %v, want %v", m, c.err, want)
	}
	return c
}

// nextFails makes the next message pass only if Handle fails with target: every other
// message fails the test when Handle returns an error.
func (c *convo) nextFails(target error) *convo {
	c.wantErr = target
	return c
}

func (c *convo) say(text string) *convo { c.t.Helper(); return c.send(bot.Message{Text: text}) }

// press presses the first button whose label contains label.
func (c *convo) press(label string) *convo {
	c.t.Helper()
	for _, r := range c.replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.Contains(b.Label, label) {
					return c.send(bot.Message{Button: b.Data})
				}
			}
		}
	}
	c.t.Fatalf("no button %q in:\n%s", label, c.transcript())
	return c
}

func (c *convo) pressData(data string) *convo { c.t.Helper(); return c.send(bot.Message{Button: data}) }

func (c *convo) share(p catalogue.Point) *convo {
	c.t.Helper()
	return c.send(bot.Message{Location: &p})
}

func (c *convo) text() string {
	var parts []string
	for _, r := range c.replies {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n---\n")
}

func (c *convo) transcript() string {
	var b strings.Builder
	for _, r := range c.replies {
		b.WriteString(r.Text + "\n")
		for _, row := range r.Buttons {
			for _, bt := range row {
				fmt.Fprintf(&b, "  [%s → %s]", bt.Label, bt.Data)
			}
			b.WriteString("\n")
		}
		if r.Location != nil {
			fmt.Fprintf(&b, "  (location %s)\n", r.Location.Name)
		}
	}
	return b.String()
}

// expect asserts the bot's answer contains each of the texts.
func (c *convo) expect(texts ...string) *convo {
	c.t.Helper()
	got := c.text()
	for _, s := range texts {
		if !strings.Contains(got, s) {
			c.t.Fatalf("answer does not contain %q:\n%s", s, c.transcript())
		}
	}
	return c
}

func (c *convo) expectNot(texts ...string) *convo {
	c.t.Helper()
	got := c.text()
	for _, s := range texts {
		if strings.Contains(got, s) {
			c.t.Fatalf("answer contains %q:\n%s", s, c.transcript())
		}
	}
	return c
}

// expectButtons asserts a button whose label contains each text.
func (c *convo) expectButtons(labels ...string) *convo {
	c.t.Helper()
	for _, l := range labels {
		if c.findButton(l) == nil {
			c.t.Fatalf("no button %q:\n%s", l, c.transcript())
		}
	}
	return c
}

func (c *convo) findButton(label string) *bot.Button {
	for _, r := range c.replies {
		for _, row := range r.Buttons {
			for i := range row {
				if strings.Contains(row[i].Label, label) {
					return &row[i]
				}
			}
		}
	}
	return nil
}

func (c *convo) buttonsWithData(prefix string) []bot.Button {
	var out []bot.Button
	for _, r := range c.replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Data, prefix) {
					out = append(out, b)
				}
			}
		}
	}
	return out
}

func (c *convo) silent() *convo {
	c.t.Helper()
	if len(c.replies) != 0 {
		c.t.Fatalf("expected no answer, got:\n%s", c.transcript())
	}
	return c
}
