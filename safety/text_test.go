package safety

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/i18n"
	"github.com/comune-milano/wemibot/spelling"
)

func TestTokens(t *testing.T) {
	r := load(t)
	cases := []struct{ in, want string }{
		{"L'anno scorso è CADUTA!", "l anno scorso e caduta"},
		{"she can't get up", "she can not get up"},
		{"I dont know", "i do not know"},
		{"39.8 di febbre, 40,5", "39.8 di febbre 40.5"},
		{"voglio uccidermi", "voglio uccidere mi"},
		{"non riesco a svegliarla", "non riesco a svegliare la"},
		{"la carne è cotta", "la carne e cotta"},
		{"mio marito mi pichia", "mio marito mi picchia"},
		{"nn respira", "non respira"},
		// Arabic: joined prefixes split from words the lexicon knows, the negation
		// kept; "ماما" is no negation; Arabic words are never corrected ("طريق", a road,
		// is one letter from "حريق", a fire).
		{"والانتحار", "انتحار"},
		{"جدي مابيردش", "جدي ما بيرد"},
		{"وماكيتحركش", "ما كيتحركش"},
		{"ماما وقعت", "ماما وقعت"},
		{"في الطريق", "في الطريق"},
		{"طريقه", "طريقه"},
	}
	for _, c := range cases {
		var got []string
		for _, tk := range r.tokens(c.in) {
			got = append(got, tk.text)
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%q: %q, want %q", c.in, g, c.want)
		}
	}
}

func TestSentencesAndClauses(t *testing.T) {
	toks := load(t).tokens("È caduta, non risponde. Ora ma sì")
	want := []struct{ sent, clause int }{{0, 0}, {0, 0}, {0, 1}, {0, 1}, {1, 2}, {1, 3}, {1, 3}}
	if len(toks) != len(want) {
		t.Fatalf("tokens %+v", toks)
	}
	for i, w := range want {
		if toks[i].sent != w.sent || toks[i].clause != w.clause {
			t.Errorf("token %d %+v, want %+v", i, toks[i], w)
		}
	}
}

func TestOSA(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{{"picchia", "pichia", 1}, {"voglio", "vogilo", 1}, {"respira", "respria", 1}, {"caduta", "caduta", 0},
		{"caduta", "scaduta", 1}, {"suicidio", "sussidio", 2}, {"abc", "xyz", 2}}
	for _, c := range cases {
		if got := spelling.Distance(c.a, c.b, 1); min(got, 2) != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if !swapped("wnat", "want") || swapped("want", "want") || swapped("abcd", "abdc") == false {
		t.Error("swapped")
	}
}

// Load refuses data that would silently never match.
func TestParseErrors(t *testing.T) {
	l := newLexicon()
	for _, bad := range []string{"", "a & ", "=", "!", "=#x"} {
		if _, err := l.parsePattern(bad); err == nil {
			t.Errorf("pattern %q parsed", bad)
		}
	}
	for _, bad := range []string{"ab*", "#5", "#a-b", "two words*x"} {
		if _, err := parseMatcher(bad); err == nil {
			t.Errorf("form %q parsed", bad)
		}
	}
}

// foldRune reads ASCII as i18n.FoldRune does.
func TestFoldRuneASCII(t *testing.T) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		f, class := foldRune(r)
		if wf, wclass := i18n.FoldRune(r); f != wf || class != wclass {
			t.Errorf("foldRune(%q) = %q, %v; i18n.FoldRune: %q, %v", r, f, class, wf, wclass)
		}
	}
}
