package vault_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/comune-milano/wemibot/vault"
)

// FuzzOpen feeds Open what a damaged or tampered store could hold: it must fail
// cleanly, never panic, and never open anything but what Seal wrote.
func FuzzOpen(f *testing.F) {
	store := openBolt(f, filepath.Join(f.TempDir(), "wemibot.db"))
	v := newVault(f, store, []vault.KEK{vault.NewKEK()}, vault.Options{})
	good := seal(f, v, "telegram:1", "hello")
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{0xA7, 1})
	f.Add([]byte(`{"conversation":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		plain, err := v.Open(context.Background(), data)
		switch {
		case err == nil && string(plain) != "hello":
			t.Fatalf("Open(%x) = %q: opened something Seal never wrote", data, plain)
		case err != nil && !errors.Is(err, vault.ErrCorrupt) && !errors.Is(err, vault.ErrShredded):
			t.Fatalf("Open(%x): %v, want ErrCorrupt or ErrShredded", data, err)
		}
	})
}
