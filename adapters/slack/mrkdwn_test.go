package slack

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ciao", "ciao"},
		{"<@U0GIULIA> <!channel> <!here>", "&lt;@U0GIULIA&gt; &lt;!channel&gt; &lt;!here&gt;"},
		{"<https://evil.example|WeMi>", "&lt;https://evil.example|WeMi&gt;"},
		{"a & b &amp; c", "a &amp; b &amp;amp; c"},
		{"riga 1\nriga 2\tfine", "riga 1\nriga 2 fine"},
		{"bidi \u202etxet\u202c zero\u200bwidth", "bidi txet zerowidth"},
		{"famiglia 👨\u200d👩\u200d👧", "famiglia 👨\u200d👩\u200d👧"},
		{"bad \xff utf8", "bad  utf8"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Buongiorno", "Buongiorno"},
		{"Guardate <https://wemi.milano.it|il portale>", "Guardate il portale (https://wemi.milano.it)"},
		{"<https://wemi.milano.it>", "https://wemi.milano.it"},
		{"<https://wemi.milano.it|https://wemi.milano.it>", "https://wemi.milano.it"},
		{"scrivete a <mailto:wemi@comune.milano.it|wemi@comune.milano.it>", "scrivete a wemi@comune.milano.it"},
		{"chiedo a <@U0MARCO> e <@U0MARCO|marco>", "chiedo a  e @marco"},
		{"vedi <#C0OPERATORS|operatori>", "vedi #operatori"},
		{"<!here> attenzione", "@here attenzione"},
		{"<!subteam^S123|@wemi-staff> ciao", "@wemi-staff ciao"},
		{"1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"},
		{"  spazi  ", "spazi"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestChunks(t *testing.T) {
	long := strings.Repeat("abc &amp; ", 100)
	for _, n := range []int{7, 10, 50, 2900} {
		parts := chunks(long, n)
		if strings.Join(parts, "") != long {
			t.Fatalf("chunks(%d) lost text", n)
		}
		for _, p := range parts {
			if utf8.RuneCountInString(p) > n {
				t.Errorf("chunks(%d): a part of %d runes", n, utf8.RuneCountInString(p))
			}
			if i := strings.LastIndexByte(p, '&'); i >= 0 && !strings.Contains(p[i:], ";") {
				t.Errorf("chunks(%d) split an entity: %q", n, p)
			}
		}
	}
	if got := chunks("", 10); len(got) != 1 || got[0] != "" {
		t.Errorf("chunks of nothing = %q", got)
	}
}

// Escaped text never holds Slack markup, and decoding it gives back what was shown.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"<@U1>", "<!channel>", "a & b", "<https://x|y>", "\u202e", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Escape(s)
		if strings.ContainsAny(got, "<>") || !utf8.ValidString(got) {
			t.Fatalf("Escape(%q) = %q holds markup", s, got)
		}
		back := html.UnescapeString(got)
		if strings.Count(back, "<") != strings.Count(s, "<") || strings.Count(back, "&") < strings.Count(got, "&amp;") {
			t.Fatalf("Escape(%q) = %q does not decode back", s, got)
		}
	})
}

// Whatever an operator writes, what reaches the citizen is valid text without
// Slack's markup syntax around links.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<https://x|y>", "<@U1|a>", "&lt;&gt;&amp;", "<<>>", "<!here>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		got := plainText(s)
		if strings.TrimSpace(got) != got {
			t.Fatalf("plainText(%q) = %q is not trimmed", s, got)
		}
	})
}
