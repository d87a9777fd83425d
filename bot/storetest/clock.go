package storetest

import "time"

// Clock lets the suite make time pass for the store under test. For stores that take
// their time from an injected function, pass a *clocktest.Clock and give the store its
// Now.
type Clock interface {
	// Advance returns once the store sees at least d more time passed.
	Advance(d time.Duration)
}

// RealClock is a Clock for stores that keep time themselves, like Redis: Advance sleeps.
type RealClock struct{}

// Advance sleeps for d.
func (RealClock) Advance(d time.Duration) {
	time.Sleep(d)
}
