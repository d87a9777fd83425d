package i18n

import (
	"strings"
	"unicode"

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
// compare by their words; each Chinese character becomes a word of its own.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	sep := func() {
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	runes := []rune(norm.NFD.String(s))
	for i, r := range runes {
		if isApostrophe(r) && i > 0 && i+1 < len(runes) && unicode.Is(unicode.Cyrillic, runes[i-1]) && unicode.Is(unicode.Cyrillic, runes[i+1]) {
			continue // Ukrainian "пам'ять", "памʼять" and "память" are one word
		}
		f, class := FoldRune(r)
		switch class {
		case Letter:
			b.WriteRune(f)
			space = false
		case Alone:
			sep()
			b.WriteRune(f)
			space = false
			sep()
		case Space:
			sep()
		}
	}
	return strings.TrimSpace(b.String())
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
