package sealed_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/vault/sealed"
)

// A reply waits sealed with its conversation's key; once the citizen's key is
// shredded, the replies still queued are dropped unread, the next one goes out.
func TestOutboxSealsAndDropsShredded(t *testing.T) {
	ctx := context.Background()
	store := openBolt(t, nil)
	v := newVault(t, store)
	raw := store.Outbox()
	o := sealed.NewOutbox(raw, v)
	now := time.Now()
	words := []byte("mia madre ha 88 anni, tel. 3331234567")
	if _, err := o.Put(ctx, now,
		outbox.Item{Key: "tg:1:0", Lane: "telegram:1", Payload: words},
		outbox.Item{Key: "tg:2:0", Lane: "telegram:2", Payload: []byte("ciao")}); err != nil {
		t.Fatal(err)
	}
	stored, err := raw.Claim(ctx, now, time.Millisecond, 10)
	if err != nil || len(stored) != 2 {
		t.Fatalf("raw claim: %v, %d items", err, len(stored))
	}
	for _, c := range stored {
		if bytes.Contains(c.Payload, words) || bytes.Contains(c.Payload, []byte("ciao")) {
			t.Errorf("the store holds %s's payload in clear", c.Lane)
		}
	}
	if err := v.Shred(ctx, "telegram:1"); err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Second) // the raw claim's leases have run out
	got, err := o.Claim(ctx, later, time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].Lane != "telegram:2" || string(got[0].Payload) != "ciao" {
		t.Fatalf("claim after the shred: %v, %+v", err, got)
	}
	if again, err := raw.Claim(ctx, later.Add(time.Hour), time.Minute, 10); err != nil || len(again) != 1 || again[0].Lane != "telegram:2" {
		t.Errorf("the shredded reply is still queued: %v, %+v", err, again)
	}
	if dead, err := o.Dead(ctx, later); err != nil || len(dead) != 0 {
		t.Errorf("dead letters: %v, %+v", err, dead)
	}
}
