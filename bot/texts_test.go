package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/safety"
)

// Every key the code uses exists in both languages (LoadTexts checks that the two
// files agree), and so does every key built from a prefix.
func TestEveryTextKeyExists(t *testing.T) {
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	keyRE := regexp.MustCompile(`(?:\.T|\.Text|line)\("([a-z_]+\.[a-z_.]+|[a-z_]+)"`)
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
			if !strings.HasSuffix(m[1], ".") { // a prefix: its keys are listed below
				used[m[1]] = true
			}
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
	for _, topic := range []string{topicCost, topicFree, topicWhere, topicWhen, topicHow, topicProvider, topicLanguages, topicContacts, topicDetails, topicReduction} {
		used["followup.list."+topic] = true
	}
	for _, h := range catalogue.Holidays(2026, time.UTC) { // named by the booking rules
		used["holiday."+h.Key] = true
	}
	for d := 0; d < 7; d++ {
		used["day."+string(rune('0'+d))] = true
	}
	for _, k := range safety.Kinds() {
		used["emergency."+string(k)] = true
		used["emergency.also."+string(k)] = true
	}
	for _, k := range []string{"kind.cooperativa", "kind.associazione",
		"handoff.asked", "handoff.no_results", "handoff.reply_time", "handoff.closed_hours", "emergency.alerted"} {
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
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range safety.Kinds() {
		for _, key := range []string{"emergency." + string(k), "emergency.also." + string(k)} {
			if !texts.Has(key) {
				t.Errorf("danger kind %q has no text %s", k, key)
			}
		}
	}
}

func TestFill(t *testing.T) {
	tests := []struct {
		name, text string
		kv         []string
		want       string
	}{
		{"no values", "Ciao {name}", nil, "Ciao {name}"},
		{"no placeholder", "Ciao", []string{"name", "Anna"}, "Ciao"},
		{"one", "Ciao {name}!", []string{"name", "Anna"}, "Ciao Anna!"},
		{"twice", "{n} e {n}", []string{"n", "una cosa lunga più del testo"}, "una cosa lunga più del testo e una cosa lunga più del testo"},
		{"several", "{a}{b} {c}", []string{"c", "3", "a", "1", "b", "2"}, "12 3"},
		{"unknown stays", "{a} {x}", []string{"a", "1"}, "1 {x}"},
		{"unclosed", "{a} {b", []string{"a", "1", "b", "2"}, "1 {b"},
		{"odd pairs", "{a}", []string{"a"}, "{a}"},
		{"a value with braces is not filled again", "{a}", []string{"a", "{b}", "b", "2"}, "{b}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fill(tt.text, tt.kv...); got != tt.want {
				t.Errorf("Fill(%q, %q) = %q, want %q", tt.text, tt.kv, got, tt.want)
			}
		})
	}
}
