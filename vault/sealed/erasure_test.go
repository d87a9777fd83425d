package sealed_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/records"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/search/searchtest"
	"github.com/comune-milano/wemibot/vault"
	"github.com/comune-milano/wemibot/vault/sealed"
)

// rawStore is a store as the adapters open it, before sealing.
type rawStore interface {
	bot.Store
	records.Records
	reminders.Queue
	vault.KeyStore
}

// What the citizens write: none of it may ever be found at rest.
const (
	mariaPhone = "333 7654321"
	mariaMail  = "maria.bianchi@example.org"
	lucaPhone  = "347 1112223"
)

// babysitting is a service of the bundled catalogue that can be booked.
const babysitting = "arcobaleno-babysitting-domicilio"

// TestErasureOnBolt: after conversations with a phone number, an e-mail and a
// booking, the bbolt file holds none of them, before or after the erasure; after it,
// the erased citizen's data cannot be opened even with the KEK, another's can.
func TestErasureOnBolt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wemibot.db")
	store, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	runErasure(t, store, nil, func(t *testing.T) []byte {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	})
}

// TestErasureOnRedis: the same, on Redis with AOF on, reading its RDB snapshot
// (uncompressed) and its append-only files.
func TestErasureOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	ctx := context.Background()
	for _, kv := range [][2]string{{"rdbcompression", "no"}, {"appendonly", "yes"}} {
		if err := client.ConfigSet(ctx, kv[0], kv[1]).Err(); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := client.ConfigGet(ctx, "dir").Result()
	if err != nil {
		t.Fatal(err)
	}
	runErasure(t, redis.New(client, redis.Options{}), redis.NewBroadcast(client, ""), func(t *testing.T) []byte {
		return redisFiles(t, client, dir["dir"])
	})
}

// redisFiles saves a snapshot and returns every file of the server's folder: the RDB
// and the AOF.
func redisFiles(t *testing.T, client *goredis.Client, dir string) []byte {
	t.Helper()
	if err := client.Save(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	var all []byte
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".sock") {
			return err
		}
		b, err := os.ReadFile(path)
		all = append(all, b...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(all, []byte("REDIS")) {
		t.Fatal("no RDB snapshot among the server's files")
	}
	return all
}

// citizen is one chat with the engine.
type citizen struct {
	t      *testing.T
	engine *bot.Engine
	user   string
	n      int
}

func (c *citizen) send(m bot.Message) []bot.Reply {
	c.t.Helper()
	c.n++
	m.Channel, m.UserID, m.LangCode = "telegram", c.user, "it"
	m.UpdateID = c.user + "-" + string(rune('a'+c.n))
	replies, err := c.engine.Handle(context.Background(), m)
	if err != nil {
		c.t.Fatalf("Handle(%+v): %v", m, err)
	}
	return replies
}

func (c *citizen) press(replies []bot.Reply, label string) []bot.Reply {
	c.t.Helper()
	for _, r := range replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Label, label) {
					return c.send(bot.Message{Button: b.Data})
				}
			}
		}
	}
	c.t.Fatalf("no button %q in %+v", label, replies)
	return nil
}

// pushes takes what the engine pushes to citizens.
type pushes struct{}

func (p *pushes) Push(context.Context, string, []bot.Reply) error { return nil }

// events takes the engine's staff events.
type events struct{}

func (events) Notify(context.Context, bot.Event) error { return nil }

