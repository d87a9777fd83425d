package vault_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/records"
	"github.com/comune-milano/wemibot/vault"
)

// openBolt opens a bbolt store at path, closed when the test ends.
func openBolt(t testing.TB, path string) *bolt.Store {
	t.Helper()
	store, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

func newVault(t testing.TB, keys vault.KeyStore, keks []vault.KEK, opts vault.Options) *vault.Vault {
	t.Helper()
	v, err := vault.New(keys, keks, opts)
	if err != nil {
		t.Fatalf("vault.New: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func seal(t testing.TB, v *vault.Vault, subject, plain string) []byte {
	t.Helper()
	sealed, err := v.Seal(context.Background(), subject, []byte(plain))
	if err != nil {
		t.Fatalf("Seal(%q): %v", subject, err)
	}
	return sealed
}

func wantOpen(t testing.TB, v *vault.Vault, sealed []byte, want string) {
	t.Helper()
	got, err := v.Open(context.Background(), sealed)
	if err != nil || string(got) != want {
		t.Fatalf("Open = %q, %v; want %q", got, err, want)
	}
}

func wantShredded(t testing.TB, v *vault.Vault, sealed []byte) {
	t.Helper()
	if got, err := v.Open(context.Background(), sealed); !errors.Is(err, vault.ErrShredded) {
		t.Fatalf("Open of shredded data = %q, %v; want ErrShredded", got, err)
	}
}

func TestSealOpenShred(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wemibot.db")
	store := openBolt(t, path)
	keks := []vault.KEK{vault.NewKEK()}
	v := newVault(t, store, keks, vault.Options{})

	mario := seal(t, v, "telegram:4242", `{"phone":"+39 333 1234567"}`)
	anna := seal(t, v, "web:anna-session", `{"email":"anna.rossi@example.org"}`)
	empty := seal(t, v, "telegram:4242", "")
	if !vault.IsSealed(mario) || vault.IsSealed([]byte(`{"a":1}`)) {
		t.Fatal("IsSealed does not tell sealed data from JSON")
	}
	if bytes.Contains(mario, []byte("333 1234567")) || bytes.Contains(mario, []byte("4242")) {
		t.Fatal("sealed data shows the plain text or the subject")
	}
	wantOpen(t, v, mario, `{"phone":"+39 333 1234567"}`)
	wantOpen(t, v, anna, `{"email":"anna.rossi@example.org"}`)
	if got, err := v.Open(ctx, empty); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("Open of sealed empty data = %#v, %v; want empty, not nil", got, err)
	}
	tampered := bytes.Clone(mario)
	tampered[len(tampered)-1] ^= 1
	if _, err := v.Open(ctx, tampered); !errors.Is(err, vault.ErrCorrupt) {
		t.Fatalf("Open of tampered data: %v, want ErrCorrupt", err)
	}

	if err := v.Shred(ctx, "telegram:4242"); err != nil {
		t.Fatal(err)
	}
	wantShredded(t, v, mario)
	wantOpen(t, v, anna, `{"email":"anna.rossi@example.org"}`)
	// Even a fresh vault with the KEK (no cache) cannot open it.
	fresh := newVault(t, store, keks, vault.Options{})
	wantShredded(t, fresh, mario)
	wantOpen(t, fresh, anna, `{"email":"anna.rossi@example.org"}`)
	// The subject comes back with a new key: the old data stays unreadable.
	again := seal(t, v, "telegram:4242", "new")
	wantOpen(t, fresh, again, "new")
	wantShredded(t, fresh, mario)
	if err := v.Shred(ctx, "never-seen"); err != nil {
		t.Fatalf("Shred of a subject without a key: %v", err)
	}

	// The store names no subject: the keys are kept under pseudonyms.
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"telegram:4242", "anna-session", "1234567", "anna.rossi"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the bbolt file holds %q", s)
		}
	}
}

