package slack

import "testing"

// Prices as operators type them, in euro.
func TestParseEuro(t *testing.T) {
	for in, want := range map[string]int{"45": 4500, "45,50": 4550, "45.50": 4550, "€ 1.234,5": 123450, "1.234": 123400,
		" 0 ": 0, "0,05": 5, "45,5 €": 4550} {
		if got, ok := parseEuro(in); !ok || got != want {
			t.Errorf("parseEuro(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "abc", "-5", "4,5,6", "12345678901234", "45,505", "1e3", "٤٥"} {
		if got, ok := parseEuro(in); ok {
			t.Errorf("parseEuro(%q) = %d, accepted", in, got)
		}
	}
	for cents, want := range map[int]string{4550: "45,50", 4500: "45", 5: "0,05"} {
		if got := euroInput(cents); got != want {
			t.Errorf("euroInput(%d) = %q, want %q", cents, got, want)
		}
	}
}

func FuzzParseEuro(f *testing.F) {
	for _, s := range []string{"45,50", "€ 1.234,5", "-", "..,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if cents, ok := parseEuro(s); ok && (cents < 0 || cents > 100_000_099) {
			t.Fatalf("parseEuro(%q) = %d", s, cents)
		}
	})
}
