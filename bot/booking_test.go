package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/records"
	"github.com/comune-milano/wemibot/reminders"
)

// bookingHarness is the handoff harness with bookings and reminders in the same
// store.
func bookingHarness(t *testing.T, store bot.Store, tweak ...func(*bot.Options)) (*harness, *inbox, *bookings.Store, reminders.Queue) {
	t.Helper()
	recs, ok := store.(records.Records)
	queue, ok2 := store.(reminders.Queue)
	if !ok || !ok2 {
		t.Fatalf("%T keeps no bookings or reminders", store)
	}
	bs := bookings.NewStore(recs, 90*24*time.Hour)
	box := &inbox{}
	h := newHarness(t, store, append([]func(*bot.Options){func(o *bot.Options) {
		o.Pushers = map[string]bot.Pusher{"test": box}
		o.Bookings, o.Reminders = bs, queue
	}}, tweak...)...)
	return h, box, bs, queue
}

// staffConfirms confirms booking id as staff do.
func staffConfirms(t *testing.T, h *harness, id string) {
	t.Helper()
	if _, err := h.engine.BookingFromStaff(context.Background(), bot.BookingAction{Kind: bot.BookingConfirm, Booking: id}); err != nil {
		t.Fatal(err)
	}
}

// sendFollowup sends the follow-up of booking id (its last reminder) when it is due,
// and returns it with what reached citizen u1.
func sendFollowup(t *testing.T, h *harness, box *inbox, queue reminders.Queue, id string) (reminders.Reminder, []bot.Reply) {
	t.Helper()
	pending, err := queue.Pending(context.Background(), id)
	if err != nil || len(pending) == 0 || pending[len(pending)-1].Kind != reminders.Followup {
		t.Fatalf("the reminders of %s: %+v, %v; want the follow-up last", id, pending, err)
	}
	followup := pending[len(pending)-1]
	h.clock.Set(followup.Due)
	if err := h.engine.Send(context.Background(), followup); err != nil {
		t.Fatal(err)
	}
	return followup, box.take("u1")
}

// bookableService is an hourly service, one-to-one, open on Tuesdays, in several
// Municipi, whose booking rules allow 2 hours on Tuesday 24 November at 10:00 when
// asked on Monday at 10:00: what the scripted booking below needs.
// Also are further conditions a test needs.
func bookableService(t testing.TB, also ...func(*catalogue.Service) bool) *catalogue.Service {
	t.Helper()
	tuesday10 := monday10(t).AddDate(0, 0, 1)
next:
	for _, s := range testIndex(t).Catalogue().Services {
		if !slices.ContainsFunc(bookings.Bookable(s, tuesday10, 2, monday10(t), tuesday10.Location()), tuesday10.Equal) {
			continue // the form would not offer 10:00 for 2 hours
		}
		for _, ok := range also {
			if !ok(s) {
				continue next
			}
		}
		if s.Cost.Unit == "ora" && s.Cost.Individual > 0 && s.Delivery.Individual && len(s.Municipi) > 1 && s.Organization != nil {
			for _, sc := range s.Schedules {
				for _, d := range sc.Days {
					if d == time.Tuesday && sc.OpensAt <= 9*60 && sc.ClosesAt >= 13*60 {
						return s
					}
				}
			}
		}
	}
	t.Fatal("no bookable service in the bundled catalogue")
	return nil
}

// book runs the whole booking of s for Tuesday 24 November 2026 at 10:00, 2 hours, and
// returns the booking's id from the staff event.
func book(t *testing.T, h *harness, c *convo, s *catalogue.Service) string {
	t.Helper()
	c.pressData("book:new:"+s.ID).expect("Prenotiamo", "Per quale giorno?").expectButtons("Calendario")
	c.pressData("book:day:20261124").expect("Per quante ore")
	c.pressData("book:qty:2").expect("A che ora", "mar 24/11").expectButtons("10:00")
	c.press("10:00")
	if c.findButton("In gruppo") != nil {
		c.press("Individuale")
	}
	c.expect("Per chi è il servizio?").press("Per un familiare")
	if c.findButton("Nessuna nota") == nil {
		c.expect("In quale Municipio?").pressData("book:mun:" + itoa(s.Municipi[1]))
	}
	c.expect("nota").say("Citofono al secondo piano").
		expect("Riepilogo", s.Name, "mar 24/11 alle 10:00", "2 ore", "Per un familiare", "Citofono al secondo piano", "circa")
	c.press("Invia la richiesta").expect("Richiesta inoltrata")
	ev := h.lastEvent(t)
	if ev.Kind != bot.EventBookingRequested || ev.Booking == "" {
		t.Fatalf("booking event: %+v", ev)
	}
	return ev.Booking
}

