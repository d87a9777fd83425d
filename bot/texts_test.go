package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
)

// Every key the code uses exists in both languages (LoadTexts checks that the two
// files agree), and so does every key built from a prefix.
func TestEveryTextKeyExists(t *testing.T) {
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	keyRE := regexp.MustCompile(`(?:\.T|\.text|line)\("([a-z_]+\.[a-z_.]+|[a-z_]+)"`)
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in the code: the pattern is stale", len(used))
	}
	for _, a := range catalogue.Audiences() {
		used["audience."+string(a)] = true
	}
	for _, u := range []string{"ora", "seduta", "pasto", "intervento", "giorno", "mese", "corso", "pacchetto"} {
		used["unit."+u] = true
	}
	for d := 0; d < 7; d++ {
		used["day."+string(rune('0'+d))] = true
	}
	for _, k := range []string{"kind.cooperativa", "kind.associazione", "emergency.violence", "emergency.self_harm", "emergency.medical",
		"handoff.asked", "handoff.no_results"} {
		used[k] = true
	}
	for _, n := range commandNames() {
		used["command."+n] = true
	}
	for k := range used {
		if !texts.Has(k) {
			t.Errorf("text key %q is used but not in the translation files", k)
		}
		for _, lang := range languages() {
			if got := texts.T(lang, k); got == k || strings.TrimSpace(got) == "" {
				t.Errorf("%s: key %q has no text", lang, k)
			}
		}
	}
}

func TestEveryDangerKindHasItsText(t *testing.T) {
	s, err := loadSafety()
	if err != nil {
		t.Fatal(err)
	}
	texts, _ := LoadTexts()
	for _, d := range s.danger {
		if !texts.Has("emergency." + d.kind) {
			t.Errorf("danger kind %q has no emergency text", d.kind)
		}
	}
}

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
		c, ok := parseCommand(tt.in)
		if ok != tt.ok || c.name != tt.name || c.arg != tt.ar {
			t.Errorf("parseCommand(%q) = %+v, %v", tt.in, c, ok)
		}
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

func FuzzParseButton(f *testing.F) {
	for _, s := range []string{"svc:abc", "page:3", "cat:educativo:2", "zone:0", "menu", "", ":", "page:-1", "lang:en"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, ok := parseButton(s)
		if !ok {
			return
		}
		if len(s) > maxButtonData || b.action == "" {
			t.Fatalf("parseButton(%q) accepted %+v", s, b)
		}
		if (b.action == actPage || b.action == actZone) && (b.num < 0 || b.num > 1000) {
			t.Fatalf("parseButton(%q) number %d", s, b.num)
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
