package bot

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/search/searchtest"
)

func TestSpans(t *testing.T) {
	tests := []struct {
		in   string
		want []Span
	}{
		{"", nil},
		{"*Ciao* a tutti", []Span{{"Ciao", true}, {" a tutti", false}}},
		{`5\* e *bold*`, []Span{{"5* e ", false}, {"bold", true}}},
		{`C:\\*x`, []Span{{`C:\`, false}, {"x", true}}},
		{`a\b`, []Span{{`a\b`, false}}},
		{"a**b", []Span{{"ab", false}}},
		{"*open", []Span{{"open", true}}},
		{`end\`, []Span{{`end\`, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Spans(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("Spans(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Spans(%q)[%d] = %+v, want %+v", tt.in, i, got[i], tt.want[i])
				}
			}
		})
	}
	if !BoldAtEnd("a *b") || BoldAtEnd(`a \*b`) || BoldAtEnd("*a*") || !BoldAtEnd(`\\*b`) {
		t.Error("BoldAtEnd disagrees with Spans")
	}
}

// FuzzLiteral: whatever a citizen or the catalogue writes shows as written, in plain
// text, and Literal keeps text without asterisks or backslashes as it is.
func FuzzLiteral(f *testing.F) {
	for _, s := range []string{"*5 stelle*", `a\*b`, `\`, "**", "«x»"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		lit := Literal(s)
		for _, sp := range Spans("*" + lit + "*") {
			if !sp.Bold || sp.Text != s {
				t.Fatalf("Spans(*Literal(%q)*) = %+v", s, Spans("*"+lit+"*"))
			}
		}
		if Plain(lit) != s || BoldAtEnd(lit) {
			t.Fatalf("Literal(%q) = %q shows %q", s, lit, Plain(lit))
		}
		if !strings.ContainsAny(s, `*\`) && lit != s {
			t.Fatalf("Literal(%q) changed it to %q", s, lit)
		}
	})
}

// starTitle is a catalogue title with asterisks in it, as an editor could write.
const starTitle = `Babysitting *5 stelle* a domicilio \ sera`

// starredEngine is an engine on the bundled catalogue whose first service has
// starTitle as its name in every language; it returns the service's id.
func starredEngine(t *testing.T) (*Engine, string) {
	t.Helper()
	var id string
	idx := searchtest.Edited(t, func(c *catalogue.Catalogue) {
		s := c.Services[0]
		s.Name, s.NameEN, s.Texts, id = starTitle, "", nil, s.ID
	})
	e, err := New(Options{Search: idx, Store: nopStore{}})
	if err != nil {
		t.Fatal(err)
	}
	return e, id
}

// A catalogue title and a citizen's words with asterisks show their asterisks; the
// bot's own bold still works around them.
func TestAsterisksInDataStayLiteral(t *testing.T) {
	e, id := starredEngine(t)
	ctx := context.Background()
	card, err := e.Handle(ctx, Message{Channel: "web", UserID: "u1", Text: "/start s_" + id})
	if err != nil || len(card) == 0 {
		t.Fatalf("card: %v %v", card, err)
	}
	spans := Spans(card[0].Text)
	if len(spans) < 2 || spans[0] != (Span{starTitle, true}) {
		t.Fatalf("the card's title: %+v", spans)
	}
	if strings.Count(Plain(card[0].Text), "*") != 2 {
		t.Errorf("the card shows %q", Plain(card[0].Text))
	}
	found, err := e.Handle(ctx, Message{Channel: "web", UserID: "u2", Text: "cerco una babysitter *urgente* per stasera"})
	if err != nil || len(found) == 0 {
		t.Fatalf("search: %v %v", found, err)
	}
	var echoed bool
	for _, sp := range Spans(found[0].Text) {
		if strings.Contains(sp.Text, "*urgente*") {
			echoed = !sp.Bold
		}
	}
	if !echoed {
		t.Errorf("the citizen's asterisks are not shown as written: %+v", Spans(found[0].Text))
	}
}
