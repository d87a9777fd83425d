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
	"github.com/comune-milano/wemibot/desk"
)

// The whole handoff, through Socket Mode: the card, the citizen's messages in its
// thread, "Prendo io", the operator's replies reaching the citizen and a note not
// reaching them, "Chiudi", and the citizen's rating noted and counted.
func TestHandoffEndToEnd(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)

	card, h := e.openHandoff(ctx)
	checkHandoffCard(t, card, h)

	// The citizen writes: the message goes into the thread, escaped, and the bot
	// stays quiet.
	relayCitizen(ctx, t, e, card)

	// Giulia takes it: the card says so in place, keeps only "Chiudi", and the
	// citizen learns who will answer.
	claimHandoff(ctx, t, e, card, h)

	// A note stays among operators; the reply after it reaches the citizen, signed,
	// with Slack's markup turned into plain text.
	noteAndReply(ctx, t, e, card)

	// Chiudi: the card shows who closed it and loses its buttons; the citizen is back
	// with the bot and asked for a rating.
	closed := closeHandoff(ctx, t, e, card, h)

	// The rating is noted in the thread and counted.
	rateHandoff(ctx, t, e, card, closed)

	checkAfterClose(ctx, t, e, card)
}

// checkHandoffCard checks a new handoff's card: a top-level message that is the
// handoff's thread, with what operators need and the buttons to claim and close.
func checkHandoffCard(t *testing.T, card slacktest.Post, h desk.Handoff) {
	if card.ThreadTS != "" || h.Thread != operators+"/"+card.TS {
		t.Fatalf("card %+v, handoff thread %q: want a top-level card that is the handoff's thread", card, h.Thread)
	}
	for _, want := range []string{"Richiesta di un operatore", "Maria", "Telegram", "italiano",
		"ha chiesto di parlare con una persona", "babysitter", "Ha cercato: «babysitter»", "10:00"} {
		if !strings.Contains(card.VisibleText(), want) {
			t.Errorf("the card does not show %q:\n%s", want, card.VisibleText())
		}
	}
	if got := card.ActionIDs(); !slices.Equal(got, []string{"wemi.handoff.claim", "wemi.handoff.close"}) {
		t.Errorf("card buttons %v, want claim and close", got)
	}
}

// relayCitizen makes the citizen write while the handoff of card is open, and checks
// the message reaches its thread and the bot stays quiet.
func relayCitizen(ctx context.Context, t *testing.T, e *env, card slacktest.Post) {
	if got := e.say("ho due bambini <@U0GIULIA> & <!channel>"); len(got) != 0 {
		t.Errorf("the bot answered a message meant for the operator: %s", texts(got))
	}
	relay := e.waitPost(ctx, 2)
	if relay.ThreadTS != card.TS || relay.Text != "👤 *Maria:* ho due bambini &lt;@U0GIULIA&gt; &amp; &lt;!channel&gt;" {
		t.Errorf("relay = %q in thread %q, want the escaped message in %q", relay.Text, relay.ThreadTS, card.TS)
	}
}

// claimHandoff makes Giulia, then Marco, claim the open handoff of card, and checks
// that the first claim wins.
func claimHandoff(ctx context.Context, t *testing.T, e *env, card slacktest.Post, h desk.Handoff) {
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(giulia.ID, operators, card.TS, "wemi.handoff.claim", h.ID)))
	upd := e.waitUpdate(ctx, 1)
	if upd.TS != card.TS || !strings.Contains(upd.VisibleText(), "Presa in carico da Giulia alle 10:00") ||
		!strings.Contains(upd.VisibleText(), "Ha cercato: «babysitter»") {
		t.Errorf("card after the claim:\n%s", upd.VisibleText())
	}
	if got := upd.ActionIDs(); !slices.Equal(got, []string{"wemi.handoff.close"}) {
		t.Errorf("buttons after the claim %v, want only close", got)
	}
	if got := texts(e.inbox.wait(ctx, t, 1)); !strings.Contains(got, "Giulia di WeMi ha preso in carico") {
		t.Errorf("the citizen was told %q", got)
	}

	// Marco is too late: only he is told, and the card stays as it is.
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(marco.ID, operators, card.TS, "wemi.handoff.claim", h.ID)))
	if eph := e.waitEphemeral(ctx, 1); eph.User != marco.ID || !strings.Contains(eph.Text, "già stata presa in carico da Giulia") {
		t.Errorf("ephemeral = %+v, want Marco told Giulia has it", eph)
	}
	if n := len(e.srv.Updates()); n != 1 {
		t.Errorf("%d card updates, want the card untouched by a second claim", n)
	}
}

