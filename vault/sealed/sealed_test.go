package sealed_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/records"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/vault"
	"github.com/comune-milano/wemibot/vault/sealed"
)

const (
	mario = "telegram:4242"
	anna  = "web:anna-session"
)

// TestRecordsSealedAndShredded: personal documents are sealed at rest, others are
// not; after a shred, a leftover document reads as absent everywhere.
func TestRecordsSealedAndShredded(t *testing.T) {
	ctx := context.Background()
	store := openBolt(t, nil)
	v := newVault(t, store)
	recs := sealed.NewRecords(store, v)
	put := func(kind, id, doc string) {
		t.Helper()
		if _, err := recs.Update(ctx, kind, id, time.Hour, func([]byte) ([]byte, error) { return []byte(doc), nil }); err != nil {
			t.Fatalf("Update %s %s: %v", kind, id, err)
		}
	}
	put("booking", "b1", `{"id":"b1","conversation":"`+mario+`","phone":"+39 333 1234567"}`)
	put("booking", "b2", `{"id":"b2","conversation":"`+anna+`","email":"anna@example.org"}`)
	put("bookings-of", mario, `["b1"]`)
	put("thread", "C1/1.2", `{"handoff":"h1"}`)
	for kind, id := range map[string]string{"booking": "b1", "bookings-of": mario} {
		raw, err := store.Get(ctx, kind, id)
		if err != nil || !vault.IsSealed(raw) || bytes.Contains(raw, []byte("333")) || bytes.Contains(raw, []byte("b1")) {
			t.Fatalf("%s %s at rest: %q, %v; want sealed", kind, id, raw, err)
		}
	}
	if raw, _ := store.Get(ctx, "thread", "C1/1.2"); string(raw) != `{"handoff":"h1"}` {
		t.Fatalf("a thread reference at rest: %q; want it in clear", raw)
	}
	if got, err := recs.Get(ctx, "booking", "b1"); err != nil || !bytes.Contains(got, []byte("1234567")) {
		t.Fatalf("Get b1 = %q, %v", got, err)
	}

	if err := v.Shred(ctx, mario); err != nil {
		t.Fatal(err)
	}
	if _, err := recs.Get(ctx, "booking", "b1"); !errors.Is(err, records.ErrNotFound) {
		t.Fatalf("Get of a shredded booking: %v, want ErrNotFound", err)
	}
	if _, err := recs.Get(ctx, "bookings-of", mario); !errors.Is(err, records.ErrNotFound) {
		t.Fatalf("Get of a shredded index: %v, want ErrNotFound", err)
	}
	docs, err := recs.List(ctx, "booking")
	if err != nil || len(docs) != 1 || !bytes.Contains(docs[0], []byte("anna@example.org")) {
		t.Fatalf("List after the shred = %q, %v; want Anna's booking only", docs, err)
	}
	var saw []byte
	seen := false
	put2 := func(old []byte) ([]byte, error) { saw, seen = old, true; return nil, nil }
	if _, err := recs.Update(ctx, "booking", "b1", time.Hour, put2); err != nil || !seen || saw != nil {
		t.Fatalf("Update of a shredded booking: fn saw %q (called %v), %v; want nil", saw, seen, err)
	}
	if got, err := recs.Get(ctx, "booking", "b2"); err != nil || !bytes.Contains(got, []byte("anna@example.org")) {
		t.Fatalf("Anna's booking after Mario's shred: %q, %v", got, err)
	}
}

// TestRecordsReadClearDocuments: documents stored before the vault was in place are
// read as they are, and sealed when next written.
func TestRecordsReadClearDocuments(t *testing.T) {
	ctx := context.Background()
	store := openBolt(t, nil)
	legacy := `{"id":"b1","conversation":"` + mario + `"}`
	if _, err := store.Update(ctx, "booking", "b1", time.Hour, func([]byte) ([]byte, error) { return []byte(legacy), nil }); err != nil {
		t.Fatal(err)
	}
	recs := sealed.NewRecords(store, newVault(t, store))
	if got, err := recs.Get(ctx, "booking", "b1"); err != nil || string(got) != legacy {
		t.Fatalf("Get of a document in clear = %q, %v", got, err)
	}
	if _, err := recs.Update(ctx, "booking", "b1", time.Hour, func(old []byte) ([]byte, error) { return old, nil }); err != nil {
		t.Fatal(err)
	}
	if raw, _ := store.Get(ctx, "booking", "b1"); !vault.IsSealed(raw) {
		t.Fatalf("rewritten document at rest: %q; want it sealed", raw)
	}
}

