package domestic_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/domestic"
)

func TestLoadSupports(t *testing.T) {
	supports, err := domestic.LoadSupports()
	if err != nil {
		t.Fatal(err)
	}
	if len(supports) < 5 {
		t.Fatalf("%d supports", len(supports))
	}
	for _, s := range supports {
		if !strings.HasPrefix(s.Source, "https://") || s.Year < 2025 || len(s.Roles) == 0 {
			t.Errorf("support %+v", s)
		}
		for lang, txt := range map[string]domestic.SupportText{"it": s.IT, "en": s.EN} {
			if txt.Name == "" || txt.Who == "" || txt.What == "" || txt.Conditions == "" || txt.HowTo == "" {
				t.Errorf("support %s, %s: %+v", s.ID, lang, txt)
			}
			if strings.Contains(txt.What+txt.Who+txt.Conditions, "\n") {
				t.Errorf("support %s, %s: keeps line breaks", s.ID, lang)
			}
			if strings.Contains(strings.ToLower(txt.Name), "assegno unico") {
				t.Errorf("the assegno unico is not a support for domestic work")
			}
		}
		// Described, never promised.
		for _, promise := range []string{"garantit", "sicuramente", "avrai diritto", "riceverai",
			"guarantee", "certainly", "you will get", "you will receive", "you are entitled"} {
			if strings.Contains(strings.ToLower(s.IT.What+s.IT.Conditions+s.EN.What+s.EN.Conditions), promise) {
				t.Errorf("support %s promises: %q", s.ID, promise)
			}
		}
		// English amounts are written the English way (€2,400), not the Italian one.
		if m := italianEuros.FindString(s.EN.Who + s.EN.What + s.EN.Conditions + s.EN.HowTo); m != "" {
			t.Errorf("support %s: %q in English", s.ID, m)
		}
		if s.In("en") != s.EN || s.In("it") != s.IT || s.In("") != s.IT {
			t.Errorf("support %s: In does not choose the language", s.ID)
		}
	}
	byID := map[string]domestic.Support{}
	for _, s := range supports {
		byID[s.ID] = s
	}
	if s := byID["detrazione-spese-badante"]; !strings.Contains(s.IT.What, "19%") || !strings.Contains(s.IT.What, "2.100 €") ||
		!strings.Contains(s.IT.Conditions, "40.000 €") || !slices.Equal(s.Roles, []domestic.Role{domestic.Badante}) ||
		!strings.Contains(s.EN.What, "19%") || !strings.Contains(s.EN.What, "€2,100") || !strings.Contains(s.EN.Conditions, "€40,000") {
		t.Errorf("detrazione: %+v", s)
	}
	if s := byID["deduzione-contributi-domestici"]; !strings.Contains(s.IT.What, "1.549,37 €") || len(s.Roles) != 3 ||
		!strings.Contains(s.EN.What, "€1,549.37") {
		t.Errorf("deduzione: %+v", s)
	}
	if s := byID["misura-b2-milano"]; !strings.Contains(s.IT.Conditions, "25.000 €") || !strings.Contains(s.EN.Conditions, "€25,000") ||
		!strings.Contains(s.EN.Who, "104/1992") {
		t.Errorf("misura B2: %+v", s)
	}
	if s := byID["bonus-assistenti-familiari"]; s.In("en").Name != "Bonus Assistenti Familiari (Lombardy Region)" ||
		s.In("it").Name != "Bonus Assistenti Familiari (Regione Lombardia)" {
		t.Errorf("bonus assistenti familiari: %q, %q", s.In("en").Name, s.In("it").Name)
	}
}

// italianEuros is an amount written the Italian way: 2.400 €, 1.549,37 €.
var italianEuros = regexp.MustCompile(`\d €|\d+\.\d{3}(,\d+)?\b`)

// Every support has its English translation, field by field.
func TestParseSupportsEnglish(t *testing.T) {
	const it = `supports:
  - id: prova
    name: Prova
    who: Chi assume.
    what: Un contributo.
    conditions: ISEE fino a 10.000 €.
    how_to: Domanda online.
    source: https://example.org
    year: 2026
    roles: [colf]
`
	const en = `    en:
      name: Test
      who: Whoever employs.
      what: A contribution.
      conditions: ISEE up to €10,000.
      how_to: Apply online.
`
	got, err := domestic.ParseSupports([]byte(it + en))
	if err != nil {
		t.Fatal(err)
	}
	if s := got[0]; s.In("en") != (domestic.SupportText{Name: "Test", Who: "Whoever employs.", What: "A contribution.",
		Conditions: "ISEE up to €10,000.", HowTo: "Apply online."}) || s.In("it").What != "Un contributo." || s.In("fr") != s.EN {
		t.Errorf("support: %+v", s)
	}
	fr := "supports:\n  - id: prova\n    name: Essai\n    who: Qui emploie.\n    what: Une aide.\n    conditions: ISEE jusqu'à 10 000 €.\n    how_to: En ligne.\n"
	if err := domestic.AddSupportTranslation(got, "fr", []byte(fr)); err != nil || got[0].In("fr").Name != "Essai" {
		t.Errorf("French: %v, %+v", err, got[0].In("fr"))
	}
	if err := domestic.AddSupportTranslation(got, "ro", []byte("supports:\n  - id: altro\n    name: X\n")); err == nil ||
		!strings.Contains(err.Error(), `unknown support "altro"`) || !strings.Contains(err.Error(), `no ro translation of "prova"`) {
		t.Errorf("a wrong translation: %v", err)
	}
	for name, tt := range map[string]struct{ yaml, want string }{
		"no English":               {it, "support 1 (prova): en: no English translation"},
		"no English what":          {it + strings.Replace(en, "      what: A contribution.\n", "", 1), "support 1 (prova): en.what: missing"},
		"an empty English name":    {it + strings.Replace(en, "name: Test", `name: " "`, 1), "support 1 (prova): en.name: missing"},
		"an unknown English field": {it + en + "      amount: 850\n", "field amount not found"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := domestic.ParseSupports([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseSupports = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestParseSupportsProblems(t *testing.T) {
	good, err := os.ReadFile("data/supports.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, old, new, want string }{
		{"a bad id", "id: misura-b2-milano", "id: Misura B2", "lowercase letters"},
		{"a repeated id", "id: misura-b2-milano", "id: bonus-assistenti-familiari", "repeated"},
		{"no source", "source: https://pmi.it/?p=153392", "source: pmi.it", "source: not a URL"},
		{"an unknown role", "roles: [tata, colf, badante]", "roles: [tata, colf, giardiniere]", `unknown role "giardiniere"`},
		{"no year", "    year: 2026\n", "", "year 0"},
		{"an unknown field", "    year: 2026\n", "    year: 2026\n    amount: 850\n", "field amount not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(string(good), tt.old) {
				t.Fatalf("the bundled file has no %q", tt.old)
			}
			_, err := domestic.ParseSupports([]byte(strings.Replace(string(good), tt.old, tt.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseSupports = %v, want an error with %q", err, tt.want)
			}
		})
	}
	if _, err := domestic.ParseSupports([]byte("supports: []")); err == nil {
		t.Error("no supports accepted")
	}
}
