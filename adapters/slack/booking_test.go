package slack_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/reminders"
)

// babysitting is booked in these tests: by the hour, one to one or in a group, in
// Municipi 1-3, open on Saturdays from 8:30.
const babysitting = "arcobaleno-babysitting-domicilio"

// The booking card's buttons.
var bookingButtons = []string{"wemi.booking.confirm", "wemi.booking.refuse", "wemi.booking.propose"}

func withBookings(o *envOptions) { o.bookings = true }

// book is Maria booking two hours of babysitting on Saturday 7 March at 10:30, with
// note (none when ""), through the bot's buttons. It returns the booking's card and
// the booking once the card's reference is in it.
func (e *env) book(ctx context.Context, note string) (slacktest.Post, bookings.Booking) {
	e.t.Helper()
	before := len(e.srv.Posts(operators))
	for _, data := range []string{"book:new:" + babysitting, "book:day:20260307", "book:qty:2", "book:slot:630",
		"book:sh:0", "book:who:self", "book:mun:3"} {
		e.send(bot.Message{Button: data})
	}
	if note == "" {
		e.send(bot.Message{Button: "book:skip"})
	} else {
		e.say(note)
	}
	if got := texts(e.send(bot.Message{Button: "book:ok"})); !strings.Contains(got, "Richiesta inoltrata") {
		e.t.Fatalf("booking answered %q", got)
	}
	card := e.waitPost(ctx, before+1)
	var b bookings.Booking
	err := poll(ctx, func() bool {
		list, err := e.bookings.ByConversation(ctx, "telegram:42")
		if err != nil || len(list) == 0 {
			return false
		}
		b = list[0]
		return b.Card == operators+"/"+card.TS
	})
	if err != nil {
		e.t.Fatalf("the booking does not name its card %s: %+v", card.TS, b)
	}
	return card, b
}

// pressCard is an operator pressing a booking card's button; it returns the press's
// trigger_id.
func (e *env) pressCard(ctx context.Context, user string, card slacktest.Post, verb, id string) string {
	e.t.Helper()
	cb := e.srv.BlockAction(user, operators, card.TS, "wemi.booking."+verb, id)
	e.ack(ctx, e.srv.PushInteraction(cb))
	return cb.TriggerID
}

// card returns a card as it is now.
func (e *env) card(ts string) slacktest.Post {
	e.t.Helper()
	m, ok := e.srv.Message(operators, ts)
	if !ok {
		e.t.Fatalf("no card %s", ts)
	}
	return m
}

// waitCard waits until the card shows want.
func (e *env) waitCard(ctx context.Context, ts, want string) slacktest.Post {
	e.t.Helper()
	err := e.srv.WaitFor(ctx, func() bool { return strings.Contains(e.card(ts).VisibleText(), want) })
	if err != nil {
		e.t.Fatalf("the card does not show %q:\n%s", want, e.card(ts).VisibleText())
	}
	return e.card(ts)
}

// waitThread waits until the card's thread has a reply containing want.
func (e *env) waitThread(ctx context.Context, ts, want string) {
	e.t.Helper()
	err := e.srv.WaitFor(ctx, func() bool {
		return slices.ContainsFunc(e.srv.Thread(operators, ts)[1:], func(p slacktest.Post) bool { return strings.Contains(p.Text, want) })
	})
	if err != nil {
		e.t.Fatalf("no %q in the card's thread: %+v", want, e.srv.Thread(operators, ts))
	}
}

