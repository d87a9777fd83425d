package slack

import (
	_ "embed"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// textFile holds every sentence operators read: staff can reword them without
// touching the code.
//
//go:embed texts.it.yaml
var textFile []byte

// texts are the operator-facing sentences, by key, in Slack mrkdwn.
type texts map[string]string

// loadTexts reads the embedded translation file.
func loadTexts() (texts, error) {
	t := texts{}
	if err := yaml.Unmarshal(textFile, &t); err != nil {
		return nil, fmt.Errorf("slack: load texts: %w", err)
	}
	for k, v := range t {
		t[k] = strings.TrimRight(v, "\n")
	}
	return t, nil
}

// text returns the sentence for key with its {placeholders} filled from kv pairs
// ("name", value, ...). Values are inserted as given: whoever fills in a citizen's
// words escapes them first. A missing key shows as the key itself, so that a mistake
// is visible rather than silent; a test checks that every key used exists.
func (t texts) text(key string, kv ...string) string {
	s, ok := t[key]
	if !ok {
		return key
	}
	if len(kv) == 0 {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		name, replaced := s[i+1:i+j], false
		for k := 0; k+1 < len(kv); k += 2 {
			if kv[k] == name {
				b.WriteString(kv[k+1])
				replaced = true
				break
			}
		}
		if !replaced {
			b.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
}

// textOr returns the sentence for key, or fallback when there is none: for keys built
// from values the engine may add to (a new channel, a new kind of danger).
func (t texts) textOr(key, fallback string) string {
	if s, ok := t[key]; ok {
		return s
	}
	return fallback
}
