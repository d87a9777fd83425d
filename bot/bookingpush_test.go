package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
)

// After the service the follow-up concludes the booking and asks for a rating, which
// is kept with it.
func TestFollowupConcludesAndRates(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue := bookingHarness(t, store)
		ctx := context.Background()
		s := bookableService(t)
		c := h.citizen(t, "u1").pressData("svc:" + s.ID)
		id := book(t, h, c, s)
		// Rating before the service took place is refused.
		c.pressData("book:rate:" + id + ".5").expect("non è più valido")
		staffConfirms(t, h, id)
		box.take("u1")
		_, asked := sendFollowup(t, h, box, queue, id)
		if r := replyText(asked); !strings.Contains(r, "Com'è andato") {
			t.Fatalf("follow-up: %q", r)
		}
		c.replies = asked
		c.press("⭐ 4").expect("Grazie del tuo giudizio")
		b, _ := bs.Get(ctx, id)
		if b.Status != bookings.Done || b.Rating != 4 {
			t.Errorf("after the follow-up: %s, rated %d", b.Status, b.Rating)
		}
		if ev := h.lastEvent(t); ev.Kind != bot.EventBookingRated || ev.Score != 4 {
			t.Errorf("rating event: %+v", ev)
		}
	})
}

// The periodic repair: reminders lost are planned again, a request whose card never
// made it is raised again, a booking long over is concluded.
func TestReconcile(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, bs, queue := bookingHarness(t, store)
		ctx := context.Background()
		s := bookableService(t)
		c := h.citizen(t, "u1").pressData("svc:" + s.ID)
		confirmed := book(t, h, c, s)
		staffConfirms(t, h, confirmed)
		c.pressData("svc:" + s.ID)
		requested := book(t, h, c, s) // its card never made it: no desk recorded one
		if err := queue.CancelBooking(ctx, confirmed); err != nil {
			t.Fatal(err)
		}
		h.clock.Set(monday10(t).Add(5 * time.Minute))
		events := len(h.staff.all())
		done, err := h.engine.Reconcile(ctx)
		if err != nil || done.Replanned != 1 || done.Reposted != 1 {
			t.Fatalf("Reconcile = %+v, %v", done, err)
		}
		if p, _ := queue.Pending(ctx, confirmed); len(p) == 0 {
			t.Error("no reminders planned again")
		}
		if ev := h.staff.all()[events:]; len(ev) != 1 || ev[0].Kind != bot.EventBookingRequested || ev[0].Booking != requested {
			t.Errorf("raised again: %+v", ev)
		}
		// A week later the confirmed one is over and concluded.
		h.clock.Set(monday10(t).Add(7 * 24 * time.Hour))
		if done, err := h.engine.Reconcile(ctx); err != nil || done.Concluded != 1 {
			t.Errorf("Reconcile a week on = %+v, %v", done, err)
		}
		if b, _ := bs.Get(ctx, confirmed); b.Status != bookings.Done {
			t.Errorf("status %s", b.Status)
		}
	})
}

// A digit typed right after the rating question is the rating; elsewhere a digit is
// what it is there (a Municipio), and a bare yes is not taken as an answer to a
// question nobody asked.
func TestTypedRatingOnlyWhenAsked(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, _ := handoffHarness(t, store)
		ctx := context.Background()
		c := h.citizen(t, "u1").say("/operatore")
		open := h.lastEvent(t)
		if err := h.engine.FromStaff(ctx, bot.StaffAction{Kind: bot.StaffClose, Conversation: open.Conversation,
			Handoff: open.Handoff, Operator: "Sara"}); err != nil {
			t.Fatal(err)
		}
		box.take("u1")
		c.say("4").expect("Grazie del tuo giudizio")
		if ev := h.lastEvent(t); ev.Kind != bot.EventRating || ev.Score != 4 {
			t.Errorf("rating: %+v", ev)
		}
		c.say("psicologo").press("Zona").say("3").expect("Municipio 3")
		h.citizen(t, "u2").say("ok").expect("Va bene").expectNot("Ho trovato")
		h.citizen(t, "u3").say("sì va bene").expectNot("Ho trovato")
	})
}

