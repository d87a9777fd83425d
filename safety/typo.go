package safety

import (
	"sort"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/spelling"
)

// typoIndex finds the lexicon word a misspelt token stands for. A typo keeps the
// first letter and is one edit away (a letter added, dropped, changed, or two
// neighbours swapped) in words of five letters or more, two in words of ten or
// more; a four-letter word may only have two letters swapped ("wnat"). Short words
// are never corrected: too many real words lie one letter apart. Letters are counted
// as letters, not bytes, so that a Cyrillic or Arabic word is held to the same limits
// as a Latin one.
type typoIndex struct {
	words   map[string]bool
	byFirst map[firstLen][]string // exact words, by first letter and length
	stems   map[rune][]string     // stems, by first letter
}

// firstLen is a word's first letter and length in letters.
type firstLen struct {
	first rune
	n     int
}

func newTypoIndex() typoIndex {
	return typoIndex{words: map[string]bool{}, byFirst: map[firstLen][]string{}, stems: map[rune][]string{}}
}

// minTypoLen is the shortest word or stem a typo is looked for in, in letters.
const minTypoLen = 5

// letters returns a word's first letter and its length in letters.
func letters(w string) (rune, int) {
	r, _ := utf8.DecodeRuneInString(w)
	return r, utf8.RuneCountInString(w)
}

func (x *typoIndex) add(w string, stem bool) {
	if w == "" {
		return
	}
	first, n := letters(w)
	if stem {
		if n >= minTypoLen && !contains(x.stems[first], w) {
			x.stems[first] = append(x.stems[first], w)
			sort.Strings(x.stems[first])
		}
		return
	}
	if x.words[w] {
		return
	}
	x.words[w] = true
	if n >= 4 {
		k := firstLen{first, n}
		x.byFirst[k] = append(x.byFirst[k], w)
		sort.Strings(x.byFirst[k])
	}
}

func contains(list []string, w string) bool {
	i := sort.SearchStrings(list, w)
	return i < len(list) && list[i] == w
}

// maxEdits is how many edits a token of n letters may have.
func maxEdits(n int) int {
	switch {
	case n >= 10:
		return 2
	case n >= minTypoLen:
		return 1
	}
	return 0
}

// correct returns the nearest word or stem-led word, or tok itself when none is near.
func (x *typoIndex) correct(tok string) string {
	first, size := letters(tok)
	if size == 4 {
		for _, w := range x.byFirst[firstLen{first, 4}] {
			if swapped(tok, w) {
				return w
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
		if n < minTypoLen || maxEdits(n) < 1 {
			continue
		}
		l := min(limit, maxEdits(n))
		for _, w := range x.byFirst[firstLen{first, n}] {
			if d := spelling.Distance(tok, w, l); d <= l && d < bestD {
				best, bestD = w, d
			}
		}
	}
	if bestD <= 1 {
		return best
	}
	runes := []rune(tok)
	for _, s := range x.stems[first] {
		_, sn := letters(s)
		for n := sn - 1; n <= sn+1; n++ {
			if n > size || n < minTypoLen-1 {
				continue
			}
			if d := spelling.Distance(string(runes[:n]), s, 1); d <= 1 && d < bestD {
				best, bestD = s+string(runes[n:]), d
			}
		}
	}
	return best
}

// swapped reports whether b is a with two neighbouring letters swapped.
func swapped(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) || a == b {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
}
