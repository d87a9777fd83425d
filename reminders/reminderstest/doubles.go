package reminderstest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/reminders"
)

// Fill adds n reminders to q, all due by T0, in batches of batch.
func Fill(tb testing.TB, q reminders.Planner, n, batch int) {
	tb.Helper()
	rs := make([]reminders.Reminder, 0, batch)
	for i := range n {
		booking := fmt.Sprintf("b%06d", i)
		rs = append(rs, Reminder(booking+":before-2h", booking, T0.Add(-time.Duration(i%600)*time.Second)))
		if len(rs) == batch || i == n-1 {
			if err := q.Plan(context.Background(), rs...); err != nil {
				tb.Fatalf("Fill: %v", err)
			}
			rs = rs[:0]
		}
	}
}

// Recorder is a reminders.Sender that counts the deliveries of each reminder.
type Recorder struct {
	mu    sync.Mutex
	count map[string]int
	total int
}

// Send implements reminders.Sender.
func (r *Recorder) Send(_ context.Context, rem reminders.Reminder) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count == nil {
		r.count = map[string]int{}
	}
	r.count[rem.ID]++
	r.total++
	return nil
}

// Total returns the number of deliveries, repeats included.
func (r *Recorder) Total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

// Repeated returns the ids delivered more than once.
func (r *Recorder) Repeated() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for id, n := range r.count {
		if n > 1 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Distinct returns the number of reminders delivered at least once.
func (r *Recorder) Distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.count)
}
