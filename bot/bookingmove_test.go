package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// "Vorrei spostarla a venerdì" moves the citizen's one request: the form takes the day
// and time from the message, shows the change, and the booking's start, history and
// staff card follow; nothing is searched.
func TestRescheduleByText(t *testing.T) {
	s := bookableService(t)
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, bs, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1").pressData("svc:" + s.ID)
		id := book(t, h, c, s)
		c.say("vorrei spostarla a venerdì alle 10").expect("Spostiamo", "Sposto", "da mar 24/11 alle 10:00 a ven 27/11 alle 10:00").
			expectNot("traslochi", "Ho trovato")
		c.press("Sì, sposta").expect("Fatto", "ven 27/11 alle 10:00")
		b, err := bs.Get(context.Background(), id)
		want := time.Date(2026, 11, 27, 10, 0, 0, 0, monday10(t).Location())
		if err != nil || !b.Start.Equal(want) || b.Status != bookings.Requested || len(b.History) != 2 || b.History[1].By != "citizen" {
			t.Fatalf("moved booking: %+v %v", b, err)
		}
		if ev := h.lastEvent(t); ev.Kind != bot.EventBookingMoved || ev.Booking != id || ev.Reason != bot.MovedRequest || !ev.Moved.Equal(want) {
			t.Errorf("staff event: %+v", ev)
		}
	})
}

// The same request in other languages: the intent's phrases are data per language.
func TestRescheduleByTextInOtherLanguages(t *testing.T) {
	s := bookableService(t)
	tests := []struct{ lang, say, want string }{
		{"en", "can we move it to Friday", "Let's move this booking"},
		{"es", "¿puedo cambiarla al viernes?", "Cambiemos esta reserva"},
		{"fr", "je voudrais la déplacer à vendredi", "Déplaçons cette réservation"},
		{"ru", "можно перенести на пятницу?", "Перенесём это бронирование"},
		{"zh", "能改到星期五吗", "我们来改这个预约"},
	}
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, bs, _ := bookingHarness(t, store)
		start := time.Date(2026, 11, 24, 10, 0, 0, 0, monday10(t).Location())
		for i, tc := range tests {
			user := "m" + itoa(i)
			b := bookings.Booking{ID: "0a1b2c3d4e5" + itoa(i), Conversation: "test:" + user, Lang: tc.lang, FirstName: "Ana",
				Service: s.ID, Start: start, Quantity: 2, ForWhom: bookings.ForSelf, Municipio: s.Municipi[0],
				Status: bookings.Requested, Created: monday10(t), Updated: monday10(t),
				History: []bookings.Change{{Status: bookings.Requested, At: monday10(t), By: "citizen"}}}
			if err := bs.Create(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			c := h.citizen(t, user)
			c.lang = tc.lang
			c.say(tc.say)
			if c.findButton("✅") != nil && len(c.buttonsWithData("book:")) == 0 {
				c.press("✅") // "continue in this language?"
			}
			c.expect(tc.want)
			// The day said is taken when the language's date words know it; else
			// the form asks for it.
			if len(c.buttonsWithData("book:slot:"))+len(c.buttonsWithData("book:day:")) == 0 {
				t.Errorf("%s: the move's form did not ask for the day or the time:\n%s", tc.lang, c.text())
			}
		}
	})
}

// "Sposta" on a booking in the list moves it; a confirmed booking becomes a change
// request for staff and keeps its time; a day against the rules is refused as in the
// booking form.
func TestRescheduleByButtons(t *testing.T) {
	s := bookableService(t, func(s *catalogue.Service) bool { return !s.Rules.OpenOnHolidays })
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1").pressData("svc:" + s.ID)
		id := book(t, h, c, s)
		staffConfirms(t, h, id)
		box.take("u1")
		c.say("/prenotazioni").press("Sposta la 1").expect("Spostiamo", "Per quale giorno")
		c.pressData("book:day:20261207").expect("Sant'Ambrogio")
		c.pressData("book:day:20261126")
		c.pressData(c.buttonsWithData("book:slot:")[0].Data).expect("Sposto").press("Sì, sposta").expect("già confermata", "gio 26/11")
		b, err := bs.Get(context.Background(), id)
		if err != nil || b.Status != bookings.Confirmed || b.Start.Day() != 24 {
			t.Fatalf("a confirmed booking changed before staff answered: %+v %v", b, err)
		}
		if ev := h.lastEvent(t); ev.Kind != bot.EventBookingMoved || ev.Reason != bot.MoveRequestedOf || ev.Moved.Day() != 26 {
			t.Errorf("staff event: %+v", ev)
		}
		// A forged or stale button moves nothing.
		c.pressData("book:move:ffffffffffff").expect("non è più valido")
	})
}

// Malformed move buttons and moves of bookings that cannot move answer politely and
// change nothing.
func TestRescheduleRefusesBadInput(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1")
		for _, data := range []string{"book:move:", "book:move:../../etc", "book:move:" + strings.Repeat("a", 500), "book:moveok"} {
			c.pressData(data).expect("non è più valido")
		}
		// With no booking, "spostarla" says there is nothing to move.
		c.say("vorrei spostarla a venerdì").expect("Non hai prenotazioni da spostare")
	})
}
