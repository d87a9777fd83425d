package slack_test

import (
	"strings"
	"testing"
	"time"
)

// /wemi answers only the operator who typed it, in the channel they typed it in.
func TestWemiCommand(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	e.say("babysitter")
	e.say("zzqxj wibble") // a search that finds nothing
	card, _ := e.openHandoff(ctx)
	e.clock.Set(monday10.Add(25 * time.Minute))

	tests := []struct {
		name    string
		text    string
		channel string
		want    []string
		not     []string
	}{
		{"search", "cerca babysitter", operators, []string{"servizi* trovati per «babysitter»", "1. *"}, nil},
		{"search without words", "cerca", operators, []string{"Scrivi cosa cercare"}, nil},
		{"search that finds nothing", "cerca zzqxj wibble", operators, []string{"Nessun servizio trovato per «zzqxj wibble»"}, nil},
		{"search escapes", "cerca &lt;b&gt;", operators, []string{"«&lt;b&gt;»"}, []string{"<b>"}},
		{"waiting", "attese", operators, []string{"*1 richiesta aperta*", "Maria (Telegram), in attesa da 25 min",
			"*nessuno l'ha presa*", "<https://wemi-test.slack.com/archives/" + operators + "/p" + strings.ReplaceAll(card.TS, ".", "") + "|apri>"}, nil},
		{"stats", "stats", operators, []string{"I numeri di oggi* (02/03/2026)", "Conversazioni: 1", "Ricerche: 3, di cui senza risultati: 1",
			"Richieste di un operatore: 1", "nessun giudizio", "«zzqxj wibble» ×1"}, nil},
		{"help", "aiuto", operators, []string{"/wemi cerca <testo>", "/wemi attese", "/wemi stats"}, nil},
		{"unknown", "boh", operators, []string{"Comandi di /wemi"}, nil},
		{"empty", "", operators, []string{"Comandi di /wemi"}, nil},
		// Elsewhere (a DM, another channel) /wemi shows nothing about citizens.
		{"elsewhere", "attese", "D0GIULIA", []string{"solo nel canale degli operatori"}, []string{"Maria"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.ack(ctx, e.srv.PushSlashCommand("/wemi", tt.text, giulia.ID, tt.channel))
			got := e.waitEphemeral(ctx, i+1)
			if got.User != giulia.ID || got.Channel != tt.channel {
				t.Errorf("answered to %s in %s, want %s in %s", got.User, got.Channel, giulia.ID, tt.channel)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.Text, w) {
					t.Errorf("answer does not contain %q:\n%s", w, got.Text)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got.Text, w) {
					t.Errorf("answer contains %q:\n%s", w, got.Text)
				}
			}
		})
	}
	if posts := e.srv.Posts(operators); len(posts) != 1 {
		t.Errorf("%d messages in the channel, want only the card: commands are answered privately", len(posts))
	}
}

// When Slack refuses the ephemeral message (the bot is not in that channel) the answer
// goes to the command's response_url, still to the operator only.
func TestWemiCommandFallsBackToResponseURL(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	e.srv.FailNext("chat.postEphemeral", 1, "channel_not_found")
	e.ack(ctx, e.srv.PushSlashCommand("/wemi", "aiuto", giulia.ID, operators))
	got, err := e.srv.WaitResponses(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ResponseType != "ephemeral" || !strings.Contains(got[0].Text, "Comandi di /wemi") {
		t.Errorf("response = %+v", got[0])
	}
}
