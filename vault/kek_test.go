package vault_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/vault"
)

func TestParseKEKs(t *testing.T) {
	a, b := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	a64, b64 := base64.StdEncoding.EncodeToString(a), base64.StdEncoding.EncodeToString(b)
	tests := []struct {
		name, in string
		ids      []string // nil: an error
	}{
		{"one bare key", a64, []string{""}},
		{"named list, current first", "new:" + b64 + ", old:" + a64, []string{"new", "old"}},
		{"bare and named", a64 + ",x:" + b64, []string{"", "x"}},
		{"empty", " , ", nil},
		{"not base64", "n0t!base64", nil},
		{"short key", base64.StdEncoding.EncodeToString(a[:16]), nil},
		{"id listed twice", "x:" + a64 + ",x:" + b64, nil},
		{"id with a space", "a b:" + a64, nil},
		{"empty id", ":" + a64, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keks, err := vault.ParseKEKs(tc.in)
			if tc.ids == nil {
				if err == nil {
					t.Fatalf("ParseKEKs(%q) = %v, want an error", tc.in, keks)
				}
				if strings.Contains(err.Error(), a64) || strings.Contains(err.Error(), b64) {
					t.Fatalf("the error repeats a key: %v", err)
				}
				return
			}
			if err != nil || len(keks) != len(tc.ids) {
				t.Fatalf("ParseKEKs(%q) = %v, %v; want %d keys", tc.in, keks, err, len(tc.ids))
			}
			for i, id := range tc.ids {
				if id != "" && keks[i].ID != id {
					t.Errorf("key %d: id %q, want %q", i, keks[i].ID, id)
				}
				if keks[i].ID == "" || len(keks[i].Key) != 32 {
					t.Errorf("key %d: id %q, %d bytes", i, keks[i].ID, len(keks[i].Key))
				}
			}
		})
	}
	// A bare key's id is its fingerprint: another key, another id.
	ka, _ := vault.ParseKEKs(a64)
	kb, _ := vault.ParseKEKs(b64)
	if ka[0].ID == kb[0].ID {
		t.Fatalf("two bare keys share the id %q", ka[0].ID)
	}
}

func TestKEKFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "kek")
	created, err := vault.LoadOrCreateKEKFile(path)
	if err != nil || len(created) != 1 || len(created[0].Key) != 32 {
		t.Fatalf("LoadOrCreateKEKFile on no file: %v, %v", created, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("created key file: %v, %v; want mode 0600", info, err)
	}
	again, err := vault.LoadOrCreateKEKFile(path)
	if err != nil || len(again) != 1 || again[0].ID != created[0].ID || !bytes.Equal(again[0].Key, created[0].Key) {
		t.Fatalf("LoadOrCreateKEKFile again: %v, %v; want the key created first", again, err)
	}
	two := []vault.KEK{vault.NewKEK(), created[0]}
	if err := vault.WriteKEKFile(path, two); err != nil {
		t.Fatal(err)
	}
	if got, err := vault.LoadOrCreateKEKFile(path); err != nil || len(got) != 2 || got[0].ID != two[0].ID {
		t.Fatalf("after writing two keys: %v, %v", got, err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o606} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := vault.LoadOrCreateKEKFile(path); !errors.Is(err, vault.ErrKEKFileMode) {
			t.Errorf("key file with mode %v: %v, want ErrKEKFileMode", mode, err)
		}
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.LoadOrCreateKEKFile(path); err == nil {
		t.Fatal("a key file of garbage was accepted")
	}
}