func itoa(n int) string { return string(rune('0' + n)) }

// A booking from the card to a confirmation with a calendar file and reminders, then
// a cancellation that tells staff and removes the reminders.
func TestBookingConfirmedThenCancelled(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue := bookingHarness(t, store)
		ctx := context.Background()
		s := bookableService(t)
		c := h.citizen(t, "u1").pressData("svc:" + s.ID).expectButtons("Prenota")
		id := book(t, h, c, s)
		b, err := bs.Get(ctx, id)
		if err != nil || b.Status != bookings.Requested || b.Quantity != 2 || b.ForWhom != bookings.ForRelative || b.Note != "Citofono al secondo piano" {
			t.Fatalf("stored booking: %+v %v", b, err)
		}
		if _, err := h.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingConfirm, Booking: id, Operator: "Giulia Bianchi"}); err != nil {
			t.Fatal(err)
		}
		got := box.take("u1")
		if len(got) != 1 || got[0].Document == nil || !strings.Contains(string(got[0].Document.Data), "BEGIN:VCALENDAR") ||
			!strings.Contains(got[0].Text, "Prenotazione confermata") {
			t.Fatalf("confirmation: %+v", got)
		}
		pending, err := queue.Pending(ctx, id)
		if err != nil || len(pending) != 3 {
			t.Fatalf("reminders after the confirmation: %d %v", len(pending), err)
		}
		// The day-before reminder reads from the booking as it is.
		if err := h.engine.Send(ctx, pending[0]); err != nil {
			t.Fatal(err)
		}
		if r := replyText(box.take("u1")); !strings.Contains(r, "Promemoria") || !strings.Contains(r, "mar 24/11 alle 10:00") {
			t.Errorf("reminder: %q", r)
		}

		c.say("/prenotazioni").expect("Le tue prenotazioni", "confermata").press("Annulla la 1").
			expect("Vuoi annullare").press("Sì, annulla").expect("Prenotazione annullata")
		if ev := h.lastEvent(t); ev.Kind != bot.EventBookingCancelled || ev.Booking != id {
			t.Errorf("cancel event: %+v", ev)
		}
		if pending, _ := queue.Pending(ctx, id); len(pending) != 0 {
			t.Errorf("%d reminders left after the cancellation", len(pending))
		}
		// A reminder claimed before the cancel says nothing.
		if err := h.engine.Send(ctx, reminders.Reminder{ID: id + ":x", Booking: id, Conversation: "test:u1", Kind: reminders.Before, Start: b.Start}); err != nil {
			t.Fatal(err)
		}
		if got := box.take("u1"); len(got) != 0 {
			t.Errorf("a cancelled booking was reminded: %v", got)
		}
		// Staff confirming it now learn it cannot be.
		if _, err := h.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingConfirm, Booking: id}); !errors.Is(err, bookings.ErrTransition) {
			t.Errorf("confirming a cancelled booking: %v", err)
		}
	})
}

