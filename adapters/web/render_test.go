package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/internal/markuptest"
)

func TestToHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"*Ciao* <b>", "<b>Ciao</b> &lt;b&gt;"},
		{"a\nb", "a<br>b"},
		{"x & y \"z\"", "x &amp; y &#34;z&#34;"},
		{"*open", "<b>open</b>"},
		{"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"},
		{"📞 +39 02 5550 1001 · ✉ info@coop.example.org · https://coop.example.org", `📞 <a href="tel:+390255501001">+39 02 5550 1001</a> · ✉ <a href="mailto:info@coop.example.org">info@coop.example.org</a> · <a href="https://coop.example.org">https://coop.example.org</a>`},
		{"chiama il *112*", `chiama il <b><a href="tel:112">112</a></b>`},
		// A citizen's or the catalogue's asterisk, escaped by the engine, stays one.
		{`Servizio \*5 stelle\* per *Anna*`, "Servizio *5 stelle* per <b>Anna</b>"},
		{"a**b", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := toHTML(tt.in); got != tt.want {
				t.Errorf("toHTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// linkTagRE matches the opening tags linkify writes: href of a web, mail or phone
// address with nothing that could close the attribute.
var linkTagRE = regexp.MustCompile(`<a href="(?:https?://|mailto:|tel:)[^"<>]*">`)

// FuzzToHTML: whatever the text, the HTML holds no tag but <b>, <br> and links.
func FuzzToHTML(f *testing.F) {
	for _, s := range []string{"*a* <script>", "**", "<b>*</b>", "\n*\n", "&lt;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := linkTagRE.ReplaceAllString(toHTML(s), "")
		rest := strings.NewReplacer("<b>", "", "</b>", "", "<br>", "", "</a>", "").Replace(h)
		if strings.ContainsAny(rest, "<>") {
			t.Fatalf("toHTML(%q) = %q holds markup", s, h)
		}
		if strings.Count(h, "<b>") != strings.Count(h, "</b>") {
			t.Fatalf("toHTML(%q) = %q: unbalanced bold", s, h)
		}
	})
}

// A catalogue title and a citizen's words with asterisks keep them in the page's
// HTML; the bot's own bold still works around them.
func TestAsterisksInDataStayLiteral(t *testing.T) {
	card, found := markuptest.StarredReplies(t)
	if h := toHTML(card.Text); !strings.HasPrefix(h, "<b>Babysitting *5 stelle* a domicilio \\ sera</b><br>") {
		t.Errorf("card: %.120q", h)
	}
	h := toHTML(found.Text)
	if !strings.Contains(h, "«"+markuptest.StarQuery+"»") || strings.Count(h, "<b>") != strings.Count(h, "</b>") {
		t.Errorf("search: %.200q", h)
	}
}

// FuzzMayLink: text that mayLink passes over holds no address linkify would link.
func FuzzMayLink(f *testing.F) {
	for _, s := range []string{"chiama il 112", "tel. 02 5550 1001", "+39 333 1234567", "a@b.it",
		"https://x.it", "1522", "nessun indirizzo", "0", "10 20 30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !mayLink(s) && linkRE.MatchString(s) {
			t.Fatalf("mayLink(%q) is false, but it holds %q", s, linkRE.FindString(s))
		}
	})
}
