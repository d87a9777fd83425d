package web_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
)

// chromiumPath is Debian's Chromium, which ./test.sh installs when it is missing.
const chromiumPath = "/usr/bin/chromium"

// browserCtx starts a headless Chromium for one test, in Italian.
func browserCtx(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is needed for the web chat tests: run ./test.sh, which installs it (%v)", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("no-sandbox", true), // tests run as root here
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844), // a phone
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	_, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156 Safari/537.36", AcceptLanguage: "it-IT"})
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	// No smooth scrolling: on a loaded machine a click aimed at a button while the log
	// still glides to the newest reply lands beside it (the page honours the setting).
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
	if err != nil {
		t.Fatalf("ask Chromium for reduced motion: %v", err)
	}
	return ctx
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	a, err := chromedp.Run(ctx, chromedp.AttributeValue(sel, name))
	if err != nil {
		t.Fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return a.Value
}

// The walk-through in a real browser: open the page, type "babysitter",
// press a result's button, see the service card, switch to English.
func TestWebChatInChromium(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{})
	ctx := browserCtx(t)
	const lastBot = `#log .msg.bot:last-of-type .bubble`
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`)); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	if w, lang := text(t, ctx, `#log .msg.bot .bubble`), attr(t, ctx, "html", "lang"); !strings.Contains(w, "WeMi Bot") || lang != "it" {
		t.Fatalf("welcome %q in %q", w, lang)
	}
	err := chromedp.Do(ctx,
		chromedp.SendKeys(`#message`, "babysitter"),
		chromedp.Click(`#send`),
		chromedp.WaitVisible(`#log .msg.user`),
		chromedp.WaitNotPresent(`html[data-busy="1"]`),
	)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if a := text(t, ctx, `#log`); !strings.Contains(a, "Ho trovato") {
		t.Fatalf("search answer: %q", a)
	}
	// The "free only" toggle exposes its state to screen readers.
	if p := attr(t, ctx, `#log button.reply-button[data-data^="free"]`, "aria-pressed"); p != "false" {
		t.Errorf("free-only toggle aria-pressed=%q", p)
	}
	// Keyboard only: the first result button takes the focus and Enter presses it.
	err = chromedp.Do(ctx,
		chromedp.Focus(`#log button.reply-button[data-data^="svc:"]`),
		chromedp.KeyEvent("\r"),
		chromedp.WaitNotPresent(`html[data-busy="1"]`),
	)
	if err != nil {
		t.Fatalf("open a result: %v", err)
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#log .msg.bot:last-of-type .bubble').textContent.includes('Attesa massima')`))
	if err != nil {
		t.Fatalf("no service card: %v; last answer %q", err, text(t, ctx, lastBot))
	}
	if c := text(t, ctx, lastBot); !strings.Contains(c, "Costo") {
		t.Errorf("card: %q", c)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`#log .msg.bot:last-of-type button.reply-button[data-data="menu"]`),
		chromedp.WaitNotPresent(`html[data-busy="1"]`),
		chromedp.Click(`#log .msg.bot:last-of-type button.reply-button[data-data="langask"]`),
		chromedp.WaitNotPresent(`html[data-busy="1"]`),
		chromedp.Click(`#log .msg.bot:last-of-type button.reply-button[data-data="lang:en"]`),
		chromedp.WaitVisible(`html[lang="en"]`),
	)
	if err != nil {
		t.Fatalf("switch to English: %v", err)
	}
	if l := attr(t, ctx, "#send", "aria-label"); l != "Send" {
		t.Errorf("send button labelled %q in English", l)
	}
	// The live region announces new messages to screen readers.
	if role, live := attr(t, ctx, "#log", "role"), attr(t, ctx, "#log", "aria-live"); role != "log" || live != "polite" {
		t.Errorf("the log is role=%q aria-live=%q", role, live)
	}
}

// spyEngine shows a test every message before the engine answers it.
type spyEngine struct {
	web.Engine
	seen func(bot.Message)
}

func (s spyEngine) HandleKeeping(ctx context.Context, m bot.Message, keep bot.Keeper) ([]bot.Reply, error) {
	s.seen(m)
	return s.Engine.HandleKeeping(ctx, m, keep)
}

// spyMailbox shows a test the after of every poll.
type spyMailbox struct {
	web.Mailbox
	polled func(after uint64)
}

func (s spyMailbox) Collect(ctx context.Context, box string, after uint64) ([]web.Pending, error) {
	s.polled(after)
	return s.Mailbox.Collect(ctx, box, after)
}

