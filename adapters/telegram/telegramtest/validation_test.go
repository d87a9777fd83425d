package telegramtest_test

import (
	"net/http"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// sendText sends text with parseMode to chatID and returns the Bot API's refusal, or
// nil when the fake accepted it.
func sendText(t *testing.T, bot *tgbotapi.BotAPI, parseMode, text string) *tgbotapi.Error {
	t.Helper()
	msg := tgbotapi.NewMessage(chatID, text)
	msg.ParseMode = parseMode
	_, err := bot.Send(msg)
	if err == nil {
		return nil
	}
	return apiErr(t, err)
}

func TestCallbackDataLimit(t *testing.T) {
	tests := []struct {
		name string
		data string
		ok   bool
	}{
		{"64 ASCII bytes", strings.Repeat("a", 64), true},
		{"65 ASCII bytes", strings.Repeat("a", 65), false},
		{"32 two-byte letters", strings.Repeat("è", 32), true},
		{"33 two-byte letters", strings.Repeat("è", 33), false},
		{"empty", "", false},
	}
	srv, bot := newBot(t)
	srv.AddChat(chatID)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := tgbotapi.NewMessage(chatID, "Scegli")
			msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
				tgbotapi.NewInlineKeyboardButtonData("ok", "ok"),
				tgbotapi.NewInlineKeyboardButtonData("Sì", tt.data),
			))
			_, err := bot.Send(msg)
			if tt.ok {
				if err != nil {
					t.Errorf("%d bytes refused: %v", len(tt.data), err)
				}
				return
			}
			if e := apiErr(t, err); e.Code != http.StatusBadRequest || e.Message != "Bad Request: BUTTON_DATA_INVALID" {
				t.Errorf("%d bytes: got %d %q, want 400 BUTTON_DATA_INVALID", len(tt.data), e.Code, e.Message)
			}
		})
	}
}

func TestTextLength(t *testing.T) {
	tests := []struct {
		name      string
		parseMode string
		text      string
		want      string // "" when accepted
	}{
		{"4096 ASCII", "", strings.Repeat("a", 4096), ""},
		{"4097 ASCII", "", strings.Repeat("a", 4097), "Bad Request: message is too long"},
		{"4096 accented letters", "", strings.Repeat("à", 4096), ""},
		{"2048 emoji are 4096 UTF-16 units", "", strings.Repeat("😀", 2048), ""},
		{"2049 emoji", "", strings.Repeat("😀", 2049), "Bad Request: message is too long"},
		{"tags do not count", "HTML", "<b>" + strings.Repeat("a", 4096) + "</b>", ""},
		{"entities count once", "HTML", strings.Repeat("&amp;", 4096), ""},
		{"empty", "", "", "Bad Request: message text is empty"},
		{"only spaces", "", "  \n ", "Bad Request: message text is empty"},
		{"only tags", "HTML", "<b></b>", "Bad Request: message text is empty"},
		{"unknown parse mode", "html5", "ciao", "Bad Request: unsupported parse_mode"},
	}
	srv, bot := newBot(t)
	srv.AddChat(chatID)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sendText(t, bot, tt.parseMode, tt.text)
			switch {
			case tt.want == "" && e != nil:
				t.Errorf("refused: %d %q", e.Code, e.Message)
			case tt.want != "" && e == nil:
				t.Errorf("accepted, want %q", tt.want)
			case tt.want != "" && e.Message != tt.want:
				t.Errorf("got %q, want %q", e.Message, tt.want)
			}
		})
	}
}

func TestHTMLValidation(t *testing.T) {
	tests := []struct {
		name string
		text string
		ok   bool
	}{
		{"all supported tags", `<b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins> ` +
			`<s>s</s> <strike>k</strike> <del>d</del> <span class="tg-spoiler">x</span> <tg-spoiler>y</tg-spoiler> ` +
			`<a href="https://wemi.comune.milano.it/?a=1&amp;b=2">link</a> <code>c</code> ` +
			`<pre><code class="language-go">x := 1</code></pre> <blockquote>q</blockquote>`, true},
		{"nested", "<b>grassetto <i>e corsivo</i></b>", true},
		{"upper-case tags", "<B>ciao</B>", true},
		{"escaped specials", "1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;ok&quot;", true},
		{"numeric entities", "l&#39;orario &#x27;9-12&#x27;", true},
		{"single-quoted attribute", "<a href='tg://user?id=1'>Maria</a>", true},
		{"unclosed tag", "<b>ciao", false},
		{"unmatched end tag", "<b>ciao</i>", false},
		{"overlapping tags", "<b><i>ciao</b></i>", false},
		{"stray end tag", "ciao</b>", false},
		{"unsupported tag", "<p>ciao</p>", false},
		{"line break tag", "riga<br/>riga", false},
		{"raw less-than", "1 < 2", false},
		{"raw greater-than", "2 > 1", false},
		{"raw ampersand", "Caffè & Co", false},
		{"unknown named entity", "caff&egrave;", false},
		{"span without spoiler class", `<span class="bold">x</span>`, false},
		{"unterminated attribute", `<a href="https://x>x</a>`, false},
	}
	srv, bot := newBot(t)
	srv.AddChat(chatID)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sendText(t, bot, tgbotapi.ModeHTML, tt.text)
			switch {
			case tt.ok && e != nil:
				t.Errorf("refused: %q", e.Message)
			case !tt.ok && e == nil:
				t.Error("accepted malformed HTML")
			case !tt.ok && (e.Code != http.StatusBadRequest || !strings.HasPrefix(e.Message, "Bad Request: can't parse entities: ")):
				t.Errorf("got %d %q, want 400 can't parse entities", e.Code, e.Message)
			}
		})
	}
	// Without parse_mode the same characters are plain text.
	if e := sendText(t, bot, "", "1 < 2 & <p>"); e != nil {
		t.Errorf("plain text refused: %q", e.Message)
	}
	// tgbotapi's own escaping is enough for the fake.
	if e := sendText(t, bot, tgbotapi.ModeHTML, "<b>"+tgbotapi.EscapeText(tgbotapi.ModeHTML, "<Caffè & Co>")+"</b>"); e != nil {
		t.Errorf("text escaped by tgbotapi refused: %q", e.Message)
	}
}

func TestChatChecks(t *testing.T) {
	srv, bot := newBot(t)
	if e := sendText(t, bot, "", "ciao"); e == nil || e.Code != http.StatusBadRequest || e.Message != "Bad Request: chat not found" {
		t.Errorf("send to an unknown chat: %+v, want 400 chat not found", e)
	}
	srv.AddChat(chatID)
	srv.Block(chatID)
	if e := sendText(t, bot, "", "ciao"); e == nil || e.Code != http.StatusForbidden {
		t.Errorf("send to a chat that blocked the bot: %+v, want 403", e)
	}
	srv.PushMessage(chatID, maria, "scusa, ci sono") // writing unblocks
	if e := sendText(t, bot, "", "bentornata"); e != nil {
		t.Errorf("send after the user wrote again: %q", e.Message)
	}
	if n := len(srv.Sent(chatID)); n != 1 {
		t.Errorf("Sent has %d entries, want only the accepted send", n)
	}
}
