package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/slack"
	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/bot"
)

// The citizen erases a request or an application, from "Le mie richieste" or with
// all their data: its card keeps its title and what happened, and nothing of what
// they told.
func TestDomesticErased(t *testing.T) {
	erase := func(e *env, id string) {
		list := e.send(bot.Message{Button: "dom:mine"})
		ask := e.send(bot.Message{Button: buttonData(e.t, list, "dom:erase:"+id)})
		e.send(bot.Message{Button: buttonData(e.t, ask, "dom:erasey:"+id)}) // erasure asks first
	}
	forget := func(e *env, _ string) { e.press(e.say("/dimenticami"), "Sì") }
	tests := []struct {
		name   string
		post   func(*env, context.Context) (slacktest.Post, string)
		erase  func(*env, string)
		title  string
		status string
	}{
		{"a request, from its list", func(e *env, ctx context.Context) (slacktest.Post, string) {
			card, r := e.hire(ctx, care)
			return card, r.ID
		}, erase, "Nuova richiesta: Tate, Colf e Badanti", "la richiesta non è più attiva"},
		{"an application in valutazione, from its list", func(e *env, ctx context.Context) (slacktest.Post, string) {
			card, a := e.apply(ctx, exp)
			e.pressOn(ctx, giulia.ID, card, "application", "review", a.ID)
			e.waitCard(ctx, card.TS, "In valutazione da Giulia")
			return card, a.ID
		}, erase, "Nuova candidatura: Tate, Colf e Badanti", "la candidatura non è più attiva"},
		{"a request, with all the citizen's data", func(e *env, ctx context.Context) (slacktest.Post, string) {
			card, r := e.hire(ctx, care)
			return card, r.ID
		}, forget, "Nuova richiesta: Tate, Colf e Badanti", "la richiesta non è più attiva"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withDomestic)
			ctx := testContext(t)
			card, id := tt.post(e, ctx)
			e.clock.Set(monday10.Add(7 * time.Minute))
			tt.erase(e, id)
			upd := e.waitCard(ctx, card.TS, "🗑️ Il cittadino ha cancellato i suoi dati alle 10:07: "+tt.status)
			checkShows(t, upd, tt.title)
			checkNoPrivate(t, "the card", upd.VisibleText())
			for _, gone := range []string{"Recapito", "Municipio", "Badante,", "OSS"} {
				if strings.Contains(upd.VisibleText(), gone) {
					t.Errorf("the erased card shows %q:\n%s", gone, upd.VisibleText())
				}
			}
			if len(upd.ActionIDs()) != 0 {
				t.Errorf("buttons on the erased card %v", upd.ActionIDs())
			}
			e.waitThread(ctx, card.TS, "non va più contattato")
			checkNoPrivate(t, "the logs", e.logs.String())
		})
	}
}

// An erasure whose event names the card needs nothing else to find it: here the desk
// has no store of its own, and the request is gone.
func TestDomesticErasedEventNamesCard(t *testing.T) {
	e := newEnv(t, withDomestic, func(o *envOptions) { o.desk = func(opts *slack.Options) { opts.Records = nil } })
	ctx := testContext(t)
	card, r := e.hire(ctx, care)
	if err := e.domestic.Delete(ctx, "telegram:42", r.ID); err != nil {
		t.Fatal(err)
	}
	ev := bot.Event{Kind: bot.EventDomesticWithdrawn, Booking: r.ID, Reason: "request", Text: "erased",
		Card: operators + "/" + card.TS, At: monday10}
	if err := e.desk.Notify(ctx, ev); err != nil {
		t.Fatal(err)
	}
	upd := e.waitCard(ctx, card.TS, "🗑️ Il cittadino ha cancellato i suoi dati alle 10:00")
	checkNoPrivate(t, "the card", upd.VisibleText())
}

// A record erased at the end of its retention (no event tells the desk) loses its
// card's personal data at the next periodic repair; a record still kept is left alone.
func TestRedactExpiredCards(t *testing.T) {
	e := newEnv(t, withDomestic)
	ctx := testContext(t)
	card, r := e.hire(ctx, "Mia madre ha 84 anni")
	keptCard, _ := e.apply(ctx, "Ho assistito due anziani")
	if n, err := e.desk.RedactExpired(ctx); n != 0 || err != nil {
		t.Fatalf("with every record kept: %d, %v", n, err)
	}
	if err := e.domestic.Delete(ctx, r.Conversation, r.ID); err != nil { // as the expiry does
		t.Fatal(err)
	}
	if n, err := e.desk.RedactExpired(ctx); n != 1 || err != nil {
		t.Fatalf("RedactExpired = %d, %v", n, err)
	}
	upd := e.waitUpdate(ctx, 1)
	if upd.TS != card.TS || strings.Contains(upd.VisibleText(), "84 anni") || strings.Contains(upd.VisibleText(), "Maria") {
		t.Errorf("card of an expired request:\n%s", upd.VisibleText())
	}
	for _, u := range e.srv.Updates() {
		if u.TS == keptCard.TS {
			t.Error("the card of a record still kept was redacted")
		}
	}
}
