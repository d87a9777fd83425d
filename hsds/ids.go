package hsds

import (
	"crypto/sha1"
	"encoding/hex"
	"regexp"
	"strings"
)

// namespace is the UUIDv5 namespace of WeMi's HSDS ids: the UUIDv5 of the name
// "https://wemi.comune.milano.it/hsds" in RFC 9562's URL namespace, so that every
// export derives the same ids.
func namespace() [16]byte {
	urlNamespace := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	return uuid5(urlNamespace, "https://wemi.comune.milano.it/hsds")
}

// uuid5 is RFC 9562's name-based UUID, SHA-1 version.
func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// ID is the stable HSDS id of a WeMi record: kind names the table ("service",
// "organization", "location", "schedule"...) and key the record within it (our id,
// with a suffix for the records HSDS nests, such as "arcobaleno-babysitting/schedule/0").
func ID(kind, key string) string { return formatUUID(uuid5(namespace(), kind+":"+key)) }

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s is a UUID in its canonical text form.
func IsUUID(s string) bool { return uuidRE.MatchString(s) }

// maxIDLength is the catalogue's limit on ids (a chat button carries one).
const maxIDLength = 48

// Slug makes a catalogue id (lowercase letters, digits and dashes, at most 48
// characters) from a name, for the records of a foreign dataset that carry none of
// ours: accents are dropped, other characters become dashes.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		r = unaccent(r)
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= maxIDLength {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// unaccent maps the accented Latin letters of Italian and its neighbours to their
// base letter; other runes are returned as they are.
func unaccent(r rune) rune {
	const from, to = "àáâãäåèéêëìíîïòóôõöùúûüçñ", "aaaaaaeeeeiiiiooooouuuucn"
	for i, f := range []rune(from) {
		if f == r {
			return rune(to[i])
		}
	}
	return r
}
