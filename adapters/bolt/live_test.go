package bolt

import (
	"time"
)

// size returns how many locks and open rate windows the table holds at now, for tests.
func (t *liveTable) size(now time.Time) (locks, rates int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.convs {
		if c.held(now.UnixNano()) {
			locks++
		}
		if now.UnixNano() < c.rateEnds {
			rates++
		}
	}
	return locks, rates
}
