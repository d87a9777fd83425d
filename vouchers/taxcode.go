package vouchers

import (
	"strings"
	"unicode"
)

// The shape of a voucher code once spaces and hyphens are taken out: letters and
// digits, long enough not to be guessed.
const (
	minCode = 8
	maxCode = 32
	// maxRawCode bounds a code as typed or written in a file, separators included.
	maxRawCode = 64
)

// canonicalCode is a code as compared: upper case, without spaces and hyphens, so
// that "mi-2026 0001 abcd" finds "MI20260001ABCD". It returns "" for a code that
// cannot be one.
func canonicalCode(code string) string {
	if len(code) > maxRawCode {
		return ""
	}
	var b strings.Builder
	for _, r := range code {
		switch {
		case r == '-' || unicode.IsSpace(r):
			continue
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return ""
		}
	}
	return b.String()
}

// validCode reports whether a canonical code has a voucher code's shape.
func validCode(c string) bool { return len(c) >= minCode && len(c) <= maxCode }

// canonicalTaxCode is a codice fiscale as compared: upper case, without spaces.
func canonicalTaxCode(s string) string {
	if len(s) > 64 {
		return ""
	}
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// The check character of a codice fiscale (DM 23/12/1976): each of the first 15
// characters is worth a value, from one table at odd positions (1st, 3rd…) and from
// its place in the alphabet or its digit at even ones; the sum modulo 26 is the
// letter.
var oddValues = [36]int{ // '0'–'9', then 'A'–'Z'
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
}

// omocodia are the letters that replace digits in a codice fiscale given to a second
// person with the same data: L for 0, M for 1… V for 9.
const omocodia = "LMNPQRSTUV"

// months are the letters of the birth month.
const months = "ABCDEHLMPRST"

// ValidTaxCode reports whether s (once upper-cased, without spaces) is a well-formed
// codice fiscale of a person: 16 characters of the right kinds, a real month, a day
// of 1–31 or 41–71, and the right check character.
func ValidTaxCode(s string) bool {
	c := canonicalTaxCode(s)
	if len(c) != 16 {
		return false
	}
	for i := range 15 {
		ch := c[i]
		switch i {
		case 0, 1, 2, 3, 4, 5, 11:
			if ch < 'A' || ch > 'Z' {
				return false
			}
		case 8:
			if !strings.ContainsRune(months, rune(ch)) {
				return false
			}
		default: // digits of the year, the day and the place, or their omocodia letters
			if (ch < '0' || ch > '9') && !strings.ContainsRune(omocodia, rune(ch)) {
				return false
			}
		}
	}
	day := digit(c[9])*10 + digit(c[10])
	if day < 1 || day > 71 || (day > 31 && day < 41) {
		return false
	}
	return c[15] == checkChar(c[:15])
}

// digit is the value of a digit of a codice fiscale, or of the omocodia letter in
// its place.
func digit(ch byte) int {
	if ch >= '0' && ch <= '9' {
		return int(ch - '0')
	}
	return strings.IndexByte(omocodia, ch)
}

// checkChar computes the check character of the first 15 characters (upper-case
// letters and digits).
func checkChar(first15 string) byte {
	sum := 0
	for i := range len(first15) {
		ch := first15[i]
		idx := int(ch - '0')
		if ch >= 'A' {
			idx = int(ch-'A') + 10
		}
		if i%2 == 0 { // odd position, counting from 1
			sum += oddValues[idx]
		} else if ch >= 'A' {
			sum += int(ch - 'A')
		} else {
			sum += int(ch - '0')
		}
	}
	return byte('A' + sum%26)
}

// MaskTaxCode returns a codice fiscale as reports may show it: its first two and its
// last characters, the rest starred, so that staff can find the line without the
// report holding the tax code.
func MaskTaxCode(s string) string {
	c := []rune(canonicalTaxCode(s))
	if len(c) < 6 {
		return strings.Repeat("*", len(c))
	}
	return string(c[:2]) + strings.Repeat("*", len(c)-3) + string(c[len(c)-1])
}
