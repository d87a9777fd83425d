package spelling

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"badante", "badante", 2, 0},
		{"badante", "badnate", 2, 1}, // a swap of neighbours is one edit
		{"babysitter", "babysiter", 2, 1},
		{"pasto", "pasti", 1, 1},
		{"cane", "casa", 1, 2}, // over the limit: limit+1
		{"corso", "", 2, 3},
		{"", "", 0, 0},
		{strings.Repeat("a", 70), strings.Repeat("a", 69) + "b", 1, 1}, // longer than the stack rows
		{"пьет", "бьет", 1, 1},                                         // a Cyrillic letter is one letter, not two bytes
		{"пьет", "пет", 1, 1},
		{"طريق", "حريق", 1, 1},
		{"bambino", "бамбино", 1, 2}, // another script: every letter differs
	}
	for _, tc := range tests {
		if got := Distance(tc.a, tc.b, tc.limit); got != tc.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
		if got, want := Within(tc.a, tc.b, tc.limit), tc.want <= tc.limit; got != want {
			t.Errorf("Within(%q, %q, %d) = %v, want %v", tc.a, tc.b, tc.limit, got, want)
		}
	}
}