func TestWrongKEKRefused(t *testing.T) {
	store := openBolt(t, filepath.Join(t.TempDir(), "wemibot.db"))
	right := vault.KEK{ID: "main", Key: bytes.Repeat([]byte{7}, 32)}
	newVault(t, store, []vault.KEK{right}, vault.Options{})
	for name, keks := range map[string][]vault.KEK{
		"another id":               {vault.NewKEK()},
		"another key, the same id": {{ID: "main", Key: bytes.Repeat([]byte{8}, 32)}},
	} {
		v, err := vault.New(store, keks, vault.Options{})
		if !errors.Is(err, vault.ErrWrongKEK) {
			t.Errorf("%s: vault.New = %v, %v; want ErrWrongKEK", name, v, err)
		}
	}
	if _, err := vault.New(store, nil, vault.Options{}); err == nil {
		t.Error("vault.New without a KEK succeeded")
	}
}

func TestRewrap(t *testing.T) {
	ctx := context.Background()
	store := openBolt(t, filepath.Join(t.TempDir(), "wemibot.db"))
	old := vault.KEK{ID: "old", Key: bytes.Repeat([]byte{1}, 32)}
	next := vault.KEK{ID: "new", Key: bytes.Repeat([]byte{2}, 32)}
	v := newVault(t, store, []vault.KEK{old}, vault.Options{})
	// More keys than records.List returns: rotation must reach them all.
	n := records.MaxList + 200
	sealed := make([][]byte, n)
	for i := range n {
		sealed[i] = seal(t, v, fmt.Sprintf("telegram:%d", i), fmt.Sprintf("data %d", i))
	}

	// The operator puts the new KEK first and keeps the old one to unwrap.
	both := newVault(t, store, []vault.KEK{next, old}, vault.Options{})
	got, err := both.Rewrap(ctx)
	if err != nil || got != n+1 { // every DEK, and the pseudonym secret
		t.Fatalf("Rewrap = %d, %v; want %d", got, err, n+1)
	}
	if got, err := both.Rewrap(ctx); err != nil || got != 0 {
		t.Fatalf("Rewrap again = %d, %v; want 0", got, err)
	}
	// The old KEK can go.
	newOnly := newVault(t, store, []vault.KEK{next}, vault.Options{})
	for i := range n {
		wantOpen(t, newOnly, sealed[i], fmt.Sprintf("data %d", i))
	}
	if _, err := vault.New(store, []vault.KEK{old}, vault.Options{}); !errors.Is(err, vault.ErrWrongKEK) {
		t.Fatalf("vault.New with only the old KEK after the rotation: %v, want ErrWrongKEK", err)
	}
}

func TestKeyRenewal(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := openBolt(t, filepath.Join(t.TempDir(), "wemibot.db"))
	v := newVault(t, store, []vault.KEK{vault.NewKEK()}, vault.Options{KeyTTL: 80 * time.Hour, Now: clock})
	first := seal(t, v, "telegram:1", "a")
	before := storedKeys(t, store)
	// Sealing again within an eighth of the key's life writes nothing; past it, the
	// stored copy is renewed: the same key, a later time.
	now = now.Add(9 * time.Hour)
	seal(t, v, "telegram:1", "b")
	if after := storedKeys(t, store); !maps.Equal(after, before) {
		t.Fatalf("a seal within the renewal period changed the stored keys: %v -> %v", before, after)
	}
	now = now.Add(2 * time.Hour)
	second := seal(t, v, "telegram:1", "c")
	after := storedKeys(t, store)
	renewed := 0
	for id, doc := range after {
		if doc != before[id] {
			renewed++
		}
	}
	if len(after) != len(before) || renewed != 1 {
		t.Fatalf("renewal changed %d stored keys of %d (before %d): want one", renewed, len(after), len(before))
	}
	wantOpen(t, v, first, "a")
	wantOpen(t, v, second, "c")
}

// storedKeys returns the wrapped keys the store holds, by id.
func storedKeys(t *testing.T, store *bolt.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	keys := map[string]string{}
	err := store.EachID(ctx, vault.KeyKind, func(id string) error {
		doc, err := store.Get(ctx, vault.KeyKind, id)
		keys[id] = string(doc)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
