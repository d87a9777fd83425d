package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"

	"golang.org/x/time/rate"
)

func TestClientAddress(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name, remote string
		xff          []string
		trusted      []netip.Prefix
		want         string
	}{
		{"direct", "192.0.2.7:5555", nil, trusted, "192.0.2.7"},
		{"direct, a forged header ignored", "192.0.2.7:5555", []string{"198.51.100.1"}, trusted, "192.0.2.7"},
		{"no trusted proxies: the header ignored", "10.0.0.2:80", []string{"198.51.100.1"}, nil, "10.0.0.2"},
		{"through a trusted proxy", "10.0.0.2:80", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
		{"the client's own forged hops ignored", "10.0.0.2:80", []string{"203.0.113.9, 198.51.100.1"}, trusted, "198.51.100.1"},
		{"two trusted proxies", "10.0.0.2:80", []string{"198.51.100.1, 10.1.1.1"}, trusted, "198.51.100.1"},
		{"headers joined in order", "10.0.0.2:80", []string{"203.0.113.9", "198.51.100.1"}, trusted, "198.51.100.1"},
		{"a malformed hop stops at the proxy", "10.0.0.2:80", []string{"198.51.100.1, junk"}, trusted, "10.0.0.2"},
		{"only proxies", "10.0.0.2:80", []string{"10.9.9.9"}, trusted, "10.9.9.9"},
		{"IPv6 by its /64", "[2001:db8:1:2:aaaa::1]:443", nil, trusted, "2001:db8:1:2::/64"},
		{"IPv6 behind a proxy", "[fd00::1]:443", []string{"2001:db8:1:2:bbbb::9"}, trusted, "2001:db8:1:2::/64"},
		{"IPv4 mapped", "[::ffff:192.0.2.7]:1", nil, trusted, "192.0.2.7"},
		{"unparsable peer", "pipe", nil, trusted, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tt.remote, Header: http.Header{}}
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientAddress(r, tt.trusted); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// The limiters held stay bounded however many keys come, and a key's limiter is the
// same until it is evicted.
func TestLimiterSetBounded(t *testing.T) {
	s := newLimiterSet(100)
	first := s.get("k0", rate.Limit(1), 1)
	if s.get("k0", rate.Limit(1), 1) != first {
		t.Fatal("a second limiter for one key")
	}
	for i := range 1000 {
		s.get(fmt.Sprint("k", i), rate.Limit(1), 1)
		if n := s.len(); n > 100 {
			t.Fatalf("%d limiters held", n)
		}
	}
	if s.get("k999", rate.Limit(1), 1) != s.get("k999", rate.Limit(1), 1) {
		t.Error("a recent key lost its limiter")
	}
	if s.get("k0", rate.Limit(1), 1) == first {
		t.Error("the oldest key was not evicted")
	}
}