func runErasure(t *testing.T, raw rawStore, bcast vault.Broadcaster, dump func(t *testing.T) []byte) {
	ctx := context.Background()
	keks := []vault.KEK{vault.NewKEK()}
	v := newVaultWith(t, raw, keks, vault.Options{Broadcaster: bcast})
	recs, queue := sealed.NewRecords(raw, v), sealed.NewQueue(raw, v)
	bks := bookings.NewStore(recs, 90*24*time.Hour)
	now := time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)
	engine, err := bot.New(bot.Options{Search: searchtest.Bundled(t), Store: sealed.NewStore(raw, v, sealed.Options{}),
		Staff: events{}, Pushers: map[string]bot.Pusher{"telegram": &pushes{}}, Bookings: bks, Reminders: queue,
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	maria := &citizen{t: t, engine: engine, user: "42"}
	luca := &citizen{t: t, engine: engine, user: "77"}
	maria.send(bot.Message{Text: "buongiorno, il mio numero è " + mariaPhone + " e la mail " + mariaMail})
	for _, data := range []string{"book:new:" + babysitting, "book:day:20260307", "book:qty:2", "book:slot:630",
		"book:sh:0", "book:who:self", "book:mun:3"} {
		maria.send(bot.Message{Button: data})
	}
	maria.send(bot.Message{Text: "chiamatemi al " + mariaPhone + " oppure scrivete a " + mariaMail})
	maria.send(bot.Message{Button: "book:ok"})
	list, err := bks.ByConversation(ctx, "telegram:42")
	if err != nil || len(list) != 1 || !strings.Contains(list[0].Note, mariaPhone) {
		t.Fatalf("Maria's bookings: %+v, %v; want one with her note", list, err)
	}
	booking := list[0]
	if _, err := engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingConfirm, Booking: booking.ID, Operator: "Giulia"}); err != nil {
		t.Fatal(err)
	}
	if rs, err := queue.Pending(ctx, booking.ID); err != nil || len(rs) == 0 || rs[0].Conversation != "telegram:42" {
		t.Fatalf("the confirmed booking's reminders: %+v, %v", rs, err)
	}
	luca.send(bot.Message{Text: "salve, sono raggiungibile al " + lucaPhone})

	// The control: a text stored in clear is found in the dump.
	const control = "control 555 0001111"
	if _, err := raw.Update(ctx, "control", "c", 0, func([]byte) ([]byte, error) { return []byte(control), nil }); err != nil {
		t.Fatal(err)
	}
	secrets := []string{mariaPhone, "7654321", mariaMail, lucaPhone, "1112223"}
	atRest := dump(t)
	if !bytes.Contains(atRest, []byte(control)) || !bytes.Contains(atRest, []byte(booking.ID)) {
		t.Fatalf("the dump lacks a text stored in clear, or the booking id: it does not show the store's data")
	}
	wantAbsent(t, "before the erasure", atRest, secrets)
	state := rawState(t, raw, "telegram:42")
	bookingDoc, err := raw.Get(ctx, "booking", booking.ID)
	if err != nil || !vault.IsSealed(state) || !vault.IsSealed(bookingDoc) {
		t.Fatalf("Maria's state and booking at rest: sealed %v and %v (%v)", vault.IsSealed(state), vault.IsSealed(bookingDoc), err)
	}

	maria.press(maria.send(bot.Message{Text: "/dimenticami"}), "Sì")

	wantAbsent(t, "after the erasure", dump(t), secrets)
	fresh := newVaultWith(t, raw, keks, vault.Options{}) // a replica started afterwards: nothing cached
	for what, sealed := range map[string][]byte{"state": state, "booking": bookingDoc} {
		if _, err := fresh.Open(ctx, sealed); !errors.Is(err, vault.ErrShredded) {
			t.Errorf("Maria's %s after the erasure, with the KEK: %v; want ErrShredded", what, err)
		}
	}
	if plain, err := fresh.Open(ctx, rawState(t, raw, "telegram:77")); err != nil || !bytes.Contains(plain, []byte(lucaPhone)) {
		t.Errorf("Luca's state after Maria's erasure: %v; want it readable", err)
	}
	if list, err := bks.ByConversation(ctx, "telegram:42"); err != nil || len(list) != 0 {
		t.Errorf("Maria's bookings after the erasure: %+v, %v", list, err)
	}
	if rs, err := raw.Pending(ctx, booking.ID); err != nil || len(rs) != 0 {
		t.Errorf("the booking's reminders after the erasure: %+v, %v", rs, err)
	}
}

// rawState returns a conversation's state as the store keeps it.
func rawState(t *testing.T, raw rawStore, conversation string) []byte {
	t.Helper()
	ctx := context.Background()
	sess, err := raw.Begin(ctx, bot.Begin{Conversation: conversation, LockTTL: time.Minute, RateWindow: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Release(ctx, sess); err != nil {
		t.Fatal(err)
	}
	return sess.State
}

func wantAbsent(t *testing.T, when string, atRest []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(atRest, []byte(s)) {
			t.Errorf("%s: %q found at rest", when, s)
		}
	}
}