// Refused with a reason; another time proposed and accepted.
func TestBookingRefusedAndRescheduled(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue := bookingHarness(t, store)
		ctx := context.Background()
		s := bookableService(t)
		c := h.citizen(t, "u1").pressData("svc:" + s.ID)
		first := book(t, h, c, s)
		if _, err := h.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingRefuse, Booking: first, Operator: "Sara"}); !errors.Is(err, bookings.ErrReasonRequired) {
			t.Errorf("refused without a reason: %v", err)
		}
		if _, err := h.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingRefuse, Booking: first, Operator: "Sara", Reason: "Nessun educatore libero quel giorno"}); err != nil {
			t.Fatal(err)
		}
		if r := replyText(box.take("u1")); !strings.Contains(r, "non è stata accettata") || !strings.Contains(r, "Nessun educatore libero") {
			t.Errorf("refusal: %q", r)
		}

		c.pressData("svc:" + s.ID)
		second := book(t, h, c, s)
		rome, _ := time.LoadLocation("Europe/Rome")
		later := time.Date(2026, 11, 26, 15, 0, 0, 0, rome)
		if _, err := h.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingPropose, Booking: second, Proposed: monday10(t).Add(-time.Hour)}); !errors.Is(err, bot.ErrProposalPast) {
			t.Errorf("a proposal in the past: %v", err)
		}
		if _, err := h.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingPropose, Booking: second, Proposed: later, Operator: "Sara"}); err != nil {
			t.Fatal(err)
		}
		proposal := box.take("u1")
		if r := replyText(proposal); !strings.Contains(r, "propone") || !strings.Contains(r, "gio 26/11 alle 15:00") {
			t.Fatalf("proposal: %q", r)
		}
		c.replies = proposal
		c.press("Sì, va bene").expect("Prenotazione confermata", "gio 26/11 alle 15:00")
		if c.replies[0].Document == nil {
			t.Error("no calendar file with the accepted proposal")
		}
		b, _ := bs.Get(ctx, second)
		if b.Status != bookings.Confirmed || !b.Start.Equal(later) || !b.Proposed.IsZero() {
			t.Errorf("after accepting: %+v", b)
		}
		if pending, _ := queue.Pending(ctx, second); len(pending) == 0 || !pending[len(pending)-1].Start.Equal(later) {
			t.Errorf("reminders of the new time: %+v", pending)
		}
		if ev := h.lastEvent(t); ev.Kind != bot.EventBookingAnswered || ev.Score != 1 {
			t.Errorf("answer event: %+v", ev)
		}
		// The same button again: nothing left to accept.
		c.pressData("book:accept:" + second).expect("Non c'è più una proposta")
	})
}

// Days that cannot be booked get a reason and a way forward; typed days are understood.
func TestBookingDays(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _, _ := bookingHarness(t, store)
		s := bookableService(t)
		c := h.citizen(t, "u1").pressData("book:new:" + s.ID)
		c.pressData("book:day:20261120").expect("già passato").expectButtons("Calendario")
		c.pressData("book:day:20270601").expect(fmt.Sprintf("al massimo %d giorni", int(s.Rules.Ahead()/(24*time.Hour))))
		c.say("xyzzy").expect("Non ho capito il giorno")
		c.pressData("book:cal:202612").expect("dicembre 2026").expectButtons("◀ novembre")
		c.say("martedì alle 10").expect("Per quante ore")
		c.pressData("book:qty:2").expect("Per chi è il servizio?") // the 10:00 typed is kept
		c.pressData("book:x").expect("non ho prenotato nulla")
		// A day the service does not run says when it does.
		open := map[time.Weekday]bool{}
		for _, sc := range s.Schedules {
			for _, d := range sc.Days {
				open[d] = true
			}
		}
		names := []string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"}
		for d := time.Sunday; d <= time.Saturday; d++ {
			if !open[d] {
				c.pressData("book:new:" + s.ID).say(names[d]).expect("il servizio non è attivo")
				break
			}
		}
		// A foreign or malformed booking button reaches nothing.
		c.pressData("book:cancel:0123456789ab").expect("non è più valido")
		c.pressData("book:cancel:../../x").expect("non è più valido")
	})
}

// Erasure takes the citizen's bookings and their reminders too; staff learn the
// active ones are cancelled.
func TestForgetErasesBookings(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, bs, queue := bookingHarness(t, store)
		ctx := context.Background()
		s := bookableService(t)
		c := h.citizen(t, "u1").pressData("svc:" + s.ID)
		id := book(t, h, c, s)
		staffConfirms(t, h, id)
		c.say("/dimenticami").press("Sì, cancella tutto").expect("ho cancellato")
		if _, err := bs.Get(ctx, id); !errors.Is(err, bookings.ErrNotFound) {
			t.Errorf("the booking survived the erasure: %v", err)
		}
		if p, _ := queue.Pending(ctx, id); len(p) != 0 {
			t.Errorf("%d reminders survived the erasure", len(p))
		}
		if ev := h.lastEvent(t); ev.Kind != bot.EventBookingCancelled || ev.Reason != "forgotten" || ev.FirstName != "" {
			t.Errorf("staff event: %+v", ev)
		}
	})
}

