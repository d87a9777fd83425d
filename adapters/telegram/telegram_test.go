package telegram_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/search"
	"github.com/comune-milano/wemibot/search/searchtest"
)

const token = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"

func testIndex(t testing.TB) *search.Index { t.Helper(); return searchtest.Bundled(t) }

// staffDesk records staff events.
type staffDesk struct {
	mu     sync.Mutex
	events []bot.Event
}

func (s *staffDesk) Notify(_ context.Context, e bot.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
	return nil
}

func (s *staffDesk) last() bot.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.events) == 0 {
		return bot.Event{}
	}
	return s.events[len(s.events)-1]
}

func (s *staffDesk) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

// fixture is a bot on a real engine and store, talking through the real tgbotapi
// client to a fake Bot API.
type fixture struct {
	t      *testing.T
	fake   *telegramtest.Server
	engine *bot.Engine
	store  bot.Store
	staff  *staffDesk
	opts   telegram.Options
}

func newFixture(t *testing.T, tweak ...func(*telegram.Options)) *fixture {
	t.Helper()
	fake := telegramtest.New(t, token)
	store, err := bolt.Open(filepath.Join(t.TempDir(), "wemi.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	idx := testIndex(t)
	staff := &staffDesk{}
	e, err := bot.New(bot.Options{Search: idx, Store: store, Staff: staff})
	if err != nil {
		t.Fatal(err)
	}
	opts := telegram.Options{Token: token, APIEndpoint: fake.Endpoint(), PollTimeout: time.Second,
		GlobalRate: -1, ChatRate: -1, ShutdownTimeout: 5 * time.Second, Outbox: store.Outbox()}
	for _, f := range tweak {
		f(&opts)
	}
	return &fixture{t: t, fake: fake, engine: e, store: store, staff: staff, opts: opts}
}

// start runs an adapter until the test ends (or stop is called).
func (f *fixture) start() (stop func()) {
	f.t.Helper()
	a, err := telegram.New(f.opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.run(a)
}

// run runs a until the test ends (or stop is called).
func (f *fixture) run(a *telegram.Adapter) (stop func()) {
	f.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, f.engine) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					f.t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				f.t.Error("Run did not return within 10 s of shutdown")
			}
		})
	}
	f.t.Cleanup(stop)
	return stop
}

// wait returns the first n messages sent to a chat, failing after 10 s.
func (f *fixture) wait(chat int64, n int) []telegramtest.Sent {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sent, err := f.fake.WaitSent(ctx, chat, n)
	if err != nil {
		f.t.Fatalf("waiting for %d messages to chat %d: %v (got %d)", n, chat, err, len(f.fake.Sent(chat)))
	}
	return sent
}

// waitFor waits until a message sent to a chat at index from or later contains want,
// and returns its index.
func (f *fixture) waitFor(chat int64, from int, want string) int {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		sent := f.fake.Sent(chat)
		for i := from; i < len(sent); i++ {
			if strings.Contains(sent[i].Text, want) {
				return i
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		f.fake.WaitSent(ctx, chat, len(sent)+1)
		cancel()
	}
	var texts []string
	for _, s := range f.fake.Sent(chat)[from:] {
		texts = append(texts, s.Text)
	}
	f.t.Fatalf("no message to chat %d contains %q; got %q", chat, want, texts)
	return 0
}

// button finds a button by label in a sent message.
func button(t *testing.T, s telegramtest.Sent, label string) telegramtest.Button {
	t.Helper()
	for _, row := range s.Keyboard {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return b
			}
		}
	}
	t.Fatalf("no button %q in %q", label, s.Text)
	return telegramtest.Button{}
}

var giulia = telegramtest.User{ID: 1001, FirstName: "Giulia", LanguageCode: "it"}

