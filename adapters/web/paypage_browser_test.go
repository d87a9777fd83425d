package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
)

// A payment link in a reply is a link styled as a button: it opens the provider's
// https page in a new tab that cannot reach back (noopener), tells screen readers it
// opens a new tab, is as large a target as the buttons, and sends nothing to the bot.
// A link that is not https is left out.
func TestPaymentLinkButtonInChromium(t *testing.T) {
	pressed := make(chan string, 4)
	engine := spyEngine{Engine: newEngine(t, nil), seen: func(m bot.Message) {
		if m.Button != "" {
			pressed <- m.Button
		}
	}}
	srv, outbox := newPushSite(t, engine, web.Options{Mailbox: web.NewMailbox(newMemRecords(), 0)})
	ctx := browserCtx(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`html[data-ready="1"]`)); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	push(t, outbox, sessionCookie(ctx, t, srv.URL), bot.Reply{Text: "Offerta: *45,50 €*", Lang: "it",
		Buttons: [][]bot.Button{
			{{Label: "💳 Paga online", URL: "https://checkout.stripe.com/c/pay/cs_test_a1"}},
			{{Label: "Sito sospetto", URL: "javascript:alert(1)"}},
			{{Label: "Le mie prenotazioni", Data: "mybook"}},
		}})
	const link = `#log .msg.bot:last-of-type a.reply-button`
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(wait, chromedp.WaitVisible(link)); err != nil {
		t.Fatalf("no link button: %v; log %q", err, text(t, ctx, "#log"))
	}
	if href := attr(t, ctx, link, "href"); href != "https://checkout.stripe.com/c/pay/cs_test_a1" {
		t.Errorf("href = %q", href)
	}
	if target, rel := attr(t, ctx, link, "target"), attr(t, ctx, link, "rel"); target != "_blank" || !strings.Contains(rel, "noopener") {
		t.Errorf("target=%q rel=%q", target, rel)
	}
	if got := text(t, ctx, link); !strings.Contains(got, "Paga online") || !strings.Contains(got, "nuova scheda") {
		t.Errorf("accessible text %q: the label, and that it opens a new tab", got)
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#log .msg.bot:last-of-type a').length`))
	if err != nil || links != 1 {
		t.Errorf("%d links in the reply, want 1 (the javascript: one left out) %v", links, err)
	}
	height, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('`+link+`').getBoundingClientRect().height`))
	if err != nil || height < 44 {
		t.Errorf("link button %v px high, want at least 44 (%v)", height, err)
	}
	// Keyboard: it takes the focus like any button.
	if err := chromedp.Do(ctx, chromedp.Focus(link)); err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className`))
	if err != nil || !strings.Contains(focused, "link-button") {
		t.Errorf("focus on %q (%v)", focused, err)
	}
	select {
	case data := <-pressed:
		t.Errorf("the link sent %q to the bot", data)
	default:
	}
}

// The pages a hosted payment sends the citizen back to: in the language asked for,
// right to left in Arabic, with the way back to the chat, no script.
func TestPaymentReturnPages(t *testing.T) {
	srv, _ := newPushSite(t, newEngine(t, nil), web.Options{})
	for _, tt := range []struct {
		path, accept string
		want         []string
	}{
		{"/pay/done?lang=it", "", []string{`lang="it"`, "Pagamento ricevuto", "Torna alla chat", `href="/"`}},
		{"/pay/cancelled?lang=en", "", []string{"Payment not completed", "not been charged"}},
		{"/pay/done?lang=ar", "", []string{`dir="rtl"`, `lang="ar"`}},
		{"/pay/cancelled", "es-ES,es;q=0.9", []string{"Pago no completado"}},
		{"/pay/done?lang=<script>", "", []string{`lang="it"`}},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
		if tt.accept != "" {
			req.Header.Set("Accept-Language", tt.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		if resp.StatusCode != http.StatusOK || strings.Contains(page, "<script") || resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: status %d, CSP %q:\n%s", tt.path, resp.StatusCode, resp.Header.Get("Content-Security-Policy"), page)
		}
		for _, w := range tt.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: page lacks %q", tt.path, w)
			}
		}
	}
}
