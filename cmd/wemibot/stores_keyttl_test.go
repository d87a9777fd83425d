package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/vault"
)

// TestAnswersSealedBriefly: the web chat's answers, sealed as newSite wires them, leave
// a key that expires within vault.MinKeyTTL, where Seal (data kept indefinitely) keeps
// one vault.DefaultKeyTTL.
func TestAnswersSealedBriefly(t *testing.T) {
	ctx := context.Background()
	raw, err := bolt.Open(filepath.Join(t.TempDir(), "wemibot.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(raw, []vault.KEK{vault.NewKEK()}, vault.Options{})
	if err != nil {
		_ = raw.Close()
		t.Fatal(err)
	}
	store := newSealedStores(raw, v)
	t.Cleanup(func() { _ = store.Close() })

	expiry := func(sealed []byte) time.Duration {
		t.Helper()
		// The sealed bytes name their key: magic, version, then the 16-byte pseudonym.
		doc, err := raw.Get(ctx, vault.KeyKind, hex.EncodeToString(sealed[2:18]))
		if err != nil {
			t.Fatal(err)
		}
		var w struct {
			Until int64 `json:"until"`
		}
		if err := json.Unmarshal(doc, &w); err != nil {
			t.Fatal(err)
		}
		return time.Until(time.Unix(w.Until, 0))
	}
	answer, err := sealAnswer(store)(ctx, "web:answered", []byte("la risposta"))
	if err != nil {
		t.Fatal(err)
	}
	if got := expiry(answer); got > vault.MinKeyTTL || got < vault.MinKeyTTL-time.Minute {
		t.Errorf("an answer's key expires in %v, want about %v", got, vault.MinKeyTTL)
	}
	if plain, err := store.Open(ctx, answer); err != nil || string(plain) != "la risposta" {
		t.Errorf("Open = %q, %v", plain, err)
	}
	kept, err := store.Seal(ctx, "web:kept", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if got := expiry(kept); got < vault.DefaultKeyTTL-time.Minute {
		t.Errorf("a key sealing data kept indefinitely expires in %v, want %v", got, vault.DefaultKeyTTL)
	}
}
