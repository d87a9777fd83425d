package bot

import "testing"

// The codice fiscale's shape and check letter, with omocodia's letters for digits.
func TestValidTaxCode(t *testing.T) {
	for code, want := range map[string]bool{
		"RSSMRA80A01F205X": true,
		"RSSMRA80A01F205Y": false, // the check letter
		"RSSMRA80A01F20":   false,
		"RSSMRA8OA01F205X": false, // a letter O for a zero
		"RSSMRA80Z01F205X": false, // no month Z
		"1SSMRA80A01F205X": false,
		"":                 false,
	} {
		if got := validTaxCode(code); got != want {
			t.Errorf("validTaxCode(%q) = %v, want %v", code, got, want)
		}
	}
	// Omocodia: the last digit replaced by its letter (5 -> R) and the check letter
	// computed again is still valid.
	base := "RSSMRA80A01F20R"
	if code := base + string(taxCheckLetter(base)); !validTaxCode(code) {
		t.Errorf("omocodia %s not valid", code)
	}
}

// Typed voucher codes lose spaces and dashes; anything else is refused.
func TestVoucherCode(t *testing.T) {
	for in, want := range map[string]string{"vouch-1234": "VOUCH1234", " AB 12 ": "AB12", "<b>": "", "ab": "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789": ""} {
		got, ok := voucherCode(in)
		if ok != (want != "") || got != want && ok {
			t.Errorf("voucherCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func FuzzVoucherInput(f *testing.F) {
	for _, s := range []string{"RSSMRA80A01F205X", "vouch-1234", "\x00\xff", "ΑΒΓ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if validTaxCode(s) && len(s) != 16 {
			t.Fatalf("%q valid", s)
		}
		if code, ok := voucherCode(s); ok && (len(code) < minVoucherCode || len(code) > maxVoucherCode) {
			t.Fatalf("%q -> %q", s, code)
		}
	})
}
