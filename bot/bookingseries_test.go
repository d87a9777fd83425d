package bot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// toSummary fills the booking form of s for Tuesday 24 November 2026 at 10:00, 2 hours,
// with buttons only (any language), up to the summary.
func toSummary(t *testing.T, c *convo, s *catalogue.Service) {
	t.Helper()
	c.pressData("book:new:" + s.ID).pressData("book:day:20261124").pressData("book:qty:2").pressData("book:slot:600")
	if len(c.buttonsWithData("book:sh:")) > 0 {
		c.pressData("book:sh:0")
	}
	c.pressData("book:who:" + bookings.ForRelative)
	if len(c.buttonsWithData("book:mun:")) > 0 {
		c.pressData("book:mun:" + itoa(s.Municipi[1]))
	}
	c.pressData("book:skip")
	if len(c.buttonsWithData("book:rep")) == 0 {
		t.Fatalf("no «repeat every week» on the summary:\n%s", c.transcript())
	}
}

// seriesOf returns the bookings of u's conversation that belong to a series, by start.
func seriesOf(t *testing.T, bs *bookings.Store, user string) []bookings.Booking {
	t.Helper()
	list, err := bs.ByConversation(context.Background(), "test:"+user)
	if err != nil {
		t.Fatal(err)
	}
	var out []bookings.Booking
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Series != "" {
			out = append(out, list[i])
		}
	}
	return out
}

// A weekly series from the summary's button: the booked Tuesday preselected, 8 weeks,
// the dates listed with Immacolata (8 December, a Tuesday) left out and why; one
// request per date sharing a Series, staff told once.
func TestSeriesCreatedSkippingHolidays(t *testing.T) {
	s := bookableService(t, func(s *catalogue.Service) bool { return !s.Rules.OpenOnHolidays })
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, bs, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1")
		toSummary(t, c, s)
		c.press("Ripeti ogni settimana").expect("In quali giorni").expectButtons("✅ mar", "Avanti")
		if n := len(c.buttonsWithData("book:rwd:")); n != len(openDaysOf(s)) {
			t.Errorf("%d weekday buttons, the service runs on %d days", n, len(openDaysOf(s)))
		}
		c.press("Avanti").expect("fino a quando").expectButtons("Fino a fine mese", "4 settimane", "8 settimane")
		c.press("8 settimane").expect("ogni mar", "mar 24/11", "mar 15/12", "restano fuori", "mar 08/12: l'Immacolata")
		events := len(h.staff.all())
		c.press("Invia la richiesta").expect("Fatto", "dal mar 24/11 alle 10:00")
		got := seriesOf(t, bs, "u1")
		if len(got) < 4 {
			t.Fatalf("series of %d bookings: %+v", len(got), got)
		}
		for _, b := range got {
			if b.Series != got[0].Series || b.Start.Weekday() != time.Tuesday || b.Start.Hour() != 10 ||
				b.Start.Month() == time.December && b.Start.Day() == 8 || b.Status != bookings.Requested {
				t.Errorf("booking of the series: %+v", b)
			}
		}
		if all := h.staff.all(); len(all) != events+1 || all[len(all)-1].Kind != bot.EventBookingRequested || all[len(all)-1].Booking != got[0].ID {
			t.Errorf("staff events: %+v", all[events:])
		}
		// Sending again (a double press) makes no second series.
		c.pressData("book:rok")
		if again := seriesOf(t, bs, "u1"); len(again) != len(got) {
			t.Errorf("a second press made %d bookings, want %d", len(again), len(got))
		}
	})
}

func openDaysOf(s *catalogue.Service) map[time.Weekday]bool {
	days := map[time.Weekday]bool{}
	for _, sc := range s.Schedules {
		for _, d := range sc.Days {
			days[d] = true
		}
	}
	return days
}

// A series that would pass the conversation's limit of bookings still to happen is
// refused whole, before anything is stored.
func TestSeriesWithinTheLimit(t *testing.T) {
	s := bookableService(t)
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, bs, _ := bookingHarness(t, store)
		now := monday10(t)
		for i := range bookings.MaxPerConversation - 3 {
			b := bookings.Booking{ID: fmt.Sprintf("0000000000%02x", i), Conversation: "test:u1", Lang: "it", Service: s.ID,
				Start: now.AddDate(0, 1, 0), Quantity: 2, ForWhom: bookings.ForSelf, Municipio: s.Municipi[0],
				Status: bookings.Requested, Created: now, Updated: now}
			if err := bs.Create(context.Background(), b); err != nil {
				t.Fatal(err)
			}
		}
		c := h.citizen(t, "u1")
		toSummary(t, c, s)
		c.pressData("book:rep").pressData("book:rnext").pressData("book:rend:8").pressData("book:rok").
			expect("Non posso inviare", "ne restano solo 3")
		if got := seriesOf(t, bs, "u1"); len(got) != 0 {
			t.Errorf("%d bookings of a refused series stored", len(got))
		}
		// A shorter one fits.
		c.pressData("book:rep").pressData("book:rnext").pressData("book:rend:2").pressData("book:rok").expect("Fatto")
		if got := seriesOf(t, bs, "u1"); len(got) != 2 {
			t.Errorf("%d bookings, want 2", len(got))
		}
	})
}