// noteAndReply makes Giulia write a note, then a reply, in card's thread, and checks
// that only the reply reaches the citizen.
func noteAndReply(ctx context.Context, t *testing.T, e *env, card slacktest.Post) {
	_, noteEnv := e.srv.PushUserMessage(operators, giulia.ID, "Nota: la signora sembra molto agitata", card.TS)
	_, replyEnv := e.srv.PushUserMessage(operators, giulia.ID,
		"Buongiorno Maria, di che zona siete? Guardate <https://wemi.milano.it|il portale> &amp; chiamateci", card.TS)
	e.ack(ctx, noteEnv)
	e.ack(ctx, replyEnv)
	got := e.inbox.wait(ctx, t, 2)
	want := "*Giulia (WeMi):* Buongiorno Maria, di che zona siete? Guardate il portale (https://wemi.milano.it) & chiamateci"
	if got[1].Text != want {
		t.Errorf("the citizen received %q, want %q", got[1].Text, want)
	}
	if strings.Contains(texts(e.inbox.all()), "agitata") {
		t.Error("an internal note reached the citizen")
	}
}

// closeHandoff makes Giulia close the handoff of card, checks the card and the
// citizen were told, and returns what the citizen was told.
func closeHandoff(ctx context.Context, t *testing.T, e *env, card slacktest.Post, h desk.Handoff) []bot.Reply {
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(giulia.ID, operators, card.TS, "wemi.handoff.close", h.ID)))
	upd := e.waitUpdate(ctx, 2)
	if !strings.Contains(upd.VisibleText(), "Chiusa da Giulia") || len(upd.ActionIDs()) != 0 ||
		strings.Contains(upd.VisibleText(), "Presa in carico") || !strings.Contains(upd.VisibleText(), "Maria") {
		t.Errorf("card after closing: %v\n%s", upd.ActionIDs(), upd.VisibleText())
	}
	closed := e.inbox.wait(ctx, t, 3)[2:]
	if !strings.Contains(texts(closed), "Giulia di WeMi ha chiuso") || !strings.Contains(texts(closed), "da 1") {
		t.Fatalf("closing told the citizen %q", texts(closed))
	}
	if open, err := e.desk.OpenHandoffs(ctx); err != nil || open != 0 {
		t.Errorf("OpenHandoffs = %d, %v after closing; want 0", open, err)
	}
	return closed
}

