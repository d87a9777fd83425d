package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bot"
)

func TestRedeliveredUpdateIsAnsweredOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1")
		c.send(bot.Message{Text: "badante", UpdateID: "42"}).expect("Ho trovato")
		c.nextFails(bot.ErrDuplicate).send(bot.Message{Text: "badante", UpdateID: "42"}).silent()
		c.send(bot.Message{Text: "colf", UpdateID: "43"}).expect("Ho trovato")
	})
}

// Messages of one conversation are handled one at a time: concurrent updates all get
// their answer and none is lost from the state.
func TestConcurrentMessagesOfOneConversation(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		ov := &overlapStore{Store: store}
		h := newHarness(t, ov, func(o *bot.Options) { o.RateLimit = 1000 })
		var wg sync.WaitGroup
		answered := make(chan int, 40)
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				replies, err := h.engine.Handle(context.Background(), bot.Message{Channel: "test", UserID: "same",
					UpdateID: "c" + string(rune('A'+i)), Button: "cats"})
				if err == nil && len(replies) == 1 {
					answered <- i
				}
			}()
		}
		wg.Wait()
		close(answered)
		if n := len(answered); n != 40 {
			t.Errorf("%d of 40 concurrent messages answered", n)
		}
		if ov.overlaps.Load() != 0 {
			t.Errorf("%d sessions of one conversation overlapped", ov.overlaps.Load())
		}
		if ov.max.Load() != 1 {
			t.Errorf("at most %d sessions at once, want 1", ov.max.Load())
		}
	})
}

// overlapStore counts sessions open at the same time on a store.
type overlapStore struct {
	bot.Store
	open, max, overlaps atomic.Int64
}

func (o *overlapStore) Begin(ctx context.Context, b bot.Begin) (bot.Session, error) {
	s, err := o.Store.Begin(ctx, b)
	if err == nil && !s.Duplicate {
		n := o.open.Add(1)
		if n > 1 {
			o.overlaps.Add(1)
		}
		for m := o.max.Load(); n > m && !o.max.CompareAndSwap(m, n); m = o.max.Load() {
		}
	}
	return s, err
}

func (o *overlapStore) Commit(ctx context.Context, s bot.Session, c bot.Commit) error {
	o.open.Add(-1)
	return o.Store.Commit(ctx, s, c)
}

func (o *overlapStore) Release(ctx context.Context, s bot.Session) error {
	if s.Token != "" {
		o.open.Add(-1)
	}
	return o.Store.Release(ctx, s)
}

// Redis going away mid-conversation: the citizen gets an apology and a retry button,
// nothing is half-applied, and the bot recovers by itself when Redis returns.
func TestRedisGoesAwayAndComesBack(t *testing.T) {
	srv := redistest.Start(t)
	store := redis.New(redisClient(t, srv), redis.Options{})
	h := newHarness(t, store, func(o *bot.Options) { o.LockWait = 500 * time.Millisecond })
	c := h.citizen(t, "u1").say("psicologo").expect("Ho trovato")
	before := c.buttonsWithData("svc:")

	srv.Stop()
	c.nextFails(bot.ErrUnavailable).say("badante")
	c.expectButtons("Riprova")
	if !strings.Contains(c.text(), "problema tecnico") {
		t.Fatalf("no apology:\n%s", c.transcript())
	}
	c.nextFails(bot.ErrUnavailable).press("Riprova") // still down: the same apology, the message still kept

	srv.Restart()
	// The retry replays the interrupted message: "badante", not a menu.
	c.press("Riprova").expect("Ho trovato", "«badante»")
	// The earlier state is intact: paging works on the latest search.
	c.press("Altri risultati").expect("6. ")
	if len(before) == 0 {
		t.Fatal("no results before the outage")
	}
}

// failingStore wraps a store; its function fields make chosen calls fail.
type failingStore struct {
	bot.Store
	begin  func() error
	commit func() error
	forget func() error
}

func (f *failingStore) Begin(ctx context.Context, b bot.Begin) (bot.Session, error) {
	if f.begin != nil {
		if err := f.begin(); err != nil {
			return bot.Session{}, err
		}
	}
	return f.Store.Begin(ctx, b)
}

func (f *failingStore) Commit(ctx context.Context, s bot.Session, c bot.Commit) error {
	if f.commit != nil {
		if err := f.commit(); err != nil {
			return err
		}
	}
	return f.Store.Commit(ctx, s, c)
}

func (f *failingStore) Forget(ctx context.Context, conv string) error {
	if f.forget != nil {
		if err := f.forget(); err != nil {
			return err
		}
	}
	return f.Store.Forget(ctx, conv)
}

func TestDangerComesFirst(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		fs := &failingStore{Store: store}
		h := newHarness(t, fs, func(o *bot.Options) { o.RateLimit = 3; o.LockWait = 300 * time.Millisecond })
		// During a flood.
		c := h.citizen(t, "u1")
		for i := 0; i < 6; i++ {
			c.say("ciao")
		}
		c.say("mio marito mi picchia").expect("112", "1522")
		// In a message too long to read otherwise.
		h.citizen(t, "u2").say("mio marito mi picchia " + strings.Repeat("e ho paura ", 400)).expect("1522").expectNot("molto lungo")
		// With the store down.
		fs.begin = func() error { return errors.New("store down") }
		d := h.citizen(t, "u3").nextFails(bot.ErrUnavailable).say("voglio farla finita").expect("Telefono Amico")
		fs.begin = nil
		// With the save failing.
		fs.commit = func() error { return errors.New("store down") }
		e := h.citizen(t, "u4").nextFails(bot.ErrUnavailable).say("mia madre non respira").expect("112")
		fs.commit = nil
		ev := h.staff.all()
		if len(ev) != 4 {
			t.Fatalf("%d emergency events, want 4", len(ev))
		}
		// Unsaved, no handoff can be promised: staff get the alert without one, and
		// the citizen is not told an operator will write in this chat.
		for _, i := range []int{2, 3} {
			if ev[i].Handoff != "" || ev[i].Kind != bot.EventEmergency {
				t.Errorf("emergency with the store down: %+v", ev[i])
			}
		}
		if strings.Contains(d.text()+e.text(), "può scriverti qui") {
			t.Errorf("a reply was promised without a handoff:\n%s\n%s", d.transcript(), e.transcript())
		}
	})
}

func TestSaveFailureReleasesTheLockAndRetries(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		fs := &failingStore{Store: store}
		h := newHarness(t, fs, func(o *bot.Options) { o.LockWait = 300 * time.Millisecond })
		c := h.citizen(t, "u1").say("psicologo").expect("Ho trovato")
		fs.commit = func() error { return errors.New("connection reset") }
		c.nextFails(bot.ErrUnavailable).say("badante")
		fs.commit = nil
		// The lock was given back: the conversation can be taken at once.
		probe, err := store.Begin(context.Background(), bot.Begin{Conversation: "test:u1", UpdateID: "probe-lock",
			LockTTL: time.Second, RateWindow: time.Minute})
		if err != nil {
			t.Fatalf("the lock was left behind after a failed save: %v", err)
		}
		store.Release(context.Background(), probe)
		// The retry replays the interrupted message.
		c.press("Riprova").expect("«badante»")
		// Erasure failing says so, and keeps the data.
		fs.forget = func() error { return errors.New("connection reset") }
		c.say("/dimenticami").nextFails(bot.ErrUnavailable).press("Sì, cancella tutto").expect("non sono riuscito a cancellare")
		fs.forget = nil
		c.say("/privacy").press("Cancella i miei dati").press("Sì, cancella tutto").expect("ho cancellato tutto")
	})
}
