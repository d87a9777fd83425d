package telegram

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/i18n"
)

// Telegram's limits.
const (
	maxMessageUnits  = 4096 // UTF-16 code units of text per message
	maxCallbackBytes = 64
)

// html renders the engine's light formatting (*bold*, \* for a literal asterisk) as
// Telegram HTML, escaping everything else: text from the catalogue or a citizen can
// hold < > & and asterisks.
func html(text string) string {
	var b strings.Builder
	for _, s := range bot.Spans(text) {
		if s.Bold {
			b.WriteString("<b>")
		}
		for _, r := range s.Text {
			switch r {
			case '<':
				b.WriteString("&lt;")
			case '>':
				b.WriteString("&gt;")
			case '&':
				b.WriteString("&amp;")
			default:
				b.WriteRune(r)
			}
		}
		if s.Bold {
			b.WriteString("</b>")
		}
	}
	return b.String()
}

// utf16Len is the length Telegram counts a message's limit in.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// htmlLen is utf16Len(html(text)), counted without building the HTML: split measures
// every candidate part.
func htmlLen(text string) int {
	n := 0
	for _, s := range bot.Spans(text) {
		if s.Bold {
			n += len("<b></b>")
		}
		for _, r := range s.Text {
			switch r {
			case '<', '>':
				n += len("&lt;")
			case '&':
				n += len("&amp;")
			default:
				n += utf16.RuneLen(r)
			}
		}
	}
	return n
}

// boldRoom is what opening a bold run at the start of a part can add to it: the part's
// plain and bold runs swap, so it has at most one bold run ("<b>", "</b>") more.
const boldRoom = 7

// split cuts a long text into messages within Telegram's limit, at paragraph
// boundaries, then line boundaries, then words, then characters (never inside an
// escape). A bold run cut in two is closed at the end of one part and opened again
// at the start of the next.
func split(text string, limit int) []string {
	if htmlLen(text) <= limit {
		return []string{text}
	}
	var out []string
	var cur strings.Builder
	open := false // a bold run goes on from the previous part
	reopened := func(s string) string {
		if !open {
			return s
		}
		if strings.HasPrefix(s, "*") { // it closes at once: drop the empty run
			return s[1:]
		}
		return "*" + s
	}
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			s = reopened(s)
			out = append(out, s)
			open = bot.BoldAtEnd(s)
		}
		cur.Reset()
	}
	for _, piece := range pieces(text, limit-boldRoom) {
		if cur.Len() > 0 && htmlLen(reopened(strings.TrimSpace(cur.String()+piece))) > limit {
			flush()
		}
		cur.WriteString(piece)
	}
	flush()
	return out
}

// pieces breaks text into paragraphs (keeping their separators); a paragraph too long
// on its own is broken into lines, a line into words and a word into characters, so
// that every piece fits within limit.
func pieces(text string, limit int) []string {
	fits := func(s string) bool { return htmlLen(s) <= limit }
	var out []string
	for _, para := range strings.SplitAfter(text, "\n\n") {
		if fits(para) {
			out = append(out, para)
			continue
		}
		for _, line := range strings.SplitAfter(para, "\n") {
			if fits(line) {
				out = append(out, line)
				continue
			}
			for _, w := range strings.SplitAfter(line, " ") {
				if fits(w) {
					out = append(out, w)
					continue
				}
				out = append(out, cutWord(w, limit)...)
			}
		}
	}
	return out
}

// cutWord cuts a word too long for one part into runs that fit within limit, keeping
// an escape ("\\*", "\\\\") whole. A run's width is counted on the safe side: every
// "*" as a closing tag, and room for one more.
func cutWord(w string, limit int) []string {
	var out []string
	start, width := 0, len("</b>")
	for i := 0; i < len(w); {
		_, size := utf8.DecodeRuneInString(w[i:])
		if w[i] == '\\' && i+1 < len(w) && (w[i+1] == '*' || w[i+1] == '\\') {
			size = 2
		}
		atom := w[i : i+size]
		n := htmlLen(atom)
		if atom == "*" {
			n = len("</b>")
		}
		if i > start && width+n > limit {
			out = append(out, w[start:i])
			start, width = i, len("</b>")
		}
		width += n
		i += size
	}
	return append(out, w[start:])
}

// signer binds button data to one chat: Telegram hands back callback data as the
// client sends it, so an unsigned button could be forged, or replayed from another
// chat.
type signer struct{ key []byte }

