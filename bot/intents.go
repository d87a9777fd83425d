package bot

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/comune-milano/wemibot/catalogue"
)

//go:embed intents.yaml
var intentsYAML []byte

// safety recognises messages that signal danger, and greetings and requests for a
// person, from the phrase lists in intents.yaml.
type safety struct {
	greetings map[string]bool
	operator  []string
	danger    []dangerPhrase // longest first
}

type dangerPhrase struct {
	kind   string
	phrase string
}

func loadSafety() (*safety, error) {
	var f struct {
		Greetings []string            `yaml:"greetings"`
		Operator  []string            `yaml:"operator"`
		Safety    map[string][]string `yaml:"safety"`
	}
	if err := yaml.Unmarshal(intentsYAML, &f); err != nil {
		return nil, fmt.Errorf("load intents: %w", err)
	}
	s := &safety{greetings: map[string]bool{}}
	for _, g := range f.Greetings {
		for _, w := range strings.Fields(catalogue.Fold(g)) {
			s.greetings[w] = true
		}
	}
	for _, o := range f.Operator {
		s.operator = append(s.operator, catalogue.Fold(o))
	}
	for kind, phrases := range f.Safety {
		for _, p := range phrases {
			s.danger = append(s.danger, dangerPhrase{kind: kind, phrase: catalogue.Fold(p)})
		}
	}
	sort.Slice(s.danger, func(i, j int) bool { return len(s.danger[i].phrase) > len(s.danger[j].phrase) })
	return s, nil
}

// containsPhrase reports whether folded text holds phrase as whole words.
func containsPhrase(folded, phrase string) bool {
	return strings.Contains(" "+folded+" ", " "+phrase+" ")
}

// match returns the kind of danger a message signals.
func (s *safety) match(text string) (string, bool) {
	folded := catalogue.Fold(text)
	for _, d := range s.danger {
		if containsPhrase(folded, d.phrase) {
			return d.kind, true
		}
	}
	return "", false
}

// isGreeting reports whether a message is only a greeting ("Ciao!", "buongiorno a
// tutti", "hello there"): every word greets, or is one of a few polite fillers.
func (e *Engine) isGreeting(text string) bool {
	words := strings.Fields(catalogue.Fold(text))
	if len(words) == 0 || len(words) > 4 {
		return false
	}
	greets := false
	for _, w := range words {
		switch {
		case e.safety.greetings[w]:
			greets = true
		case w == "a" || w == "tutti" || w == "there" || w == "bot" || w == "wemi" || w == "everyone":
		default:
			return false
		}
	}
	return greets
}

// asksForOperator reports whether a message asks for a person.
func (e *Engine) asksForOperator(text string) bool {
	folded := catalogue.Fold(text)
	for _, p := range e.safety.operator {
		if containsPhrase(folded, p) {
			return true
		}
	}
	return false
}
