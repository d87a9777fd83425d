package telegram

import (
	"context"
	"math"
	"sync"
	"time"
)

// window is the global limit on messages: at most n calls in any span of length per,
// as Telegram counts them. A token bucket lets its burst through on top of its rate
// within one second (30 a second with a burst of 5 let 35 through); window counts each
// call from its start until per after its end instead. Telegram receives a call at
// some moment between the two, so whatever the network's delays, no span of per can
// see n+1 calls: the last of them to start would have found the other n counted.
type window struct {
	n   int
	per time.Duration
	now func() time.Time

	mu      sync.Mutex
	active  int         // calls started and not yet ended
	ends    []time.Time // ends of the calls that still count, oldest first
	changed chan struct{}
}

// newWindow returns the limit of perSecond calls a second (n calls in n/perSecond
// seconds), or nil for no limit when perSecond is not positive.
func newWindow(perSecond float64, now func() time.Time) *window {
	if perSecond <= 0 {
		return nil
	}
	n := max(1, int(math.Floor(perSecond)))
	per := time.Duration(float64(n) / perSecond * float64(time.Second))
	return &window{n: n, per: per, now: now, changed: make(chan struct{})}
}

// begin starts a call at now if the limit allows it. Otherwise it says how long to
// wait; zero means until a call in progress ends.
func (w *window) begin(now time.Time) (bool, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	i := 0
	for i < len(w.ends) && !now.Before(w.ends[i].Add(w.per)) {
		i++
	}
	w.ends = w.ends[i:]
	if w.active+len(w.ends) < w.n {
		w.active++
		return true, 0
	}
	if len(w.ends) == 0 {
		return false, 0
	}
	return false, w.ends[0].Add(w.per).Sub(now)
}

// end ends a call begun before, at.
func (w *window) end(at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.active--
	w.ends = append(w.ends, at)
	close(w.changed)
	w.changed = make(chan struct{})
}

// acquire waits until a call may start and returns the function to call when it has
// ended. A nil window never waits.
func (w *window) acquire(ctx context.Context) (func(), error) {
	if w == nil {
		return func() {}, nil
	}
	for {
		w.mu.Lock()
		changed := w.changed
		w.mu.Unlock()
		ok, wait := w.begin(w.now())
		if ok {
			return func() { w.end(w.now()) }, nil
		}
		if err := w.sleep(ctx, changed, wait); err != nil {
			return nil, err
		}
	}
}

// sleep waits for wait (when positive), a change, or the end of ctx.
func (w *window) sleep(ctx context.Context, changed <-chan struct{}, wait time.Duration) error {
	var timer <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-timer:
	}
	return nil
}
