package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/i18n"
)

// busyPage is what a browser gets instead of the chat when no new session can be
// issued now: a sentence in its language, and a link to try again.
var busyPage = template.Must(template.New("busy").Parse(`<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>WeMi Bot</title></head>
<body><p>{{.Text}}</p><p><a href="">{{.Retry}}</a></p></body>
</html>
`))

// busy answers a page request over the budgets of new sessions: 429, with when to try
// again.
func (s *Server) busy(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	lang := i18n.FromHint(firstLanguage(r.Header.Get("Accept-Language")))
	if lang == "" {
		lang = i18n.Default()
	}
	texts := s.engine.Texts()
	seconds := max(int((wait+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusTooManyRequests)
	busyPage.Execute(w, map[string]string{"Lang": lang, "Dir": dirOf(lang),
		"Text": texts.T(lang, "web.busy"), "Retry": texts.T(lang, "web.busy_retry")})
}

// firstLanguage is the browser's preferred language in an Accept-Language header
// ("es-PE,es;q=0.9" -> "es-PE").
func firstLanguage(header string) string {
	first, _, _ := strings.Cut(header, ",")
	first, _, _ = strings.Cut(first, ";")
	return strings.TrimSpace(first)
}
