package logtest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// Concurrent writers lose no line, and Lines picks the ones that match.
func TestBufferConcurrentWritersAndLines(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				fmt.Fprintf(&b, "writer=%d line=%d\n", w, i)
			}
		}()
	}
	wg.Wait()
	if got := len(b.Lines("writer=")); got != 200 {
		t.Fatalf("lines: %d, want 200", got)
	}
	if got := len(b.Lines("writer=2 ")); got != 50 {
		t.Errorf("writer 2's lines: %d, want 50", got)
	}
	if got := b.Lines("absent"); got != nil {
		t.Errorf("absent: %q", got)
	}
	b2 := Buffer{}
	fmt.Fprint(&b2, "a x\nb\nc x")
	if got := b2.Lines("x"); !slices.Equal(got, []string{"a x", "c x"}) {
		t.Errorf("lines with x: %q", got)
	}
}