func newSigner(token string) signer {
	h := sha256.Sum256([]byte("wemibot-buttons:" + token))
	return signer{key: h[:]}
}

// signatureLen is the signature's length in callback data: "." and 8 characters.
const signatureLen = 9

func (s signer) mac(chatID int64, data string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(strconv.FormatInt(chatID, 10) + "|" + data))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:6])
}

// sign returns data with its signature for chatID.
func (s signer) sign(chatID int64, data string) string {
	return data + "." + s.mac(chatID, data)
}

// verify returns the data of signed callback data, or false when the signature is
// missing or wrong.
func (s signer) verify(chatID int64, signed string) (string, bool) {
	i := strings.LastIndexByte(signed, '.')
	if i < 0 || len(signed)-i != signatureLen {
		return "", false
	}
	data, sig := signed[:i], signed[i+1:]
	return data, hmac.Equal([]byte(sig), []byte(s.mac(chatID, data)))
}

// keyboard renders the engine's buttons as an inline keyboard with signed data; a
// button with a URL (a hosted payment page) opens it instead. Buttons whose data would
// not fit Telegram's 64 bytes are left out (the engine keeps its data short; this is a
// last guard).
func (s signer) keyboard(chatID int64, rows [][]bot.Button) *tgbotapi.InlineKeyboardMarkup {
	var kb [][]tgbotapi.InlineKeyboardButton
	for _, row := range rows {
		var r []tgbotapi.InlineKeyboardButton
		for _, b := range row {
			if b.URL != "" {
				r = append(r, tgbotapi.NewInlineKeyboardButtonURL(b.Label, b.URL))
				continue
			}
			data := s.sign(chatID, b.Data)
			if len(data) > maxCallbackBytes {
				continue
			}
			r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Label, data))
		}
		if len(r) > 0 {
			kb = append(kb, r)
		}
	}
	if len(kb) == 0 {
		return nil
	}
	m := tgbotapi.NewInlineKeyboardMarkup(kb...)
	return &m
}

// locationKeyboard is the reply keyboard of a reply that asks for the location: a
// button that shares it, then the reply's buttons, which send their labels as text
// (the engine reads a label typed back as its button). Telegram hides it once used.
func locationKeyboard(label string, rows [][]bot.Button) tgbotapi.ReplyKeyboardMarkup {
	kb := [][]tgbotapi.KeyboardButton{{tgbotapi.NewKeyboardButtonLocation(label)}}
	for _, row := range rows {
		var r []tgbotapi.KeyboardButton
		for _, b := range row {
			if b.URL != "" {
				continue // a reply keyboard sends text: a link has no place there
			}
			r = append(r, tgbotapi.NewKeyboardButton(b.Label))
		}
		if len(r) > 0 {
			kb = append(kb, r)
		}
	}
	return tgbotapi.NewOneTimeReplyKeyboard(kb...)
}

// keyboardRemoval picks the part of a reply that removes the location keyboard: a
// message carries one keyboard, and the last part carries the reply's buttons. With a
// single part and buttons, its first line goes first, alone, to carry the removal;
// a single line with buttons leaves the keyboard (already hidden once used). It
// returns the parts and the index of the one that removes it, or -1.
func keyboardRemoval(chunks []string, buttons bool) ([]string, int) {
	switch {
	case !buttons || len(chunks) > 1:
		return chunks, 0
	case len(chunks) == 1:
		head, rest, ok := strings.Cut(chunks[0], "\n")
		if !ok || strings.TrimSpace(head) == "" || strings.TrimSpace(rest) == "" {
			return chunks, -1
		}
		rest = strings.TrimLeft(rest, "\n")
		if bot.BoldAtEnd(head) {
			rest = "*" + rest // the bold run goes on in the second part
		}
		return []string{head, rest}, 0
	}
	return chunks, -1
}

// rlm is the right-to-left mark: an invisible strong right-to-left character.
const rlm = "\u200f"

// directed marks every line of a reply in a right-to-left language with a
// right-to-left mark, so that Telegram lays out the line from the right even when it
// begins with an emoji, a number or a Latin name ("WeMi", "ISEE"), which would
// otherwise make it a left-to-right paragraph.
func directed(text, lang string) string {
	if !i18n.Of(lang).RTL() {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = rlm + l
		}
	}
	return strings.Join(lines, "\n")
}
