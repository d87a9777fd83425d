// Package lograte bounds how often a repeated warning is logged, so that whoever
// sends bad requests on purpose cannot flood the logs, while the on-call engineer
// still learns how many there were.
package lograte

import (
	"log/slog"
	"sync"
	"time"
)

// Limiter logs one warning message at most once per interval: the first occurrence at
// once, later ones counted, and the count (the occurrences since the last line logged,
// that one included) goes into the next line. Occurrences after the last line are
// logged with the next one. It is safe for concurrent use.
type Limiter struct {
	log   *slog.Logger
	msg   string
	every time.Duration
	now   func() time.Time

	mu     sync.Mutex
	logged bool      // a line was logged
	last   time.Time // when
	missed int       // occurrences since, not logged
}

// New returns a Limiter that logs msg to log at most once every interval; now tells
// the time (nil: time.Now).
func New(log *slog.Logger, msg string, every time.Duration, now func() time.Time) *Limiter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{log: log, msg: msg, every: every, now: now}
}

// Warn records one occurrence, logging it with args (which must carry no personal
// data and no secret) and a count when the interval since the last line has passed.
// It reports whether a line was logged.
func (l *Limiter) Warn(args ...any) bool {
	l.mu.Lock()
	now := l.now()
	if l.logged && now.Sub(l.last) < l.every {
		l.missed++
		l.mu.Unlock()
		return false
	}
	count := l.missed + 1
	l.logged, l.last, l.missed = true, now, 0
	l.mu.Unlock()
	l.log.Warn(l.msg, append(args, "count", count)...)
	return true
}
