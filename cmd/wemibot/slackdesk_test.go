package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/search/searchtest"
)

const operators = "C0OPERATORS"

var operator = slacktest.User{ID: "U0GIULIA", FirstName: "Giulia", LastName: "Bianchi"}

// webCitizen is a citizen in the web chat of a running serve.
type webCitizen struct {
	t      *testing.T
	addr   string
	client *http.Client
	n      int
}

func newWebCitizen(t *testing.T, addr string) *webCitizen {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &webCitizen{t: t, addr: addr, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	page, err := c.client.Get("http://" + addr + "/") // the page gives the session
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	return c
}

// send posts a message (text, or a button's data) and returns the answer's JSON.
func (c *webCitizen) send(field, value string) string {
	c.t.Helper()
	c.n++
	body, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("m%d", c.n), field: value})
	resp, err := c.client.Post("http://"+c.addr+"/api/messages", "application/json", strings.NewReader(string(body)))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw)
}

// waitInbox polls the web chat's inbox, as the page does, until what arrived
// contains want; it returns everything that arrived.
func (c *webCitizen) waitInbox(want string) string {
	c.t.Helper()
	var got strings.Builder
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		resp, err := c.client.Get("http://" + c.addr + "/api/inbox")
		if err != nil {
			c.t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got.Write(raw)
		if strings.Contains(got.String(), want) {
			return got.String()
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("the web chat never received %q; got %s", want, got.String())
	return ""
}

// waitThread waits until the handoff's thread has a message containing want.
func waitThread(t *testing.T, fake *slacktest.Server, ts, want string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		for _, p := range fake.Thread(operators, ts) {
			if strings.Contains(p.VisibleText(), want) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the thread never showed %q", want)
}

// waitCard waits for the first card of kind posted in the operators' channel (not by
// position: the daily digest may come first, when a run crosses 08:00 in Rome).
func waitCard(ctx context.Context, t *testing.T, fake *slacktest.Server, kind string) slacktest.Post {
	t.Helper()
	var card slacktest.Post
	found := func() bool {
		for _, p := range fake.Posts(operators) {
			if p.ThreadTS == "" && slices.ContainsFunc(p.ActionIDs(), func(id string) bool { return strings.HasPrefix(id, "wemi."+kind+".") }) {
				card = p
				return true
			}
		}
		return false
	}
	if err := fake.WaitFor(ctx, found); err != nil {
		t.Fatalf("no %s card in the channel: %v", kind, err)
	}
	return card
}

// buttonValue returns the value of the card's button whose action id ends with verb.
func buttonValue(t *testing.T, p slacktest.Post, verb string) (actionID, value string) {
	t.Helper()
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	json.Unmarshal(p.Blocks, &blocks)
	for _, b := range blocks {
		for _, e := range b.Elements {
			if strings.HasSuffix(e.ActionID, "."+verb) {
				return e.ActionID, e.Value
			}
		}
	}
	t.Fatalf("no %q button on the card: %s", verb, p.Blocks)
	return "", ""
}

// The real wiring, on Redis: a web citizen's handoff becomes a card and a thread in
// the operators' Slack channel (Socket Mode), an operator's reply in the thread reaches
// the web chat, an internal note does not, "Chiudi" hands the citizen back and asks for
// a rating, and the figures reach /wemi stats and the open-handoffs gauge.
func TestServeStaffDeskEndToEnd(t *testing.T) {
	t.Parallel() // a real server of its own: runs beside the others
	fake := slacktest.New(t, slacktest.WithUsers(operator))
	rs := redistest.Start(t)
	addr, out := startServe(t, map[string]string{"WEMI_REDIS_URL": rs.URL(),
		"WEMI_SLACK_BOT_TOKEN": slacktest.DefaultBotToken, "WEMI_SLACK_APP_TOKEN": slacktest.DefaultAppToken,
		"WEMI_SLACK_CHANNEL": operators, "WEMI_SLACK_API_URL": fake.APIURL()})
	if !strings.Contains(out.String(), "Slack staff desk: Socket Mode, channel "+operators) {
		t.Errorf("banner: %s", out.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()

	c := newWebCitizen(t, addr)
	if got := c.send("text", "astronave quantistica"); !strings.Contains(got, "non ho trovato") {
		t.Fatalf("search: %s", got)
	}
	if got := c.send("text", "/operatore"); !strings.Contains(got, "Ho passato la tua richiesta") {
		t.Fatalf("handoff: %s", got)
	}
	card := waitCard(ctx, t, fake, "handoff")
	if !strings.Contains(card.VisibleText(), "astronave quantistica") {
		t.Errorf("the card lacks what the citizen searched for:\n%s", card.VisibleText())
	}
	if got := c.send("text", "mia madre ha 88 anni"); strings.Contains(got, "Ho trovato") {
		t.Errorf("the bot answered during the handoff: %s", got)
	}
	waitThread(t, fake, card.TS, "mia madre ha 88 anni")

	fake.PushUserMessage(operators, operator.ID, "Buongiorno, sono Giulia: come posso aiutarvi?", card.TS)
	c.waitInbox("Giulia (WeMi):")
	fake.PushUserMessage(operators, operator.ID, "nota: richiamare la figlia", card.TS)
	fake.PushUserMessage(operators, operator.ID, "Vi scrivo i riferimenti", card.TS)
	if got := c.waitInbox("Vi scrivo i riferimenti"); strings.Contains(got, "richiamare") {
		t.Errorf("an internal note reached the citizen: %s", got)
	}

	action, value := buttonValue(t, card, "close")
	env := fake.PushInteraction(fake.BlockAction(operator.ID, operators, card.TS, action, value))
	if _, err := fake.WaitAck(ctx, env); err != nil {
		t.Fatal(err)
	}
	got := c.waitInbox("ha chiuso la conversazione")
	if !strings.Contains(got, "rate:5") {
		t.Fatalf("no rating buttons after the close: %s", got)
	}
	if got := c.send("button", "rate:5"); !strings.Contains(got, "Grazie del tuo giudizio") {
		t.Errorf("rating: %s", got)
	}
	waitThread(t, fake, card.TS, "5/5")

	fake.PushSlashCommand("/wemi", "stats", operator.ID, operators)
	eph, err := fake.WaitEphemerals(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	stats := eph[len(eph)-1].VisibleText()
	for _, want := range []string{"astronave quantistica", "5"} {
		if !strings.Contains(stats, want) {
			t.Errorf("/wemi stats lacks %q:\n%s", want, stats)
		}
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), "wemibot_open_handoffs 0") {
		t.Errorf("the open-handoffs gauge is missing or wrong")
	}
}

// bookDataRE finds the booking buttons in a web answer.
var bookDataRE = regexp.MustCompile(`"data":"(book:[a-z]+(?::[^"]*)?)"`)

// firstButton returns the first booking button of a step in a web answer.
func firstButton(t *testing.T, answer, step string) (string, bool) {
	t.Helper()
	for _, m := range bookDataRE.FindAllStringSubmatch(answer, -1) {
		if m[1] == "book:"+step || strings.HasPrefix(m[1], "book:"+step+":") {
			return m[1], true
		}
	}
	return "", false
}

// A web citizen books a service; the request card reaches the operators' channel;
// "Conferma" there sends the citizen a confirmation with a calendar file.
func TestServeBookingEndToEnd(t *testing.T) {
	t.Parallel() // a real server (or shell) of its own: runs beside the others
	fake := slacktest.New(t, slacktest.WithUsers(operator))
	addr, _ := startServe(t, map[string]string{
		"WEMI_SLACK_BOT_TOKEN": slacktest.DefaultBotToken, "WEMI_SLACK_APP_TOKEN": slacktest.DefaultAppToken,
		"WEMI_SLACK_CHANNEL": operators, "WEMI_SLACK_API_URL": fake.APIURL()})
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var svc string
	for _, s := range searchtest.Bundled(t).Catalogue().Services {
		if s.Cost.Unit == "ora" && s.Delivery.Individual && len(s.Schedules) > 0 {
			svc = s.ID
			break
		}
	}
	c := newWebCitizen(t, addr)
	if got := c.send("button", "svc:"+svc); !strings.Contains(got, "book:new:"+svc) {
		t.Fatalf("the card offers no booking: %s", got)
	}
	answer := c.send("button", "book:new:"+svc)
	// The first day offered, one hour, the first time, the first Municipio.
	for _, step := range []string{"day", "qty", "slot", "sh", "who", "mun", "skip", "ok"} {
		data, ok := firstButton(t, answer, step)
		if !ok {
			continue // a step this service does not need
		}
		answer = c.send("button", data)
	}
	if !strings.Contains(answer, "Richiesta inoltrata") {
		t.Fatalf("the booking was not sent: %s", answer)
	}
	card := waitCard(ctx, t, fake, "booking")
	action, value := buttonValue(t, card, "confirm")
	env := fake.PushInteraction(fake.BlockAction(operator.ID, operators, card.TS, action, value))
	if _, err := fake.WaitAck(ctx, env); err != nil {
		t.Fatal(err)
	}
	got := c.waitInbox("Prenotazione confermata")
	if !strings.Contains(got, `"mime":"text/calendar"`) {
		t.Errorf("no calendar file with the confirmation: %s", got)
	}
	if got := c.send("text", "/prenotazioni"); !strings.Contains(got, "confermata") {
		t.Errorf("/prenotazioni: %s", got)
	}
}
