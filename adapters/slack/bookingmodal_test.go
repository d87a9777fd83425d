package slack_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
)

func reason(text string) map[string]map[string]any {
	return map[string]map[string]any{"wemi.booking.reason": {"reason": map[string]any{"type": "plain_text_input", "value": text}}}
}

func proposal(date, clock string) map[string]map[string]any {
	return map[string]map[string]any{
		"wemi.booking.date": {"date": map[string]any{"type": "datepicker", "selected_date": date}},
		"wemi.booking.time": {"time": map[string]any{"type": "timepicker", "selected_time": clock}},
	}
}

// Rifiuta asks for the reason in a modal; an empty reason keeps the modal open and
// changes nothing; a reason refuses the booking, reaches the citizen and shows on the
// card, escaped.
func TestBookingRefuse(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, b := e.book(ctx, "")

	trigger := e.pressCard(ctx, marco.ID, card, "refuse", b.ID)
	views, err := e.srv.WaitViews(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	v := views[0]
	var meta map[string]string
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || !strings.Contains(v.PrivateMetadata, b.ID) ||
		!strings.Contains(v.PrivateMetadata, operators+"/"+card.TS) {
		t.Errorf("private_metadata %q (%v)", v.PrivateMetadata, err)
	}
	if v.TriggerID != trigger || v.CallbackID != "wemi.booking.refuse" || !slices.Contains(v.BlockIDs(), "wemi.booking.reason") ||
		!strings.Contains(string(v.Raw), `"max_length":300`) || strings.Contains(string(v.Raw), `"optional":true`) ||
		!strings.Contains(v.VisibleText(), "Babysitting diurno a domicilio") {
		t.Errorf("modal %+v", v)
	}
	if n := len(e.srv.Updates()); n != 0 {
		t.Errorf("%d card updates before the reason", n)
	}

	// No reason: the modal stays open with an error under the input.
	var resp slackapi.ViewSubmissionResponse
	if err := json.Unmarshal(e.submit(ctx, marco.ID, v, reason("   ")), &resp); err != nil ||
		resp.ResponseAction != slackapi.RAErrors || !strings.Contains(resp.Errors["wemi.booking.reason"], "Scrivi il motivo") {
		t.Errorf("an empty reason was answered %+v (%v)", resp, err)
	}

	// A reason: the modal closes, the citizen is told why, the card says who and why.
	if payload := e.submit(ctx, marco.ID, v, reason("Nessuna babysitter libera <sabato> & domenica")); payload != nil {
		t.Errorf("the acknowledgement carries %s, want none", payload)
	}
	got := e.inbox.wait(ctx, t, 1)
	if !strings.Contains(got[0].Text, "non è stata accettata") || !strings.Contains(got[0].Text, "Nessuna babysitter libera <sabato> & domenica") {
		t.Errorf("the citizen was told %q", got[0].Text)
	}
	upd := e.waitCard(ctx, card.TS, "❌ Rifiutata da Marco: Nessuna babysitter libera &lt;sabato&gt; &amp; domenica")
	if len(upd.ActionIDs()) != 0 {
		t.Errorf("buttons after the refusal %v", upd.ActionIDs())
	}
	if s := e.status(ctx, b.ID); s != bookings.Refused {
		t.Errorf("status %q", s)
	}
	if n := len(e.inbox.all()); n != 1 {
		t.Errorf("the citizen received %d messages, want only the refusal", n)
	}
}

// A modal's input is checked before it closes: Slack shows the error under the block
// it names, and nothing changes.
func TestBookingModalValidation(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, b := e.book(ctx, "")
	e.pressCard(ctx, giulia.ID, card, "propose", b.ID)
	views, err := e.srv.WaitViews(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		values map[string]map[string]any
		block  string
		want   string
	}{
		{"earlier today", proposal("2026-03-02", "09:30"), "wemi.booking.time", "già passato"},
		{"yesterday", proposal("2026-03-01", "15:00"), "wemi.booking.date", "già passato"},
		{"no time", proposal("2026-03-07", ""), "wemi.booking.time", "Scegli l'ora"},
		{"no date", proposal("", "10:00"), "wemi.booking.date", "Scegli il giorno"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp slackapi.ViewSubmissionResponse
			payload := e.submit(ctx, giulia.ID, views[0], tt.values)
			if err := json.Unmarshal(payload, &resp); err != nil || resp.ResponseAction != slackapi.RAErrors ||
				len(resp.Errors) != 1 || !strings.Contains(resp.Errors[tt.block], tt.want) {
				t.Errorf("answered %s, want an error on %s", payload, tt.block)
			}
		})
	}
	b, err = e.bookings.Get(ctx, b.ID)
	if err != nil || b.Status != bookings.Requested || !b.Proposed.IsZero() {
		t.Errorf("booking after invalid proposals: %+v (%v)", b, err)
	}
	if n := len(e.srv.Updates()) + len(e.inbox.all()); n != 0 {
		t.Errorf("%d card updates and messages to the citizen, want none", n)
	}
}

