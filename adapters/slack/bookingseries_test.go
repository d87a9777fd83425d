package slack_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
)

// bookSeries is Maria booking two hours of babysitting every Saturday for four weeks
// from 7 March at 10:30. It returns the series' card and its bookings, by start, once
// each names the card.
func (e *env) bookSeries(ctx context.Context) (slacktest.Post, []bookings.Booking) {
	e.t.Helper()
	before := len(e.srv.Posts(operators))
	for _, data := range []string{"book:new:" + babysitting, "book:day:20260307", "book:qty:2", "book:slot:630",
		"book:sh:0", "book:who:self", "book:mun:3", "book:skip", "book:rep", "book:rnext", "book:rend:4"} {
		e.send(bot.Message{Button: data})
	}
	if got := texts(e.send(bot.Message{Button: "book:rok"})); !strings.Contains(got, "Fatto") {
		e.t.Fatalf("the series answered %q", got)
	}
	card := e.waitPost(ctx, before+1)
	var list []bookings.Booking
	err := poll(ctx, func() bool {
		all, err := e.bookings.ByConversation(ctx, "telegram:42")
		if err != nil || len(all) == 0 {
			return false
		}
		list = all
		return !slices.ContainsFunc(all, func(b bookings.Booking) bool { return b.Card != operators+"/"+card.TS })
	})
	if err != nil {
		e.t.Fatalf("the series' bookings do not name its card %s: %+v", card.TS, list)
	}
	slices.SortFunc(list, func(a, b bookings.Booking) int { return a.Start.Compare(b.Start) })
	return card, list
}

// A series is ONE card ("ogni sab, dal 7/3 al 28/3", the count, the dates) with
// Conferma and Rifiuta only; Conferma confirms every date, the citizen is told once
// with one calendar file; a date the citizen cancels is noted in the thread.
func TestSeriesCardAndConfirm(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, list := e.bookSeries(ctx)
	if len(list) != 4 {
		t.Fatalf("%d bookings, want 4", len(list))
	}
	text := card.VisibleText()
	for _, want := range []string{"ogni settimana", "*Quando*\nogni sab, dal 7/3 al 28/3 alle 10:30, 4 appuntamenti",
		"sab 07/03 10:30, sab 14/03 10:30, sab 21/03 10:30, sab 28/03 10:30", "*Quantità*\n2 ore"} {
		if !strings.Contains(text, want) {
			t.Errorf("the series card does not show %q:\n%s", want, text)
		}
	}
	if got := card.ActionIDs(); !slices.Equal(got, []string{"wemi.booking.confirm", "wemi.booking.refuse"}) {
		t.Errorf("buttons %v", got)
	}
	if posts := e.srv.Posts(operators); len(posts) != 1 {
		t.Errorf("%d posts for one series", len(posts))
	}

	e.pressCard(ctx, giulia.ID, card, "confirm", list[0].ID)
	e.waitCard(ctx, card.TS, "✅ Confermata da Giulia")
	got := e.inbox.wait(ctx, t, 1)
	if doc := got[0].Document; doc == nil || strings.Count(string(doc.Data), "BEGIN:VEVENT") != 4 || !strings.Contains(got[0].Text, "4 appuntamenti") {
		t.Errorf("the citizen received %+v", got[0])
	}
	for _, b := range list {
		if s := e.status(ctx, b.ID); s != bookings.Confirmed {
			t.Errorf("booking %s: %s", b.ID, s)
		}
	}

	ask := e.send(bot.Message{Button: "book:cancel:" + list[1].ID})
	e.send(bot.Message{Button: buttonData(t, ask, "book:cancelyes:"+list[1].ID)})
	e.waitThread(ctx, card.TS, "annullato l'appuntamento di sab 14/03 10:30")
	if s := e.status(ctx, list[2].ID); s != bookings.Confirmed {
		t.Errorf("another date: %s", s)
	}
}