// Staff confirm the whole series at once: every booking confirmed with its reminders,
// the citizen told once with one calendar file; then the citizen cancels one date
// (its reminders go, the others stay) and then the rest of the series.
func TestSeriesConfirmedThenCancelled(t *testing.T) {
	s := bookableService(t, func(s *catalogue.Service) bool { return !s.Rules.OpenOnHolidays })
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue := bookingHarness(t, store)
		ctx := context.Background()
		c := h.citizen(t, "u1")
		toSummary(t, c, s)
		c.pressData("book:rep").pressData("book:rnext").pressData("book:rend:5").pressData("book:rok").expect("Fatto")
		got := seriesOf(t, bs, "u1")
		if len(got) != 4 {
			t.Fatalf("%d bookings, want 4", len(got))
		}
		list, err := h.engine.SeriesFromStaff(ctx, bot.BookingAction{Kind: bot.BookingConfirm, Booking: got[0].ID, Operator: "Marta"})
		if err != nil || len(list) != 4 {
			t.Fatalf("SeriesFromStaff: %d, %v", len(list), err)
		}
		pushed := box.take("u1")
		if len(pushed) != 1 || pushed[0].Document == nil || bytes.Count(pushed[0].Document.Data, []byte("BEGIN:VEVENT")) != 4 {
			t.Fatalf("the citizen is told once, with one calendar of 4 events: %+v", pushed)
		}
		for _, b := range seriesOf(t, bs, "u1") {
			pending, err := queue.Pending(ctx, b.ID)
			if b.Status != bookings.Confirmed || err != nil || len(pending) == 0 {
				t.Errorf("booking %s: %s, %d reminders, %v", b.ID, b.Status, len(pending), err)
			}
		}
		if _, err := h.engine.SeriesFromStaff(ctx, bot.BookingAction{Kind: bot.BookingPropose, Booking: got[0].ID,
			Proposed: got[0].Start.Add(time.Hour)}); !errors.Is(err, bot.ErrSeriesAction) {
			t.Errorf("a proposal for a series: %v", err)
		}

		c.say("/prenotazioni").expect("🔁")
		c.pressData("book:cancel:" + got[1].ID).expectButtons("Annulla tutta la serie").pressData("book:cancelyes:" + got[1].ID)
		after := seriesOf(t, bs, "u1")
		if after[1].Status != bookings.Cancelled || after[0].Status != bookings.Confirmed || after[2].Status != bookings.Confirmed {
			t.Fatalf("after cancelling one date: %s %s %s", after[0].Status, after[1].Status, after[2].Status)
		}
		if pending, _ := queue.Pending(ctx, got[1].ID); len(pending) != 0 {
			t.Errorf("the cancelled date keeps %d reminders", len(pending))
		}
		c.pressData("book:cancelser:"+got[2].ID).expect("Serie annullata", "3 appuntamenti")
		for _, b := range seriesOf(t, bs, "u1") {
			if b.Status != bookings.Cancelled {
				t.Errorf("booking %s of the cancelled series: %s", b.ID, b.Status)
			}
		}
		if ev := h.lastEvent(t); ev.Kind != bot.EventBookingCancelled || ev.Reason != bot.SeriesCancelled {
			t.Errorf("staff event: %+v", ev)
		}
	})
}

// Staff refuse a series: every date refused, the citizen told once with the reason.
func TestSeriesRefused(t *testing.T) {
	s := bookableService(t)
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1")
		toSummary(t, c, s)
		c.pressData("book:rep").pressData("book:rnext").pressData("book:rend:2").pressData("book:rok")
		got := seriesOf(t, bs, "u1")
		_, err := h.engine.SeriesFromStaff(context.Background(), bot.BookingAction{Kind: bot.BookingRefuse, Booking: got[1].ID,
			Operator: "Marta", Reason: "nessun operatore il martedì"})
		if err != nil {
			t.Fatal(err)
		}
		if pushed := box.take("u1"); len(pushed) != 1 || !bytes.Contains([]byte(pushed[0].Text), []byte("nessun operatore il martedì")) {
			t.Errorf("pushed: %+v", pushed)
		}
		for _, b := range seriesOf(t, bs, "u1") {
			if b.Status != bookings.Refused {
				t.Errorf("booking %s: %s", b.ID, b.Status)
			}
		}
	})
}