// rateHandoff makes the citizen rate the closed handoff through the buttons of
// closed, and checks the rating is noted in card's thread and counted.
func rateHandoff(ctx context.Context, t *testing.T, e *env, card slacktest.Post, closed []bot.Reply) {
	if got := texts(e.press(closed, "⭐ 4")); !strings.Contains(got, "Grazie del tuo giudizio") {
		t.Errorf("rating answered %q", got)
	}
	rating := e.waitPost(ctx, 3)
	if rating.ThreadTS != card.TS || !strings.Contains(rating.Text, "4/5") {
		t.Errorf("rating note %q in thread %q", rating.Text, rating.ThreadTS)
	}
	day, err := e.figures.Day(ctx, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if day.Ratings != 1 || day.RatingSum != 4 || day.Handoffs != 1 || day.Searches != 1 {
		t.Errorf("figures %+v, want 1 handoff, 1 search, 1 rating of 4", day)
	}
}

// checkAfterClose checks a late reply in card's closed thread, and what the whole
// handoff cost and left behind: names asked once per operator, nothing personal
// in the logs.
func checkAfterClose(ctx context.Context, t *testing.T, e *env, card slacktest.Post) {
	// A reply in the closed thread is not delivered, and its writer is told.
	e.ack(ctx, pushReply(e.srv, giulia.ID, "ci siete ancora?", card.TS))
	if eph := e.waitEphemeral(ctx, 2); eph.User != giulia.ID || eph.ThreadTS != card.TS || !strings.Contains(eph.Text, "non è stato consegnato") {
		t.Errorf("late reply: ephemeral %+v", eph)
	}
	if n := len(e.inbox.all()); n != 3 {
		t.Errorf("the citizen received %d messages, want 3: %s", n, texts(e.inbox.all()))
	}
	// Names are asked once per operator: Giulia acted five times, Marco once.
	if n := e.srv.Calls("users.info"); n != 2 {
		t.Errorf("users.info called %d times, want 2", n)
	}
	if logs := e.logs.String(); strings.Contains(logs, "Maria") || strings.Contains(logs, "telegram:42") {
		t.Errorf("personal data in the logs:\n%s", logs)
	}
}

func pushReply(srv *slacktest.Server, user, text, threadTS string) string {
	_, env := srv.PushUserMessage(operators, user, text, threadTS)
	return env
}

// Outside office hours the citizen learns when someone will answer, and the card is
// posted all the same, waiting for Monday.
func TestHandoffOutsideOfficeHours(t *testing.T) {
	sunday := time.Date(2026, time.March, 1, 11, 0, 0, 0, rome)
	e := newEnv(t, func(o *envOptions) { o.now = sunday })
	ctx := testContext(t)
	if got := texts(e.say("/operatore")); !strings.Contains(got, "uffici sono chiusi") || !strings.Contains(got, "lun 02/03 alle 09:00") {
		t.Errorf("outside office hours the citizen was told %q", got)
	}
	card := e.waitPost(ctx, 1)
	if !strings.Contains(card.VisibleText(), "Maria") || len(card.ActionIDs()) != 2 ||
		!strings.Contains(card.VisibleText(), "fuori orario") || !strings.Contains(card.VisibleText(), "a partire da lun 02/03 09:00") {
		t.Errorf("card outside office hours: %v\n%s", card.ActionIDs(), card.VisibleText())
	}
	if open, err := e.desk.OpenHandoffs(ctx); err != nil || open != 1 {
		t.Errorf("OpenHandoffs = %d, %v; want the handoff waiting", open, err)
	}
}

// When the citizen leaves (or erases their data) the thread says so, the card loses
// its buttons, and later replies are not delivered.
func TestCitizenLeaves(t *testing.T) {
	tests := []struct {
		name  string
		leave func(e *env)
		note  string
	}{
		{"back to the bot", func(e *env) { e.send(bot.Message{Button: "hoend"}) }, "tornato all'assistente automatico"},
		{"erased", func(e *env) { e.press(e.say("/dimenticami"), "Sì") }, "cancellato i suoi dati"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := testContext(t)
			card, _ := e.openHandoff(ctx)
			tt.leave(e)
			note := e.waitPost(ctx, 2)
			if note.ThreadTS != card.TS || !strings.Contains(note.Text, tt.note) {
				t.Errorf("note %q in thread %q, want %q", note.Text, note.ThreadTS, tt.note)
			}
			upd := e.waitUpdate(ctx, 1)
			if upd.TS != card.TS || len(upd.ActionIDs()) != 0 || !strings.Contains(upd.VisibleText(), tt.note) {
				t.Errorf("card after the citizen left: %v\n%s", upd.ActionIDs(), upd.VisibleText())
			}
			// After an erasure the card no longer names the citizen nor quotes them.
			if erased := tt.name == "erased"; erased == strings.Contains(upd.VisibleText(), "Maria") {
				t.Errorf("erased %v, and the card says:\n%s", erased, upd.VisibleText())
			}
			if open, _ := e.desk.OpenHandoffs(ctx); open != 0 {
				t.Errorf("%d handoffs open after the citizen left", open)
			}
			e.ack(ctx, pushReply(e.srv, giulia.ID, "ci siete?", card.TS))
			if eph := e.waitEphemeral(ctx, 1); !strings.Contains(eph.Text, "chiusa") {
				t.Errorf("late reply told %q", eph.Text)
			}
			if got := e.inbox.all(); len(got) != 0 {
				t.Errorf("the citizen received %s", texts(got))
			}
		})
	}
}

