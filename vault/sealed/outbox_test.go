package sealed_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/outbox/outboxtest"
	"github.com/comune-milano/wemibot/vault"
	"github.com/comune-milano/wemibot/vault/sealed"
)

// The sealed outbox keeps the outbox's contract.
func TestOutboxContractOnBolt(t *testing.T) {
	outboxtest.Run(t, func(t *testing.T) outbox.Store {
		store := openBolt(t, nil)
		return sealed.NewOutbox(store.Outbox(), newVault(t, store))
	})
}

// A waiting reply is kept sealed: the raw outbox never holds its words or its chat;
// once its citizen's key is shredded it is dropped, not sent, while another citizen's
// still goes out.
func TestOutboxSealsAndDropsShredded(t *testing.T) {
	ctx := context.Background()
	store := openBolt(t, nil)
	v := newVault(t, store)
	box := sealed.NewOutbox(store.Outbox(), v)
	now := time.Now()
	secret := []byte(`{"chat":424242,"text":"il mio numero è 333 1234567"}`)
	items := []outbox.Item{
		{Key: "tg:1:0", Lane: "telegram:424242", Payload: secret},
		{Key: "tg:2:0", Lane: "telegram:777", Payload: []byte(`{"chat":777,"text":"ciao"}`)},
	}
	if _, err := box.Put(ctx, now, items...); err != nil {
		t.Fatal(err)
	}
	if err := v.Shred(ctx, "telegram:424242"); err != nil {
		t.Fatal(err)
	}
	// Straight from the raw outbox: sealed bytes, not the reply.
	raw, err := store.Outbox().Claim(ctx, now, time.Minute, 10)
	if err != nil || len(raw) != 2 {
		t.Fatalf("raw claim: %d items, %v", len(raw), err)
	}
	for _, c := range raw {
		if bytes.Contains(c.Payload, []byte("333 1234567")) || bytes.Contains(c.Payload, []byte("424242")) {
			t.Errorf("raw payload in clear: %q", c.Payload)
		}
		if err := store.Outbox().Release(ctx, now, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := box.Claim(ctx, now, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Lane != "telegram:777" || string(got[0].Payload) != `{"chat":777,"text":"ciao"}` {
		t.Fatalf("claimed %+v, want only the other citizen's reply, opened", got)
	}
	// The shredded citizen's reply is gone for good.
	if err := box.Done(ctx, now, got[0]); err != nil {
		t.Fatal(err)
	}
	if again, err := box.Claim(ctx, now.Add(time.Hour), time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("after shredding: %d items, %v", len(again), err)
	}
	if _, err := v.Open(ctx, raw[0].Payload); !errors.Is(err, vault.ErrShredded) && !errors.Is(err, vault.ErrCorrupt) {
		// raw[0] may be either item: one of them no longer opens.
		if _, err2 := v.Open(ctx, raw[1].Payload); !errors.Is(err2, vault.ErrShredded) {
			t.Errorf("a shredded payload still opens: %v, %v", err, err2)
		}
	}
}
