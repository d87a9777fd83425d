package web

import (
	"html"
	"strings"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/i18n"
)

// webReply is a reply as the page shows it: in an answer to a message, and pushed to
// its inbox.
type webReply struct {
	Lang     string        `json:"lang"`
	Dir      string        `json:"dir"` // the writing direction of its language: ltr or rtl
	HTML     string        `json:"html"`
	Buttons  [][]webButton `json:"buttons"`
	Location *webLocation  `json:"location"`
	Document *webDocument  `json:"document"`
	Replace  bool          `json:"replace"`
	// AskLocation is the label of a button that shares the browser's location.
	AskLocation string `json:"ask_location,omitempty"`
}

type webButton struct {
	Label string `json:"label"`
	Data  string `json:"data"`
	// URL makes the button a link that opens a page (a hosted payment) in a new tab.
	URL string `json:"url,omitempty"`
}

type webLocation struct {
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	Name    string  `json:"name"`
	Address string  `json:"address"`
}

type webDocument struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Data []byte `json:"data_base64"`
}

// replyLang tells the page which language the conversation is in after a message.
func replyLang(asked string, replies []bot.Reply) string {
	for i := len(replies) - 1; i >= 0; i-- {
		if l := replies[i].Lang; l != "" {
			return l
		}
	}
	if l := i18n.FromHint(asked); l != "" {
		return l
	}
	return i18n.Default()
}

// forgotten reports whether the replies confirm the citizen's data was erased.
func forgotten(replies []bot.Reply) bool {
	for _, r := range replies {
		if r.Forgotten {
			return true
		}
	}
	return false
}

// dirOf is the writing direction of a language: "rtl" or "ltr".
func dirOf(lang string) string {
	if i18n.Of(lang).RTL() {
		return "rtl"
	}
	return "ltr"
}

// render turns replies into the page's JSON, with text as safe HTML, looked up in
// cache first (nil: none); sess is the session the replies are for.
func render(replies []bot.Reply, cache *htmlCache, sess string) []webReply {
	out := make([]webReply, 0, len(replies))
	for _, r := range replies {
		wr := webReply{Lang: r.Lang, Dir: dirOf(r.Lang), HTML: cache.of(r.Text, sess), Replace: r.Replace, Buttons: [][]webButton{},
			AskLocation: r.AskLocation}
		for _, row := range r.Buttons {
			var wrow []webButton
			for _, b := range row {
				if b.URL != "" && !strings.HasPrefix(b.URL, "https://") {
					continue // the page opens only https pages (a payment provider's)
				}
				wrow = append(wrow, webButton{Label: b.Label, Data: b.Data, URL: b.URL})
			}
			wr.Buttons = append(wr.Buttons, wrow)
		}
		if l := r.Location; l != nil {
			wr.Location = &webLocation{Lat: l.Point.Lat, Lon: l.Point.Lon, Name: l.Name, Address: l.Address}
		}
		if d := r.Document; d != nil {
			wr.Document = &webDocument{Name: d.Name, MIME: d.MIME, Data: d.Data}
		}
		out = append(out, wr)
	}
	return out
}

// linkify makes the addresses in escaped HTML text into links.
func linkify(escaped string) string {
	if !mayLink(escaped) {
		return escaped // most of the bot's sentences: the expression is not run
	}
	return linkRE.ReplaceAllStringFunc(escaped, func(m string) string {
		switch {
		case strings.HasPrefix(m, "http"):
			return `<a href="` + m + `">` + m + `</a>`
		case strings.Contains(m, "@"):
			return `<a href="mailto:` + m + `">` + m + `</a>`
		default:
			return `<a href="tel:` + strings.ReplaceAll(m, " ", "") + `">` + m + `</a>`
		}
	})
}

// toHTML escapes text and renders the engine's light formatting: *bold* (with \* a
// literal asterisk), line breaks, and links for web, e-mail and phone addresses.
func toHTML(text string) string {
	var b strings.Builder
	for _, s := range bot.Spans(text) {
		if s.Bold {
			b.WriteString("<b>")
		}
		b.WriteString(strings.ReplaceAll(linkify(html.EscapeString(s.Text)), "\n", "<br>"))
		if s.Bold {
			b.WriteString("</b>")
		}
	}
	return b.String()
}

// mayLink reports whether s holds what every match of linkRE holds: "http", "@",
// "+39", "112", "1522", or a 0 followed by a digit.
func mayLink(s string) bool {
	if strings.Contains(s, "http") || strings.Contains(s, "@") || strings.Contains(s, "+39") ||
		strings.Contains(s, "112") || strings.Contains(s, "1522") {
		return true
	}
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '0' && '0' <= s[i+1] && s[i+1] <= '9' {
			return true
		}
	}
	return false
}
