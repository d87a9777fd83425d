package vault_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/vault"
)

// fakeClock is a settable clock shared by a store and its vault.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) advance(d time.Duration) { c.now = c.now.Add(d) }

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

// countingKeys is a KeyStore that counts the writes that went through.
type countingKeys struct {
	vault.KeyStore
	writes int
}

func (c *countingKeys) Update(ctx context.Context, kind, id string, ttl time.Duration, fn func([]byte) ([]byte, error)) ([]byte, error) {
	out, err := c.KeyStore.Update(ctx, kind, id, ttl, fn)
	if err == nil {
		c.writes++
	}
	return out, err
}

func sealFor(t testing.TB, v *vault.Vault, subject, plain string, keep time.Duration) []byte {
	t.Helper()
	sealed, err := v.SealFor(context.Background(), subject, []byte(plain), keep)
	if err != nil {
		t.Fatalf("SealFor(%v): %v", keep, err)
	}
	return sealed
}

// storedKey is the data key of the subject of sealed, as the store keeps it: the
// pseudonym is in the sealed bytes' header.
type storedKey struct {
	At    int64 `json:"at"`
	Until int64 `json:"until"`
}

func pseudonymOf(sealed []byte) string {
	const hexdigits = "0123456789abcdef"
	var b []byte
	for _, c := range sealed[2 : 2+16] {
		b = append(b, hexdigits[c>>4], hexdigits[c&15])
	}
	return string(b)
}

func readKey(t testing.TB, keys vault.KeyStore, sealed []byte) storedKey {
	t.Helper()
	doc, err := keys.Get(context.Background(), vault.KeyKind, pseudonymOf(sealed))
	if err != nil {
		t.Fatalf("read the data key: %v", err)
	}
	var k storedKey
	if err := json.Unmarshal(doc, &k); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestKeyLivesAsLongAsItsData: a key that sealed only data kept an hour expires two
// hours later (the sweep removes it, and the data no longer opens); sealing for 30
// days extends it, and a later 10-minute seal does not shorten it.
func TestKeyLivesAsLongAsItsData(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "wemibot.db"), bolt.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	v := newVault(t, store, []vault.KEK{vault.NewKEK()}, vault.Options{Now: clock.Now})

	greeting := sealFor(t, v, "web:greeting-only", "ciao", time.Hour)
	if got, want := readKey(t, store, greeting).Until, clock.now.Add(2*time.Hour).Unix(); got != want {
		t.Fatalf("a key sealing data kept 1h expires at %v, want %v", time.Unix(got, 0), time.Unix(want, 0))
	}
	short := sealFor(t, v, "web:answers", "answer", 10*time.Minute)
	if got, want := readKey(t, store, short).Until, clock.now.Add(vault.MinKeyTTL).Unix(); got != want {
		t.Fatalf("a key sealing data kept 10m expires at %v, want %v (MinKeyTTL)", time.Unix(got, 0), time.Unix(want, 0))
	}
	talk := sealFor(t, v, "telegram:7", "state", time.Hour)
	sealFor(t, v, "telegram:7", "state", 30*24*time.Hour)
	extended := clock.now.Add(60 * 24 * time.Hour).Unix()
	if got := readKey(t, store, talk).Until; got != extended {
		t.Fatalf("sealing for 30 days: the key expires at %v, want %v", time.Unix(got, 0), time.Unix(extended, 0))
	}
	sealFor(t, v, "telegram:7", "answer", 10*time.Minute)
	clock.advance(31 * 24 * time.Hour)
	sealFor(t, v, "telegram:7", "answer", 10*time.Minute)
	if got := readKey(t, store, talk).Until; got != extended {
		t.Fatalf("a 10-minute seal moved the 30-day key's expiry to %v, want %v", time.Unix(got, 0), time.Unix(extended, 0))
	}
	// Thirty-one days on, the greeting's and the answers' keys are long gone.
	swept, err := store.Sweep(ctx)
	if err != nil || swept != 2 {
		t.Fatalf("Sweep = %d, %v; want the two short-lived keys", swept, err)
	}
	wantShredded(t, v, greeting)
	wantShredded(t, v, short)
	wantOpen(t, v, talk, "state")
}

