package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/search"
)

// turnResult is how one turn of a conversation went.
type turnResult struct {
	turn     int    // 1-based
	action   string // what the citizen did
	problems []string
	reply    string // the bot's answer as the shell shows it, for the report
}

// convResult is how one conversation went; turns not reached count as failed.
type convResult struct {
	conv   devConversation
	passed int // turns passed
	failed []turnResult
}

func (r convResult) ok() bool { return r.passed == len(r.conv.Turns) }

// devRig is an engine wired as `wemibot serve` wires it (bookings, reminders, Tate
// Colf Badanti; a staff desk unless the setup says otherwise) on its own bbolt file.
// Conversations with the same setup share a rig, each as its own citizen: building an
// engine costs more than a conversation.
type devRig struct {
	engine *bot.Engine
	staff  *staffDesk
	store  *bolt.Store
}

// newDevRig reports errors instead of failing the test: rigs are built on the
// goroutines that play the conversations.
func newDevRig(idx *search.Index, texts *bot.Texts, dir string, setup devSetup) (*devRig, error) {
	store, err := bolt.Open(filepath.Join(dir, "wemi.db"), bolt.Options{})
	if err != nil {
		return nil, err
	}
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		store.Close()
		return nil, err
	}
	at, _ := setup.clock(rome) // validated when loaded
	now := clocktest.New(at).Now
	rig := &devRig{staff: &staffDesk{}, store: store}
	opts := bot.Options{Search: idx, Texts: texts, Store: store, Now: now, Staff: rig.staff,
		Pushers:   map[string]bot.Pusher{"test": &inbox{}},
		Bookings:  bookings.NewStore(store, 90*24*time.Hour),
		Reminders: store,
		Domestic:  domestic.NewStore(store, 180*24*time.Hour, 90*24*time.Hour, domestic.WithClock(now)),
	}
	if !setup.staffDesk() {
		opts.Staff = nil
	}
	if rig.engine, err = bot.New(opts); err != nil {
		store.Close()
		return nil, err
	}
	return rig, nil
}

// events returns the staff events raised in one citizen's conversation.
func (r *devRig) events(user string) []bot.Event {
	var out []bot.Event
	for _, e := range r.staff.all() {
		if e.Conversation == "test:"+user {
			out = append(out, e)
		}
	}
	return out
}

// play runs one conversation as citizen user. A turn whose action cannot be done (no
// such button) fails, and so do the turns after it.
func (r *devRig) play(user string, c devConversation) convResult {
	res := convResult{conv: c}
	var shown [][]bot.Reply // every turn's replies, oldest first
	for i, turn := range c.Turns {
		tr := turnResult{turn: i + 1, action: turn.action()}
		msg, problem := turnMessage(turn, shown)
		if problem != "" {
			tr.problems = append(tr.problems, problem)
			res.failed = append(res.failed, tr)
			for j := i + 1; j < len(c.Turns); j++ {
				res.failed = append(res.failed, turnResult{turn: j + 1, action: c.Turns[j].action(), problems: []string{"not reached"}})
			}
			return res
		}
		msg.Channel, msg.UserID, msg.UpdateID, msg.LangCode, msg.FirstName = "test", user, user+"-"+strconv.Itoa(i+1), c.Lang, "Giulia"
		before := len(r.events(user))
		replies, err := r.engine.Handle(context.Background(), msg)
		if err != nil {
			tr.problems = append(tr.problems, "engine error: "+err.Error())
		}
		shown = append(shown, replies)
		tr.problems = append(tr.problems, check(turn, replies, r.events(user)[before:])...)
		if len(tr.problems) == 0 {
			res.passed++
			continue
		}
		tr.reply = shellView(replies)
		res.failed = append(res.failed, tr)
	}
	return res
}

// turnMessage builds the message the citizen sends; problem says why it cannot be sent.
func turnMessage(turn devTurn, shown [][]bot.Reply) (bot.Message, string) {
	switch {
	case turn.Say != "":
		return bot.Message{Text: turn.Say}, ""
	case turn.Share != "":
		p, _ := parsePoint(turn.Share) // validated when loaded
		return bot.Message{Location: &p}, ""
	case turn.PressNth > 0:
		var last []bot.Button
		if len(shown) > 0 {
			last = buttons(shown[len(shown)-1])
		}
		if turn.PressNth > len(last) {
			return bot.Message{}, fmt.Sprintf("no button %d: the last answer has %d", turn.PressNth, len(last))
		}
		return bot.Message{Button: last[turn.PressNth-1].Data}, ""
	}
	// The most recent button whose label matches: older answers' buttons stay in the chat.
	want := fold(turn.Press)
	for i := len(shown) - 1; i >= 0; i-- {
		for _, b := range buttons(shown[i]) {
			if strings.Contains(fold(b.Label), want) {
				return bot.Message{Button: b.Data}, ""
			}
		}
	}
	var labels []string
	if len(shown) > 0 {
		for _, b := range buttons(shown[len(shown)-1]) {
			labels = append(labels, b.Label)
		}
	}
	return bot.Message{}, fmt.Sprintf("no button «%s»; the last answer's: %s", turn.Press, strings.Join(labels, " | "))
}

