package telegram

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/i18n"
	"github.com/comune-milano/wemibot/internal/markuptest"
)

func TestHTMLEscapesAndBolds(t *testing.T) {
	tests := []struct{ in, want string }{
		{"*Ciao* <b>&", "<b>Ciao</b> &lt;b&gt;&amp;"},
		{"a *b", "a <b>b</b>"},
		{"", ""},
		{"x > y & z < w", "x &gt; y &amp; z &lt; w"},
		// A citizen's or the catalogue's asterisk, escaped by the engine, stays one.
		{`Servizio \*5 stelle\* per *Anna*`, "Servizio *5 stelle* per <b>Anna</b>"},
		{`C:\\*x*`, `C:\<b>x</b>`},
		{"a**b", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := html(tt.in); got != tt.want {
				t.Errorf("html(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitAtParagraphsWithinTheLimit(t *testing.T) {
	var paras []string
	for i := 0; i < 60; i++ {
		paras = append(paras, "*Titolo "+strings.Repeat("è", 3)+"*\n"+strings.Repeat("parola <&> ", 20))
	}
	text := strings.Join(paras, "\n\n")
	chunks := split(text, maxMessageUnits)
	if len(chunks) < 3 {
		t.Fatalf("%d chunks for %d characters", len(chunks), len(text))
	}
	for i, c := range chunks {
		if n := utf16Len(html(c)); n > maxMessageUnits {
			t.Errorf("chunk %d is %d units", i, n)
		}
		if !strings.HasPrefix(c, "*Titolo") {
			t.Errorf("chunk %d does not start at a paragraph: %.30q", i, c)
		}
	}
	// One paragraph longer than the limit is cut at words, bold kept balanced.
	long := "*" + strings.Repeat("grassetto ", 900) + "*"
	for i, c := range split(long, maxMessageUnits) {
		h := html(c)
		if strings.Count(h, "<b>") != strings.Count(h, "</b>") || utf16Len(h) > maxMessageUnits {
			t.Errorf("chunk %d: unbalanced or too long (%d)", i, utf16Len(h))
		}
		if strings.Contains(h, "<b></b>") {
			t.Errorf("chunk %d flips bold: %.60q", i, h)
		}
	}
}

func TestSignedButtons(t *testing.T) {
	s := newSigner("123:abc")
	data := s.sign(42, "svc:arcobaleno-babysitting-domicilio")
	if len(data) > maxCallbackBytes {
		t.Fatalf("%d bytes", len(data))
	}
	if got, ok := s.verify(42, data); !ok || got != "svc:arcobaleno-babysitting-domicilio" {
		t.Errorf("verify own: %q %v", got, ok)
	}
	for _, bad := range []string{data[:len(data)-1] + "x", "svc:x", "", ".", "svc:x.abcdefgh"} {
		if _, ok := s.verify(42, bad); ok {
			t.Errorf("verify(%q) accepted", bad)
		}
	}
	if _, ok := s.verify(43, data); ok {
		t.Error("a button of chat 42 verified in chat 43")
	}
	if _, ok := newSigner("999:other").verify(42, data); ok {
		t.Error("a button signed by another bot verified")
	}
}

func FuzzVerify(f *testing.F) {
	s := newSigner("123:abc")
	f.Add(int64(1), s.sign(1, "menu"))
	f.Add(int64(2), "x.yyyyyyyy")
	f.Fuzz(func(t *testing.T, chat int64, data string) {
		if got, ok := s.verify(chat, data); ok && s.sign(chat, got) != data {
			t.Fatalf("verify(%d, %q) accepted data it would not sign", chat, data)
		}
	})
}

// FuzzSplit checks that every part fits Telegram's limit exactly and that, read in
// order, the parts show the same characters in the same style as the whole text.
// testdata/fuzz/FuzzSplit keeps the inputs that once broke it (a word of "&"s cut in
// halves that were still too long).
func FuzzSplit(f *testing.F) {
	f.Add("*a* b\n\nc <d> & e", 40)
	f.Add(strings.Repeat("x", 100), 30)
	f.Add("*"+strings.Repeat("&", 90)+"* \\*"+strings.Repeat("\\\\*", 30), 40)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 40 || limit > 5000 || len(text) > 20000 || !utf8.ValidString(text) {
			return
		}
		if got, want := htmlLen(text), utf16Len(html(text)); got != want {
			t.Fatalf("htmlLen(%q) = %d, the HTML has %d units", text, got, want)
		}
		chunks := split(text, limit)
		for _, c := range chunks {
			if n := utf16Len(html(c)); n > limit {
				t.Fatalf("chunk of %d units over the limit %d: %q", n, limit, c)
			}
		}
		var shown strings.Builder
		for _, c := range chunks {
			shown.WriteString(styled(c))
		}
		if got, want := shown.String(), styled(text); got != want {
			t.Fatalf("parts show %q, the text %q", got, want)
		}
	})
}

// styled is what a text shows, without spaces, with "^" before each bold character.
func styled(text string) string {
	var b strings.Builder
	for _, s := range bot.Spans(text) {
		for _, r := range s.Text {
			switch {
			case unicode.IsSpace(r):
			case s.Bold:
				b.WriteString("^" + string(r))
			default:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// A reply in a right-to-left language starts each line with a right-to-left mark, so
// that a line opening with an emoji or a Latin word still reads from the right; other
// languages are left as they are.
func TestDirectedMarksRightToLeftLines(t *testing.T) {
	rtl := ""
	for _, l := range i18n.All() {
		if l.RTL() {
			rtl = l.Code
		}
	}
	if rtl == "" {
		t.Fatal("no right-to-left language in the registry")
	}
	got := directed("🔎 WeMi\n\nسطر", rtl)
	if got != rlm+"🔎 WeMi\n\n"+rlm+"سطر" {
		t.Errorf("directed: %q", got)
	}
	if got := directed("🔎 WeMi\nriga", "it"); got != "🔎 WeMi\nriga" {
		t.Errorf("Italian changed: %q", got)
	}
}

// A catalogue title and a citizen's words with asterisks keep them in Telegram's
// HTML; the bot's own bold still works around them.
func TestAsterisksInDataStayLiteral(t *testing.T) {
	card, found := markuptest.StarredReplies(t)
	if h := html(card.Text); !strings.HasPrefix(h, "<b>Babysitting *5 stelle* a domicilio \\ sera</b>\n") {
		t.Errorf("card: %.120q", h)
	}
	h := html(found.Text)
	if !strings.Contains(h, "«"+markuptest.StarQuery+"»") || strings.Count(h, "<b>") != strings.Count(h, "</b>") {
		t.Errorf("search: %.200q", h)
	}
	for _, c := range split(strings.Repeat(card.Text+"\n\n", 40), maxMessageUnits) {
		if strings.Count(html(c), "*5 stelle*") == 0 {
			t.Fatalf("a part lost the title's asterisks: %.80q", c)
		}
	}
}

// The part that removes the location keyboard carries no other keyboard.
func TestKeyboardRemoval(t *testing.T) {
	tests := []struct {
		name    string
		chunks  []string
		buttons bool
		want    []string
		at      int
	}{
		{"no buttons", []string{"a\nb"}, false, []string{"a\nb"}, 0},
		{"two parts", []string{"a", "b"}, true, []string{"a", "b"}, 0},
		{"first line alone", []string{"*Vicino a te:*\n\nx"}, true, []string{"*Vicino a te:*", "x"}, 0},
		{"bold goes on", []string{"*a\nb* c"}, true, []string{"*a", "*b* c"}, 0},
		{"one line", []string{"Spazi"}, true, []string{"Spazi"}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, at := keyboardRemoval(tt.chunks, tt.buttons)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || at != tt.at {
				t.Errorf("keyboardRemoval(%q, %v) = %q, %d; want %q, %d", tt.chunks, tt.buttons, got, at, tt.want, tt.at)
			}
		})
	}
}

// BenchmarkSplit measures cutting a long reply (about 20,000 characters of paragraphs
// with bold titles, escapes and entities) into Telegram messages.
func BenchmarkSplit(b *testing.B) {
	var paras []string
	for i := 0; i < 60; i++ {
		paras = append(paras, "*Servizio \\*"+strings.Repeat("è", 3)+"*\n"+strings.Repeat("parola <&> ", 28))
	}
	text := strings.Join(paras, "\n\n")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		split(text, maxMessageUnits)
	}
}

func TestInvoiceInTheOutboxHoldsNoToken(t *testing.T) {
	a, err := New(Options{Token: "1:abc", PaymentToken: "284685063:TEST:secret"})
	if err != nil {
		t.Fatal(err)
	}
	out := a.render(7, 0, []bot.Reply{{Invoice: &bot.Invoice{Title: "Assistenza domiciliare per anziani a Milano",
		Description: strings.Repeat("lunga ", 60), Payload: "bk-1", Currency: "EUR", AmountCents: 100}}})
	if len(out) != 1 || out[0].Method != "sendInvoice" {
		t.Fatalf("render = %+v", out)
	}
	kept, err := json.Marshal(out[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(kept), "secret") {
		t.Errorf("the outbox would keep the payment token: %s", kept)
	}
	cfg, ok := out[0].call("284685063:TEST:secret").c.(tgbotapi.InvoiceConfig)
	if !ok || cfg.ProviderToken != "284685063:TEST:secret" {
		t.Fatalf("the call made from it = %#v", out[0].call("x").c)
	}
	if n := utf8.RuneCountInString(cfg.Title); n > maxInvoiceTitle {
		t.Errorf("title of %d characters", n)
	}
	if n := utf8.RuneCountInString(cfg.Description); n > maxInvoiceDescription {
		t.Errorf("description of %d characters", n)
	}
}