// TestOldFormatKeys: a key stored before keys recorded their expiry (only "at") opens
// what it sealed and counts as expiring KeyTTL after it was renewed: it is renewed
// only once that is less than seven eighths of KeyTTL away, and then records it.
func TestOldFormatKeys(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "wemibot.db"), bolt.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	keks := []vault.KEK{vault.NewKEK()}
	v := newVault(t, store, keks, vault.Options{Now: clock.Now})
	old := seal(t, v, "telegram:8", "before")

	// Rewrite the key as the previous version stored it, renewed ten days ago.
	id := pseudonymOf(old)
	renewedAt := clock.now.Add(-10 * 24 * time.Hour)
	_, err = store.Update(ctx, vault.KeyKind, id, vault.DefaultKeyTTL-10*24*time.Hour, func(doc []byte) ([]byte, error) {
		var w map[string]any
		if err := json.Unmarshal(doc, &w); err != nil {
			return nil, err
		}
		delete(w, "until")
		w["at"] = renewedAt.Unix()
		return json.Marshal(w)
	})
	if err != nil {
		t.Fatal(err)
	}
	counted := &countingKeys{KeyStore: store}
	fresh := newVault(t, counted, keks, vault.Options{Now: clock.Now})
	wantOpen(t, fresh, old, "before")
	seal(t, fresh, "telegram:8", "again")
	sealFor(t, fresh, "telegram:8", "brief", time.Hour)
	if counted.writes != 0 || readKey(t, store, old).Until != 0 {
		t.Fatalf("an old-format key 10 days old was rewritten (%d writes)", counted.writes)
	}
	// 45 days on it has 345 days left, less than 7/8 of KeyTTL: renewed, recording its
	// expiry.
	clock.advance(45 * 24 * time.Hour)
	fresh = newVault(t, counted, keks, vault.Options{Now: clock.Now})
	seal(t, fresh, "telegram:8", "later")
	k := readKey(t, store, old)
	if counted.writes != 1 || k.Until != clock.now.Add(vault.DefaultKeyTTL).Unix() || k.At != clock.now.Unix() {
		t.Fatalf("old-format key after 55 days: %d writes, stored %+v; want renewed until %v", counted.writes, k, clock.now.Add(vault.DefaultKeyTTL))
	}
	wantOpen(t, fresh, old, "before")
}

// TestRenewalsAreRare: sealing a subject 1,000 times, a minute apart, writes its key
// about once an hour of sealing, not once a message; for data kept 30 days, once.
func TestRenewalsAreRare(t *testing.T) {
	for _, c := range []struct {
		name      string
		keep      time.Duration
		maxWrites int
	}{
		// 1,000 minutes; a renewal when less than 65 minutes are left of 2 hours.
		{"kept 1 hour", time.Hour, 1000/55 + 2},
		// A renewal when less than 15 minutes are left of MinKeyTTL.
		{"kept 10 minutes", 10 * time.Minute, 1000/105 + 2},
		{"kept 30 days", 30 * 24 * time.Hour, 1},
		{"kept KeyTTL", 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := newClock()
			store, err := bolt.Open(filepath.Join(t.TempDir(), "wemibot.db"), bolt.Options{Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = store.Close() })
			counted := &countingKeys{KeyStore: store}
			v := newVault(t, counted, []vault.KEK{vault.NewKEK()}, vault.Options{Now: clock.Now})
			counted.writes = 0 // the pseudonym secret
			var sealed [][]byte
			for i := range 1000 {
				sealed = append(sealed, sealFor(t, v, "web:busy", fmt.Sprint("message ", i), c.keep))
				clock.advance(time.Minute)
			}
			t.Logf("%s: %d key writes for 1,000 seals over %v", c.name, counted.writes, 1000*time.Minute)
			if counted.writes < 1 || counted.writes > c.maxWrites {
				t.Errorf("%d key writes for 1,000 seals, want 1 to %d", counted.writes, c.maxWrites)
			}
			wantOpen(t, v, sealed[len(sealed)-1], "message 999")
		})
	}
}

