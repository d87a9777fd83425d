package safety

import "sort"

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
			if d := osa(tok, w, l); d <= l && d < bestD {
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
			if d := osa(tok[:n], s, 1); d <= 1 && d < bestD {
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

// osa is the optimal string alignment distance between a and b (edits, counting a
// swap of neighbours as one), or limit+1 as soon as it must exceed limit.
func osa(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	if len(b) >= 64 {
		return limit + 1 // no word of the lexicon is this long
	}
	var rows [3][64]int
	prev2, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
