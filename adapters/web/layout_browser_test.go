package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/comune-milano/wemibot/adapters/web"
)

// A phone (375×667) with its text enlarged to 200%, either as the browser's default
// text size or as the page's: the header and the composer leave the conversation at
// least half of the screen.
func TestLargeTextKeepsHalfTheScreen(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{})
	for _, how := range []string{"default font size", "page text size"} {
		t.Run(how, func(t *testing.T) {
			ctx := browserCtx(t)
			if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
				emulation.SetDeviceMetricsOverrideParams{Width: 375, Height: 667, DeviceScaleFactor: 2, Mobile: true}); err != nil {
				t.Fatal(err)
			}
			if how == "default font size" {
				if _, err := chromedp.Call(ctx, page.SetFontSizes, page.SetFontSizesParams{FontSizes: &page.FontSizes{Standard: 32}}); err != nil {
					t.Fatal(err)
				}
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`)); err != nil {
				t.Fatalf("open the page: %v", err)
			}
			if how == "page text size" {
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.documentElement.style.fontSize = '200%', true)`)); err != nil {
					t.Fatal(err)
				}
			}
			// The text really is twice as large, and the page fits the phone.
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`parseFloat(getComputedStyle(document.querySelector('#message')).fontSize) >= 31 && document.documentElement.classList.contains('compact')`)); err != nil {
				t.Fatalf("the text was not enlarged, or the page did not notice: %v", err)
			}
			h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('#log').getBoundingClientRect().height`))
			if err != nil {
				t.Fatal(err)
			}
			vh, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.innerHeight`))
			t.Logf("%s: the conversation has %.0f px of %.0f", how, h, vh)
			if h < vh/2 {
				t.Errorf("the conversation has %.0f px of a %.0f px screen", h, vh)
			}
			// The composer still works.
			err = chromedp.Do(ctx, chromedp.SendKeys(`#message`, "babysitter"), chromedp.Click(`#send`),
				chromedp.WaitVisible(`#log .msg.user`), chromedp.WaitNotPresent(`html[data-busy="1"]`))
			if err != nil {
				t.Fatalf("send at 200%%: %v", err)
			}
		})
	}
}

// A second tab of the same browser shows the conversation so far; another browser
// (another session) does not.
func TestNewTabShowsTheConversation(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{})
	ctx := browserCtx(t)
	err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`),
		chromedp.SendKeys(`#message`, "babysitter"), chromedp.Click(`#send`),
		chromedp.WaitVisible(`#log .msg.user`), chromedp.WaitNotPresent(`html[data-busy="1"]`))
	if err != nil {
		t.Fatalf("first tab: %v", err)
	}
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(tab, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`)); err != nil {
		t.Fatalf("second tab: %v", err)
	}
	if got := text(t, tab, "#log"); !strings.Contains(got, "babysitter") || !strings.Contains(got, "Ho trovato") {
		t.Errorf("the new tab shows %q", got)
	}
	other := browserCtx(t)
	if err := chromedp.Do(other, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`)); err != nil {
		t.Fatalf("another browser: %v", err)
	}
	if got := text(t, other, "#log"); strings.Contains(got, "Ho trovato") {
		t.Errorf("another session shows the conversation: %q", got)
	}
}

// Erasing the data empties the page's copy of the conversation too: a new tab shows
// none of it.
func TestErasureEmptiesThePagesCopy(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{})
	ctx := browserCtx(t)
	err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`),
		chromedp.SendKeys(`#message`, "babysitter"), chromedp.Click(`#send`),
		chromedp.WaitNotPresent(`html[data-busy="1"]`),
		chromedp.SendKeys(`#message`, "/dimenticami"), chromedp.Click(`#send`),
		chromedp.WaitNotPresent(`html[data-busy="1"]`))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, chromedp.Click(`#log .msg.bot:last-of-type button.reply-button[data-data^="forgetyes:"]`),
		chromedp.WaitNotPresent(`html[data-busy="1"]`))
	if err != nil {
		t.Fatalf("confirm: %v; log %q", err, text(t, ctx, "#log"))
	}
	if got := text(t, ctx, "#log"); strings.Contains(got, "babysitter") {
		t.Errorf("after erasure the page still shows %q", got)
	}
	stored, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`localStorage.getItem('wemibot.log.v2') || ''`))
	if strings.Contains(stored, "babysitter") {
		t.Errorf("after erasure the browser keeps %q", stored)
	}
}

// An Arabic message gets Arabic replies, each laid out right to left, and the page
// mirrors; the composer follows what is typed.
func TestArabicIsRightToLeft(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{})
	ctx := browserCtx(t)
	err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`),
		chromedp.SendKeys(`#message`, "أبحث عن مربية لابني"), chromedp.Click(`#send`),
		chromedp.WaitNotPresent(`html[data-busy="1"]`),
		chromedp.WaitVisible(`html[lang="ar"][dir="rtl"]`))
	if err != nil {
		t.Fatalf("write in Arabic: %v; log %q", err, text(t, ctx, "#log"))
	}
	if d := attr(t, ctx, `#log .msg.bot:last-of-type`, "dir"); d != "rtl" {
		t.Errorf("the Arabic reply is laid out %q", d)
	}
	if d := attr(t, ctx, `#log .msg.bot:first-of-type`, "dir"); d != "ltr" {
		t.Errorf("the Italian welcome is laid out %q", d)
	}
	if d := attr(t, ctx, `#message`, "dir"); d != "auto" {
		t.Errorf("the composer's direction is %q", d)
	}
	if d := attr(t, ctx, `#log .msg.user .bubble`, "dir"); d != "auto" {
		t.Errorf("the citizen's message's direction is %q", d)
	}
}
