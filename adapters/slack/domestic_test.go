package slack_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/domestic"
)

func withDomestic(o *envOptions) { o.domestic = true }

// What Maria tells about herself and her mother in these tests; none of it may reach
// the logs, nor stay on a card once she erased it.
const (
	phone = "+39 333 1234567"
	email = "maria.rossi@example.org"
	care  = "Mia madre ha 84 anni <@U0GIULIA> & il diabete"
	exp   = "Ho assistito *due* anziani <!channel> per 5 anni"
)

var private = []string{"Maria", "333 1234567", "maria.rossi", "Mia madre", "anziani", "telegram:42"}

// hire is Maria asking for a badante for her mother, not self-sufficient, 20 hours a
// week by the hour from next Monday in Municipio 3, speaking Italian, through the
// bot's buttons; careFor is what she tells about her mother ("" for nothing). It
// returns the request's card and the request once the card's reference is in it.
func (e *env) hire(ctx context.Context, careFor string) (slacktest.Post, domestic.Request) {
	e.t.Helper()
	before := len(e.srv.Posts(operators))
	for _, data := range []string{"dom:fam", "dom:role:badante", "dom:pat:non_convivente", "dom:hours:20", "dom:self:0",
		"dom:start:7", "dom:mun:3"} {
		e.send(bot.Message{Button: data})
	}
	if careFor == "" {
		e.send(bot.Message{Button: "dom:care"})
	} else {
		e.say(careFor)
	}
	e.send(bot.Message{Button: "dom:lang:it"})
	e.send(bot.Message{Button: "dom:langok"})
	e.say(phone)
	if got := texts(e.send(bot.Message{Button: "dom:ok"})); !strings.Contains(got, "Richiesta inviata") {
		e.t.Fatalf("the request was answered %q", got)
	}
	card := e.waitPost(ctx, before+1)
	var r domestic.Request
	err := poll(ctx, func() bool {
		reqs, _, err := e.domestic.ByConversation(ctx, "telegram:42")
		if err != nil || len(reqs) == 0 {
			return false
		}
		r = reqs[0]
		return r.Card == operators+"/"+card.TS
	})
	if err != nil {
		e.t.Fatalf("the request does not name its card %s: %+v", card.TS, r)
	}
	return card, r
}

// apply is Maria applying to work as a badante: 5 years of experience (experience is
// what she tells of it), Italian, an OSS certificate, anywhere in the city, full time,
// willing to live in. It returns the application's card and the application once the
// card's reference is in it.
func (e *env) apply(ctx context.Context, experience string) (slacktest.Post, domestic.Application) {
	e.t.Helper()
	before := len(e.srv.Posts(operators))
	for _, data := range []string{"dom:work", "dom:consent:yes", "dom:roles:badante", "dom:next", "dom:years:5"} {
		e.send(bot.Message{Button: data})
	}
	e.say(experience)
	for _, data := range []string{"dom:lang:it", "dom:langok", "dom:cert:oss", "dom:next", "dom:allcity", "dom:next",
		"dom:avail:full", "dom:live:1"} {
		e.send(bot.Message{Button: data})
	}
	e.say(email)
	if got := texts(e.send(bot.Message{Button: "dom:ok"})); !strings.Contains(got, "Candidatura inviata") {
		e.t.Fatalf("the application was answered %q", got)
	}
	card := e.waitPost(ctx, before+1)
	var a domestic.Application
	err := poll(ctx, func() bool {
		_, apps, err := e.domestic.ByConversation(ctx, "telegram:42")
		if err != nil || len(apps) == 0 {
			return false
		}
		a = apps[0]
		return a.Card == operators+"/"+card.TS
	})
	if err != nil {
		e.t.Fatalf("the application does not name its card %s: %+v", card.TS, a)
	}
	return card, a
}

// pressOn is an operator pressing the button of a card of kind.
func (e *env) pressOn(ctx context.Context, user string, card slacktest.Post, kind, verb, id string) {
	e.t.Helper()
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(user, operators, card.TS, "wemi."+kind+"."+verb, id)))
}

