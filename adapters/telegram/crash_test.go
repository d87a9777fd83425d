package telegram_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/bot"
)

// crashingStore is a store whose next Commit fails as if the process died just before
// it: nothing is saved, so the update is not marked handled.
type crashingStore struct {
	bot.Store
	crash atomic.Bool
}

func (s *crashingStore) Commit(ctx context.Context, sess bot.Session, c bot.Commit) error {
	if s.crash.CompareAndSwap(true, false) {
		_ = s.Store.Release(ctx, sess)
		return errors.New("process died before saving")
	}
	return s.Store.Commit(ctx, sess, c)
}

// The replies reach the outbox before the engine saves the state that marks the update
// handled: when the save never happens (a crash), Telegram sends the update again, it
// is handled again, and the citizen gets the answer once — none lost, none twice.
func TestRepliesKeptBeforeTheStateIsSaved(t *testing.T) {
	fake := telegramtest.New(t, token)
	raw, err := bolt.Open(filepath.Join(t.TempDir(), "wemi.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	store := &crashingStore{Store: raw}
	e, err := bot.New(bot.Options{Search: testIndex(t), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "s3cret-webhook-token-0123456789"
	opts := telegram.Options{Token: token, APIEndpoint: fake.Endpoint(), PollTimeout: time.Second,
		GlobalRate: -1, ChatRate: -1, Outbox: raw.Outbox(), WebhookURL: "https://wemi.example.org/tg", SecretToken: secret}
	r := runReplica(t, opts, e)
	const chat = 7400
	_, body := fake.NewMessageUpdate(chat, giulia, "cerco una babysitter")
	store.crash.Store(true)
	if code := postUntilConnected(t, r.a.Webhook(e), secret, body); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	if store.crash.Load() {
		t.Fatal("the store's Commit was never reached")
	}
	if code := postUpdate(t, r.a.Webhook(e), secret, body); code != http.StatusOK { // Telegram redelivers
		t.Fatalf("redelivery answered %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := fake.WaitSent(ctx, chat, 1); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // a second copy, if any, would have gone out by now
	got := texts(fake, chat)
	seen := map[string]bool{}
	for _, s := range got {
		if seen[s] {
			t.Errorf("sent twice: %q", s)
		}
		seen[s] = true
	}
	if strings.Contains(strings.Join(got, "|"), "problema tecnico") {
		t.Errorf("sent %q: the citizen was told of a problem although the answer was kept", got)
	}
}
