package web

import (
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// Whatever a cookie holds, verify never panics, and only what this key issued, in
// time, verifies.
func FuzzVerifySession(f *testing.F) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	s := &sessions{key: []byte("fuzzing key, 32 bytes or more...."), ttl: time.Hour, now: func() time.Time { return now }}
	// An id issued with fixed random bytes: every fuzzing process knows the same one.
	var b [sessionBytes]byte
	copy(b[:], "twenty-four random bytes")
	binary.BigEndian.PutUint64(b[sessionRandom:], uint64(now.Unix()))
	copy(b[sessionRandom+sessionTime:], s.mac(b[:sessionRandom+sessionTime]))
	issued := base64.RawURLEncoding.EncodeToString(b[:])
	if s.verify(issued) != nil || s.verify(s.issue()) != nil {
		f.Fatal("an issued session does not verify")
	}
	f.Add(issued)
	f.Add(issued[:len(issued)-1] + "A")
	f.Add("../../etc/passwd")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		err := s.verify(v)
		if err == nil && v != issued {
			t.Errorf("%q verified", v)
		}
	})
}

// Whatever X-Forwarded-For holds, the client named is the peer or an address of the
// header, never more than a valid address or /64.
func FuzzClientAddress(f *testing.F) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	f.Add("198.51.100.1, 10.0.0.3")
	f.Add("junk,,2001:db8::1%eth0, 10.1.1.1")
	f.Fuzz(func(t *testing.T, xff string) {
		r := &http.Request{RemoteAddr: "10.0.0.2:80", Header: http.Header{"X-Forwarded-For": {xff}}}
		got := clientAddress(r, trusted)
		if _, err := netip.ParseAddr(got); err != nil {
			if _, err := netip.ParsePrefix(got); err != nil {
				t.Errorf("client %q from %q", got, xff)
			}
		}
	})
}
