package web

import (
	"strings"
	"testing"
)

func TestToHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"*Ciao* <b>", "<b>Ciao</b> &lt;b&gt;"},
		{"a\nb", "a<br>b"},
		{"x & y \"z\"", "x &amp; y &#34;z&#34;"},
		{"*open", "<b>open</b>"},
		{"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := toHTML(tt.in); got != tt.want {
				t.Errorf("toHTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzToHTML: whatever the text, the HTML holds no tag but <b>, </b> and <br>.
func FuzzToHTML(f *testing.F) {
	for _, s := range []string{"*a* <script>", "**", "<b>*</b>", "\n*\n", "&lt;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := toHTML(s)
		rest := strings.NewReplacer("<b>", "", "</b>", "", "<br>", "").Replace(h)
		if strings.ContainsAny(rest, "<>") {
			t.Fatalf("toHTML(%q) = %q holds markup", s, h)
		}
		if strings.Count(h, "<b>") != strings.Count(h, "</b>") {
			t.Fatalf("toHTML(%q) = %q: unbalanced bold", s, h)
		}
	})
}
