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
// are never corrected: too many real words lie one letter apart. Letters are
// counted as such, not as bytes: a Cyrillic or Arabic letter takes two bytes, and
// counted in bytes a dropped letter would be two edits and a changed one one or two,
// so "милим" would pass for "малим" and half-letters would be spliced into words.
type typoIndex struct {
	words   map[string]bool
	byFirst map[firstLen][]string // exact words, by first letter and length in letters
	stems   map[rune][]string     // stems, by first letter
	letters map[string][]rune     // the letters of each word and stem above
}

// firstLen is a word's first letter and length in letters.
type firstLen struct {
	first rune
	n     int
}

func newTypoIndex() typoIndex {
	return typoIndex{words: map[string]bool{}, byFirst: map[firstLen][]string{}, stems: map[rune][]string{},
		letters: map[string][]rune{}}
}

// minTypoLen is the fewest letters of a word or stem a typo is looked for in.
const minTypoLen = 5

func (x *typoIndex) add(w string, stem bool) {
	if w == "" {
		return
	}
	first, _ := utf8.DecodeRuneInString(w)
	n := utf8.RuneCountInString(w)
	if stem {
		if n >= minTypoLen && !contains(x.stems[first], w) {
			x.letters[w] = []rune(w)
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
		x.letters[w] = []rune(w)
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
	runes := []rune(tok)
	if len(runes) == 0 {
		return tok
	}
	first := runes[0]
	if len(runes) == 4 {
		for _, w := range x.byFirst[firstLen{first, 4}] {
			if swapped(tok, w) {
				return w
			}
		}
		return tok
	}
	limit := maxEdits(len(runes))
	if limit == 0 {
		return tok
	}
	best, bestD := tok, limit+1
	for n := len(runes) - limit; n <= len(runes)+limit; n++ {
		if n < minTypoLen || maxEdits(n) < 1 {
			continue
		}
		l := min(limit, maxEdits(n))
		for _, w := range x.byFirst[firstLen{first, n}] {
			if d := letterDistance(runes, x.letters[w], l); d <= l && d < bestD {
				best, bestD = w, d
			}
		}
	}
	if bestD <= 1 {
		return best
	}
	for _, s := range x.stems[first] {
		stem := x.letters[s]
		for n := len(stem) - 1; n <= len(stem)+1; n++ {
			if n > len(runes) || n < minTypoLen-1 {
				continue
			}
			if d := letterDistance(runes[:n], stem, 1); d <= 1 && d < bestD {
				best, bestD = s+string(runes[n:]), d
			}
		}
	}
	return best
}

// letterDistance is spelling.Distance counted in letters: the letters of both words
// are renumbered as bytes (two words never hold 256 different letters), so that one
// letter is one edit whatever its script. ASCII words are compared as they are.
func letterDistance(a, b []rune, limit int) int {
	if isASCII(a) && isASCII(b) {
		return spelling.Distance(string(a), string(b), limit)
	}
	code := map[rune]byte{}
	enc := func(rs []rune) string {
		out := make([]byte, len(rs))
		for i, r := range rs {
			c, ok := code[r]
			if !ok {
				c = byte(len(code))
				code[r] = c
			}
			out[i] = c
		}
		return string(out)
	}
	return spelling.Distance(enc(a), enc(b), limit)
}

func isASCII(rs []rune) bool {
	for _, r := range rs {
		if r >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// swapped reports whether b is a with two neighbouring letters swapped.
func swapped(as, bs string) bool {
	a, b := []rune(as), []rune(bs)
	if len(a) != len(b) {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i+1 >= len(a) || a[i] != b[i+1] || a[i+1] != b[i] {
		return false
	}
	for k := i + 2; k < len(a); k++ {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
