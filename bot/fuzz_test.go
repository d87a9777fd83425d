package bot_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/bot"
)

// FuzzHandle sends arbitrary text and button data through the whole engine: whatever
// arrives, the bot answers without crashing and without an error.
func FuzzHandle(f *testing.F) {
	for _, s := range []string{"ciao", "/start s_x", "cat:educativo:2305843009213693952", "page:1", "svc:", "zone:9",
		"/vicino 45,46 9,19", "mi picchia", "\x00\xff", "/lingua en", "forgetyes", "retry",
		"det:c:arcobaleno-babysitting-domicilio", "det:z:x", "spaces:1", "spaces:999"} {
		f.Add(s, s)
	}
	store, err := bolt.Open(filepath.Join(f.TempDir(), "fuzz.db"), bolt.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer store.Close()
	idx := testIndex(f)
	e, err := bot.New(bot.Options{Search: idx, Store: store, RateLimit: 1 << 30})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text, button string) {
		for _, m := range []bot.Message{{Text: text}, {Button: button}} {
			m.Channel, m.UserID = "fuzz", "u"
			replies, err := e.Handle(context.Background(), m)
			if err != nil {
				t.Fatalf("Handle(%+v): %v", m, err)
			}
			if len(replies) == 0 {
				t.Fatalf("Handle(%+v): no answer", m)
			}
		}
	})
}
