package bot

import "testing"

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
		if code, ok := voucherCode(s); ok && (len(code) < minVoucherCode || len(code) > maxVoucherCode) {
			t.Fatalf("%q -> %q", s, code)
		}
	})
}
