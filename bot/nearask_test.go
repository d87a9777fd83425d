package bot_test

import (
	"testing"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// locationAsk returns what the last answer says about the location button: the label
// of the button it asks with, and whether it closes an earlier question.
func locationAsk(c *convo) (label string, done bool) {
	c.t.Helper()
	if len(c.replies) == 0 {
		c.t.Fatal("no answer")
	}
	for _, r := range c.replies[1:] {
		if r.LocationDone {
			c.t.Errorf("a later reply closes the location question: %q", r.Text)
		}
	}
	return c.replies[0].AskLocation, c.replies[0].LocationDone
}

// "Near me" asks for the location with a button; the first answer after it says the
// question is over, unless it asks again.
func TestNearAsksForTheLocationWithAButton(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("/vicino").expect("Condividi la tua posizione").expectButtons("Spazi WeMi", "Menu")
		if label, done := locationAsk(c); label != "📍 Invia la mia posizione" || done {
			t.Fatalf("/vicino: AskLocation %q, LocationDone %v", label, done)
		}
		c.share(catalogue.Point{Lat: 45.5180, Lon: 9.1880}).expect("Vicino a te")
		if label, done := locationAsk(c); label != "" || !done {
			t.Errorf("after the location: AskLocation %q, LocationDone %v", label, done)
		}
		c.say("/aiuto")
		if _, done := locationAsk(c); done {
			t.Error("the question was closed twice")
		}

		// An unknown place asks again; a neighbourhood answers.
		c.say("/vicino").say("Atlantide").expect("Non conosco il luogo")
		if label, done := locationAsk(c); label == "" || done {
			t.Errorf("unknown place: AskLocation %q, LocationDone %v", label, done)
		}
		c.say("Niguarda").expect("Vicino a Niguarda")
		if _, done := locationAsk(c); !done {
			t.Error("a neighbourhood did not close the question")
		}

		// The reply keyboard's buttons send their labels as text.
		c.say("/vicino").say("☰ Menu").expectButtons("Cerca un servizio").expectNot("Non conosco il luogo")
		if _, done := locationAsk(c); !done {
			t.Error("the menu did not close the question")
		}
		c.say("/vicino").say("🏢 Spazi WeMi").expect("Gli Spazi WeMi").expectNot("Non conosco il luogo")
		// A client without location buttons sends the label: ask again.
		c.say("/vicino").say("📍 Invia la mia posizione").expect("Condividi la tua posizione").expectNot("Non conosco il luogo")
		if label, _ := locationAsk(c); label == "" {
			t.Error("the label did not ask again")
		}
		// In English.
		en := h.citizen(t, "u2").say("/lingua en").say("/vicino")
		if label, _ := locationAsk(en); label != "📍 Send my location" {
			t.Errorf("English label %q", label)
		}
	})
}
