package catalogue

import (
	"testing"
	"unicode/utf8"
)

func TestTruncateRunes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"shorter", "asilo", 10, "asilo"},
		{"exact", "asilo", 5, "asilo"},
		{"ascii", "asilo nido", 5, "asilo"},
		{"accents kept whole", "perché sì", 6, "perché"},
		{"emoji kept whole", "😀😀😀", 2, "😀😀"},
		{"zero", "asilo", 0, ""},
		{"empty", "", 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TruncateRunes(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("TruncateRunes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("TruncateRunes(%q, %d) = %q is not valid UTF-8", tt.in, tt.n, got)
			}
		})
	}
}
