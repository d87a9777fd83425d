package bot_test

import (
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// servicesShown returns the services the last answer's buttons open.
func servicesShown(t *testing.T, c *convo) []*catalogue.Service {
	t.Helper()
	var out []*catalogue.Service
	for _, b := range c.buttonsWithData("svc:") {
		id, _, _ := strings.Cut(strings.TrimPrefix(b.Data, "svc:"), ".")
		s, ok := testIndex(t).Catalogue().Service(id)
		if !ok {
			t.Fatalf("button for unknown service %q", id)
		}
		out = append(out, s)
	}
	return out
}

// The results carry the portal's "in condivisione" filter as a button: one-to-one,
// in a group, or either.
func TestSharedFilterButton(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("babysitter").expectButtons("Individuale o in gruppo")
		c.press("Individuale o in gruppo").expect("individuale, solo per te, o in gruppo").
			expectButtons("In gruppo", "Individuale", "Va bene tutto")
		c.press("In gruppo").expect("Filtri: in gruppo").expectButtons("Individuale o in gruppo ✓")
		shown := servicesShown(t, c)
		if len(shown) == 0 {
			t.Fatal("no shared babysitting found")
		}
		for _, s := range shown {
			if s.Delivery.Shared == nil {
				t.Errorf("%s is not offered in a group", s.ID)
			}
		}
		c.press("Individuale o in gruppo ✓").press("Individuale").expect("Filtri: individuali")
		for _, s := range servicesShown(t, c) {
			if !s.Delivery.Individual {
				t.Errorf("%s is not offered one-to-one", s.ID)
			}
		}
		c.press("Individuale o in gruppo ✓").press("Va bene tutto").expectNot("Filtri:")
		// A forged value is stale, not a filter.
		c.press("Individuale o in gruppo")
		forged := strings.Replace(c.buttonsWithData("del:individuale")[0].Data, "individuale", "gruppone", 1)
		c.pressData(forged).expect("non è più valido")
	})
}

// Saying "in condivisione" (or its equivalents, in every language) in a new search
// applies the filter, and the words are not searched as a need.
func TestSharedFilterWords(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		tests := []struct {
			lang, text, filter string
			shared             bool
		}{
			{"it", "babysitter in condivisione", "in gruppo", true},
			{"it", "doposcuola insieme ad altri bambini", "in gruppo", true},
			{"it", "corso di italiano in gruppo", "in gruppo", true},
			{"it", "psicologo individuale", "individuali", false},
			{"en", "babysitting shared with other families", "in a group", true},
			{"en", "a babysitter in a group", "in a group", true},
			{"en", "one-to-one psychologist", "one-to-one", false},
			{"es", "niñera en grupo", "", true},
			{"fr", "garde d'enfants partagée", "", true},
			{"ro", "babysitter în grup", "", true},
			{"uk", "няня в групі", "", true},
			{"ru", "няня в группе", "", true},
			{"ar", "مربية أطفال جماعية", "", true},
			{"zh", "小组保姆", "", true},
		}
		for i, tt := range tests {
			c := h.citizen(t, "w"+string(rune('a'+i)))
			if tt.lang != "it" {
				c.say("/lingua " + tt.lang)
			}
			c.say(tt.text)
			if tt.filter != "" {
				c.expect(tt.filter)
			}
			shown := servicesShown(t, c)
			if len(shown) == 0 {
				t.Errorf("%s %q: nothing found", tt.lang, tt.text)
				continue
			}
			for _, s := range shown {
				if tt.shared && s.Delivery.Shared == nil || !tt.shared && !s.Delivery.Individual {
					t.Errorf("%s %q: %s does not match the delivery asked for", tt.lang, tt.text, s.ID)
				}
			}
		}
		// "gruppi di sostegno" is a need, not only a way of delivery: it is searched.
		h.citizen(t, "u9").say("gruppi di sostegno per chi assiste un familiare").expectNot("Filtri: in gruppo")
	})
}
