package web_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/comune-milano/wemibot/adapters/web"
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
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#log .msg.bot:last-of-type .bubble').textContent.includes('Come attivarlo')`))
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