// Erasing their data takes the citizen out of every thread of theirs, the closed
// ones too: the bot's replies (their relayed words among them) are deleted and the
// cards no longer name them; the operators' replies stay, which a bot cannot delete.
// With the records sealed (vault/sealed), the engine shreds the citizen's key before
// the desk gets to the threads: the desk finds them all the same.
func TestErasureEmptiesThreads(t *testing.T) {
	for _, sealedStores := range []bool{false, true} {
		t.Run(map[bool]string{false: "clear", true: "sealed"}[sealedStores], func(t *testing.T) {
			testErasureEmptiesThreads(t, func(o *envOptions) { o.sealed = sealedStores })
		})
	}
}

func testErasureEmptiesThreads(t *testing.T, tweak func(*envOptions)) {
	e := newEnv(t, tweak)
	ctx := testContext(t)
	first, h1 := e.openHandoff(ctx)
	e.say("mia madre ha l'Alzheimer")
	e.ack(ctx, pushReply(e.srv, giulia.ID, "Buongiorno, la richiamo io", first.TS))
	e.inbox.wait(ctx, t, 1)
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction(giulia.ID, operators, first.TS, "wemi.handoff.close", h1.ID)))
	e.inbox.wait(ctx, t, 2)
	second, _ := e.openHandoff(ctx)
	e.say("abito in via Padova 12")
	e.waitThread(ctx, second.TS, "via Padova")

	e.press(e.say("/dimenticami"), "Sì")
	for _, card := range []slacktest.Post{first, second} {
		e.waitThread(ctx, card.TS, "cancellato i suoi dati")
		if err := e.srv.WaitFor(ctx, func() bool {
			m, _ := e.srv.Message(operators, card.TS)
			return !strings.Contains(m.VisibleText(), "Maria")
		}); err != nil {
			t.Fatalf("the card still names the citizen")
		}
		for _, m := range e.srv.Thread(operators, card.TS)[1:] {
			switch {
			case m.Method == "" && m.Text != "Buongiorno, la richiamo io":
				t.Errorf("an operator's message changed: %q", m.Text)
			case m.Method != "" && !strings.Contains(m.Text, "cancellato i suoi dati"):
				t.Errorf("the bot's reply %q is still in the thread", m.Text)
			}
		}
	}
	if got := e.srv.Thread(operators, first.TS); len(got) != 3 || got[1].Text != "Buongiorno, la richiamo io" {
		t.Errorf("the first thread after the erasure: %+v", got)
	}
	if n := len(e.srv.Deleted()); n != 2 {
		t.Errorf("%d messages deleted, want the two relayed messages", n)
	}
	for _, private := range []string{"Maria", "Alzheimer", "Padova"} {
		if strings.Contains(e.logs.String(), private) {
			t.Errorf("the logs hold %q", private)
		}
	}
}

