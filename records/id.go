package records

import (
	"crypto/rand"
	"encoding/hex"
)

// idBytes is how many random bytes an id holds: 48 bits keep the ids short in
// buttons' payloads and staff cards.
const idBytes = 6

// NewID returns a fresh random record id of 12 lowercase hexadecimal characters.
func NewID() string {
	var b [idBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it crashes the program instead)
	return hex.EncodeToString(b[:])
}

// ValidID reports whether id has the shape NewID gives: 12 lowercase hexadecimal
// characters. Use it on ids that come back in button payloads before looking them up.
func ValidID(id string) bool {
	if len(id) != 2*idBytes {
		return false
	}
	for _, c := range []byte(id) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
