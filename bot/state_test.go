package bot

import (
	"fmt"
	"testing"
	"time"
)

func TestRememberKeepsTheLastTurns(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	for _, n := range []int{1, maxRecent - 1, maxRecent, maxRecent + 1, 3*maxRecent + 2} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var st state
			for i := range n {
				st.remember("user", fmt.Sprint(i), at.Add(time.Duration(i)))
			}
			if want := min(n, maxRecent); len(st.Recent) != want {
				t.Fatalf("%d turns kept, want %d", len(st.Recent), want)
			}
			first := n - len(st.Recent)
			for i, r := range st.Recent {
				if r.Text != fmt.Sprint(first+i) || !r.At.Equal(at.Add(time.Duration(first+i))) {
					t.Errorf("turn %d is %q at %v, want %d", i, r.Text, r.At, first+i)
				}
			}
		})
	}
}

func TestRememberTruncatesLongTurns(t *testing.T) {
	var st state
	long := make([]rune, maxTurnRunes+10)
	for i := range long {
		long[i] = 'è'
	}
	st.remember("user", string(long), time.Time{})
	if got := []rune(st.Recent[0].Text); len(got) != maxTurnRunes {
		t.Errorf("turn of %d runes kept, want %d", len(got), maxTurnRunes)
	}
}
