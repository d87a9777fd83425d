// Package clocktest provides a settable clock for tests of code that takes its time
// from an injected function, `now func() time.Time`.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a time that moves only when a test moves it. It is safe for concurrent
// use, so its Now can be handed to code that reads the time from other goroutines.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a Clock that reads t until it is moved.
func New(t time.Time) *Clock {
	return &Clock{now: t}
}

// Now returns the clock's time. The method value c.Now is the function to inject
// wherever the code under test expects `now func() time.Time`.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock d forward, at once.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t, forward or back.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
