package storetest

import (
	"sync"
	"time"
)

// Clock lets the suite make time pass for the store under test.
type Clock interface {
	// Advance returns once the store sees at least d more time passed.
	Advance(d time.Duration)
}

// FakeClock is a Clock for stores that take their time from an injected function: pass
// its Now to the store. It is safe for concurrent use.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a FakeClock that starts at start.
func NewFakeClock(start time.Time) *FakeClock {
	return &FakeClock{now: start}
}

// Now returns the clock's current time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock d forward, at once.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// RealClock is a Clock for stores that keep time themselves, like Redis: Advance sleeps.
type RealClock struct{}

// Advance sleeps for d.
func (RealClock) Advance(d time.Duration) {
	time.Sleep(d)
}
