package bot_test

import (
	"testing"

	"github.com/comune-milano/wemibot/bot"
)

// Danger is recognised by concept, in any flow, in long stories, with typos and
// without accents, and each kind is answered with its own numbers; the other kinds a
// message signals add theirs. Ordinary messages with alarming words are searches.
func TestDangerByConcept(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		cases := []struct {
			text, reason string
			want         []string
		}{
			{"mia madre e caduta in bagno e non si rialsa", "medical", []string{"112", "118"}},
			{"my baby has a very high fever and we can't wake him up", "medical", []string{"112", "118"}},
			{"vorrei sparire per sempre", "self_harm", []string{"112", "Telefono Amico", "02 2327 2327"}},
			{"I don't want to wake up tomorrow", "self_harm", []string{"Telefono Amico"}},
			{"ho preso troppe pastiglie", "overdose", []string{"112", "118", "02 6610 1029"}},
			{"il mio ex mi ha minacciata di morte", "violence", []string{"112", "1522"}},
			{"i vicini lasciano la bambina sola in casa tutto il giorno", "child", []string{"112", "114", "19696"}},
			{"c'è una fuga di gas nel palazzo", "fire", []string{"115", "112"}},
			{"my husband hits me and the kids", "child", []string{"114", "1522"}},
			{"Buongiorno, cerco un corso di italiano per mia figlia e un aiuto per la spesa. " +
				"Non so a chi dirlo ma da mesi il mio compagno mi picchia quando beve.", "violence", []string{"1522"}},
		}
		for i, c := range cases {
			before := len(h.staff.all())
			h.citizen(t, "u"+string(rune('a'+i))).press2("Vicino a me").say(c.text).expect(c.want...).expectNot("Vicino a")
			ev := h.staff.all()[before:]
			if len(ev) == 0 || ev[len(ev)-1].Kind != bot.EventEmergency || ev[len(ev)-1].Reason != c.reason || !ev[len(ev)-1].Priority {
				t.Errorf("%q: events %+v, want a priority emergency for %s", c.text, ev, c.reason)
			}
		}
		c := h.citizen(t, "ordinary")
		for _, text := range []string{"corso di primo soccorso", "badante per anziano che rischia di cadere",
			"l'anno scorso mia madre è caduta, ora cerco una badante", "cerco uno psicologo per l'ansia",
			"muoio dal ridere", "mio marito non mi picchia, ma litighiamo: consulenza di coppia?"} {
			before := len(h.staff.all())
			c.say(text).expectNot("112", "1522", "Telefono Amico")
			if ev := h.staff.all()[before:]; len(ev) != 0 {
				t.Errorf("%q raised %+v", text, ev)
			}
		}
	})
}
