package bot_test

import (
	"context"
	"testing"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
)

// Every question the bot asks with yes and no buttons takes a typed yes or no as
// the button it names (the proposal of another time, pushed by staff, is in
// TestTypedAnswersToPushes).
func TestTypedAnswersToConfirmations(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		t.Run("cancel a booking", func(t *testing.T) {
			h, _, bs, _ := bookingHarness(t, store)
			s := bookableService(t)
			c := h.citizen(t, "c1").pressData("svc:" + s.ID)
			kept, gone := book(t, h, c, s), book(t, h, c.pressData("svc:"+s.ID), s)
			c.pressData("book:cancel:" + kept).expect("Vuoi annullare").say("no").expect("Le tue prenotazioni").expectNot("annullata")
			c.pressData("book:cancel:" + gone).expect("Vuoi annullare").say("sì").expect("Prenotazione annullata")
			for id, want := range map[string]bookings.Status{kept: bookings.Requested, gone: bookings.Cancelled} {
				if b, err := bs.Get(context.Background(), id); err != nil || b.Status != want {
					t.Errorf("booking %s: %s, %v; want %s", id, b.Status, err, want)
				}
			}
		})
		t.Run("erase a request", func(t *testing.T) {
			h, _, _ := domesticHarness(t, store)
			c := h.citizen(t, "c2").pressData("dom:fam").pressData("dom:role:colf").pressData("dom:pat:non_convivente").
				pressData("dom:hours:10").pressData("dom:start:7").pressData("dom:mun:1").pressData("dom:care").
				pressData("dom:lang:it").pressData("dom:langok").say("giulia@example.org").press("Invia la richiesta").expect("Richiesta inviata")
			c.pressData("dom:mine").press("Cancella la 1").expect("Non si può annullare").say("no").expect("Le tue richieste").expectNot("cancellata")
			c.press("Cancella la 1").expect("Non si può annullare").say("sì").expect("cancellata")
		})
		t.Run("consent to keep an application", func(t *testing.T) {
			h, _, _ := domesticHarness(t, store)
			h.citizen(t, "c3").say("voglio lavorare come badante").expect("Sei d'accordo").say("no").expect("non ho conservato nulla")
			h.citizen(t, "c4").say("voglio lavorare come badante").expect("Sei d'accordo").say("sì").expect("Che lavoro cerchi")
		})
		t.Run("erase everything", func(t *testing.T) {
			h := newHarness(t, store)
			h.citizen(t, "c5").say("/dimenticami").say("sì, cancella pure").expect("ho cancellato").expectNot("non ho cancellato")
			h.citizen(t, "c6").say("/dimenticami").say("no").expect("non ho cancellato").expectNot("Ho trovato", "Non ho capito")
		})
	})
}
