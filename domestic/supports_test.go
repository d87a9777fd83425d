package domestic_test

import (
	"os"
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
		if s.Name == "" || s.Who == "" || s.What == "" || s.Conditions == "" || s.HowTo == "" ||
			!strings.HasPrefix(s.Source, "https://") || s.Year < 2025 || len(s.Roles) == 0 {
			t.Errorf("support %+v", s)
		}
		if strings.Contains(s.What+s.Who+s.Conditions, "\n") {
			t.Errorf("support %s keeps line breaks", s.ID)
		}
		// Described, never promised.
		for _, promise := range []string{"garantit", "sicuramente", "avrai diritto", "riceverai"} {
			if strings.Contains(strings.ToLower(s.What+s.Conditions), promise) {
				t.Errorf("support %s promises: %q", s.ID, promise)
			}
		}
		if strings.Contains(strings.ToLower(s.Name), "assegno unico") {
			t.Errorf("the assegno unico is not a support for domestic work")
		}
	}
	byID := map[string]domestic.Support{}
	for _, s := range supports {
		byID[s.ID] = s
	}
	if s := byID["detrazione-spese-badante"]; !strings.Contains(s.What, "19%") || !strings.Contains(s.What, "2.100 €") ||
		!strings.Contains(s.Conditions, "40.000 €") || !slices.Equal(s.Roles, []domestic.Role{domestic.Badante}) {
		t.Errorf("detrazione: %+v", s)
	}
	if s := byID["deduzione-contributi-domestici"]; !strings.Contains(s.What, "1.549,37 €") || len(s.Roles) != 3 {
		t.Errorf("deduzione: %+v", s)
	}
	if s := byID["misura-b2-milano"]; !strings.Contains(s.Conditions, "25.000 €") {
		t.Errorf("misura B2: %+v", s)
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
