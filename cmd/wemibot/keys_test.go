package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/vault"
)

// inVault opens the vault of dataDir's embedded store with keks, as serve would, runs
// use on it and closes both, so that a command can open the store next. It returns
// the error of opening the vault (keys that do not match).
func inVault(t *testing.T, dataDir string, keks []vault.KEK, use func(*vault.Vault)) error {
	t.Helper()
	store, err := bolt.Open(filepath.Join(dataDir, "wemibot.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	v, err := vault.New(store, keks, vault.Options{})
	if err != nil {
		return err
	}
	defer v.Close()
	use(v)
	return nil
}

// sealIn seals plain for subject in the embedded store of dataDir with keks, as serve
// would, and returns the sealed bytes.
func sealIn(t *testing.T, dataDir string, keks []vault.KEK, subject, plain string) []byte {
	t.Helper()
	var sealed []byte
	err := inVault(t, dataDir, keks, func(v *vault.Vault) {
		var err error
		if sealed, err = v.Seal(context.Background(), subject, []byte(plain)); err != nil {
			t.Fatal(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

// openIn opens sealed bytes with the embedded store of dataDir and keks.
func openIn(t *testing.T, dataDir string, keks []vault.KEK, sealed []byte) (string, error) {
	t.Helper()
	var plain []byte
	var openErr error
	if err := inVault(t, dataDir, keks, func(v *vault.Vault) {
		plain, openErr = v.Open(context.Background(), sealed)
	}); err != nil {
		return "", err
	}
	return string(plain), openErr
}

func TestKeysRotateWithTheKeyFile(t *testing.T) {
	dir := t.TempDir()
	old, err := vault.LoadOrCreateKEKFile(filepath.Join(dir, "kek"))
	if err != nil {
		t.Fatal(err)
	}
	sealed := sealIn(t, dir, old, "telegram:42", "+39 333 1234567")
	res := runCLI(t, map[string]string{"WEMI_DATA_DIR": dir}, "", "keys", "rotate")
	if res.code != 0 || !strings.Contains(res.stdout, "Re-wrapped 2 data keys") {
		t.Fatalf("keys rotate: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	now, err := vault.LoadOrCreateKEKFile(filepath.Join(dir, "kek"))
	if err != nil || len(now) != 1 || now[0].ID == old[0].ID || bytes.Equal(now[0].Key, old[0].Key) {
		t.Fatalf("the key file after the rotation: %v, %v; want one new key", now, err)
	}
	if got, err := openIn(t, dir, now, sealed); err != nil || got != "+39 333 1234567" {
		t.Fatalf("open with the new key: %q, %v", got, err)
	}
	if _, err := openIn(t, dir, old, sealed); !errors.Is(err, vault.ErrWrongKEK) {
		t.Fatalf("open with the old key after the rotation: %v, want ErrWrongKEK", err)
	}
}

func TestKeysRotateWithTheSetting(t *testing.T) {
	dir := t.TempDir()
	old, next := vault.NewKEK(), vault.NewKEK()
	entry := func(k vault.KEK) string { return k.ID + ":" + base64.StdEncoding.EncodeToString(k.Key) }
	sealed := sealIn(t, dir, []vault.KEK{old}, "web:session", "anna@example.org")
	env := map[string]string{"WEMI_DATA_DIR": dir, "WEMI_KEK": entry(next) + "," + entry(old)}
	res := runCLI(t, env, "", "keys", "rotate")
	if res.code != 0 || !strings.Contains(res.stdout, "remove the older ones") {
		t.Fatalf("keys rotate: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if got, err := openIn(t, dir, []vault.KEK{next}, sealed); err != nil || got != "anna@example.org" {
		t.Fatalf("open with only the new key: %q, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "kek")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file was written though WEMI_KEK is set: %v", err)
	}
}

// serve refuses to start on a wrong key, a key file others can read, and bad settings.
func TestServeRefusesBadKeys(t *testing.T) {
	b64 := func(k vault.KEK) string { return base64.StdEncoding.EncodeToString(k.Key) }
	right, wrong := vault.NewKEK(), vault.NewKEK()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) map[string]string
		code  int
		want  string
	}{
		{"wrong WEMI_KEK", func(t *testing.T, dir string) map[string]string {
			sealIn(t, dir, []vault.KEK{{ID: "main", Key: right.Key}}, "telegram:1", "x")
			return map[string]string{"WEMI_KEK": "main:" + b64(wrong)}
		}, exitError, "wrong key-encryption key"},
		{"key file readable by others", func(t *testing.T, dir string) map[string]string {
			if _, err := vault.LoadOrCreateKEKFile(filepath.Join(dir, "kek")); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(dir, "kek"), 0o644); err != nil {
				t.Fatal(err)
			}
			return map[string]string{}
		}, exitError, "chmod 600"},
		{"WEMI_KEK not base64", func(*testing.T, string) map[string]string {
			return map[string]string{"WEMI_KEK": "not a key"}
		}, exitUsage, "WEMI_KEK"},
		{"both settings", func(*testing.T, string) map[string]string {
			return map[string]string{"WEMI_KEK": b64(right), "WEMI_KEK_FILE": "/tmp/kek"}
		}, exitUsage, "not both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			env := tc.setup(t, dir)
			env["WEMI_DATA_DIR"], env["WEMI_HTTP_ADDR"] = dir, "127.0.0.1:0"
			res := runCLI(t, env, "", "serve")
			if res.code != tc.code || !strings.Contains(res.stderr, tc.want) {
				t.Fatalf("serve: exit %d, stderr %q; want exit %d with %q", res.code, res.stderr, tc.code, tc.want)
			}
			if strings.Contains(res.stderr, b64(right)) || strings.Contains(res.stderr, b64(wrong)) {
				t.Fatal("the error shows a key")
			}
		})
	}
}

// The embedded default: serve creates the key file, 0600, and uses it again.
func TestServeCreatesTheKeyFile(t *testing.T) {
	t.Parallel() // a real server (or shell) of its own: runs beside the others
	env := map[string]string{}
	addr, _ := startServe(t, env)
	if !webSearchFinds(t, addr, "badante", "Ho trovato") {
		t.Fatal("no answer")
	}
	info, err := os.Stat(filepath.Join(env["WEMI_DATA_DIR"], "kek"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v, %v; want mode 0600", info, err)
	}
}