// moveConfirmed books and confirms Maria's booking, then moves it as she does to
// Saturday 14 March; it returns the card and the move request in its thread.
func (e *env) moveConfirmed(ctx context.Context) (slacktest.Post, slacktest.Post, bookings.Booking) {
	e.t.Helper()
	card, b := e.book(ctx, "")
	e.pressCard(ctx, giulia.ID, card, "confirm", b.ID)
	e.waitCard(ctx, card.TS, "✅ Confermata da Giulia")
	e.inbox.wait(ctx, e.t, 1)
	for _, data := range []string{"book:move:" + b.ID, "book:day:20260314", "book:slot:630"} {
		e.send(bot.Message{Button: data})
	}
	if got := texts(e.send(bot.Message{Button: "book:moveok"})); !strings.Contains(got, "già confermata") {
		e.t.Fatalf("the move answered %q", got)
	}
	e.waitThread(ctx, card.TS, "chiede di spostare")
	thread := e.srv.Thread(operators, card.TS)
	var req slacktest.Post
	for _, p := range thread[1:] {
		if slices.Contains(p.ActionIDs(), "wemi.bookingmove.accept") {
			req = p
		}
	}
	if req.TS == "" {
		e.t.Fatalf("no move request with buttons in the thread: %+v", thread)
	}
	return card, req, b
}

// Accepting a move in the card's thread moves the booking; the citizen gets the new
// calendar file; the request and the card say so.
func TestMoveRequestAccepted(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, req, b := e.moveConfirmed(ctx)
	if !strings.Contains(req.VisibleText(), "da sab 07/03 10:30 a sab 14/03 10:30") {
		t.Errorf("move request: %s", req.VisibleText())
	}
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(giulia.ID, operators, req.TS, "wemi.bookingmove.accept", b.ID)))
	got := e.inbox.wait(ctx, t, 2)[1] // after the confirmation
	if doc := got.Document; doc == nil || !strings.Contains(string(doc.Data), "20260314T103000") || !strings.Contains(got.Text, "sab 14/03") {
		t.Errorf("the citizen received %+v", got)
	}
	after, err := e.bookings.Get(ctx, b.ID)
	if err != nil || after.Start.Day() != 14 || !after.MoveTo.IsZero() || after.Status != bookings.Confirmed {
		t.Errorf("booking after the move: %+v %v", after, err)
	}
	err = e.srv.WaitFor(ctx, func() bool {
		m, _ := e.srv.Message(operators, req.TS)
		return strings.Contains(m.VisibleText(), "Spostamento accettato da Giulia") && len(m.ActionIDs()) == 0
	})
	if err != nil {
		m, _ := e.srv.Message(operators, req.TS)
		t.Errorf("the move request after Accept: %s %v", m.VisibleText(), m.ActionIDs())
	}
	e.waitCard(ctx, card.TS, "sab 14/03 10:30")
}

// Refusing a move leaves the booking as it was and tells the citizen; a second press
// finds nothing to answer.
func TestMoveRequestRefused(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	_, req, b := e.moveConfirmed(ctx)
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(giulia.ID, operators, req.TS, "wemi.bookingmove.refuse", b.ID)))
	if got := e.inbox.wait(ctx, t, 2)[1]; !strings.Contains(got.Text, "resta valida") {
		t.Errorf("the citizen received %+v", got)
	}
	if after, err := e.bookings.Get(ctx, b.ID); err != nil || after.Start.Day() != 7 || !after.MoveTo.IsZero() {
		t.Errorf("booking after the refusal: %+v %v", after, err)
	}
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(giulia.ID, operators, req.TS, "wemi.bookingmove.accept", b.ID)))
	eph := e.waitEphemeral(ctx, 1)
	if !strings.Contains(eph.Text, "non c'è più") {
		t.Errorf("a second answer: %+v", eph)
	}
	if after, _ := e.bookings.Get(ctx, b.ID); after.Start.Day() != 7 {
		t.Errorf("a second answer moved the booking: %v", after.Start)
	}
}

// Rifiuta la serie asks for the reason in the modal; the submission refuses every
// date, the citizen is told once with the reason.
func TestSeriesRefusedWithModal(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, list := e.bookSeries(ctx)
	e.pressCard(ctx, marco.ID, card, "refuse", list[0].ID)
	views, err := e.srv.WaitViews(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if payload := e.submit(ctx, marco.ID, views[0], reason("Di sabato non ci sono babysitter")); payload != nil {
		t.Errorf("the acknowledgement carries %s", payload)
	}
	e.waitCard(ctx, card.TS, "❌ Rifiutata da Marco")
	got := e.inbox.wait(ctx, t, 1)
	if len(got) != 1 || !strings.Contains(got[0].Text, "Di sabato non ci sono babysitter") || !strings.Contains(got[0].Text, "4 appuntamenti") {
		t.Errorf("the citizen received %+v", got)
	}
	for _, b := range list {
		if s := e.status(ctx, b.ID); s != bookings.Refused {
			t.Errorf("booking %s: %s", b.ID, s)
		}
	}
}
