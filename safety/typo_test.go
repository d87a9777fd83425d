package safety

import "testing"

// Letters, not bytes: a Cyrillic letter is two bytes, and counting bytes let a
// four-letter word be "corrected" by one changed byte ("пьет", drinks, into "бьет",
// beats) and split a letter in two.
func TestTypoCountsLetters(t *testing.T) {
	x := newTypoIndex()
	for _, w := range []string{"бьет", "умереть", "wake"} {
		x.add(w, false)
	}
	x.add("таблет", true)
	tests := []struct{ tok, want string }{
		{"пьет", "пьет"},         // four letters: only two swapped letters are a typo
		{"беьт", "бьет"},         // two swapped letters
		{"умерть", "умереть"},    // one letter dropped
		{"таблотки", "таблетки"}, // a stem-led word
		{"wkae", "wake"},
		{"wike", "wike"},
	}
	for _, tc := range tests {
		if got := x.correct(tc.tok); got != tc.want {
			t.Errorf("correct(%q) = %q, want %q", tc.tok, got, tc.want)
		}
	}
}