// On the Sundays the clocks change, ten o'clock is ten o'clock: in the summary, the
// stored booking and its calendar file.
func TestBookingOnDaylightSavingSundays(t *testing.T) {
	var s *catalogue.Service
	for _, x := range testIndex(t).Catalogue().Services {
		for _, sc := range x.Schedules {
			if slices.Contains(sc.Days, time.Sunday) && sc.OpensAt <= 10*60 && sc.ClosesAt >= 12*60 && x.Organization != nil {
				s = x
			}
		}
	}
	if s == nil {
		t.Fatal("no service open on Sunday mornings in the bundled catalogue")
	}
	rome, _ := time.LoadLocation("Europe/Rome")
	for _, day := range []time.Time{time.Date(2027, 3, 28, 0, 0, 0, 0, rome), time.Date(2026, 10, 25, 0, 0, 0, 0, rome)} {
		t.Run(day.Format("2006-01-02"), func(t *testing.T) {
			h, _, bs, _ := bookingHarness(t, stores()[0].open(t))
			h.clock.Set(day.AddDate(0, 0, -3).Add(10 * time.Hour))
			c := h.citizen(t, "u1").pressData("book:new:" + s.ID)
			c.pressData("book:day:" + day.Format("20060102"))
			c.pressData("book:qty:1")
			want := ""
			for _, b := range c.buttonsWithData("book:slot:") {
				if m, _ := strconv.Atoi(strings.TrimPrefix(b.Data, "book:slot:")); m >= 600 {
					want = b.Label
					c.pressData(b.Data)
					break
				}
			}
			if want == "" {
				t.Fatalf("no slot from 10:00:\n%s", c.transcript())
			}
			for c.findButton("Invia la richiesta") == nil {
				switch {
				case c.findButton("Individuale") != nil:
					c.press("Individuale")
				case c.findButton("Per me") != nil:
					c.press("Per me")
				case c.findButton("Nessuna nota") != nil:
					c.press("Nessuna nota")
				case len(c.buttonsWithData("book:mun:")) > 0:
					c.pressData(c.buttonsWithData("book:mun:")[0].Data)
				default:
					t.Fatalf("stuck:\n%s", c.transcript())
				}
			}
			c.expect("dom " + day.Format("02/01") + " alle " + want).press("Invia la richiesta")
			b, err := bs.Get(context.Background(), h.lastEvent(t).Booking)
			if err != nil {
				t.Fatal(err)
			}
			if at := b.Start.In(rome); at.Format("15:04") != want || at.Day() != day.Day() {
				t.Errorf("stored start %v, want %s on %v", at, want, day.Format("02/01"))
			}
		})
	}
}

// A bare hour at the time question, a Municipio the service does not reach, and
// "niente" as the note.
func TestBookingTypedTimeAndZone(t *testing.T) {
	var s *catalogue.Service
	tuesday := monday10(t).AddDate(0, 0, 1)
	for _, x := range testIndex(t).Catalogue().Services {
		if lo, _ := bookings.Quantities(x); lo > 1 || len(bookings.Bookable(x, tuesday, 1, monday10(t), tuesday.Location())) == 0 {
			continue // the rules do not allow 1 hour that Tuesday
		}
		if x.Cost.Unit == "ora" && len(x.Municipi) > 1 && len(x.Municipi) < 9 && x.Organization != nil {
			for _, sc := range x.Schedules {
				if slices.Contains(sc.Days, time.Tuesday) {
					s = x
				}
			}
		}
	}
	if s == nil {
		t.Fatal("no hourly service in some Municipi only, open on Tuesdays")
	}
	missing := 0
	for m := 1; m <= 9 && missing == 0; m++ {
		if !s.Serves(m) {
			missing = m
		}
	}
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1").pressData("book:new:" + s.ID).pressData("book:day:20261124").pressData("book:qty:1")
		c.say("23").expect("Alle 23:00 il servizio non può iniziare", "orari possibili")
		slot := c.buttonsWithData("book:slot:")[0]
		c.pressData(slot.Data)
		for c.findButton("Individuale") != nil {
			c.press("Individuale")
		}
		c.expect("Per chi è il servizio?").press("Per me").expect("In quale Municipio?")
		c.say("Municipio " + itoa(missing)).expect("non arriva nel Municipio " + itoa(missing)).expect("In quale Municipio?")
		c.pressData("book:mun:"+itoa(s.Municipi[0])).expect("nota").say("niente").expect("Riepilogo", "Nota: nessuna")
	})
}