// TestUpdateFetchesKeysOutsideTheTransaction: on Redis, an Update whose old document
// was sealed by another replica (its key not in this one's memory) fetches the key
// outside the optimistic transaction and tries again.
func TestUpdateFetchesKeysOutsideTheTransaction(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	keks := []vault.KEK{vault.NewKEK()}
	a := redis.New(newClient(t, srv), redis.Options{})
	b := redis.New(newClient(t, srv), redis.Options{})
	ra := sealed.NewRecords(a, newVaultWith(t, a, keks, vault.Options{}))
	rb := sealed.NewRecords(b, newVaultWith(t, b, keks, vault.Options{}))
	doc := `{"conversation":"` + mario + `","n":1}`
	if _, err := ra.Update(ctx, "booking", "b1", 0, func([]byte) ([]byte, error) { return []byte(doc), nil }); err != nil {
		t.Fatal(err)
	}
	calls := 0
	got, err := rb.Update(ctx, "booking", "b1", 0, func(old []byte) ([]byte, error) {
		calls++
		if string(old) != doc {
			return nil, errors.New("fn saw " + string(old))
		}
		return []byte(`{"conversation":"` + anna + `","n":2}`), nil
	})
	// fn runs again after each key fetched (Mario's to open, Anna's to seal), each
	// time on Mario's document.
	if err != nil || !bytes.Contains(got, []byte(`"n":2`)) || calls == 0 || calls > 3 {
		t.Fatalf("Update on replica b = %q, %v after %d calls of fn", got, err, calls)
	}
	if back, err := ra.Get(ctx, "booking", "b1"); err != nil || !bytes.Contains(back, []byte(anna)) {
		t.Fatalf("Get on replica a = %q, %v", back, err)
	}
}

// TestStoreForgetShreds: the state is sealed at rest; Forget shreds the key, and a
// state left behind (a backup restored) reads as a new conversation.
func TestStoreForgetShreds(t *testing.T) {
	ctx := context.Background()
	store := openBolt(t, nil)
	v := newVault(t, store)
	aliasOf := map[string][]string{mario: {"mailbox-of-mario"}}
	s := sealed.NewStore(store, v, sealed.Options{Aliases: func(c string) []string { return aliasOf[c] }})
	recs := sealed.NewRecords(store, v)
	begin := bot.Begin{Conversation: mario, LockTTL: time.Minute, RateWindow: time.Minute}
	sess, err := s.Begin(ctx, begin)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, sess, bot.Commit{State: []byte(`{"phone":"+39 333 1234567"}`), IdleTTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := recs.Update(ctx, "webinbox", "mailbox-of-mario", time.Hour, func([]byte) ([]byte, error) { return []byte(`{"x":1}`), nil }); err != nil {
		t.Fatal(err)
	}
	raw, err := store.Begin(ctx, begin) // the inner store: what is at rest
	if err != nil || !vault.IsSealed(raw.State) || bytes.Contains(raw.State, []byte("333")) {
		t.Fatalf("state at rest: %q, %v; want it sealed", raw.State, err)
	}
	if err := store.Release(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(ctx, mario); err != nil {
		t.Fatal(err)
	}
	if _, err := recs.Get(ctx, "webinbox", "mailbox-of-mario"); !errors.Is(err, records.ErrNotFound) {
		t.Fatalf("the alias's mailbox after Forget: %v, want ErrNotFound", err)
	}
	// A copy of the old state written back, as a restored backup would hold it.
	sess, err = store.Begin(ctx, begin)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Commit(ctx, sess, bot.Commit{State: raw.State, IdleTTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Begin(ctx, begin); err != nil || got.State != nil || got.Token == "" {
		t.Fatalf("Begin over a shredded state = %+v, %v; want a new conversation", got, err)
	}
}

// TestQueueShredded: a reminder's conversation is sealed at rest; once shredded, the
// reminder is dropped when claimed instead of being sent.
func TestQueueShredded(t *testing.T) {
	ctx := context.Background()
	store := openBolt(t, nil)
	v := newVault(t, store)
	q := sealed.NewQueue(store, v)
	t0 := time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
	rem := func(booking, conv string) reminders.Reminder {
		return reminders.Reminder{ID: booking + ":before", Booking: booking, Conversation: conv, Kind: reminders.Before,
			Offset: time.Hour, Start: t0.Add(time.Hour), Due: t0}
	}
	if err := q.Plan(ctx, rem("b1", mario), rem("b2", anna)); err != nil {
		t.Fatal(err)
	}
	raw, err := store.Pending(ctx, "b1")
	if err != nil || len(raw) != 1 || raw[0].Conversation == mario || bytes.Contains([]byte(raw[0].Conversation), []byte("4242")) {
		t.Fatalf("reminder at rest: %+v, %v; want its conversation sealed", raw, err)
	}
	if err := v.Shred(ctx, mario); err != nil {
		t.Fatal(err)
	}
	cs, err := q.Claim(ctx, t0, time.Minute, 10)
	if err != nil || len(cs) != 1 || cs[0].Conversation != anna {
		t.Fatalf("Claim after Mario's shred = %+v, %v; want Anna's reminder only", cs, err)
	}
	if left, err := store.Pending(ctx, "b1"); err != nil || len(left) != 0 {
		t.Fatalf("Mario's reminder after the claim: %+v, %v; want it gone", left, err)
	}
	if err := q.Retry(ctx, cs[0], t0.Add(time.Minute), "send failed"); err != nil {
		t.Fatal(err)
	}
	if got, err := q.Pending(ctx, "b2"); err != nil || len(got) != 1 || got[0].Conversation != anna || got[0].Attempts != 1 {
		t.Fatalf("Anna's reminder after a retry: %+v, %v", got, err)
	}
}