// The follow-up's rating and a proposed time, asked by a push, can be answered by
// typing, as long as the push is the last thing the citizen heard: a digit rates the
// service just concluded, a yes or a no answers the proposal. Once the citizen has
// written something else, or with two questions open, a yes or a digit is not taken
// as an answer.
func TestTypedAnswersToPushes(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		// Three bookings take more presses than the flood limit allows in 30 s.
		h, box, bs, queue := bookingHarness(t, store, func(o *bot.Options) { o.RateLimit = 1000 })
		ctx := context.Background()
		later := func(d time.Duration) { h.clock.Set(h.clock.Now().Add(d)) }
		propose := func(id string, at time.Time) {
			t.Helper()
			later(time.Minute)
			if _, err := h.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingPropose, Booking: id, Proposed: at, Operator: "Sara"}); err != nil {
				t.Fatal(err)
			}
			box.take("u1")
			later(time.Minute)
		}
		status := func(id string) bookings.Booking {
			t.Helper()
			b, err := bs.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		s := bookableService(t)
		c := h.citizen(t, "u1").pressData("svc:" + s.ID)
		first := book(t, h, c, s)
		second := book(t, h, c.pressData("svc:"+s.ID), s)
		third := book(t, h, c.pressData("svc:"+s.ID), s)
		fourth := book(t, h, c.pressData("svc:"+s.ID), s)
		rome, _ := time.LoadLocation("Europe/Rome")
		at15 := time.Date(2026, 11, 26, 15, 0, 0, 0, rome)

		propose(second, at15)
		c.say("sì").expect("Prenotazione confermata", "gio 26/11 alle 15:00")
		if b := status(second); b.Status != bookings.Confirmed || !b.Start.Equal(at15) {
			t.Errorf("after a typed yes: %+v", b)
		}
		c.say("sì").expect("Va bene") // nothing asked now

		// A proposal, then the citizen asks to cancel another booking: their "sì"
		// answers the cancellation's question, not the proposal.
		propose(third, at15)
		c.pressData("book:cancel:" + first).expect("Vuoi annullare")
		c.say("sì").expect("Prenotazione annullata").expectNot("Prenotazione confermata")
		if b := status(third); b.Status != bookings.Requested || b.Proposed.IsZero() {
			t.Errorf("a yes to another question answered the proposal: %+v", b)
		}
		if b := status(first); b.Status != bookings.Cancelled {
			t.Errorf("a typed yes to the cancellation's question left the booking %s", b.Status)
		}
		// Proposed again, then a typed no declines it.
		propose(third, at15.Add(time.Hour))
		c.say("no").expect("il nuovo orario non ti va")
		if b := status(third); b.Status != bookings.Requested || !b.Proposed.IsZero() {
			t.Errorf("after a typed no: %+v", b)
		}
		// Two proposals waiting: a yes cannot tell which.
		propose(fourth, at15)
		propose(third, at15)
		c.say("sì").expect("Va bene")
		if status(fourth).Status != bookings.Requested || status(third).Status != bookings.Requested {
			t.Error("a yes with two proposals waiting answered one")
		}

		// The follow-up after the confirmed service asks for a rating: a digit gives it.
		sendFollowup(t, h, box, queue, second)
		later(time.Minute)
		c.say("4").expect("Grazie! Hai dato 4/5 a «" + s.Name + "»")
		if b := status(second); b.Status != bookings.Done || b.Rating != 4 {
			t.Errorf("after a typed 4: %s, rated %d", b.Status, b.Rating)
		}
		if ev := h.lastEvent(t); ev.Kind != bot.EventBookingRated || ev.Score != 4 || ev.Booking != second {
			t.Errorf("rating event: %+v", ev)
		}
		c.say("5").expectNot("Hai dato") // rated already
		if b := status(second); b.Rating != 4 {
			t.Errorf("rated again: %d", b.Rating)
		}
	})
}

// A digit typed after the citizen wrote something else is not a rating of the service
// concluded before.
func TestDigitAfterOtherWordsIsNoRating(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue := bookingHarness(t, store)
		ctx := context.Background()
		s := bookableService(t)
		c := h.citizen(t, "u1").pressData("svc:" + s.ID)
		id := book(t, h, c, s)
		staffConfirms(t, h, id)
		box.take("u1")
		followup, _ := sendFollowup(t, h, box, queue, id)
		h.clock.Set(followup.Due.Add(time.Minute))
		c.say("psicologo")
		h.clock.Set(followup.Due.Add(2 * time.Minute))
		c.say("3").expectNot("Hai dato")
		if b, _ := bs.Get(ctx, id); b.Rating != 0 {
			t.Errorf("a digit after other words rated the service %d", b.Rating)
		}
	})
}