func (e *env) status(ctx context.Context, id string) bookings.Status {
	e.t.Helper()
	b, err := e.bookings.Get(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return b.Status
}

// A new booking reaches the operators as a card with everything they need, the
// citizen's note escaped; Conferma confirms it, the citizen gets the calendar file,
// and their rating is noted in the card's thread.
func TestBookingCardAndConfirm(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, b := e.book(ctx, "Ho due gemelli <@U0GIULIA> & un gatto")
	if card.ThreadTS != "" {
		t.Errorf("the card is a reply in %s", card.ThreadTS)
	}
	text := card.VisibleText()
	for _, want := range []string{"Nuova prenotazione", "Babysitting diurno a domicilio", "*Quando*\nsab 07/03 10:30",
		"*Quantità*\n2 ore", "*Modalità*\nindividuale", "*Per chi*\nper sé", "*Municipio*\n3",
		"*Prezzo stimato*\n€ 28,00", "*Cittadino*\nMaria", "*Canale e lingua*\nTelegram, in italiano",
		"Ho due gemelli &lt;@U0GIULIA&gt; &amp; un gatto", "Prenotazione " + b.ID} {
		if !strings.Contains(text, want) {
			t.Errorf("the card does not show %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "*Ente*\n") || strings.Contains(text, "*Ente*\n—") {
		t.Errorf("the card names no provider:\n%s", text)
	}
	if got := card.ActionIDs(); !slices.Equal(got, bookingButtons) {
		t.Errorf("buttons %v, want %v", got, bookingButtons)
	}

	e.pressCard(ctx, giulia.ID, card, "confirm", b.ID)
	upd := e.waitCard(ctx, card.TS, "✅ Confermata da Giulia alle 10:00")
	if len(upd.ActionIDs()) != 0 || !strings.Contains(upd.VisibleText(), "Babysitting diurno a domicilio") {
		t.Errorf("card after Conferma: %v\n%s", upd.ActionIDs(), upd.VisibleText())
	}
	got := e.inbox.wait(ctx, t, 1)
	if doc := got[0].Document; !strings.Contains(got[0].Text, "Prenotazione confermata") || doc == nil ||
		!strings.HasSuffix(doc.Name, ".ics") || doc.MIME != "text/calendar" || !strings.Contains(string(doc.Data), "BEGIN:VCALENDAR") {
		t.Errorf("the citizen received %+v", got[0])
	}
	if s := e.status(ctx, b.ID); s != bookings.Confirmed {
		t.Errorf("status %q", s)
	}

	// After the service (the follow-up concludes it), the citizen rates it.
	if _, err := e.bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
		return b.Transition(bookings.Done, "wemi", "", monday10.Add(72*time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	e.send(bot.Message{Button: "book:rate:" + b.ID + ".5"})
	e.waitThread(ctx, card.TS, "⭐ Il cittadino ha dato 5/5")
	for _, private := range []string{"Maria", "gemelli", "telegram:42"} {
		if strings.Contains(e.logs.String(), private) {
			t.Errorf("the logs hold %q:\n%s", private, e.logs.String())
		}
	}
}

// The citizen cancels from /prenotazioni: the card says so, with no buttons, and so
// does its thread.
func TestBookingCancelledByCitizen(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, b := e.book(ctx, "")
	e.clock.Set(monday10.Add(7 * time.Minute))

	list := e.say("/prenotazioni")
	ask := e.send(bot.Message{Button: buttonData(t, list, "book:cancel:"+b.ID)})
	e.send(bot.Message{Button: buttonData(t, ask, "book:cancelyes:"+b.ID)})
	upd := e.waitCard(ctx, card.TS, "🚫 Annullata dal cittadino alle 10:07")
	if len(upd.ActionIDs()) != 0 {
		t.Errorf("buttons after the cancellation %v", upd.ActionIDs())
	}
	e.waitThread(ctx, card.TS, "Il cittadino ha annullato la prenotazione alle 10:07")
}

// A press on a card whose booking changed meanwhile (the citizen cancelled, and the
// card had not caught up) changes nothing: the operator alone is told, and the card
// shows the booking as it is.
func TestBookingPressAfterCancel(t *testing.T) {
	for _, verb := range []string{"confirm", "refuse"} {
		t.Run(verb, func(t *testing.T) {
			e := newEnv(t, withBookings)
			ctx := testContext(t)
			card, b := e.book(ctx, "")
			// Cancelled behind the card's back, as on a replica whose event was lost.
			if _, err := e.bookings.Update(ctx, b.ID, func(b *bookings.Booking) error {
				return b.Transition(bookings.Cancelled, "citizen", "", monday10)
			}); err != nil {
				t.Fatal(err)
			}
			e.pressCard(ctx, giulia.ID, card, verb, b.ID)
			eph := e.waitEphemeral(ctx, 1)
			if eph.User != giulia.ID || !strings.Contains(eph.Text, "cambiata nel frattempo: ora è *annullata*") {
				t.Errorf("ephemeral %+v", eph)
			}
			upd := e.waitCard(ctx, card.TS, "🚫 Annullata dal cittadino alle 10:00")
			if len(upd.ActionIDs()) != 0 {
				t.Errorf("buttons %v", upd.ActionIDs())
			}
			if n := len(e.srv.Views()) + len(e.inbox.all()); n != 0 {
				t.Errorf("%d modals and messages to the citizen, want none", n)
			}
			if s := e.status(ctx, b.ID); s != bookings.Cancelled {
				t.Errorf("status %q", s)
			}
		})
	}
}

// A change the citizen could not be told of is still made: the card shows it, and
// its thread warns every operator.
func TestBookingNotDelivered(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, b := e.book(ctx, "")
	e.inbox.setFail(errors.New("telegram: bot was blocked by the user"))
	e.pressCard(ctx, giulia.ID, card, "confirm", b.ID)
	e.waitCard(ctx, card.TS, "✅ Confermata da Giulia alle 10:00")
	e.waitThread(ctx, card.TS, "⚠️ Prenotazione aggiornata, ma non sono riuscito ad avvisare il cittadino su Telegram")
	if s := e.status(ctx, b.ID); s != bookings.Confirmed {
		t.Errorf("status %q", s)
	}
}

// The card shows each booking as it is: group or not, for whom, the price however
// it is known, the channel and language, and a service the catalogue no longer has.
func TestBookingCardFields(t *testing.T) {
	tests := []struct {
		name   string
		change func(*bookings.Booking)
		want   []string
	}{
		{"group, for a relative, on the web in English", func(b *bookings.Booking) {
			b.Conversation, b.Lang, b.Shared, b.ForWhom, b.FirstName = "web:s-1", "en", true, bookings.ForRelative, ""
		}, []string{"*Modalità*\ndi gruppo", "*Per chi*\nper un familiare", "*Canale e lingua*\nChat del sito, in inglese",
			"*Cittadino*\nCittadino"}},
		{"a large price", func(b *bookings.Booking) { b.EstimateCents = 123450 }, []string{"*Prezzo stimato*\n€ 1.234,50"}},
		{"free", func(b *bookings.Booking) { b.EstimateCents = 0 }, []string{"*Prezzo stimato*\ngratuito"}},
		{"price to be agreed", func(b *bookings.Booking) { b.EstimateCents = -1 }, []string{"*Prezzo stimato*\nda concordare"}},
		{"an enrolment in a Summer School week", func(b *bookings.Booking) {
			b.Service, b.Activity, b.Session, b.Quantity = "ce-nolo-estate-2027", "ce-nolo-estate-2027", "20270621", 2
		}, []string{"Summer School NoLo: giochi, cortile e piscina (centro estivo)", "turno: da lun 21/06 a ven 25/06",
			"*Quantità*\n2 posti", "*Ente*\n"}},
		{"a service no longer in the catalogue", func(b *bookings.Booking) { b.Service = "gone-service" },
			[]string{"*Servizio*\ngone-service", "*Ente*\n—", "*Quantità*\n3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withBookings)
			ctx := testContext(t)
			b := bookings.Booking{ID: bookings.NewID(), Conversation: "telegram:42", Lang: "it", FirstName: "Maria",
				Service: babysitting, Start: time.Date(2026, 11, 28, 10, 0, 0, 0, rome), Quantity: 3, ForWhom: bookings.ForSelf,
				Municipio: 2, EstimateCents: 4200, Status: bookings.Requested, Created: monday10, Updated: monday10}
			tt.change(&b)
			if err := e.bookings.Create(ctx, b); err != nil {
				t.Fatal(err)
			}
			if err := e.desk.Notify(ctx, bot.Event{Kind: bot.EventBookingRequested, Booking: b.ID}); err != nil {
				t.Fatal(err)
			}
			card := e.waitPost(ctx, 1)
			text := card.VisibleText()
			for _, want := range append(tt.want, "*Quando*\nsab 28/11 10:00", "*Municipio*\n2") {
				if !strings.Contains(text, want) {
					t.Errorf("the card does not show %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "Nota del cittadino") {
				t.Errorf("a card without a note shows one:\n%s", text)
			}
		})
	}
}

// A reminder the dispatcher gave up on is told in the booking card's thread, so that
// an operator can call the citizen; one about an earlier time of a moved booking, or
// given up on once the service has begun, is not. A lost follow-up needs no call.
func TestFailedReminderReachesOperators(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, b := e.book(ctx, "")
	e.pressCard(ctx, giulia.ID, card, "confirm", b.ID)
	e.waitCard(ctx, card.TS, "✅ Confermata da Giulia")
	e.inbox.wait(ctx, t, 1)
	b, err := e.bookings.Get(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	before := reminders.Reminder{ID: b.ID + ":before-24h", Booking: b.ID, Conversation: b.Conversation,
		Kind: reminders.Before, Offset: 24 * time.Hour, Start: b.Start, Due: b.Start.Add(-24 * time.Hour), Attempts: 5}
	moved := before
	moved.Start = b.Start.Add(-time.Hour)
	e.engine.ReminderFailed(ctx, moved)
	e.engine.ReminderFailed(ctx, before)
	e.waitThread(ctx, card.TS, "📵 Il promemoria di 24 ore prima non è arrivato al cittadino su Telegram")
	// Given up on once the service has begun: nobody needs calling any more.
	e.clock.Set(b.Start.Add(time.Minute))
	e.engine.ReminderFailed(ctx, before)
	followup := reminders.Reminder{ID: b.ID + ":followup", Booking: b.ID, Conversation: b.Conversation,
		Kind: reminders.Followup, Start: b.Start, Due: b.Start.Add(4 * time.Hour), Attempts: 5}
	e.engine.ReminderFailed(ctx, followup)
	e.waitThread(ctx, card.TS, "📵 La richiesta di valutazione dopo il servizio non è arrivata")
	n := 0
	for _, p := range e.srv.Thread(operators, card.TS) {
		if strings.Contains(p.Text, "📵") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d failed-reminder notes in the thread, want 2: %+v", n, e.srv.Thread(operators, card.TS))
	}
	if strings.Contains(e.logs.String(), "Maria") {
		t.Errorf("the logs name the citizen:\n%s", e.logs.String())
	}
}
