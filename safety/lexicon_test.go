package safety

import (
	"strconv"
	"testing"
)

// parseNumber refuses early only what strconv.ParseFloat refuses.
func TestParseNumberAgreesWithStrconv(t *testing.T) {
	for _, s := range []string{"", "+", "-", "5", "-5", "+5", "39.8", ".5", "5.", "1e5", "e5", "1_000", "0x1p3",
		"inf", "+Inf", "-infinity", "nan", "NaN", "-nan", "infx", "nessuno", "in", "na", "_5", "٣", "caduta", "18enne"} {
		checkParseNumber(t, s)
	}
}

// FuzzParseNumber: any string is read as strconv.ParseFloat reads it.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"5", "-inf", "nan", "x", "1e5", ".5", "0x1p-2"} {
		f.Add(s)
	}
	f.Fuzz(checkParseNumber)
}

func checkParseNumber(t *testing.T, s string) {
	t.Helper()
	want, err := strconv.ParseFloat(s, 64)
	got, ok := parseNumber(s)
	if ok != (err == nil) || ok && got != want && !(got != got && want != want) {
		t.Errorf("parseNumber(%q) = %v, %v; strconv: %v, %v", s, got, ok, want, err)
	}
}