func TestConversationThroughTelegram(t *testing.T) {
	f := newFixture(t)
	f.start()
	const chat = 1001
	f.fake.PushMessage(chat, giulia, "/start")
	welcome := f.wait(chat, 1)[0]
	if !strings.Contains(welcome.Text, "<b>WeMi Bot</b>") || welcome.ParseMode != "HTML" {
		t.Fatalf("welcome: %q (%s)", welcome.Text, welcome.ParseMode)
	}
	for _, row := range welcome.Keyboard {
		for _, b := range row {
			if len(b.CallbackData) > 64 {
				t.Errorf("callback data of %q is %d bytes", b.Text, len(b.CallbackData))
			}
		}
	}
	// Search, then page: the results message is edited in place.
	f.fake.PushMessage(chat, giulia, "psicologo")
	results := f.wait(chat, 2)[1]
	if !strings.Contains(results.Text, "Ho trovato") {
		t.Fatalf("results: %q", results.Text)
	}
	f.fake.PushCallback(chat, giulia, results.MessageID, button(t, results, "Altri risultati").CallbackData)
	page2 := f.wait(chat, 3)[2]
	if page2.Method != "editMessageText" || page2.MessageID != results.MessageID || !strings.Contains(page2.Text, "6. ") {
		t.Fatalf("page 2 is %s of message %d: %q", page2.Method, page2.MessageID, page2.Text)
	}
	// A service card.
	f.fake.PushCallback(chat, giulia, page2.MessageID, page2.Keyboard[0][0].CallbackData)
	card := f.wait(chat, 4)[3]
	if card.Method != "sendMessage" || !strings.Contains(card.Text, "Attesa massima") {
		t.Fatalf("card: %s %q", card.Method, card.Text)
	}
	// Its details are behind buttons whose signed data fits Telegram's 64 bytes.
	for _, label := range []string{"Costi", "Quando", "Dove", "Contatti", "Come richiederlo"} {
		button(t, card, label)
	}
	// Near me: a location in, services and spaces out, with a map.
	f.fake.PushLocation(chat, giulia, 45.4642, 9.19)
	near := f.wait(chat, 6)
	if !strings.Contains(near[4].Text, "Vicino a") || near[5].Method != "sendLocation" {
		t.Fatalf("near me: %q then %s", near[4].Text, near[5].Method)
	}
	// Things the bot cannot read get a polite answer.
	f.fake.PushSticker(chat, giulia, "😀")
	f.fake.PushVoice(chat, giulia, 3)
	media := f.wait(chat, 8)
	for _, m := range media[6:] {
		if !strings.Contains(m.Text, "solo messaggi scritti") {
			t.Errorf("sticker/voice answer: %q", m.Text)
		}
	}
	if n := len(f.fake.AnsweredCallbacks()); n != 2 {
		t.Errorf("%d callback queries answered, want 2", n)
	}
}

func TestEveryFlowThroughTelegram(t *testing.T) {
	f := newFixture(t)
	f.start()
	svc := testIndex(t).Catalogue().Services[0]
	steps := []struct {
		text string
		want string
	}{
		{"/start s_" + svc.ID, "Attesa massima"}, // deep link to a service
		{"/start c_pasti-domicilio", "Pasti a domicilio"},
		{"ciao", "WeMi Bot"},
		{"/categorie", "categorie"},
		{"/spazi", "San Gottardo"},
		{"/vicino Niguarda", "Vicino a"},
		{"/aiuto", "Cosa posso fare"},
		{"/annulla", "annullato"},
		{"/privacy", "I tuoi dati"},
		{"mi serve una colf", "Ho trovato"},
		{"/lingua en", "English"},
		{"/help", "What I can do"},
		{"/operator", "WeMi operator"},
		{"my husband beats me", "1522"},
	}
	const chat = 2002
	user := telegramtest.User{ID: chat, FirstName: "Ahmed", LanguageCode: "tl"} // a language the bot does not speak: Italian
	n := 0
	for _, s := range steps {
		f.fake.PushMessage(chat, user, s.text)
		n = f.waitFor(chat, n, s.want) + 1
	}
	if f.staff.count() != 2 {
		t.Errorf("%d staff events (handoff and emergency), want 2", f.staff.count())
	}
	// Forget me through buttons.
	f.fake.PushMessage(chat, user, "/forget")
	n = f.waitFor(chat, n, "really")
	ask := f.fake.Sent(chat)[n]
	f.fake.PushCallback(chat, user, ask.MessageID, button(t, ask, "Yes").CallbackData)
	f.waitFor(chat, n+1, "deleted everything")
}

