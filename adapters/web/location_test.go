package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/comune-milano/wemibot/adapters/web"
)

// "Near me" tells the page to show a button that shares the browser's location.
func TestNearMeAsksForTheBrowsersLocation(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{})
	b := newBrowser(t, srv.URL)
	code, raw := b.post(map[string]any{"text": "/vicino"})
	if code != http.StatusOK {
		t.Fatalf("POST /vicino: %d %s", code, raw)
	}
	var a struct {
		Replies []struct {
			HTML        string `json:"html"`
			AskLocation string `json:"ask_location"`
		} `json:"replies"`
	}
	if err := json.Unmarshal(raw, &a); err != nil || len(a.Replies) == 0 {
		t.Fatalf("answer %s: %v", raw, err)
	}
	if r := a.Replies[0]; r.AskLocation != "📍 Invia la mia posizione" || !strings.Contains(r.HTML, "Condividi la tua posizione") {
		t.Errorf("/vicino: %+v", r)
	}
	// Other replies carry no location button.
	_, raw = b.post(map[string]any{"text": "Niguarda"})
	if strings.Contains(string(raw), "ask_location") {
		t.Errorf("the answer with a place still asks for the location: %s", raw)
	}
}

// In Chromium, the reply's location button reads the browser's position and sends it.
func TestLocationButtonInChromium(t *testing.T) {
	srv, _ := newSite(t, boltStore(t), web.Options{})
	ctx := browserCtx(t)
	lat, lon, accuracy := 45.4642, 9.19, 10.0
	if _, err := chromedp.Call(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: srv.URL}); err != nil {
		t.Fatalf("grant geolocation: %v", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{
		Latitude: &lat, Longitude: &lon, Accuracy: &accuracy}); err != nil {
		t.Fatalf("place the browser: %v", err)
	}
	err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`),
		chromedp.SendKeys(`#message`, "/vicino"), chromedp.Click(`#send`),
		chromedp.WaitNotPresent(`html[data-busy="1"]`))
	if err != nil {
		t.Fatalf("ask near me: %v", err)
	}
	const share = `#log .msg.bot:last-of-type button.share-location`
	if l := text(t, ctx, share); !strings.Contains(l, "Invia la mia posizione") {
		t.Fatalf("location button labelled %q", l)
	}
	if err := chromedp.Do(ctx, chromedp.Click(share)); err != nil {
		t.Fatalf("press the location button: %v", err)
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('#log .msg.bot .bubble')].some((b) => b.textContent.includes('Vicino a te'))`))
	if err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent`))
		t.Fatalf("share: %v; status %q; log %q", err, status, text(t, ctx, "#log"))
	}
	u, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#log .msg.user')].pop().textContent`))
	if err != nil || !strings.Contains(u, "45.46420, 9.19000") {
		t.Errorf("the citizen's message shows %q (%v)", u, err)
	}
}
