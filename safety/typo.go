package safety

import (
	"math/bits"
	"slices"
	"strings"
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
	byFirst map[firstLen][]typoWord // exact words, by first letter and length
	stems   map[rune][]typoWord     // stems, by first letter
}

// firstLen is a word's first letter and length in letters.
type firstLen struct {
	first rune
	n     int
}

// typoWord is a word or stem of the index, sorted by text in its list.
type typoWord struct {
	text    string
	n       int    // its length in letters
	letters uint64 // letterSet(text)
}

// letterSet returns the letters a word has, each as one of 64 bits (a letter's code
// modulo 64). An edit removes at most one letter and adds at most one, so it changes
// at most two bits: words whose sets differ in more than 2k bits are more than k
// edits apart, and the distance need not be measured.
func letterSet(w string) uint64 {
	var set uint64
	for _, r := range w {
		set |= 1 << (uint32(r) % 64)
	}
	return set
}

// tooFar reports whether letter sets prove two words more than k edits apart.
func tooFar(a, b uint64, k int) bool { return bits.OnesCount64(a^b) > 2*k }

func newTypoIndex() typoIndex {
	return typoIndex{words: map[string]bool{}, byFirst: map[firstLen][]typoWord{}, stems: map[rune][]typoWord{}}
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
	tw := typoWord{text: w, n: n, letters: letterSet(w)}
	if stem {
		if n >= minTypoLen {
			x.stems[first] = insertSorted(x.stems[first], tw)
		}
		return
	}
	if x.words[w] {
		return
	}
	x.words[w] = true
	if n >= 4 {
		k := firstLen{first, n}
		x.byFirst[k] = insertSorted(x.byFirst[k], tw)
	}
}

// insertSorted adds w to a list sorted by text, unless it is there.
func insertSorted(list []typoWord, w typoWord) []typoWord {
	i, found := slices.BinarySearchFunc(list, w.text, func(e typoWord, t string) int { return strings.Compare(e.text, t) })
	if found {
		return list
	}
	return slices.Insert(list, i, w)
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
// Of equally near words, the shortest comes first, then the first in sort order.
func (x *typoIndex) correct(tok string) string {
	first, size := letters(tok)
	set := letterSet(tok)
	if size == 4 {
		for _, w := range x.byFirst[firstLen{first, 4}] {
			if w.letters == set && swapped(tok, w.text) {
				return w.text
			}
		}
		return tok
	}
	limit := maxEdits(size)
	if limit == 0 {
		return tok
	}
	valid := utf8.ValidString(tok)
	best, bestD := tok, limit+1
	for n := max(size-limit, minTypoLen); n <= size+limit; n++ {
		l := min(limit, maxEdits(n))
		for _, w := range x.byFirst[firstLen{first, n}] {
			if tooFar(set, w.letters, l) {
				continue
			}
			if d := distance(tok, w.text, l, valid); d <= l && d < bestD {
				best, bestD = w.text, d
			}
		}
	}
	if bestD <= 1 {
		return best
	}
	return x.correctStem(tok, first, size, valid, best, bestD)
}

// distance is spelling.Distance(a, b, limit), read in one pass when limit is one and
// a is valid UTF-8 (b, a word of the lexicon, is).
func distance(a, b string, limit int, valid bool) int {
	if limit == 1 && valid {
		return withinOne(a, b)
	}
	return spelling.Distance(a, b, limit)
}

// withinOne returns how many edits apart a and b are, 0 or 1, or 2 for more. One edit
// is at the first letter where they differ: a letter changed, added, dropped, or
// swapped with the next one, and the rest of the words equal.
func withinOne(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) {
		ra, n := utf8.DecodeRuneInString(a[i:])
		if rb, _ := utf8.DecodeRuneInString(b[i:]); ra != rb {
			break
		}
		i += n
	}
	if i == len(a) && i == len(b) {
		return 0
	}
	ra, na := utf8.DecodeRuneInString(a[i:]) // na is 0 at the end of a
	rb, nb := utf8.DecodeRuneInString(b[i:])
	restA, restB := a[i+na:], b[i+nb:]
	switch {
	case na > 0 && restA == b[i:], nb > 0 && a[i:] == restB: // added or dropped
		return 1
	case na == 0 || nb == 0:
		return 2
	case restA == restB: // changed
		return 1
	}
	ra2, na2 := utf8.DecodeRuneInString(restA)
	rb2, nb2 := utf8.DecodeRuneInString(restB)
	if na2 > 0 && nb2 > 0 && ra == rb2 && rb == ra2 && restA[na2:] == restB[nb2:] { // swapped
		return 1
	}
	return 2
}

// correctStem returns the stem-led word tok is a typo of, one edit in the stem, or
// best when none is nearer than bestD.
func (x *typoIndex) correctStem(tok string, first rune, size int, valid bool, best string, bestD int) string {
	var pre prefixes
	pre.read(tok)
	for _, s := range x.stems[first] {
		for n := s.n - 1; n <= s.n+1; n++ {
			if n > size || n < minTypoLen-1 {
				continue
			}
			head, set := pre.prefix(tok, n)
			if tooFar(set, s.letters, 1) {
				continue
			}
			if d := distance(head, s.text, 1, valid); d <= 1 && d < bestD {
				best, bestD = s.text+string([]rune(tok[len(head):])), d
			}
		}
	}
	return best
}

// prefixes holds where each of a token's first letters ends, and the letter set of
// each prefix, so that the stems are compared with the token's beginnings without
// reading it again for each.
type prefixes struct {
	n    int // how many prefixes the table holds
	ends [maxPrefix + 1]int
	sets [maxPrefix + 1]uint64
}

// maxPrefix is the longest prefix the table holds, in letters: stems are shorter.
const maxPrefix = 40

// read fills the table with tok's prefixes.
func (p *prefixes) read(tok string) {
	p.n, p.sets[0] = 0, 0
	for i, r := range tok {
		p.ends[p.n] = i
		if p.n == maxPrefix {
			return
		}
		p.n++
		p.sets[p.n] = p.sets[p.n-1] | 1<<(uint32(r)%64)
	}
	p.ends[p.n] = len(tok)
}

// prefix returns tok's first n letters (n at most its length) and their letter set.
func (p *prefixes) prefix(tok string, n int) (string, uint64) {
	if n <= p.n {
		return tok[:p.ends[n]], p.sets[n]
	}
	end := len(tok)
	for i := range tok {
		if n == 0 {
			end = i
			break
		}
		n--
	}
	return tok[:end], letterSet(tok[:end])
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