func TestForgedAndForeignButtons(t *testing.T) {
	f := newFixture(t)
	f.start()
	a := telegramtest.User{ID: 3003, FirstName: "A"}
	b := telegramtest.User{ID: 3004, FirstName: "B"}
	f.fake.PushMessage(3003, a, "psicologo")
	res := f.wait(3003, 1)[0]
	f.fake.PushMessage(3004, b, "ciao")
	f.wait(3004, 1)
	// Unsigned data, and A's genuine button pressed in B's chat.
	f.fake.PushCallback(3004, b, 1, "svc:"+testIndex(t).Catalogue().Services[0].ID)
	f.fake.PushCallback(3004, b, 1, res.Keyboard[0][0].CallbackData)
	f.fake.PushCallback(3004, b, 1, strings.Repeat("x", 64))
	for _, m := range f.wait(3004, 4)[1:] {
		if !strings.Contains(m.Text, "non è più valido") {
			t.Errorf("forged button answered with %q", m.Text)
		}
	}
}

func TestCommandMenu(t *testing.T) {
	f := newFixture(t)
	a, err := telegram.New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if a.Username() != "" {
		t.Errorf("username %q before Run reached Telegram", a.Username())
	}
	a.SetCommands(f.engine.Texts())
	f.run(a)
	var cmds map[string][]telegramtest.BotCommand
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cmds = f.fake.Commands(); len(cmds) == len(bot.Languages()) {
			break
		}
	}
	if len(cmds[""]) < 10 || len(cmds["en"]) != len(cmds[""]) {
		t.Fatalf("commands: %d default, %d English", len(cmds[""]), len(cmds["en"]))
	}
	if cmds[""][0].Command != "start" || !strings.Contains(cmds[""][1].Description, "Cerca") ||
		!strings.Contains(cmds["en"][1].Description, "Find") {
		t.Errorf("commands: %+v / %+v", cmds[""][:2], cmds["en"][:2])
	}
	if a.Username() != "WeMiTestBot" {
		t.Errorf("username %q", a.Username())
	}
}

// Restarting in the middle of a burst loses no update and answers none twice: updates
// keep arriving while the first adapter stops and the second starts.
func TestRestartMidBurst(t *testing.T) {
	f := newFixture(t)
	const chats, each = 8, 12
	// The first half of the burst arrives while the bot runs; the second half waits
	// for the stop, so the restart always falls inside the burst however fast or slow
	// this machine is.
	pushed, resume := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(pushed)
		for i := 0; i < each; i++ {
			if i == each/2 {
				<-resume
			}
			for c := int64(0); c < chats; c++ {
				f.fake.PushMessage(7000+c, telegramtest.User{ID: 7000 + c, FirstName: "R"}, "/aiuto")
			}
			time.Sleep(15 * time.Millisecond)
		}
	}()
	stop := f.start()
	f.wait(7000, 2)
	stop()
	before := 0
	for c := int64(0); c < chats; c++ {
		before += len(f.fake.Sent(7000 + c))
	}
	close(resume)
	f.start()
	<-pushed
	for c := int64(0); c < chats; c++ {
		f.wait(7000+c, each)
	}
	time.Sleep(200 * time.Millisecond) // a duplicate, if any, would arrive now
	total := 0
	for c := int64(0); c < chats; c++ {
		n := len(f.fake.Sent(7000 + c))
		total += n
		if n != each {
			t.Errorf("chat %d: %d answers to %d updates", c, n, each)
		}
	}
	if before == 0 || before == total {
		t.Errorf("the restart was not mid-burst: %d of %d answered before it", before, total)
	}
	if f.fake.PendingUpdates() != 0 {
		t.Errorf("%d updates left unconfirmed", f.fake.PendingUpdates())
	}
}