// Proponi altro orario: the citizen gets the proposal with buttons; declining puts the
// buttons back on the card; accepting another proposal confirms the booking, on the
// card and in its thread.
func TestBookingProposeAndAnswer(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, b := e.book(ctx, "")

	e.pressCard(ctx, giulia.ID, card, "propose", b.ID)
	views, err := e.srv.WaitViews(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	raw := string(views[0].Raw)
	for _, want := range []string{`"initial_date":"2026-03-07"`, `"initial_time":"10:30"`, `"timezone":"Europe/Rome"`,
		`"callback_id":"wemi.booking.propose"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("the modal lacks %s: %s", want, raw)
		}
	}
	if payload := e.submit(ctx, giulia.ID, views[0], proposal("2026-03-07", "15:00")); payload != nil {
		t.Errorf("the acknowledgement carries %s", payload)
	}
	upd := e.waitCard(ctx, card.TS, "🕐 Proposto sab 07/03 15:00 da Giulia, in attesa del cittadino")
	if len(upd.ActionIDs()) != 0 {
		t.Errorf("buttons while the citizen decides %v", upd.ActionIDs())
	}
	got := e.inbox.wait(ctx, t, 1)
	if !strings.Contains(got[0].Text, "ti propone un'alternativa") || len(got[0].Buttons) == 0 ||
		got[0].Buttons[0][0].Data != "book:accept:"+b.ID || got[0].Buttons[0][1].Data != "book:decline:"+b.ID {
		t.Errorf("the citizen received %+v", got[0])
	}

	// Declined: the request is the operators' again.
	e.send(bot.Message{Button: "book:decline:" + b.ID})
	e.waitThread(ctx, card.TS, "non ha accettato l'orario proposto")
	upd = e.waitCard(ctx, card.TS, "non ha accettato l'orario proposto")
	if got := upd.ActionIDs(); !slices.Equal(got, bookingButtons) {
		t.Errorf("buttons after the citizen declined %v", got)
	}

	// Another proposal, accepted: confirmed at the new time.
	e.pressCard(ctx, giulia.ID, card, "propose", b.ID)
	views, err = e.srv.WaitViews(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	e.submit(ctx, giulia.ID, views[1], proposal("2026-03-07", "16:00"))
	e.waitCard(ctx, card.TS, "🕐 Proposto sab 07/03 16:00 da Giulia")
	e.inbox.wait(ctx, t, 2)
	replies := e.send(bot.Message{Button: "book:accept:" + b.ID})
	if !strings.Contains(texts(replies), "Prenotazione confermata") {
		t.Errorf("accepting answered %q", texts(replies))
	}
	e.waitThread(ctx, card.TS, "Il cittadino ha accettato il nuovo orario, sab 07/03 16:00")
	upd = e.waitCard(ctx, card.TS, "✅ Il cittadino ha accettato sab 07/03 16:00: confermata")
	if len(upd.ActionIDs()) != 0 {
		t.Errorf("buttons after the citizen accepted %v", upd.ActionIDs())
	}
	if b, err := e.bookings.Get(ctx, b.ID); err != nil || b.Status != bookings.Confirmed || !b.Start.Equal(time.Date(2026, 3, 7, 16, 0, 0, 0, rome)) {
		t.Errorf("booking %+v (%v)", b, err)
	}
}

// Over the Events API the answer to a modal's submission is the response's body:
// errors keep the modal open, an empty 200 closes it.
func TestBookingModalOverHTTP(t *testing.T) {
	e := newEnv(t, withBookings, func(o *envOptions) { o.noRun = true })
	ctx := testContext(t)
	srv := serveDesk(t, e)
	card, b := e.book(ctx, "")

	press, err := slacktest.InteractionCallbackBody(e.srv.BlockAction(giulia.ID, operators, card.TS, "wemi.booking.refuse", b.ID))
	if err != nil {
		t.Fatal(err)
	}
	if status, body := post(ctx, t, srv.URL+"/slack/interactions", signingSecret, press, time.Now()); status != http.StatusOK {
		t.Fatalf("press: %d %s", status, body)
	}
	views, err := e.srv.WaitViews(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	submit := func(text string) (int, string) {
		body := slacktest.InteractionBody(e.srv.ViewSubmission(giulia.ID, views[0], reason(text)))
		return post(ctx, t, srv.URL+"/slack/interactions", signingSecret, body, time.Now())
	}
	var resp slackapi.ViewSubmissionResponse
	status, body := submit("")
	if status != http.StatusOK || json.Unmarshal([]byte(body), &resp) != nil || resp.ResponseAction != slackapi.RAErrors ||
		resp.Errors["wemi.booking.reason"] == "" {
		t.Errorf("an empty reason: %d %s", status, body)
	}
	if status, body := submit("Siamo al completo"); status != http.StatusOK || body != "" {
		t.Errorf("a reason: %d %q, want an empty 200", status, body)
	}
	e.waitCard(ctx, card.TS, "❌ Rifiutata da Giulia: Siamo al completo")
	if got := e.inbox.wait(ctx, t, 1); !strings.Contains(got[0].Text, "Siamo al completo") {
		t.Errorf("the citizen was told %q", got[0].Text)
	}
}
