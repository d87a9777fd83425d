package vault

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KEK is a key-encryption key: it wraps the citizens' data keys kept in the store.
type KEK struct {
	// ID names the key in every data key it wraps, so that a store can be opened
	// after a rotation with the older keys still listed.
	ID string
	// Key is 32 bytes: AES-256.
	Key []byte
}

// keySize is the size of every key: AES-256.
const keySize = 32

// maxKEKID bounds a KEK's id, and keeps it free of the list's separators.
const maxKEKID = 32

// NewKEK returns a fresh random KEK, named after its fingerprint.
func NewKEK() KEK {
	key := make([]byte, keySize)
	_, _ = rand.Read(key) // never fails: crypto/rand crashes the program instead
	return KEK{ID: fingerprint(key), Key: key}
}

// fingerprint names a key given without an id: a short hash, so that a different key
// gets a different name and a wrong key is told apart from a missing one.
func fingerprint(key []byte) string {
	sum := sha256.Sum256(append([]byte("wemibot kek id v1\x00"), key...))
	return "k" + hex.EncodeToString(sum[:6])
}

// ParseKEKs reads the value of WEMI_KEK: one key in standard base64 (32 bytes), or a
// comma-separated list of id:base64 entries. The first is the current key, which
// wraps every new data key; the others only unwrap what they wrapped before a
// rotation. Errors never repeat a key.
func ParseKEKs(s string) ([]KEK, error) {
	var keks []KEK
	seen := map[string]bool{}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		k, err := parseKEK(entry)
		if err != nil {
			return nil, fmt.Errorf("key-encryption key %d: %w", i+1, err)
		}
		if seen[k.ID] {
			return nil, fmt.Errorf("key-encryption key %d: id %q listed twice", i+1, k.ID)
		}
		seen[k.ID] = true
		keks = append(keks, k)
	}
	if len(keks) == 0 {
		return nil, errors.New("no key-encryption key given")
	}
	return keks, nil
}

// parseKEK reads one entry: base64, or id:base64.
func parseKEK(entry string) (KEK, error) {
	id, b64, named := strings.Cut(entry, ":")
	if !named {
		b64 = id
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return KEK{}, errors.New("not standard base64 (generate one with: head -c 32 /dev/urandom | base64)")
	}
	if len(key) != keySize {
		return KEK{}, fmt.Errorf("%d bytes, want %d", len(key), keySize)
	}
	if !named {
		return KEK{ID: fingerprint(key), Key: key}, nil
	}
	if id == "" || len(id) > maxKEKID || strings.ContainsAny(id, ", \t\r\n") {
		return KEK{}, fmt.Errorf("id empty, longer than %d bytes or holding a comma or a space", maxKEKID)
	}
	return KEK{ID: id, Key: key}, nil
}

// FormatKEKs writes keys as ParseKEKs reads them, one id:base64 a line.
func FormatKEKs(keks []KEK) string {
	var b strings.Builder
	for _, k := range keks {
		b.WriteString(k.ID + ":" + base64.StdEncoding.EncodeToString(k.Key) + "\n")
	}
	return b.String()
}

// ErrKEKFileMode is returned, wrapped, for a key file that others than its owner can
// read or write.
var ErrKEKFileMode = errors.New("key file readable or writable by group or others")

// LoadOrCreateKEKFile reads the key-encryption keys from the file at path (one
// id:base64 or base64 a line, or a comma list, current first), creating it with one
// fresh key, mode 0600, when it does not exist. A file that its group or others can
// read or write is refused: whoever reads it can read every copy of the data.
func LoadOrCreateKEKFile(path string) ([]KEK, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		keks := []KEK{NewKEK()}
		if err := WriteKEKFile(path, keks); err != nil {
			return nil, err
		}
		return keks, nil
	}
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s: mode %#o: %w (chmod 600 it)", path, info.Mode().Perm(), ErrKEKFileMode)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	keks, err := ParseKEKs(strings.ReplaceAll(strings.TrimSpace(string(data)), "\n", ","))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return keks, nil
}

// WriteKEKFile replaces the key file at path with keks, atomically (a new file renamed
// over the old one), mode 0600, creating its folder (0700) when needed.
func WriteKEKFile(path string, keks []KEK) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".kek-*")
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("key file %s: %w", path, err)
	}
	_, err = tmp.WriteString(FormatKEKs(keks))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	return nil
}