// check returns what the turn's answer lacks or shows that it must not.
func check(turn devTurn, replies []bot.Reply, events []bot.Event) []string {
	var problems []string
	seen := fold(visible(replies))
	for _, s := range turn.Must {
		if !strings.Contains(seen, fold(s)) {
			problems = append(problems, fmt.Sprintf("missing «%s»", s))
		}
	}
	for _, group := range turn.MustAny {
		if !containsAny(seen, group) {
			problems = append(problems, fmt.Sprintf("missing any of «%s»", strings.Join(group, "», «")))
		}
	}
	for _, s := range turn.MustNot {
		if strings.Contains(seen, fold(s)) {
			problems = append(problems, fmt.Sprintf("present «%s»", s))
		}
	}
	if turn.MaxChars > 0 {
		for _, r := range replies {
			if n := utf8.RuneCountInString(r.Text); n > turn.MaxChars {
				problems = append(problems, fmt.Sprintf("a reply of %d characters (max %d)", n, turn.MaxChars))
			}
		}
	}
	if turn.Alert != nil {
		alerted := false
		for _, e := range events {
			alerted = alerted || (e.Kind == bot.EventEmergency && e.Priority)
		}
		if alerted != *turn.Alert {
			problems = append(problems, fmt.Sprintf("priority alert to staff: %v, want %v", alerted, *turn.Alert))
		}
	}
	return problems
}

func containsAny(seen string, alternatives []string) bool {
	for _, s := range alternatives {
		if strings.Contains(seen, fold(s)) {
			return true
		}
	}
	return false
}

// visible is what the citizen sees of the replies: texts and button labels.
func visible(replies []bot.Reply) string {
	var b strings.Builder
	for _, r := range replies {
		b.WriteString(r.Text + "\n")
		for _, bt := range buttons([]bot.Reply{r}) {
			b.WriteString(bt.Label + "\n")
		}
		if r.Location != nil {
			b.WriteString(r.Location.Name + " " + r.Location.Address + "\n")
		}
	}
	return b.String()
}

// shellView renders replies as the shell does, with numbered buttons, shortened.
func shellView(replies []bot.Reply) string {
	var b strings.Builder
	n := 0
	for _, r := range replies {
		b.WriteString(r.Text + "\n")
		for _, bt := range buttons([]bot.Reply{r}) {
			n++
			fmt.Fprintf(&b, "  [%d] %s", n, bt.Label)
		}
		b.WriteString("\n")
	}
	s := strings.TrimSpace(b.String())
	if r := []rune(s); len(r) > 700 {
		s = string(r[:700]) + "…"
	}
	return s
}

func buttons(replies []bot.Reply) []bot.Button {
	var out []bot.Button
	for _, r := range replies {
		for _, row := range r.Buttons {
			out = append(out, row...)
		}
	}
	return out
}

// fold lowers case and removes accents, bold marks, typographic apostrophes and runs of
// spaces, so that expectations are about words, not typography.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.NewReplacer("*", "", "’", "'", "‘", "'", "\u00a0", " ", "\u202f", " ").Replace(strings.ToLower(out))
	return strings.Join(strings.Fields(out), " ")
}

// parsePoint reads "45.4642, 9.19".
func parsePoint(s string) (catalogue.Point, error) {
	lat, lon, ok := strings.Cut(s, ",")
	la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
	if !ok || err1 != nil || err2 != nil {
		return catalogue.Point{}, fmt.Errorf("share %q: want \"latitude, longitude\"", s)
	}
	return catalogue.Point{Lat: la, Lon: lo}, nil
}

// The checks fold typography away, read buttons as well as texts, and report what is
// missing or present.
func TestDevSetChecks(t *testing.T) {
	if got := fold("È  *già*\nl’ora ✓"); got != "e gia l'ora ✓" {
		t.Errorf("fold: %q", got)
	}
	replies := []bot.Reply{{Text: "Il *Pranzo caldo* costa 7,50 €.", Buttons: [][]bot.Button{{{Label: "📅 Prenota", Data: "book:x"}}}}}
	yes, no := true, false
	tests := []struct {
		name   string
		turn   devTurn
		events []bot.Event
		want   []string
	}{
		{"all there", devTurn{Must: []string{"pranzo caldo", "PRENOTA"}, MustAny: [][]string{{"gratuito", "€"}}, MustNot: []string{"non ho capito"}, MaxChars: 40}, nil, nil},
		{"missing", devTurn{Must: []string{"cena"}, MustAny: [][]string{{"gratuito", "isee"}}}, nil,
			[]string{"missing «cena»", "missing any of «gratuito», «isee»"}},
		{"present", devTurn{MustNot: []string{"costa"}}, nil, []string{"present «costa»"}},
		{"too long", devTurn{MaxChars: 10}, nil, []string{"a reply of 31 characters (max 10)"}},
		{"no alert", devTurn{Alert: &yes}, []bot.Event{{Kind: bot.EventHandoff}}, []string{"priority alert to staff: false, want true"}},
		{"alert", devTurn{Alert: &no}, []bot.Event{{Kind: bot.EventEmergency, Priority: true}}, []string{"priority alert to staff: true, want false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check(tt.turn, replies, tt.events); !slices.Equal(got, tt.want) {
				t.Errorf("check: %q, want %q", got, tt.want)
			}
		})
	}
	shown := [][]bot.Reply{replies, {{Text: "Ecco", Buttons: [][]bot.Button{{{Label: "Uno", Data: "u"}, {Label: "Due", Data: "d"}}}}}}
	for _, tt := range []struct {
		turn devTurn
		data string
	}{{devTurn{Press: "prenota"}, "book:x"}, {devTurn{PressNth: 2}, "d"}, {devTurn{Press: "Tre"}, ""}, {devTurn{PressNth: 3}, ""}} {
		m, problem := turnMessage(tt.turn, shown)
		if m.Button != tt.data || (tt.data == "") != (problem != "") {
			t.Errorf("%s: pressed %q (%s), want %q", tt.turn.action(), m.Button, problem, tt.data)
		}
	}
}