// When Slack refuses some deletions, the card is redacted all the same, the thread
// says the erasure is under way, and the periodic repair finishes it: the rest of the
// bot's replies (the note included) go, and the final note comes.
func TestErasureResumedByTheRepair(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	card, _ := e.openHandoff(ctx)
	for _, text := range []string{"mia madre ha l'Alzheimer", "abito in via Padova 12", "il mio numero è 333 1234567"} {
		e.say(text)
		e.waitThread(ctx, card.TS, text[:10])
	}
	e.srv.FailNext("chat.delete", 1, "invalid_auth") // not worth a retry: the erasure stops there
	e.press(e.say("/dimenticami"), "Sì")
	e.waitThread(ctx, card.TS, "sto togliendo i suoi messaggi")
	if err := e.srv.WaitFor(ctx, func() bool {
		m, _ := e.srv.Message(operators, card.TS)
		return strings.Contains(m.VisibleText(), "cancellato i suoi dati") && !strings.Contains(m.VisibleText(), "Maria")
	}); err != nil {
		t.Fatal("the card was not redacted while the deletions failed")
	}
	if n, err := e.desk.ResumeErasures(ctx); err != nil || n != 1 {
		t.Fatalf("ResumeErasures = %d, %v; want the erasure finished", n, err)
	}
	thread := e.srv.Thread(operators, card.TS)
	if len(thread) != 2 || !strings.Contains(thread[1].Text, "sono stati tolti") {
		t.Errorf("the thread after the repair: %+v", thread)
	}
	if n, err := e.desk.ResumeErasures(ctx); err != nil || n != 0 {
		t.Errorf("ResumeErasures again = %d, %v; want nothing left", n, err)
	}
}

// The first operator to answer in the thread takes a handoff nobody took.
func TestFirstReplyClaims(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	card, h := e.openHandoff(ctx)
	e.ack(ctx, pushReply(e.srv, marco.ID, "Salve, sono Marco del WeMi", card.TS))
	if got := e.inbox.wait(ctx, t, 1); got[0].Text != "*Marco (WeMi):* Salve, sono Marco del WeMi" {
		t.Errorf("the citizen received %q", got[0].Text)
	}
	upd := e.waitUpdate(ctx, 1)
	if !strings.Contains(upd.VisibleText(), "Presa in carico da Marco") || !slices.Equal(upd.ActionIDs(), []string{"wemi.handoff.close"}) {
		t.Errorf("card after the first reply: %v\n%s", upd.ActionIDs(), upd.VisibleText())
	}
	got, err := e.handoffs.Get(ctx, h.ID)
	if err != nil || got.OperatorID != marco.ID || got.Operator != "Marco" {
		t.Errorf("handoff %+v, %v; want Marco's", got, err)
	}
}

// An operator Slack cannot describe signs with the handle Slack sent with the press.
func TestOperatorWithoutProfile(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	card, h := e.openHandoff(ctx)
	e.ack(ctx, e.srv.PushInteraction(e.srv.BlockAction("U0STRANGER", operators, card.TS, "wemi.handoff.claim", h.ID)))
	if upd := e.waitUpdate(ctx, 1); !strings.Contains(upd.VisibleText(), "Presa in carico da u0stranger") {
		t.Errorf("card:\n%s", upd.VisibleText())
	}
}

// A reply the citizen's channel refuses is reported in the thread, for every operator
// to see.
func TestReplyNotDelivered(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	card, _ := e.openHandoff(ctx)
	e.inbox.setFail(errors.New("telegram: bot blocked by the user"))
	e.ack(ctx, pushReply(e.srv, giulia.ID, "Buongiorno!", card.TS))
	warn := e.waitPost(ctx, 2)
	if warn.ThreadTS != card.TS || !strings.Contains(warn.Text, "Non consegnato") || !strings.Contains(warn.Text, "Telegram") {
		t.Errorf("warning %q in thread %q", warn.Text, warn.ThreadTS)
	}
}

