package i18n

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// RuneClass says what folding does with a rune.
type RuneClass int

const (
	// Drop: the rune folds away (accents and other combining marks, the Arabic
	// tatweel).
	Drop RuneClass = iota
	// Letter: the rune is part of a word (letters and digits).
	Letter
	// Alone: the rune is a word by itself (a Chinese character: Chinese is written
	// without spaces, so each character is matched as a word and a word of several
	// characters as a phrase).
	Alone
	// Space: the rune separates words (spaces and punctuation).
	Space
)

// FoldRune folds one rune of text already decomposed (NFD): lower case, Arabic letter
// variants to their base letter, Arabic-Indic digits to ASCII ones. It returns the
// folded rune and its class.
func FoldRune(r rune) (rune, RuneClass) {
	switch {
	case unicode.Is(unicode.Mn, r) || r == 'ـ':
		return r, Drop
	case r >= '٠' && r <= '٩':
		return '0' + (r - '٠'), Letter
	case r >= '۰' && r <= '۹':
		return '0' + (r - '۰'), Letter
	case unicode.Is(unicode.Han, r):
		return r, Alone
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		switch r {
		case 'ة':
			return 'ه', Letter
		case 'ى':
			return 'ي', Letter
		case 'ٱ':
			return 'ا', Letter
		case 'ґ', 'Ґ':
			return 'г', Letter
		}
		return unicode.ToLower(r), Letter
	}
	return r, Space
}

// Fold lower-cases text, removes accents, normalises letter variants and turns
// punctuation into single spaces, so that "Ca' Granda", "CA GRANDA" and "ca'granda"
// compare by their words; each Chinese character becomes a word of its own. Text
// already folded is returned as it is, without a copy: a message is folded many
// times over.
func Fold(s string) string {
	if norm.NFD.QuickSpanString(s) != len(s) && !latinOnly(s) {
		return foldDecomposed(s)
	}
	// Already decomposed, or letters of the Latin blocks only: their decompositions
	// come from a table, one letter at a time, with no copy of the whole text.
	f := folding{text: s}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < rune(len(latinDecompositions)) && latinDecompositions[r] != "" {
			for _, d := range latinDecompositions[r] {
				f.fold(d)
			}
		} else if !f.ukrainianApostrophe(s, i, r, size) {
			f.fold(r)
		}
		i += size
	}
	return f.result()
}

// foldDecomposed is Fold of text that needs its canonical decomposition (NFD) worked
// out whole.
func foldDecomposed(s string) string {
	nfd := norm.NFD.AppendString(make([]byte, 0, len(s)+len(s)/2), s)
	src := unsafe.String(unsafe.SliceData(nfd), len(nfd))
	f := folding{text: s}
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		if !f.ukrainianApostrophe(src, i, r, size) {
			f.fold(r)
		}
		i += size
	}
	return f.result()
}

// ukrainianApostrophe reports whether rune r at i of src is an apostrophe between two
// Cyrillic letters, which folds away: Ukrainian "пам'ять", "памʼять" and "память" are
// one word.
func (f *folding) ukrainianApostrophe(src string, i int, r rune, size int) bool {
	if !isApostrophe(r) || i == 0 || i+size >= len(src) {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(src[:i])
	next, _ := utf8.DecodeRuneInString(src[i+size:])
	return unicode.Is(unicode.Cyrillic, prev) && unicode.Is(unicode.Cyrillic, next)
}

// latinOnly reports whether every rune of s is below U+0250 (ASCII and the Latin-1,
// Latin Extended-A and B blocks): text with no combining mark of its own, whose
// decomposition is its letters' decompositions one after the other.
func latinOnly(s string) bool {
	for _, r := range s {
		if r >= rune(len(latinDecompositions)) {
			return false
		}
	}
	return true
}

// latinDecompositions holds the canonical decompositions of the runes below U+0250
// that have one ("" for the others), worked out once.
var latinDecompositions = func() (t [0x250]string) {
	for r := rune(utf8.RuneSelf); r < rune(len(t)); r++ {
		if d := norm.NFD.String(string(r)); d != string(r) {
			t[r] = d
		}
	}
	return t
}()

// folding is Fold under way. Its output is text[:n], uncopied, until it first
// differs from the text it folds.
type folding struct {
	text    string
	n       int
	out     strings.Builder // the output once it differs from text
	copying bool
	// words says whether a word was written, gap whether a space is owed before the
	// next one (a last space is never written).
	words, gap bool
}

// fold writes one rune, folded.
func (f *folding) fold(r rune) {
	c, class := FoldRune(r)
	switch class {
	case Letter:
		f.writeRune(c)
	case Alone:
		f.gap = f.words
		f.writeRune(c)
		f.gap = true
	case Space:
		f.gap = f.words
	}
}

// writeRune writes a rune of a word, after the space owed.
func (f *folding) writeRune(r rune) {
	if f.gap {
		f.gap = false
		f.write(' ')
	}
	f.words = true
	f.write(r)
}

func (f *folding) write(r rune) {
	if !f.copying {
		c, size := utf8.DecodeRuneInString(f.text[f.n:])
		if c == r && size == utf8.RuneLen(r) {
			f.n += size
			return
		}
		f.copying = true
		f.out.Grow(len(f.text) + utf8.UTFMax)
		f.out.WriteString(f.text[:f.n])
	}
	f.out.WriteRune(r)
}

// result is the folded text.
func (f *folding) result() string {
	if !f.copying {
		return f.text[:f.n]
	}
	return f.out.String()
}

// isApostrophe reports the apostrophes people type: ' ’ ʼ.
func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// SentenceEnd reports whether r ends a sentence, in any script: . ! ? ; : … and their
// Arabic and full-width forms.
func SentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', ';', ':', '\n', '…', '؟', '؛', '。', '！', '？', '；', '：', '۔':
		return true
	}
	return false
}

// ClauseBreak reports whether r separates clauses: commas, brackets and dashes, in
// any script.
func ClauseBreak(r rune) bool {
	switch r {
	case ',', '(', ')', '—', '–', '،', '，', '、', '（', '）':
		return true
	}
	return false
}
