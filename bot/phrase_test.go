package bot

import "testing"

// A phrase is found as whole words only.
func TestContainsPhrase(t *testing.T) {
	tests := []struct {
		folded, phrase string
		want           bool
	}{
		{"vorrei un corso di italiano", "corso di italiano", true},
		{"corso", "corso", true},
		{"percorso di italiano", "corso", false},
		{"corsi corso", "corso", true},
		{"un corsoa", "corso", false},
		{"", "corso", false},
		{"corso", "", false},
		{"a b a b c", "a b c", true},
	}
	for _, tc := range tests {
		if got := containsPhrase(tc.folded, tc.phrase); got != tc.want {
			t.Errorf("containsPhrase(%q, %q) = %v, want %v", tc.folded, tc.phrase, got, tc.want)
		}
	}
}

// Stripping removes whole-word phrases and leaves single spaces.
func TestStrip(t *testing.T) {
	tests := []struct {
		folded  string
		phrases []string
		want    string
	}{
		{"e quanto si paga", []string{"quanto si paga"}, "e"},
		{"quanto costa quanto costa", []string{"quanto costa"}, ""},
		{"percorso corso", []string{"corso"}, "percorso"},
		{"ci sono anche quelli gratuiti", []string{"gratuiti", "ci sono", "anche"}, "quelli"},
		{"a b c", nil, "a b c"},
	}
	for _, tc := range tests {
		if got := strip(tc.folded, newPhraseList(tc.phrases)); got != tc.want {
			t.Errorf("strip(%q, %q) = %q, want %q", tc.folded, tc.phrases, got, tc.want)
		}
	}
}