// Danger opens an urgent card that alerts the channel; danger during an open handoff
// is broadcast from its thread.
func TestEmergency(t *testing.T) {
	t.Run("new handoff", func(t *testing.T) {
		e := newEnv(t)
		ctx := testContext(t)
		if got := texts(e.say("voglio farla finita")); !strings.Contains(got, "Telefono Amico") {
			t.Errorf("danger answered %q", got)
		}
		card := e.waitPost(ctx, 1)
		if !strings.Contains(card.VisibleText(), "URGENTE") || !strings.HasPrefix(card.Text, "<!here>") ||
			!strings.Contains(card.VisibleText(), "autolesionismo") || len(card.ActionIDs()) != 2 {
			t.Errorf("urgent card %q: %v\n%s", card.Text, card.ActionIDs(), card.VisibleText())
		}
		if open, err := e.handoffs.Waiting(ctx); err != nil || len(open) != 1 || !open[0].Priority {
			t.Errorf("open handoffs %+v, %v; want one urgent", open, err)
		}
	})
	t.Run("open handoff", func(t *testing.T) {
		e := newEnv(t)
		ctx := testContext(t)
		card, _ := e.openHandoff(ctx)
		e.say("voglio farla finita")
		alert := e.waitPost(ctx, 2)
		if alert.ThreadTS != card.TS || alert.Params.Get("reply_broadcast") != "true" || !strings.Contains(alert.Text, "URGENTE") {
			t.Errorf("alert %q in thread %q, broadcast %q", alert.Text, alert.ThreadTS, alert.Params.Get("reply_broadcast"))
		}
	})
}

// A handoff whose card never made it (Slack was down) gets it from the periodic
// repair, marked late; one with its card is left alone.
func TestRepostMissingCards(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	if err := e.handoffs.Open(ctx, desk.Handoff{ID: "lost1", Conversation: "telegram:7", Channel: "telegram",
		Lang: "it", FirstName: "Rosa", Reason: "asked", Opened: monday10}); err != nil {
		t.Fatal(err)
	}
	if n, err := e.desk.RepostMissing(ctx); n != 0 || err != nil {
		t.Fatalf("at once: %d, %v; want the first attempt left its time", n, err)
	}
	e.clock.Set(monday10.Add(5 * time.Minute))
	if n, err := e.desk.RepostMissing(ctx); n != 1 || err != nil {
		t.Fatalf("RepostMissing = %d, %v", n, err)
	}
	card := e.waitPost(ctx, 1)
	if !strings.Contains(card.VisibleText(), "Rosa") || !strings.Contains(card.VisibleText(), "in ritardo") {
		t.Errorf("late card:\n%s", card.VisibleText())
	}
	if n, _ := e.desk.RepostMissing(ctx); n != 0 {
		t.Errorf("posted %d again", n)
	}
}

// Two replicas raising the same handoff's card at once post one card: the second
// waits for the first's thread.
func TestOneCardAcrossReplicas(t *testing.T) {
	first := newEnv(t)
	second := newEnv(t, func(o *envOptions) { o.shared = first })
	ctx := testContext(t)
	ev := bot.Event{Kind: bot.EventHandoff, Handoff: "h42", Conversation: "telegram:42", Channel: "telegram",
		Lang: "it", FirstName: "Anna", Reason: "asked", At: monday10}
	for _, e := range []*env{first, second} {
		if err := e.desk.Notify(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	card := first.waitPost(ctx, 1)
	// The second replica's relay finds the thread rather than posting its own card.
	relay := ev
	relay.Kind, relay.Text = bot.EventRelay, "ci siete?"
	if err := second.desk.Notify(ctx, relay); err != nil {
		t.Fatal(err)
	}
	first.waitThread(ctx, card.TS, "ci siete?")
	cards := 0
	for _, p := range first.srv.Posts(operators) {
		if p.ThreadTS == "" {
			cards++
		}
	}
	if cards != 1 {
		t.Errorf("%d cards for one handoff, want 1", cards)
	}
}
