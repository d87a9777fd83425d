package safety

import (
	"sort"

	"github.com/comune-milano/wemibot/spelling"
)

// typoIndex finds the lexicon word a misspelt token stands for. A typo keeps the
// first letter and is one edit away (a letter added, dropped, changed, or two
// neighbours swapped) in words of five letters or more, two in words of ten or
// more; a four-letter word may only have two letters swapped ("wnat"). Short words
// are never corrected: too many real words lie one letter apart.
type typoIndex struct {
	words   map[string]bool
	byFirst map[firstLen][]string // exact words, by first letter and length
	stems   map[byte][]string     // stems, by first letter
}

// firstLen is a word's first letter and length.
type firstLen struct {
	first byte
	n     int
}

func newTypoIndex() typoIndex {
	return typoIndex{words: map[string]bool{}, byFirst: map[firstLen][]string{}, stems: map[byte][]string{}}
}

// minTypoLen is the shortest word or stem a typo is looked for in.
const minTypoLen = 5

func (x *typoIndex) add(w string, stem bool) {
	if w == "" {
		return
	}
	if stem {
		if len(w) >= minTypoLen && !contains(x.stems[w[0]], w) {
			x.stems[w[0]] = append(x.stems[w[0]], w)
			sort.Strings(x.stems[w[0]])
		}
		return
	}
	if x.words[w] {
		return
	}
	x.words[w] = true
	if len(w) >= 4 {
		k := firstLen{w[0], len(w)}
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
	if len(tok) == 4 {
		for _, w := range x.byFirst[firstLen{tok[0], 4}] {
			if swapped(tok, w) {
				return w
			}
		}
		return tok
	}
	limit := maxEdits(len(tok))
	if limit == 0 {
		return tok
	}
	best, bestD := tok, limit+1
	for n := len(tok) - limit; n <= len(tok)+limit; n++ {
		if n < minTypoLen || maxEdits(n) < 1 {
			continue
		}
		l := min(limit, maxEdits(n))
		for _, w := range x.byFirst[firstLen{tok[0], n}] {
			if d := spelling.Distance(tok, w, l); d <= l && d < bestD {
				best, bestD = w, d
			}
		}
	}
	if bestD <= 1 {
		return best
	}
	for _, s := range x.stems[tok[0]] {
		for n := len(s) - 1; n <= len(s)+1; n++ {
			if n > len(tok) || n < minTypoLen-1 {
				continue
			}
			if d := spelling.Distance(tok[:n], s, 1); d <= 1 && d < bestD {
				best, bestD = s+tok[n:], d
			}
		}
	}
	return best
}

// swapped reports whether b is a with two neighbouring letters swapped.
func swapped(a, b string) bool {
	if len(a) != len(b) || a == b {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}
