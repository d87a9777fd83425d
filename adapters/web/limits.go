package web

import (
	"container/list"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiterSet holds a rate limiter per key (a session, a client address), at most max
// of them. When full, the limiter created first goes, in O(1): a key that comes back
// starts with a full burst, which costs a flood little since the overall budget of
// new sessions still holds.
type limiterSet struct {
	mu    sync.Mutex
	max   int
	byKey map[string]*list.Element // of *keyedLimiter
	order *list.List               // oldest first
}

type keyedLimiter struct {
	key string
	l   *rate.Limiter
}

func newLimiterSet(max int) *limiterSet {
	return &limiterSet{max: max, byKey: map[string]*list.Element{}, order: list.New()}
}

// get returns key's limiter, creating it at limit and burst.
func (s *limiterSet) get(key string, limit rate.Limit, burst int) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byKey[key]; ok {
		return e.Value.(*keyedLimiter).l
	}
	for s.order.Len() >= s.max {
		oldest := s.order.Front()
		delete(s.byKey, oldest.Value.(*keyedLimiter).key)
		s.order.Remove(oldest)
	}
	kl := &keyedLimiter{key: key, l: rate.NewLimiter(limit, burst)}
	s.byKey[key] = s.order.PushBack(kl)
	return kl.l
}

// len is the number of limiters held.
func (s *limiterSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len()
}

// Defaults of the budgets of new sessions.
const (
	defaultSessionsPerAddress      = 0.2 // one every 5 s, after the burst
	defaultSessionsPerAddressBurst = 30  // a help desk or a school behind one address
	defaultSessionsPerSecond       = 20
	defaultSessionsBurst           = 200
	maxAddresses                   = 50000
)

// sessionBudget bounds how many sessions are issued: per client address and overall.
type sessionBudget struct {
	perAddress      rate.Limit
	perAddressBurst int
	overall         *rate.Limiter
	addresses       *limiterSet
	now             func() time.Time
}

// take spends one new session of client's budget and the overall one. When either is
// spent it spends neither and returns how long to wait.
func (b *sessionBudget) take(client string) (wait time.Duration, ok bool) {
	now := b.now()
	mine := b.addresses.get(client, b.perAddress, b.perAddressBurst).ReserveN(now, 1)
	all := b.overall.ReserveN(now, 1)
	wait = max(delayOf(mine, now), delayOf(all, now))
	if wait == 0 {
		return 0, true
	}
	mine.CancelAt(now)
	all.CancelAt(now)
	return wait, false
}

// delayOf is how long a reservation waits; a very long time when it cannot be met.
func delayOf(r *rate.Reservation, now time.Time) time.Duration {
	if !r.OK() {
		return time.Hour
	}
	return r.DelayFrom(now)
}

// clientAddress names the client of a request for its budget of new sessions: the
// direct peer, or, when that is a trusted proxy, the nearest address in
// X-Forwarded-For that is not one. An IPv6 client is named by its /64, the block one
// household or phone gets: a client has a whole /64 to rotate through.
func clientAddress(r *http.Request, trusted []netip.Prefix) string {
	peer := parseAddr(r.RemoteAddr)
	if !peer.IsValid() {
		return "unknown"
	}
	if isTrusted(peer, trusted) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop := parseAddr(strings.TrimSpace(hops[i]))
			if !hop.IsValid() {
				break // a malformed hop: trust nothing further left
			}
			peer = hop
			if !isTrusted(hop, trusted) {
				break
			}
		}
	}
	if peer.Is6() && !peer.Is4In6() {
		p, _ := peer.Prefix(64)
		return p.String()
	}
	return peer.Unmap().String()
}

// parseAddr reads "host:port" or a bare address.
func parseAddr(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("")
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// newSessionBudget sets the budgets of new sessions as opts say.
func newSessionBudget(opts Options) *sessionBudget {
	orDefault := func(v, d float64) float64 {
		if v <= 0 {
			return d
		}
		return v
	}
	orDefaultInt := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	return &sessionBudget{
		perAddress:      rate.Limit(orDefault(opts.NewSessionsPerAddress, defaultSessionsPerAddress)),
		perAddressBurst: orDefaultInt(opts.NewSessionsPerAddressBurst, defaultSessionsPerAddressBurst),
		overall: rate.NewLimiter(rate.Limit(orDefault(opts.NewSessionsPerSecond, defaultSessionsPerSecond)),
			orDefaultInt(opts.NewSessionsBurst, defaultSessionsBurst)),
		addresses: newLimiterSet(maxAddresses),
		now:       opts.Now,
	}
}
