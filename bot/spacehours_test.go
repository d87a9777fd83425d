package bot_test

import (
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bot"
)

// at is a moment of Milan's calendar, for the clock of a harness.
func at(t testing.TB, year int, month time.Month, day, hour, minute int) time.Time {
	t.Helper()
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(year, month, day, hour, minute, 0, 0, rome)
}

// On Sunday 6 December 2026 the spaces are not "opening Monday": Monday is
// Sant'Ambrogio and Tuesday the Immacolata. The list and the card say so, in the
// citizen's language, and the card lists the closures ahead.
func TestSpacesAcrossTheAmbrosianHolidays(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		h.clock.Set(at(t, 2026, time.December, 6, 10, 0))
		// A list's line says it as fully as it fits; the card, whole.
		c := h.citizen(t, "u1").say("/spazi").
			expect("• *Spazio WeMi San Gottardo* — 🔴 chiuso per Sant'Ambrogio e l'Immacolata: riapre mer 09/12 alle 09:00").
			expectNot("apre lun alle")
		c.press("Spazio WeMi San Gottardo").expect("corso San Gottardo 41", "🔴 chiuso per Sant'Ambrogio e l'Immacolata: riapre mercoledì 9 dicembre alle 09:00")
		// The card: its next closures, the week of works with its dates, but not the
		// holiday its first line names already; nor the Immacolata (Lambrate opens on
		// Mondays, not on Tuesdays).
		c.say("/spazi").press("Spazio WeMi Lambrate").
			expect("🔴 chiuso per Sant'Ambrogio e lavori di ristrutturazione degli uffici: riapre lunedì 21 dicembre alle 14:00",
				"Prossime chiusure", "dal 9 al 19 dicembre: lavori di ristrutturazione degli uffici").
			expectNot("Immacolata", "lunedì 7 dicembre: Sant'Ambrogio")

		// On the holiday itself, inside the week of works: one sentence for both.
		h.clock.Set(at(t, 2026, time.December, 7, 11, 0))
		c.press("Spazi WeMi").expect("Lambrate* — via Conte Rosso 21 — 🔴 chiuso per Sant'Ambrogio: riapre lun 21/12 alle 14:00").
			press("Spazio WeMi Lambrate").expect("chiuso per Sant'Ambrogio e lavori di ristrutturazione degli uffici: riapre lunedì 21 dicembre alle 14:00")

		en := h.citizen(t, "u2").say("/lingua en").say("/spazi").press("Spazio WeMi San Gottardo")
		en.expect("closed for Sant'Ambrogio (Milan's patron saint) and the Immacolata (Immaculate Conception): opens again Wednesday 9 December at 09:00")
		uk := h.citizen(t, "u3").say("/lingua uk").say("/spazi").press("Spazio WeMi San Gottardo")
		uk.expect("відчиняється знову: середа, 9 грудня, о 09:00", "День святого Амвросія")

		// Before Christmas, San Gottardo's own closure and the holidays after it.
		h.clock.Set(at(t, 2026, time.December, 23, 19, 0))
		c.say("/spazi").press("Spazio WeMi San Gottardo").expect("chiuso per le feste natalizie e Capodanno: riapre lunedì 4 gennaio alle 09:00")
	})
}

// A plain weekday evening still says the next day in short, and a space open now
// says so.
func TestSpacesOnOrdinaryDays(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		h.clock.Set(at(t, 2026, time.December, 3, 19, 0)) // a Thursday
		// Capuana would open on Monday 7, Sant'Ambrogio: that is said already.
		c := h.citizen(t, "u1").say("/spazi").expect("chiuso ora, apre ven alle 09:00", "Capuana* — via Capuana 3 — 🔴 chiuso per Sant'Ambrogio: riapre mercoledì 9 dicembre alle 14:30")
		h.clock.Set(at(t, 2026, time.December, 4, 10, 0))
		c.say("/spazi").expect("aperto ora")
		// Easter Monday 2027 (29 March): closed for Pasquetta, not "opens today".
		h.clock.Set(at(t, 2027, time.March, 29, 8, 0))
		c.say("/spazi").expect("chiuso per Pasquetta").expectNot("apre oggi")
	})
}
