package safety

import (
	"io/fs"
	"path"
	"strconv"
	"strings"
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

// The roles merge every language's word lists: each word keeps every role its lists
// give it, and every word and stem of a form is known.
func TestRolesMergeWordLists(t *testing.T) {
	r := load(t)
	names, err := fs.Glob(dataFS, "data/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if path.Base(name) == "rules.yaml" {
			continue
		}
		var f langFile
		if err := decode(name, &f); err != nil {
			t.Fatal(err)
		}
		for _, set := range []struct {
			role  wordRole
			words []string
		}{{roleNegation, f.Negation}, {roleNegationAfter, f.NegationAfter}, {roleFiller, f.Fillers},
			{roleBreak, f.Breaks}, {roleKnown, f.Known}} {
			for _, w := range set.words {
				if r.lex.roles[w]&set.role == 0 {
					t.Errorf("%s: %q lacks role %b", name, w, set.role)
				}
			}
		}
		for _, forms := range f.Words {
			for _, form := range forms {
				for _, w := range formWords(form) {
					if w = strings.TrimSuffix(w, "*"); !strings.HasPrefix(w, "#") && !r.lex.knows(w) {
						t.Errorf("%s: %q of form %q is not known", name, w, form)
					}
				}
			}
		}
	}
	if r.lex.knows("xyzzy") || r.lex.mayStartStem("xy") {
		t.Error("a word of no list is known")
	}
}
