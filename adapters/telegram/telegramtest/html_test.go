package telegramtest

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRenderHTML(t *testing.T) {
	tests := []struct {
		in, plain, problem string
	}{
		{in: "<b>Ciao</b> Maria", plain: "Ciao Maria"},
		{in: `<a href="https://x.it/?a=1&amp;b=2">sito</a>`, plain: "sito"},
		{in: "&lt;&gt;&amp;&quot;&#39;&#x1F600;", plain: `<>&"'😀`},
		{in: "<pre><code class=\"language-go\">a &lt; b</code></pre>", plain: "a < b"},
		{in: "<blockquote expandable>citazione</blockquote>", plain: "citazione"},
		{in: "<b>x", problem: `Can't find end tag corresponding to start tag "b"`},
		{in: "<b>x</i>", problem: `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{in: "x</b>", problem: "Unexpected end tag at byte offset 1"},
		{in: "scrivi a <info@wemi.it>", problem: `Unsupported start tag "info@wemi.it" at byte offset 9`},
		{in: "<b", problem: "Unclosed start tag at byte offset 0"},
		{in: "a &b", problem: `Character '&' at byte offset 2 must be escaped as "&amp;"`},
		{in: "&#0;", problem: `Character '&' at byte offset 0 must be escaped as "&amp;"`},
		{in: "&#xD800;", problem: `Character '&' at byte offset 0 must be escaped as "&amp;"`},
		{in: "a > b", problem: `Character '>' at byte offset 2 must be escaped as "&gt;"`},
		{in: `<tg-emoji>x</tg-emoji>`, problem: `Tag "tg-emoji" must have attribute "emoji-id"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			plain, problem := renderHTML(tt.in)
			if plain != tt.plain || problem != tt.problem {
				t.Errorf("renderHTML(%q) = %q, %q; want %q, %q", tt.in, plain, problem, tt.plain, tt.problem)
			}
		})
	}
}

func TestUTF16Len(t *testing.T) {
	for in, want := range map[string]int{"": 0, "abc": 3, "città": 5, "😀": 2, "a😀b": 4} {
		if got := utf16Len(in); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", in, got, want)
		}
	}
}

// FuzzRenderHTML checks that any text escaped with html.EscapeString, the escaping a Go
// bot would use, is accepted and shown unchanged, and that the checker never panics.
func FuzzRenderHTML(f *testing.F) {
	for _, seed := range []string{"", "Caffè & Co <info@wemi.it>", "1 < 2 > 0", `"quoted" 'single'`, "<b>x</b>"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain, problem := renderHTML(s)
		if problem == "" && len(plain) > len(s) {
			t.Errorf("renderHTML(%q) grew the text to %q", s, plain)
		}
		if !utf8.ValidString(s) {
			return
		}
		escaped := html.EscapeString(s)
		plain, problem = renderHTML("<b>" + escaped + "</b>")
		if problem != "" || plain != s {
			t.Errorf("escaped %q rendered as %q, %q; want the original text", s, plain, problem)
		}
		if strings.ContainsAny(escaped, "<>") {
			t.Errorf("html.EscapeString left a bracket in %q", escaped)
		}
	})
}
