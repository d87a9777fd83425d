package clocktest

import "time"

// Advancer lets a contract suite make time pass for the store under test. For a
// store that takes its time from an injected function, pass a *Clock and give the
// store its Now; for one that keeps time itself, like Redis, pass Real.
type Advancer interface {
	// Advance returns once the store sees at least d more time passed.
	Advance(d time.Duration)
}

// Real is an Advancer for stores that keep time themselves: Advance sleeps.
type Real struct{}

// Advance sleeps for d.
func (Real) Advance(d time.Duration) { time.Sleep(d) }

var (
	_ Advancer = (*Clock)(nil)
	_ Advancer = Real{}
)