// keyRecords returns the time to live of every data key record on Redis (the
// pseudonym secret's, kept for ever, left out) and the secret's count.
func keyRecords(t *testing.T, c *goredis.Client) (ttls []time.Duration, forever int) {
	t.Helper()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, "*vault.key*:d:*", 1000).Iterator()
	for iter.Next(ctx) {
		ttl, err := c.PTTL(ctx, iter.Val()).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl < 0 {
			forever++
			continue
		}
		ttls = append(ttls, ttl)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return ttls, forever
}

// TestKeyTTLOnRedis: on Redis the key record's own expiry follows what it sealed, and a
// KEK rotation keeps it.
func TestKeyTTLOnRedis(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	client := goredis.NewClient(&goredis.Options{Network: "unix", Addr: srv.Socket()})
	t.Cleanup(func() { _ = client.Close() })
	store := redis.New(client, redis.Options{})
	first := vault.KEK{ID: "first", Key: bytes.Repeat([]byte{3}, 32)}
	v := newVault(t, store, []vault.KEK{first}, vault.Options{})

	pttl := func(sealed []byte) time.Duration {
		t.Helper()
		key := ""
		iter := client.Scan(ctx, 0, "*vault.key*:d:"+pseudonymOf(sealed), 10).Iterator()
		for iter.Next(ctx) {
			key = iter.Val()
		}
		ttl, err := client.PTTL(ctx, key).Result()
		if err != nil || key == "" {
			t.Fatalf("PTTL of the key record %q: %v, %v", key, ttl, err)
		}
		return ttl
	}
	greeting := sealFor(t, v, "web:greeting", "ciao", time.Hour)
	if ttl := pttl(greeting); ttl > 2*time.Hour || ttl < 2*time.Hour-time.Minute {
		t.Fatalf("key sealing data kept 1h: PTTL %v, want about 2h", ttl)
	}
	sealFor(t, v, "web:greeting", "ciao", 30*24*time.Hour)
	if ttl := pttl(greeting); ttl < 59*24*time.Hour {
		t.Fatalf("after a 30-day seal: PTTL %v, want about 60 days", ttl)
	}
	sealFor(t, v, "web:greeting", "answer", 10*time.Minute)
	if ttl := pttl(greeting); ttl < 59*24*time.Hour {
		t.Fatalf("a 10-minute seal shortened the key to %v", ttl)
	}
	brief := sealFor(t, v, "web:brief", "answer", 10*time.Minute)
	if ttl := pttl(brief); ttl > vault.MinKeyTTL {
		t.Fatalf("key sealing data kept 10m: PTTL %v, want at most %v", ttl, vault.MinKeyTTL)
	}

	// A rotation re-wraps every key and keeps its expiry.
	second := vault.KEK{ID: "second", Key: bytes.Repeat([]byte{4}, 32)}
	both := newVault(t, store, []vault.KEK{second, first}, vault.Options{})
	if n, err := both.Rewrap(ctx); err != nil || n != 3 {
		t.Fatalf("Rewrap = %d, %v; want 3 (two keys and the pseudonym secret)", n, err)
	}
	if ttl := pttl(brief); ttl > vault.MinKeyTTL {
		t.Fatalf("after Rewrap, the short-lived key's PTTL is %v, want at most %v", ttl, vault.MinKeyTTL)
	}
	if ttl := pttl(greeting); ttl < 59*24*time.Hour || ttl > 60*24*time.Hour {
		t.Fatalf("after Rewrap, the 60-day key's PTTL is %v", ttl)
	}
	if _, forever := keyRecords(t, client); forever != 1 {
		t.Fatalf("%d key records kept for ever, want only the pseudonym secret", forever)
	}
	wantOpen(t, newVault(t, store, []vault.KEK{second}, vault.Options{}), brief, "answer")
}
