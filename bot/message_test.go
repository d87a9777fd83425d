package bot

import (
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in       string
		name, ar string
		ok       bool
	}{
		{"/start", "start", "", true},
		{"/start s_abc", "start", "s_abc", true},
		{"/START@WeMiBot  c_educativo ", "start", "c_educativo", true},
		{"/cerca badante a ore", "cerca", "badante a ore", true},
		{"ciao", "", "", false},
		{"/", "", "", false},
		{"/ spazio", "", "", false},
		{"/a-b", "", "", false},
		{"//x", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, ok := parseCommand(tt.in)
			if ok != tt.ok || c.name != tt.name || c.arg != tt.ar {
				t.Errorf("parseCommand(%q) = %+v, %v", tt.in, c, ok)
			}
		})
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/start s_x", "/cerca", "/@", "/x@y z", "/\xff", "/" + strings.Repeat("a", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := parseCommand(s)
		if !ok {
			return
		}
		if c.name == "" || strings.ContainsAny(c.name, " /@") || len(c.arg) > maxCommandArg {
			t.Fatalf("parseCommand(%q) = %+v", s, c)
		}
	})
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"ciao", "\x00\x01", "a\nb", "\xff\xfe", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := cleanText(s)
		if !utf8Valid(out) || strings.ContainsAny(out, "\x00\r\n") {
			t.Fatalf("cleanText(%q) = %q", s, out)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }
