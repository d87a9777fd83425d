package search

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"golang.org/x/text/unicode/norm"
)

// foldFilter folds the words of the Latin and Cyrillic chains before stemming (see
// chainOf): accents off Latin letters, ё -> е and ґ -> г, apostrophes inside words
// dropped. й and ї stay: they are letters of their own, not accented ones.
type foldFilter struct{}

// Filter implements analysis.TokenFilter. A word of apostrophes alone folds away.
func (foldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := input[:0]
	for _, tok := range input {
		if folded, changed := foldWord(tok.Term); changed {
			tok.Term = folded
		}
		if len(tok.Term) > 0 {
			out = append(out, tok)
		}
	}
	return out
}

// foldWord folds one lower-case word; changed is false when it is already folded.
func foldWord(term []byte) ([]byte, bool) {
	ascii := true
	for _, c := range term {
		if c >= utf8.RuneSelf || c == '\'' {
			ascii = false
			break
		}
	}
	if ascii {
		return term, false
	}
	out := make([]byte, 0, len(term))
	for _, r := range string(term) {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ' || r == '‘' || r == '`':
			// Apostrophes inside a word: сім'я and сім’я are one word.
		case r == 'ё':
			out = utf8.AppendRune(out, 'е')
		case r == 'ґ':
			out = utf8.AppendRune(out, 'г')
		case r < utf8.RuneSelf || unicode.Is(unicode.Cyrillic, r):
			out = utf8.AppendRune(out, r)
		case r < rune(len(latinBases)) && latinBases[r] != "":
			out = append(out, latinBases[r]...)
		case unicode.Is(unicode.Latin, r):
			out = appendLatinBase(out, r)
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return out, true
}

// appendLatinBase appends a Latin letter without its accents: its canonical
// decomposition less the combining marks.
func appendLatinBase(out []byte, r rune) []byte {
	for _, d := range norm.NFD.String(string(r)) {
		if !unicode.Is(unicode.Mn, d) {
			out = utf8.AppendRune(out, d)
		}
	}
	return out
}

// latinBases holds the bases of the Latin letters of the Latin-1 Supplement and
// Latin Extended-A and B blocks ("" for the other runes below U+0250), worked out once:
// an index build folds millions of accented letters.
var latinBases = func() (t [0x250]string) {
	for r := rune(utf8.RuneSelf); r < rune(len(t)); r++ {
		if unicode.Is(unicode.Latin, r) {
			t[r] = string(appendLatinBase(nil, r))
		}
	}
	return t
}()
