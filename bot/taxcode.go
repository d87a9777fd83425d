package bot

// validTaxCode reports whether s (upper case, no spaces) is a well-formed Italian
// codice fiscale of a person: six letters of surname and name, the year, the month's
// letter, the day (plus 40 for women), the place of birth, and the check letter
// computed from the other fifteen. Digits may be replaced by the letters
// LMNPQRSTUV, as the tax office does for codes that would otherwise be the same
// (omocodia). It checks the shape only: whether the code is the voucher holder's is
// the vouchers store's to say.
func validTaxCode(s string) bool {
	if len(s) != 16 {
		return false
	}
	const digitsOrSubst = "0123456789LMNPQRSTUV"
	isLetter := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	isDigitLike := func(c byte) bool {
		for i := 0; i < len(digitsOrSubst); i++ {
			if digitsOrSubst[i] == c {
				return true
			}
		}
		return false
	}
	for i := 0; i < 16; i++ {
		c := s[i]
		switch i {
		case 6, 7, 9, 10, 12, 13, 14:
			if !isDigitLike(c) {
				return false
			}
		default:
			if !isLetter(c) {
				return false
			}
		}
	}
	if !monthLetter(s[8]) {
		return false
	}
	return s[15] == taxCheckLetter(s[:15])
}

// monthLetter reports whether c is a month's letter in a codice fiscale.
func monthLetter(c byte) bool {
	for _, m := range []byte("ABCDEHLMPRST") {
		if m == c {
			return true
		}
	}
	return false
}

// oddTable holds the values of the characters in odd positions (first, third...)
// for the check letter, as letters ('A' is 0), indexed by digit then letter.
const oddTable = "BAFHJNPRTV" + "BAFHJNPRTVCESULDGIMOQKWZYX"

// taxCheckLetter computes a codice fiscale's check letter from its first fifteen
// characters.
func taxCheckLetter(s string) byte {
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		idx := int(c - 'A' + 10)
		if c >= '0' && c <= '9' {
			idx = int(c - '0')
		}
		if i%2 == 0 {
			sum += int(oddTable[idx] - 'A')
		} else if c >= '0' && c <= '9' {
			sum += int(c - '0')
		} else {
			sum += int(c - 'A')
		}
	}
	return byte('A' + sum%26)
}
