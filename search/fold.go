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
		case unicode.Is(unicode.Latin, r):
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					out = utf8.AppendRune(out, d)
				}
			}
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return out, true
}
