package slack_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/comune-milano/wemibot/adapters/slack"
)

// bookingCard is a request card of another kind than handoffs, as the booking issue
// will post.
func bookingCard() slack.Card {
	return slack.Card{Kind: "booking", Ref: "bk-7", Title: "📅 Nuova prenotazione",
		Fields: []slack.CardField{{Label: "Servizio", Value: "Babysitter <a domicilio>"}, {Label: "Quando", Value: "sabato"}},
		Body:   "Nota del cittadino: <@U0GIULIA> & <https://evil.example|clicca>",
		Actions: []slack.CardAction{{Verb: "confirm", Label: "Conferma", Style: "primary"},
			{Verb: "refuse", Label: "Rifiuta", Style: "danger"}}}
}

// cardPresses is the handler of booking cards in TestRequestCards: it records every
// press, confirms on "confirm", fails as a broken store would on "refuse", and knows
// no other verb.
type cardPresses struct {
	mu      sync.Mutex
	presses []slack.CardPress
}

func (c *cardPresses) handle(_ context.Context, p slack.CardPress) (slack.CardResult, error) {
	c.mu.Lock()
	c.presses = append(c.presses, p)
	c.mu.Unlock()
	switch p.Verb {
	case "confirm":
		return slack.CardResult{Status: "✅ Confermata da " + slack.Escape(p.Operator),
			Actions: []slack.CardAction{{Verb: "refuse", Label: "Annulla"}}, Notice: "Il cittadino è stato avvisato."}, nil
	case "refuse":
		return slack.CardResult{}, errors.New("booking store unavailable")
	}
	return slack.CardResult{}, slack.ErrUnknownAction
}

// first returns the first press recorded.
func (c *cardPresses) first() slack.CardPress {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.presses[0]
}

// The request-card mechanism: a card is posted with its buttons, a press reaches the
// handler of its kind, and the card is updated in place with what was done.
func TestRequestCards(t *testing.T) {
	presses := &cardPresses{}
	e := newEnv(t, func(o *envOptions) {
		o.desk = func(so *slack.Options) { so.Cards = map[string]slack.CardHandler{"booking": presses.handle} }
	})
	ctx := testContext(t)
	at, err := e.desk.PostCard(ctx, operators, bookingCard())
	if err != nil {
		t.Fatal(err)
	}
	card := e.waitPost(ctx, 1)
	if at.Channel != operators || at.TS != card.TS || at.String() != operators+"/"+card.TS {
		t.Errorf("PostCard = %+v, posted %s", at, card.TS)
	}
	text := card.VisibleText()
	for _, want := range []string{"Nuova prenotazione", "*Servizio*\nBabysitter &lt;a domicilio&gt;",
		"Nota del cittadino: &lt;@U0GIULIA&gt; &amp; &lt;https://evil.example|clicca&gt;"} {
		if !strings.Contains(text, want) {
			t.Errorf("card does not show %q:\n%s", want, text)
		}
	}
	if got := card.ActionIDs(); !slices.Equal(got, []string{"wemi.booking.confirm", "wemi.booking.refuse"}) {
		t.Errorf("buttons %v", got)
	}

	// A press is handled and the card updated in place.
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(marco.ID, operators, card.TS, "wemi.booking.confirm", "bk-7")))
	upd := e.waitUpdate(ctx, 1)
	if upd.TS != card.TS || !strings.Contains(upd.VisibleText(), "Confermata da Marco") || !strings.Contains(upd.VisibleText(), "Babysitter") {
		t.Errorf("updated card:\n%s", upd.VisibleText())
	}
	if got := upd.ActionIDs(); !slices.Equal(got, []string{"wemi.booking.refuse"}) {
		t.Errorf("buttons after confirming %v", got)
	}
	if eph := e.waitEphemeral(ctx, 1); eph.User != marco.ID || eph.Text != "Il cittadino è stato avvisato." {
		t.Errorf("notice %+v", eph)
	}
	if p := presses.first(); p.Kind != "booking" || p.Verb != "confirm" || p.Ref != "bk-7" || p.UserID != marco.ID ||
		p.Operator != "Marco" || p.Card != at || p.ID == "" {
		t.Errorf("press = %+v", p)
	}

	// A handler's error leaves the card alone and tells the presser.
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(giulia.ID, operators, card.TS, "wemi.booking.refuse", "bk-7")))
	if eph := e.waitEphemeral(ctx, 2); eph.User != giulia.ID || !strings.Contains(eph.Text, "riprova") {
		t.Errorf("error notice %+v", eph)
	}
	// So does an unknown verb.
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(giulia.ID, operators, card.TS, "wemi.booking.teleport", "bk-7")))
	if eph := e.waitEphemeral(ctx, 3); !strings.Contains(eph.Text, "non è più disponibile") {
		t.Errorf("unknown verb notice %+v", eph)
	}
	if n := len(e.srv.Updates()); n != 1 {
		t.Errorf("%d updates, want the card untouched by failed presses", n)
	}
	m, _ := e.srv.Message(operators, card.TS)
	if !strings.Contains(m.VisibleText(), "Confermata da Marco") {
		t.Errorf("card now:\n%s", m.VisibleText())
	}

	// A card is changed from elsewhere too (the citizen cancelled).
	if err := e.desk.UpdateCard(ctx, at, "booking", "bk-7", "❌ Annullata dal cittadino", nil); err != nil {
		t.Fatal(err)
	}
	m, _ = e.srv.Message(operators, card.TS)
	if text := m.VisibleText(); !strings.Contains(text, "Annullata dal cittadino") || strings.Contains(text, "Confermata") ||
		!strings.Contains(text, "Babysitter") || len(m.ActionIDs()) != 0 {
		t.Errorf("card after UpdateCard: %v\n%s", m.ActionIDs(), text)
	}
}

func TestPostCardNeedsKindAndRef(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	for _, c := range []slack.Card{{Ref: "x", Title: "t"}, {Kind: "booking", Title: "t"}, {Kind: "a.b", Ref: "x", Title: "t"}} {
		if _, err := e.desk.PostCard(ctx, operators, c); err == nil {
			t.Errorf("PostCard(%+v) succeeded", c)
		}
	}
}

// A long body is split over several blocks, within Block Kit's limits, and nothing
// is lost.
func TestLongCardBody(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	c := bookingCard()
	c.Body = strings.Repeat("una riga di testo & <altro>\n", 400)
	if _, err := e.desk.PostCard(ctx, operators, c); err != nil {
		t.Fatal(err)
	}
	card := e.waitPost(ctx, 1)
	if got := strings.Count(card.VisibleText(), "una riga di testo &amp; &lt;altro&gt;"); got != 400 {
		t.Errorf("%d lines of 400 on the card", got)
	}
}
