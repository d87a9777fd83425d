package web

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/comune-milano/wemibot/i18n"
)

// The pages a hosted payment page (Stripe Checkout) sends the citizen back to, under
// the bot's public address (adapters/stripe's ReturnPaidPath and ReturnCancelledPath).
// They only say what happened and send the citizen back to the chat: the payment
// itself is known from the provider's signed webhook, never from a visit here.
const (
	PaidPath      = "/pay/done"
	CancelledPath = "/pay/cancelled"
)

// payPageHTML is the page: no script, the chat's palette from its own stylesheet.
var payPageHTML = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}} – WeMi</title>
<link rel="stylesheet" href="/static/paypage.css">
</head>
<body>
<main class="paypage {{.Kind}}">
<h1>{{.Title}}</h1>
<p>{{.Body}}</p>
<p><a class="back" href="/">{{.Back}}</a></p>
</main>
</body>
</html>
`))

func (s *Server) paidPage(w http.ResponseWriter, r *http.Request) {
	s.payPage(w, r, "done", "paypage.title_done", "paypage.done")
}

func (s *Server) cancelledPage(w http.ResponseWriter, r *http.Request) {
	s.payPage(w, r, "cancelled", "paypage.title_cancelled", "paypage.cancelled")
}

// payPage writes the page in the language the return address names (?lang=, set when
// the payment page was made), else the browser's, else the default.
func (s *Server) payPage(w http.ResponseWriter, r *http.Request, kind, titleKey, bodyKey string) {
	lang := i18n.FromHint(r.URL.Query().Get("lang"))
	if lang == "" {
		first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",") // "it-IT,it;q=0.9"
		first, _, _ = strings.Cut(first, ";")
		lang = i18n.FromHint(strings.TrimSpace(first))
	}
	if lang == "" {
		lang = i18n.Default()
	}
	texts := s.engine.Texts()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	err := payPageHTML.Execute(w, map[string]string{"Lang": lang, "Dir": dirOf(lang), "Kind": kind,
		"Title": texts.T(lang, titleKey), "Body": texts.T(lang, bodyKey), "Back": texts.T(lang, "paypage.back")})
	if err != nil {
		s.log.Warn("web: payment page not written", "err", err)
	}
}