func TestRunNeedsAnEngine(t *testing.T) {
	f := newFixture(t)
	a, err := telegram.New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(t.Context(), nil); err == nil {
		t.Error("Run without an engine succeeded")
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	f := newFixture(t)
	for name, o := range map[string]telegram.Options{
		"no token":     {},
		"short secret": {Token: token, APIEndpoint: f.fake.Endpoint(), WebhookURL: "https://x.example.org", SecretToken: "short"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := telegram.New(o); err == nil {
				t.Errorf("New(%+v) succeeded", o)
			} else if strings.Contains(err.Error(), "999:wrong") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

// scriptedEngine answers every message with the same replies: a fake with function
// fields, to reach renderings no engine flow produces yet.
type scriptedEngine struct {
	handle func(bot.Message) []bot.Reply
}

func (e scriptedEngine) Handle(_ context.Context, m bot.Message) ([]bot.Reply, error) {
	return e.handle(m), nil
}

// Documents go as sendDocument uploads; a long reply is split at paragraphs, its
// buttons under the last part; text that looks like markup is escaped.
func TestDocumentsLongRepliesAndEscaping(t *testing.T) {
	fake := telegramtest.New(t, token)
	var paras []string
	for i := 0; i < 40; i++ {
		paras = append(paras, fmt.Sprintf("*Paragrafo %d* <scuola> & \"asilo\" %s", i, strings.Repeat("parola ", 30)))
	}
	long := strings.Join(paras, "\n\n")
	e := scriptedEngine{handle: func(bot.Message) []bot.Reply {
		return []bot.Reply{
			{Text: long, Buttons: [][]bot.Button{{{Label: "Menu", Data: "menu"}}}},
			{Document: &bot.Document{Name: "prenotazione.ics", MIME: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}},
		}
	}}
	a, err := telegram.New(telegram.Options{Token: token, APIEndpoint: fake.Endpoint(), PollTimeout: time.Second,
		GlobalRate: -1, ChatRate: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, e) }()
	defer func() { cancel(); <-done }()
	fake.PushMessage(9100, giulia, "ciao")
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	// Wait for the document: it comes after every part of the text.
	var sent []telegramtest.Sent
	for sent == nil || sent[len(sent)-1].Method != "sendDocument" {
		if sent, err = fake.WaitSent(wctx, 9100, len(sent)+1); err != nil {
			t.Fatalf("waiting for the document: %v", err)
		}
	}
	parts := sent[:len(sent)-1]
	if len(parts) < 2 {
		t.Fatalf("a %d-character reply was sent in %d part(s)", len(long), len(parts))
	}
	for i, p := range parts {
		if strings.Contains(p.Text, "<scuola>") || !strings.Contains(p.Text, "&lt;scuola&gt;") {
			t.Errorf("part %d is not escaped: %.80q", i, p.Text)
		}
		if !strings.HasPrefix(p.Text, "<b>Paragrafo") {
			t.Errorf("part %d does not start at a paragraph: %.40q", i, p.Text)
		}
		if (p.Keyboard != nil) != (i == len(parts)-1) {
			t.Errorf("part %d: keyboard %v; want it under the last part only", i, p.Keyboard != nil)
		}
	}
	doc := sent[len(sent)-1]
	if doc.DocumentName != "prenotazione.ics" || !strings.HasPrefix(string(doc.DocumentData), "BEGIN:VCALENDAR") {
		t.Errorf("document: %q %q", doc.DocumentName, doc.DocumentData)
	}
}