// A recurrence typed at the summary, in four languages (words as data), shows the
// series' dates; sending it makes the series.
func TestSeriesTyped(t *testing.T) {
	s := bookableService(t, func(s *catalogue.Service) bool { return !s.Rules.OpenOnHolidays })
	tests := []struct{ lang, say string }{
		{"it", "ogni martedì fino al 15 dicembre"},
		{"en", "every Tuesday until 15 December"},
		{"es", "todos los martes hasta el 15 de diciembre"},
		{"ru", "каждый вторник до 15 декабря"},
	}
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, bs, _ := bookingHarness(t, store)
		for i, tc := range tests {
			user := "t" + itoa(i)
			c := h.citizen(t, user)
			c.lang = tc.lang
			toSummary(t, c, s)
			c.say(tc.say)
			if len(c.buttonsWithData("book:rok")) != 1 {
				t.Fatalf("%s: %q did not give a series to send:\n%s", tc.lang, tc.say, c.transcript())
			}
			c.pressData("book:rok")
			got := seriesOf(t, bs, user)
			// 24/11, 1/12 and 15/12: 8/12 is the Immacolata.
			if len(got) != 3 || got[2].Start.Day() != 15 {
				t.Errorf("%s: %d bookings: %+v", tc.lang, len(got), got)
			}
		}
	})
}

// The series' last day from the calendar; forged or stale series buttons change
// nothing and answer politely.
func TestSeriesCalendarAndBadButtons(t *testing.T) {
	s := bookableService(t, func(s *catalogue.Service) bool { return !s.Rules.OpenOnHolidays })
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, bs, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1")
		c.pressData("book:rok").expect("non è più valido") // no form open
		toSummary(t, c, s)
		c.pressData("book:rwd:1") // no series yet
		c.expect("non è più valido")
		c.pressData("book:rep")
		for _, data := range []string{"book:rwd:9", "book:rwd:-1", "book:rwd:x", "book:rend:99", "book:rend:abc", "book:rday:2026", "book:rday:20261101"} {
			c.pressData(data).expect("non è più valido")
		}
		c.pressData("book:rnext").pressData("book:cal:202612")
		if len(c.buttonsWithData("book:rday:")) == 0 || len(c.buttonsWithData("book:day:")) != 0 {
			t.Fatalf("the calendar does not pick the series' last day:\n%s", c.transcript())
		}
		c.pressData("book:rday:20261215").expect("fino a mar 15/12", "mar 01/12", "l'Immacolata").pressData("book:rok")
		if got := seriesOf(t, bs, "u1"); len(got) != 3 {
			t.Errorf("%d bookings, want 3", len(got))
		}
	})
}

// A recurrence typed at the day question starts the series: the first such weekday
// the rules allow is the first date, and the summary is the series'.
func TestSeriesTypedAtTheDayQuestion(t *testing.T) {
	s := bookableService(t, func(s *catalogue.Service) bool { return !s.Rules.OpenOnHolidays })
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, bs, _ := bookingHarness(t, store)
		for i, tc := range []struct{ lang, say string }{
			{"it", "ogni martedì fino al 15 dicembre"},
			{"en", "every Tuesday until December 15"},
		} {
			user := "d" + itoa(i)
			c := h.citizen(t, user)
			c.lang = tc.lang
			c.pressData("book:new:" + s.ID).say(tc.say)
			if len(c.buttonsWithData("book:qty:")) == 0 {
				t.Fatalf("%s: the day was not taken:\n%s", tc.lang, c.transcript())
			}
			c.pressData("book:qty:2").pressData("book:slot:600")
			if len(c.buttonsWithData("book:sh:")) > 0 {
				c.pressData("book:sh:0")
			}
			c.pressData("book:who:" + bookings.ForSelf)
			if len(c.buttonsWithData("book:mun:")) > 0 {
				c.pressData("book:mun:" + itoa(s.Municipi[0]))
			}
			c.pressData("book:skip")
			if len(c.buttonsWithData("book:rok")) != 1 {
				t.Fatalf("%s: no series summary:\n%s", tc.lang, c.transcript())
			}
			c.pressData("book:rok")
			if got := seriesOf(t, bs, user); len(got) != 3 || got[0].Start.Day() != 24 {
				t.Errorf("%s: %d bookings: %+v", tc.lang, len(got), got)
			}
		}
	})
}