// An operator's message pushed to an open page appears in it, announced by the live
// region, without the citizen doing anything; its buttons work like an answer's. The
// page acknowledges it, and after a reload neither shows it twice nor forgets it was
// shown.
func TestPushedRepliesInChromium(t *testing.T) {
	pressed := make(chan string, 16)
	engine := spyEngine{Engine: newEngine(t, nil), seen: func(m bot.Message) {
		if m.Button != "" {
			pressed <- m.Button
		}
	}}
	afters := make(chan uint64, 1000)
	mailbox := spyMailbox{Mailbox: web.NewMailbox(newMemRecords(), 0), polled: func(after uint64) {
		select {
		case afters <- after:
		default:
		}
	}}
	srv, outbox := newPushSite(t, engine, web.Options{Mailbox: mailbox})
	ctx := browserCtx(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`)); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	session := sessionCookie(ctx, t, srv.URL)
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if err != nil {
		t.Fatal(err)
	}

	push(t, outbox, session, bot.Reply{Text: "*Giulia (WeMi):* Buongiorno! Di che zona siete?", Lang: "it",
		Buttons: [][]bot.Button{{{Label: "⭐ 4", Data: "rate:4"}, {Label: "⭐ 5", Data: "rate:5"}}}})
	const pushed = `#log[aria-live="polite"] .msg.bot:last-of-type`
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(wait, chromedp.WaitVisible(pushed+` button.reply-button[data-data="rate:5"]`)); err != nil {
		t.Fatalf("the pushed reply never appeared: %v; log %q", err, text(t, ctx, "#log"))
	}
	if got := text(t, ctx, pushed+" .bubble b"); got != "Giulia (WeMi):" {
		t.Errorf("pushed bold text %q", got)
	}
	if got := text(t, ctx, pushed+" .bubble"); !strings.Contains(got, "Di che zona siete?") {
		t.Errorf("pushed text %q", got)
	}
	if after, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); err != nil || after != focused {
		t.Errorf("a pushed reply moved the focus from %q to %q (%v)", focused, after, err)
	}

	if err := chromedp.Do(ctx, chromedp.Click(pushed+` button.reply-button[data-data="rate:5"]`)); err != nil {
		t.Fatalf("press the pushed button: %v", err)
	}
	select {
	case data := <-pressed:
		if data != "rate:5" {
			t.Errorf("the pushed button sent %q", data)
		}
	case <-wait.Done():
		t.Fatal("the pushed button sent nothing")
	}
	if err := chromedp.Do(wait, chromedp.WaitNotPresent(`html[data-busy="1"]`)); err != nil {
		t.Fatalf("the press was not answered: %v", err)
	}

	checkAcknowledged(ctx, wait, t, afters)
}

// sessionCookie returns the session cookie of the page open in ctx. It is HttpOnly:
// the page's script cannot read it, the browser can.
func sessionCookie(ctx context.Context, t *testing.T, url string) string {
	t.Helper()
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	var session string
	for _, c := range cookies.Cookies {
		if c.Name == "wemi_session" {
			session = c.Value
		}
	}
	if err != nil || session == "" {
		t.Fatalf("the page's session cookie: %q, %v", session, err)
	}
	return session
}

// checkAcknowledged checks, on the page open in ctx that shows a pushed reply, that
// the polls afters reports acknowledge it, before and after a reload, and that the
// reloaded page shows it once. wait bounds the waits.
func checkAcknowledged(ctx, wait context.Context, t *testing.T, afters <-chan uint64) {
	// The next poll acknowledges the reply shown; so does the first after a reload.
	acknowledged := func(what string) uint64 {
		t.Helper()
		for {
			select {
			case after := <-afters:
				if after > 0 {
					return after
				}
			case <-wait.Done():
				t.Fatalf("%s: the page never acknowledged the pushed reply", what)
			}
		}
	}
	seq := acknowledged("open page")
	for len(afters) > 0 {
		<-afters
	}
	if err := chromedp.Do(wait, chromedp.Reload(), chromedp.WaitVisible(`html[data-ready="1"]`)); err != nil {
		t.Fatalf("reload: %v", err)
	}
	select {
	case after := <-afters:
		if after != seq {
			t.Errorf("the first poll after a reload asked after %d, want %d", after, seq)
		}
	case <-wait.Done():
		t.Fatal("the reloaded page never polled")
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		`Array.from(document.querySelectorAll('#log .msg.bot .bubble')).filter((b) => b.textContent.includes('Di che zona siete?')).length`))
	if err != nil || shown != 1 {
		t.Errorf("after a reload the pushed reply is shown %d times (%v)", shown, err)
	}
}
