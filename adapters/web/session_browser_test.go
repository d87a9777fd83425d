package web_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/comune-milano/wemibot/adapters/web"
)

// countPages counts the page loads that reach h.
func countPages(h http.Handler, loads *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			loads.Add(1)
		}
		h.ServeHTTP(w, r)
	})
}

// A session that expired while the page was open: the next message gets 401, the page
// reloads once, gets a new session, says why the conversation starts again and gives
// back the text that was being sent.
func TestExpiredSessionReloadsThePage(t *testing.T) {
	clk := &clock{now: time.Now()}
	var loads atomic.Int64
	srv := newServer(t, countPages(web.New(newEngine(t, nil), web.Options{SessionTTL: time.Hour, Now: clk.Now}), &loads))
	ctx := browserCtx(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`)); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	before := sessionCookie(ctx, t, srv.URL)
	clk.advance(2 * time.Hour)
	err := chromedp.Do(ctx, chromedp.SendKeys(`#message`, "babysitter"), chromedp.Click(`#send`))
	if err != nil {
		t.Fatal(err)
	}
	// The poll is cut short when the page reloads: it starts again on the new page.
	for range 5 {
		if _, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#status').textContent.includes('scaduta')`)); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("the page did not say why it started again: %v; status %q", err, text(t, ctx, "#status"))
	}
	if after := sessionCookie(ctx, t, srv.URL); after == before {
		t.Error("the page kept the expired session")
	}
	if n := loads.Load(); n != 2 {
		t.Errorf("the page was loaded %d times, want 2", n)
	}
	draft, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#message').value`))
	if err != nil || draft != "babysitter" {
		t.Errorf("the text being sent: %q (%v)", draft, err)
	}
	err = chromedp.Do(ctx, chromedp.Click(`#send`), chromedp.WaitVisible(`#log .msg.user`), chromedp.WaitNotPresent(`html[data-busy="1"]`))
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#log"); !strings.Contains(got, "Ho trovato") {
		t.Errorf("the new session does not answer: %q", got)
	}
}

// A browser that keeps no cookie for the chat gets 401 every time: the page reloads
// once, not in a loop, and tells the citizen what to do.
func TestNoReloadLoopWithoutCookies(t *testing.T) {
	var loads atomic.Int64
	site := web.New(newEngine(t, nil), web.Options{})
	noCookies := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Cookie") // as if the browser blocked the chat's cookie
		site.ServeHTTP(w, r)
	})
	srv := newServer(t, countPages(noCookies, &loads))
	ctx := browserCtx(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`)); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	if status := text(t, ctx, "#status"); !strings.Contains(status, "cookie") {
		t.Errorf("status %q", status)
	}
	err := chromedp.Do(ctx, chromedp.SendKeys(`#message`, "babysitter"), chromedp.Click(`#send`),
		chromedp.WaitNotPresent(`html[data-busy="1"]`))
	if err != nil {
		t.Fatal(err)
	}
	if n := loads.Load(); n != 2 {
		t.Errorf("the page was loaded %d times, want 2 (one reload)", n)
	}
	if value, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#message').value`)); value != "babysitter" {
		t.Errorf("the refused text was not given back: %q", value)
	}
}
