package main

import (
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bot"
)

func TestShellChats(t *testing.T) {
	t.Parallel() // a real server (or shell) of its own: runs beside the others
	dir := t.TempDir()
	// /start runs by itself; then: press button 1 (search), describe a need, open the
	// first result and its costs, share a location by neighbourhood and by coordinates,
	// ask for a person.
	script := strings.Join([]string{"42", "1", "mia mamma non riesce più a cucinare", "1", "1", "pos Niguarda", "pos 45.4642, 9.19", "/operatore", "ho bisogno di aiuto", "!prendo", "!op Buongiorno!", "!chiudi", "5", "/lingua en", "/start"}, "\n") + "\n"
	r := runCLI(t, map[string]string{"WEMI_DATA_DIR": dir}, script, "shell")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"Ciao! Sono WeMi Bot", "[1] 🔎 Cerca un servizio", // welcome with numbered buttons
		"Non c'è un pulsante con il numero 42", // a number with no button
		"Scrivimi con parole tue",              // button 1 pressed
		"Ho trovato", "Pranzo caldo",           // the search
		"💶 Costo:", "[1] 💶 Costi", // the card of result 1, its details behind buttons
		"Quanto costa",         // the costs pressed
		"Vicino a Niguarda",    // pos Niguarda
		"Vicino a te",          // pos coordinates
		"📍 Spazio WeMi",        // a location reply
		"[staff desk] handoff", // the operator event
		"[staff desk] citizen: ho bisogno di aiuto", // relayed during the handoff
		"Operatore (WeMi): Buongiorno!",             // the operator's reply, played in the terminal
		"[staff desk] rated 5/5",                    // the rating after !chiudi
		"Hi! I'm WeMi Bot",                          // English after /lingua en
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("shell output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(r.stdout)
	}
	// The conversation lives in the embedded store: a second session continues it.
	r2 := runCLI(t, map[string]string{"WEMI_DATA_DIR": dir}, "/privacy\n", "shell")
	if !strings.Contains(r2.stdout, "Your data") {
		t.Errorf("the language chosen in the first session was lost:\n%s", r2.stdout)
	}
	if r := runCLI(t, map[string]string{"WEMI_DATA_DIR": dir}, "", "shell", "--lang", "xx"); r.code != 2 {
		t.Errorf("--lang xx: exit %d", r.code)
	}
}

func TestShellOnRedis(t *testing.T) {
	t.Parallel() // a real server of its own: runs beside the others
	srv := redistest.Start(t)
	r := runCLI(t, map[string]string{"WEMI_REDIS_URL": srv.URL()}, "colf\n", "shell")
	if r.code != 0 || !strings.Contains(r.stdout, "Ho trovato") {
		t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	srv.Stop()
	r = runCLI(t, map[string]string{"WEMI_REDIS_URL": srv.URL()}, "colf\n", "shell")
	if r.code != 1 || !strings.Contains(r.stderr, "WEMI_REDIS_URL") {
		t.Errorf("Redis down at start: exit %d, %q", r.code, r.stderr)
	}
}

func TestShellPrintsALinkButtonsAddress(t *testing.T) {
	var out strings.Builder
	term := &terminal{out: &out}
	term.print(bot.Reply{Text: "Offerta", Buttons: [][]bot.Button{
		{{Label: "Paga online", URL: "https://checkout.stripe.com/c/pay/cs_test_1"}},
		{{Label: "Le mie prenotazioni", Data: "bookings"}},
	}})
	got := out.String()
	for _, want := range []string{"Paga online: https://checkout.stripe.com/c/pay/cs_test_1", "[1] Le mie prenotazioni"} {
		if !strings.Contains(got, want) {
			t.Errorf("shell output lacks %q:\n%s", want, got)
		}
	}
	// The link is not a numbered button: typing 1 presses the other one.
	if len(term.buttons) != 1 || term.buttons[0].Data != "bookings" {
		t.Errorf("numbered buttons = %+v", term.buttons)
	}
}
