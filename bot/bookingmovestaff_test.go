package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// askMove books and confirms a booking, then asks to move it to Thursday 26
// November at 10:00 as the citizen does; it returns the booking's id.
func askMove(t *testing.T, h *harness, box *inbox, c *convo, s *catalogue.Service) string {
	t.Helper()
	id := book(t, h, c, s)
	staffConfirms(t, h, id)
	box.take("u1")
	c.say("/prenotazioni").press("Sposta la 1").pressData("book:day:20261126").pressData("book:slot:600").
		press("Sì, sposta").expect("già confermata")
	return id
}

// Staff accept a confirmed booking's move: the start changes (with a history entry),
// the reminders follow the new time, the citizen gets the new calendar file.
func TestMoveOfConfirmedBookingAccepted(t *testing.T) {
	s := bookableService(t, func(s *catalogue.Service) bool { return !s.Rules.OpenOnHolidays })
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue := bookingHarness(t, store)
		ctx := context.Background()
		c := h.citizen(t, "u1").pressData("svc:" + s.ID)
		id := askMove(t, h, box, c, s)
		before, _ := queue.Pending(ctx, id)
		b, err := h.engine.MoveFromStaff(ctx, bot.MoveAction{Booking: id, Operator: "Marta", Accept: true})
		want := time.Date(2026, 11, 26, 10, 0, 0, 0, monday10(t).Location())
		if err != nil || !b.Start.Equal(want) || !b.MoveTo.IsZero() || b.Status != bookings.Confirmed ||
			!strings.Contains(b.History[len(b.History)-1].Reason, "spostata da 2026-11-24 10:00") {
			t.Fatalf("moved: %+v, %v", b, err)
		}
		pushed := box.take("u1")
		if len(pushed) != 1 || pushed[0].Document == nil || !strings.Contains(pushed[0].Text, "gio 26/11") ||
			!strings.Contains(string(pushed[0].Document.Data), "DTSTART;TZID=Europe/Rome:20261126T100000") {
			t.Fatalf("the citizen's message: %+v", pushed)
		}
		after, err := queue.Pending(ctx, id)
		if err != nil || len(after) == 0 || len(after) != len(before) {
			t.Fatalf("reminders: before %d, after %d, %v", len(before), len(after), err)
		}
		// Each reminder follows the service two days later: none is left at the old time.
		for i, r := range after {
			if !r.Due.Equal(before[i].Due.Add(48 * time.Hour)) {
				t.Errorf("reminder %s due %v, was %v: want two days later", r.ID, r.Due, before[i].Due)
			}
		}
		// A second answer finds nothing to answer.
		if _, err := h.engine.MoveFromStaff(ctx, bot.MoveAction{Booking: id, Accept: false}); !errors.Is(err, bot.ErrNoMoveRequest) {
			t.Errorf("a second answer: %v", err)
		}
		if got, _ := bs.Get(ctx, id); !got.Start.Equal(want) {
			t.Errorf("after a second answer: %v", got.Start)
		}
	})
}

// Staff refuse a move: the booking stays as it was and the citizen is told.
func TestMoveOfConfirmedBookingRefused(t *testing.T) {
	s := bookableService(t, func(s *catalogue.Service) bool { return !s.Rules.OpenOnHolidays })
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, queue := bookingHarness(t, store)
		ctx := context.Background()
		c := h.citizen(t, "u1").pressData("svc:" + s.ID)
		id := askMove(t, h, box, c, s)
		before, _ := queue.Pending(ctx, id)
		if _, err := h.engine.MoveFromStaff(ctx, bot.MoveAction{Booking: id, Operator: "Marta"}); err != nil {
			t.Fatal(err)
		}
		b, _ := bs.Get(ctx, id)
		if b.Start.Day() != 24 || !b.MoveTo.IsZero() || b.Status != bookings.Confirmed {
			t.Fatalf("refused move changed the booking: %+v", b)
		}
		if pushed := box.take("u1"); len(pushed) != 1 || !strings.Contains(pushed[0].Text, "resta valida") {
			t.Fatalf("the citizen's message: %+v", pushed)
		}
		if after, _ := queue.Pending(ctx, id); len(after) != len(before) || len(after) > 0 && !after[0].Due.Equal(before[0].Due) {
			t.Errorf("reminders changed: %+v -> %+v", before, after)
		}
		// A move request on a booking with none, or a forged id, changes nothing.
		if _, err := h.engine.MoveFromStaff(ctx, bot.MoveAction{Booking: id, Accept: true}); !errors.Is(err, bot.ErrNoMoveRequest) {
			t.Errorf("no request: %v", err)
		}
		if _, err := h.engine.MoveFromStaff(ctx, bot.MoveAction{Booking: "../x", Accept: true}); !errors.Is(err, bookings.ErrNotFound) {
			t.Errorf("forged id: %v", err)
		}
	})
}
