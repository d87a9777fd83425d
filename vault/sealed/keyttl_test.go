package sealed_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/vault"
	"github.com/comune-milano/wemibot/vault/sealed"
)

// keyLife returns how long from now the key that sealed b is stored.
func keyLife(t *testing.T, store *bolt.Store, clock *clocktest.Clock, b []byte) time.Duration {
	t.Helper()
	if !vault.IsSealed(b) {
		t.Fatalf("not sealed: %q", b)
	}
	// Magic, version, then the key's 16-byte pseudonym.
	doc, err := store.Get(context.Background(), vault.KeyKind, hex.EncodeToString(b[2:18]))
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Until int64 `json:"until"`
	}
	if err := json.Unmarshal(doc, &w); err != nil {
		t.Fatal(err)
	}
	return time.Unix(w.Until, 0).Sub(clock.Now())
}

// TestKeysFollowWhatTheySeal: each decorator seals for as long as its data is kept,
// so a key lives twice that (at least vault.MinKeyTTL, at most KeyTTL).
func TestKeysFollowWhatTheySeal(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	store := openBolt(t, clock)
	v := newVaultWith(t, store, []vault.KEK{vault.NewKEK()}, vault.Options{Now: clock.Now})

	commit := func(conversation string, idle time.Duration) []byte {
		t.Helper()
		s := sealed.NewStore(store, v, sealed.Options{})
		b := bot.Begin{Conversation: conversation, LockTTL: time.Minute, RateWindow: time.Minute}
		sess, err := s.Begin(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, sess, bot.Commit{State: []byte(`{"greeted":true}`), IdleTTL: idle}); err != nil {
			t.Fatal(err)
		}
		raw, err := store.Begin(ctx, b) // what is at rest
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Release(ctx, raw); err != nil {
			t.Fatal(err)
		}
		return raw.State
	}
	record := func(subject string, ttl time.Duration) []byte {
		t.Helper()
		recs := sealed.NewRecords(store, v)
		doc := `{"conversation":"` + subject + `","phone":"+39 333 1234567"}`
		if _, err := recs.Update(ctx, "booking", subject, ttl, func([]byte) ([]byte, error) { return []byte(doc), nil }); err != nil {
			t.Fatal(err)
		}
		raw, err := store.Get(ctx, "booking", subject)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	queued := func(lane string) []byte {
		t.Helper()
		box := sealed.NewOutbox(store.Outbox(), v)
		if _, err := box.Put(ctx, clock.Now(), outbox.Item{Key: lane, Lane: lane, Payload: []byte(`{"text":"ciao"}`)}); err != nil {
			t.Fatal(err)
		}
		raw, err := store.Outbox().Claim(ctx, clock.Now(), time.Minute, 10)
		if err != nil || len(raw) != 1 {
			t.Fatalf("raw claim: %d items, %v", len(raw), err)
		}
		if err := store.Outbox().Release(ctx, clock.Now(), raw[0]); err != nil {
			t.Fatal(err)
		}
		return raw[0].Payload
	}
	day := 24 * time.Hour
	for _, c := range []struct {
		name   string
		sealed []byte
		want   time.Duration
	}{
		{"a greeting-only conversation (1 h)", commit("web:greeting", time.Hour), 2 * time.Hour},
		{"a conversation (30 days)", commit("telegram:1", 30*day), 60 * day},
		{"a record kept 10 minutes", record("web:brief", 10*time.Minute), vault.MinKeyTTL},
		{"a record without a TTL", record("web:kept", 0), vault.DefaultKeyTTL},
		{"an outbox reply", queued("telegram:2"), 2 * (outbox.KeyTTL + outbox.DeadTTL)},
	} {
		if got := keyLife(t, store, clock, c.sealed); got != c.want {
			t.Errorf("%s: the key is kept %v, want %v", c.name, got, c.want)
		}
	}
	// A short-lived seal later does not shorten the conversation's key.
	clock.Advance(day)
	later := commit("telegram:1", time.Hour)
	if got := keyLife(t, store, clock, later); got != 59*day {
		t.Errorf("after a 1-hour commit a day later, the 60-day key is kept %v more, want %v", got, 59*day)
	}
}
