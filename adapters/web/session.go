package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"net/http"
	"sync"
	"time"
)

// A session id is what the session cookie holds: sessionRandom random bytes, the issue
// time (Unix seconds, big-endian) and a MAC over both, base64url without padding.
// Only ids this server (or a replica with the same key) issued verify, so a made-up
// cookie names no conversation and costs the store nothing.
const (
	sessionRandom = 24
	sessionTime   = 8
	sessionMAC    = 16 // HMAC-SHA256, truncated to 128 bits
	sessionBytes  = sessionRandom + sessionTime + sessionMAC
	// sessionLen is the length of an encoded session id.
	sessionLen = (sessionBytes*8 + 5) / 6
)

// Cookie names: the __Host- prefix, when the cookie is Secure, tells the browser to
// accept it only from this host, over HTTPS, for Path=/ and without a Domain, so a
// sibling subdomain cannot plant a session.
const (
	plainCookie  = "wemi_session"
	securePrefix = "__Host-"
)

// DefaultSessionTTL is how long an issued session lasts when Options.SessionTTL is
// not set: the cookie's life, as before sessions were signed.
const DefaultSessionTTL = 30 * 24 * time.Hour

// Why a cookie names no session.
var (
	errNoSession      = errors.New("no session cookie")
	errForgedSession  = errors.New("session not issued by this server")
	errExpiredSession = errors.New("session expired")
)

// sessions issues and verifies session ids.
type sessions struct {
	key    []byte
	ttl    time.Duration
	now    func() time.Time
	secure bool // the cookie is Secure, hence __Host-
	framed bool // the chat is framed by a portal on another site
	// macs holds HMAC-SHA256s keyed with key, reset and reused: building one per
	// request costs more than the MAC itself.
	macs sync.Pool
}

// cookieName is the session cookie's name.
func (s *sessions) cookieName() string {
	if s.secure {
		return securePrefix + plainCookie
	}
	return plainCookie
}

// issue returns a new session id.
func (s *sessions) issue() string {
	var b [sessionBytes]byte
	rand.Read(b[:sessionRandom])
	binary.BigEndian.PutUint64(b[sessionRandom:], uint64(s.now().Unix()))
	copy(b[sessionRandom+sessionTime:], s.mac(b[:sessionRandom+sessionTime]))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *sessions) mac(payload []byte) []byte {
	m, _ := s.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, s.key)
	}
	m.Reset()
	m.Write([]byte("wemibot web session v1\x00"))
	m.Write(payload)
	sum := m.Sum(nil)[:sessionMAC]
	s.macs.Put(m)
	return sum
}

// verify checks a session id: issued with this key, and not expired.
func (s *sessions) verify(id string) error {
	var b [sessionBytes]byte
	if len(id) != sessionLen {
		return errForgedSession
	}
	if n, err := base64.RawURLEncoding.Decode(b[:], []byte(id)); err != nil || n != sessionBytes {
		return errForgedSession // as wellFormed says
	}
	payload, sum := b[:sessionRandom+sessionTime], b[sessionRandom+sessionTime:]
	if !hmac.Equal(sum, s.mac(payload)) {
		return errForgedSession
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[sessionRandom:])), 0)
	if age := s.now().Sub(issued); age >= s.ttl || age < -time.Minute {
		return errExpiredSession
	}
	return nil
}

// expires is when a verified session id stops being valid.
func (s *sessions) expires(id string) time.Time {
	b, _ := base64.RawURLEncoding.DecodeString(id)
	return time.Unix(int64(binary.BigEndian.Uint64(b[sessionRandom:])), 0).Add(s.ttl)
}

// wellFormed reports whether v has the shape of a session id, whoever made it.
func wellFormed(v string) bool {
	if len(v) != sessionLen {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == sessionBytes
}

// fromRequest returns the request's verified session id, or why it has none.
func (s *sessions) fromRequest(r *http.Request) (string, error) {
	c, err := r.Cookie(s.cookieName())
	if err != nil {
		return "", errNoSession
	}
	if err := s.verify(c.Value); err != nil {
		return "", err
	}
	return c.Value, nil
}

// cookie is the Set-Cookie of session id.
func (s *sessions) cookie(id string) *http.Cookie {
	c := &http.Cookie{Name: s.cookieName(), Value: id, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: max(int(s.expires(id).Sub(s.now())/time.Second), 1)}
	if s.framed {
		// Framed by the portal on another site: the cookie must be sent cross-site, and
		// is partitioned to that portal (CHIPS), so it tracks nobody elsewhere.
		c.SameSite, c.Partitioned = http.SameSiteNoneMode, true
	}
	return c
}

// newSessions issues sessions as opts say.
func newSessions(opts Options) *sessions {
	key := opts.SessionKey
	if len(key) == 0 {
		key = make([]byte, 32)
		rand.Read(key)
	}
	ttl := opts.SessionTTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	framed := len(opts.FrameAncestors) > 0
	// A framed chat's cookie is sent cross-site, which browsers allow only when Secure.
	return &sessions{key: key, ttl: ttl, now: opts.Now, secure: opts.SecureCookie || framed, framed: framed}
}
