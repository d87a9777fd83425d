package safety

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/spelling"
)

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

// The letter sets only spare measuring distances: corrections are those of measuring
// every word of the lexicon, for typos of every kind in its words and stems.
func TestCorrectAgreesWithExhaustiveSearch(t *testing.T) {
	x := load(t).lex.typos
	x.add(strings.Repeat("ab", 30), true) // a stem longer than the prefix table
	var toks []string
	for _, list := range x.byFirst {
		for i := 0; i < len(list); i += 4 { // a sample: the whole lexicon takes long
			toks = append(toks, typos(list[i].text)...)
		}
	}
	for _, list := range x.stems {
		for _, s := range list {
			toks = append(toks, typos(s.text+"are")...)
		}
	}
	toks = append(toks, typos(strings.Repeat("ab", 30)+"cde")...)
	for _, tok := range toks {
		if got, want := x.correct(tok), exhaustiveCorrect(&x, tok); got != want {
			t.Errorf("correct(%q) = %q, want %q", tok, got, want)
		}
	}
}

// typos returns w with each kind of edit: a letter dropped, two swapped, one changed,
// one added.
func typos(w string) []string {
	rs := []rune(w)
	out := []string{w}
	for i := 1; i < len(rs); i++ {
		out = append(out, string(rs[:i])+string(rs[i+1:]), string(rs[:i])+"e"+string(rs[i+1:]),
			string(rs[:i])+"z"+string(rs[i:]))
		if i+1 < len(rs) {
			s := slices.Clone(rs)
			s[i], s[i+1] = s[i+1], s[i]
			out = append(out, string(s))
		}
	}
	return out
}

// exhaustiveCorrect is typoIndex.correct measuring the distance to every word.
func exhaustiveCorrect(x *typoIndex, tok string) string {
	first, size := letters(tok)
	if size == 4 {
		for _, w := range x.byFirst[firstLen{first, 4}] {
			if swapped(tok, w.text) {
				return w.text
			}
		}
		return tok
	}
	limit := maxEdits(size)
	if limit == 0 {
		return tok
	}
	best, bestD := tok, limit+1
	for n := size - limit; n <= size+limit; n++ {
		if n < minTypoLen {
			continue
		}
		l := min(limit, maxEdits(n))
		for _, w := range x.byFirst[firstLen{first, n}] {
			if d := spelling.Distance(tok, w.text, l); d <= l && d < bestD {
				best, bestD = w.text, d
			}
		}
	}
	if bestD <= 1 {
		return best
	}
	runes := []rune(tok)
	for _, s := range x.stems[first] {
		for n := s.n - 1; n <= s.n+1 && n <= size; n++ {
			if d := spelling.Distance(string(runes[:n]), s.text, 1); n >= minTypoLen-1 && d <= 1 && d < bestD {
				best, bestD = s.text+string(runes[n:]), d
			}
		}
	}
	return best
}

// withinOne measures as spelling.Distance does, up to one edit.
func TestWithinOne(t *testing.T) {
	for _, p := range [][2]string{{"", ""}, {"a", ""}, {"", "ab"}, {"caduta", "caduta"}, {"caduta", "cadtua"},
		{"caduta", "cauta"}, {"caduta", "caduuta"}, {"caduta", "caduto"}, {"caduta", "caudto"}, {"aab", "ab"},
		{"пьет", "бьет"}, {"пьет", "пет"}, {"èa", "aè"}, {"a\uFFFD", "a"}, {"\uFFFDb", "b\uFFFD"}, {"ab", "ba"}, {"abc", "cab"}} {
		checkWithinOne(t, p[0], p[1])
		checkWithinOne(t, p[1], p[0])
	}
}

// FuzzWithinOne: any two words are measured as spelling.Distance measures them.
func FuzzWithinOne(f *testing.F) {
	f.Add("caduta", "cadtua")
	f.Add("пьет", "бьет")
	f.Fuzz(func(t *testing.T, a, b string) {
		if utf8.ValidString(a) && utf8.ValidString(b) {
			checkWithinOne(t, a, b)
		}
	})
}

func checkWithinOne(t *testing.T, a, b string) {
	t.Helper()
	if got, want := withinOne(a, b), spelling.Distance(a, b, 1); got != want {
		t.Errorf("withinOne(%q, %q) = %d, spelling.Distance: %d", a, b, got, want)
	}
}
