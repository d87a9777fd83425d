package slack

import (
	_ "embed"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/comune-milano/wemibot/bot"
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
	return bot.Fill(s, kv...)
}

// textOr returns the sentence for key, or fallback when there is none: for keys built
// from values the engine may add to (a new channel, a new kind of danger).
func (t texts) textOr(key, fallback string) string {
	if s, ok := t[key]; ok {
		return s
	}
	return fallback
}