// checkShows fails the test for each of want the card does not show.
func checkShows(t *testing.T, card slacktest.Post, want ...string) {
	t.Helper()
	text := card.VisibleText()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the card does not show %q:\n%s", w, text)
		}
	}
}

// checkNoPrivate fails the test when text holds what Maria told.
func checkNoPrivate(t *testing.T, where, text string) {
	t.Helper()
	for _, p := range private {
		if strings.Contains(text, p) {
			t.Errorf("%s holds %q:\n%s", where, p, text)
		}
	}
}

func (e *env) requestStatus(ctx context.Context, id string) domestic.RequestStatus {
	e.t.Helper()
	r, err := e.domestic.GetRequest(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r.Status
}

// A family's request reaches the operators as a card with what they need, the
// family's words escaped and no conversation id; "In lavorazione" and then "Chiusa con
// abbinamento" each reach the family and leave on the card who did what, and the
// buttons still possible.
func TestDomesticRequestCard(t *testing.T) {
	e := newEnv(t, withDomestic)
	ctx := testContext(t)
	card, r := e.hire(ctx, care)
	if card.ThreadTS != "" {
		t.Errorf("the card is a reply in %s", card.ThreadTS)
	}
	checkShows(t, card, "Nuova richiesta: Tate, Colf e Badanti", "*Cerca*\nBadante, per una persona non autosufficiente",
		"*Regime*\nnon convivente, a ore", "*Ore a settimana*\n20", "*Inizio desiderato*\n09/03/2026", "*Municipio*\n3",
		"*Lingue richieste*\nitaliano", "*Recapito*\n"+phone, "*Costo mensile stimato*\n€ ", " al mese",
		"*Nome*\nMaria", "*Canale e lingua*\nTelegram, in italiano",
		"Mia madre ha 84 anni &lt;@U0GIULIA&gt; &amp; il diabete", "Richiesta "+r.ID)
	if strings.Contains(card.VisibleText(), "telegram:42") || strings.Contains(card.Text, "Maria") {
		t.Errorf("the card or its notification shows what it need not:\n%s", card.VisibleText())
	}
	if got, want := card.ActionIDs(), []string{"wemi.domestic.progress"}; !slices.Equal(got, want) {
		t.Errorf("buttons %v, want %v", got, want)
	}

	e.pressOn(ctx, giulia.ID, card, "domestic", "progress", r.ID)
	upd := e.waitCard(ctx, card.TS, "🔎 In lavorazione da Giulia alle 10:00")
	if got, want := upd.ActionIDs(), []string{"wemi.domestic.matched", "wemi.domestic.unmatched"}; !slices.Equal(got, want) {
		t.Errorf("buttons in lavorazione %v, want %v", got, want)
	}
	if got := e.inbox.wait(ctx, t, 1); !strings.Contains(got[0].Text, "WeMi sta lavorando alla tua richiesta") {
		t.Errorf("the family was told %q", got[0].Text)
	}
	if s := e.requestStatus(ctx, r.ID); s != domestic.RequestInProgress {
		t.Errorf("status %q", s)
	}

	e.pressOn(ctx, giulia.ID, card, "domestic", "matched", r.ID)
	upd = e.waitCard(ctx, card.TS, "✅ Chiusa con abbinamento da Giulia alle 10:00")
	if len(upd.ActionIDs()) != 0 || strings.Contains(upd.VisibleText(), "In lavorazione da") {
		t.Errorf("card once closed: %v\n%s", upd.ActionIDs(), upd.VisibleText())
	}
	checkShows(t, upd, "*Recapito*\n"+phone) // the card still says who to call
	if got := e.inbox.wait(ctx, t, 2); !strings.Contains(got[1].Text, "hai trovato la persona giusta") {
		t.Errorf("the family was told %q", got[1].Text)
	}
	if s := e.requestStatus(ctx, r.ID); s != domestic.RequestMatched {
		t.Errorf("status %q", s)
	}
	checkNoPrivate(t, "the logs", e.logs.String())
}

// A worker's application reaches the operators with what they need to assess it, and
// neither the conversation nor the consent's time; a button the status does not allow
// changes nothing; "In valutazione" and then "Accettata" reach the applicant.
func TestApplicationCard(t *testing.T) {
	e := newEnv(t, withDomestic)
	ctx := testContext(t)
	card, a := e.apply(ctx, exp)
	checkShows(t, card, "Nuova candidatura: Tate, Colf e Badanti", "*Si candida come*\nBadante", "*Anni di esperienza*\n5 anni",
		"*Lingue parlate*\nitaliano", "*Attestati*\nOSS", "*Municipi*\ntutta la città", "*Disponibilità*\nTempo pieno",
		"*Convivenza*\ndisponibile a vivere con la famiglia", "*Recapito*\n"+email, "*Nome*\nMaria",
		"*Canale e lingua*\nTelegram, in italiano", "Ho assistito *due* anziani &lt;!channel&gt; per 5 anni", "Candidatura "+a.ID)
	text := card.VisibleText()
	for _, hidden := range []string{"telegram:42", "onsens", a.Consent.In(rome).Format("02/01"), "10:00"} {
		if strings.Contains(text, hidden) {
			t.Errorf("the card shows %q:\n%s", hidden, text)
		}
	}
	if got, want := card.ActionIDs(), []string{"wemi.application.review"}; !slices.Equal(got, want) {
		t.Errorf("buttons %v, want %v", got, want)
	}

	// Accepting an application nobody assessed is not possible: the operator alone is
	// told, and the card shows it as it is.
	e.pressOn(ctx, marco.ID, card, "application", "accept", a.ID)
	if eph := e.waitEphemeral(ctx, 1); eph.User != marco.ID || !strings.Contains(eph.Text, "non è più possibile") {
		t.Errorf("ephemeral %+v", eph)
	}
	if upd := e.waitUpdate(ctx, 1); !slices.Equal(upd.ActionIDs(), []string{"wemi.application.review"}) {
		t.Errorf("the card after a press not allowed: %v\n%s", upd.ActionIDs(), upd.VisibleText())
	}

	e.pressOn(ctx, marco.ID, card, "application", "review", a.ID)
	upd := e.waitCard(ctx, card.TS, "🔎 In valutazione da Marco alle 10:00")
	if got, want := upd.ActionIDs(), []string{"wemi.application.accept", "wemi.application.reject"}; !slices.Equal(got, want) {
		t.Errorf("buttons in valutazione %v, want %v", got, want)
	}
	if got := e.inbox.wait(ctx, t, 1); !strings.Contains(got[0].Text, "sta valutando la tua candidatura") {
		t.Errorf("the applicant was told %q", got[0].Text)
	}
	e.pressOn(ctx, marco.ID, card, "application", "accept", a.ID)
	upd = e.waitCard(ctx, card.TS, "✅ Accettata da Marco alle 10:00")
	if len(upd.ActionIDs()) != 0 {
		t.Errorf("buttons once accepted %v", upd.ActionIDs())
	}
	if got := e.inbox.wait(ctx, t, 2); !strings.Contains(got[1].Text, "candidatura è stata accettata") {
		t.Errorf("the applicant was told %q", got[1].Text)
	}
	if a, err := e.domestic.GetApplication(ctx, a.ID); err != nil || a.Status != domestic.ApplicationAccepted {
		t.Errorf("application %+v (%v)", a, err)
	}
	if n := len(e.inbox.all()); n != 2 {
		t.Errorf("the applicant received %d messages, want 2", n)
	}
	checkNoPrivate(t, "the logs", e.logs.String())
}

// The citizen withdraws from "Le mie richieste": the card says so, with no buttons,
// and so does its thread.
func TestDomesticWithdrawn(t *testing.T) {
	e := newEnv(t, withDomestic)
	ctx := testContext(t)
	card, r := e.hire(ctx, care)
	e.clock.Set(monday10.Add(7 * time.Minute))

	list := e.send(bot.Message{Button: "dom:mine"})
	e.send(bot.Message{Button: buttonData(t, list, "dom:withdraw:"+r.ID)})
	upd := e.waitCard(ctx, card.TS, "↩️ Ritirata dal cittadino alle 10:07")
	if len(upd.ActionIDs()) != 0 {
		t.Errorf("buttons after the withdrawal %v", upd.ActionIDs())
	}
	e.waitThread(ctx, card.TS, "Il cittadino l'ha ritirata alle 10:07")
	if s := e.requestStatus(ctx, r.ID); s != domestic.RequestWithdrawn {
		t.Errorf("status %q", s)
	}
}

// A press on a card whose request the citizen withdrew meanwhile (the card had not
// caught up) changes nothing: the operator alone is told, and the card shows the
// request as it is. A press on the card of an erased request takes the data off it.
func TestDomesticPressAfterChange(t *testing.T) {
	t.Run("withdrawn", func(t *testing.T) {
		e := newEnv(t, withDomestic)
		ctx := testContext(t)
		card, r := e.hire(ctx, "")
		if _, err := e.domestic.UpdateRequest(ctx, r.ID, func(r *domestic.Request) error {
			return r.Transition(domestic.RequestWithdrawn, "", monday10)
		}); err != nil {
			t.Fatal(err)
		}
		e.pressOn(ctx, giulia.ID, card, "domestic", "progress", r.ID)
		if eph := e.waitEphemeral(ctx, 1); eph.User != giulia.ID || !strings.Contains(eph.Text, "lo stato è cambiato nel frattempo") {
			t.Errorf("ephemeral %+v", eph)
		}
		upd := e.waitCard(ctx, card.TS, "↩️ Ritirata dal cittadino alle 10:00")
		if len(upd.ActionIDs()) != 0 {
			t.Errorf("buttons %v", upd.ActionIDs())
		}
		if n := len(e.inbox.all()); n != 0 {
			t.Errorf("the family received %d messages", n)
		}
	})
	t.Run("erased", func(t *testing.T) {
		e := newEnv(t, withDomestic)
		ctx := testContext(t)
		card, r := e.hire(ctx, care)
		// Erased behind the card's back, as on a replica whose event was lost.
		if err := e.domestic.Delete(ctx, "telegram:42", r.ID); err != nil {
			t.Fatal(err)
		}
		e.pressOn(ctx, giulia.ID, card, "domestic", "progress", r.ID)
		if eph := e.waitEphemeral(ctx, 1); !strings.Contains(eph.Text, "non esiste più") {
			t.Errorf("ephemeral %+v", eph)
		}
		upd := e.waitCard(ctx, card.TS, "Questa richiesta non esiste più")
		checkNoPrivate(t, "the card", upd.VisibleText())
		if len(upd.ActionIDs()) != 0 {
			t.Errorf("buttons %v", upd.ActionIDs())
		}
	})
}

// A change the citizen could not be told of is still made: the card shows it, and its
// thread warns every operator.
func TestDomesticNotDelivered(t *testing.T) {
	e := newEnv(t, withDomestic)
	ctx := testContext(t)
	card, a := e.apply(ctx, exp)
	e.inbox.setFail(errors.New("telegram: bot was blocked by the user"))
	e.pressOn(ctx, giulia.ID, card, "application", "review", a.ID)
	e.waitCard(ctx, card.TS, "🔎 In valutazione da Giulia alle 10:00")
	e.waitThread(ctx, card.TS, "⚠️ Stato aggiornato, ma non sono riuscito ad avvisare il cittadino su Telegram")
	if a, err := e.domestic.GetApplication(ctx, a.ID); err != nil || a.Status != domestic.ApplicationReviewing {
		t.Errorf("application %+v (%v)", a, err)
	}
}
