package telegram

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/i18n"
)

// Telegram's limits.
const (
	maxMessageUnits  = 4096 // UTF-16 code units of text per message
	maxCallbackBytes = 64
)

// html renders the engine's light formatting (*bold*) as Telegram HTML, escaping
// everything else: text from the catalogue or a citizen can hold < > &.
func html(text string) string {
	var b strings.Builder
	bold := false
	for _, r := range text {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '*':
			if bold {
				b.WriteString("</b>")
			} else {
				b.WriteString("<b>")
			}
			bold = !bold
		default:
			b.WriteRune(r)
		}
	}
	if bold {
		b.WriteString("</b>")
	}
	return b.String()
}

// utf16Len is the length Telegram counts a message's limit in.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// split cuts a long text into messages within Telegram's limit, at paragraph
// boundaries, then line boundaries, then words, never inside a *bold* run's markup.
func split(text string, limit int) []string {
	if utf16Len(html(text)) <= limit {
		return []string{text}
	}
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for _, piece := range pieces(text, limit-16) { // room to re-open and close a bold run
		candidate := cur.String() + piece
		if cur.Len() > 0 && utf16Len(html(candidate)) > limit-16 {
			flush()
		}
		cur.WriteString(piece)
	}
	flush()
	// A cut inside a *bold* run closes it in one chunk and opens it again in the next.
	open := false
	for i, chunk := range out {
		if open {
			chunk = "*" + chunk
		}
		if strings.Count(chunk, "*")%2 == 1 {
			chunk += "*"
			open = true
		} else {
			open = false
		}
		out[i] = chunk
	}
	return out
}

// pieces breaks text into paragraphs (keeping their separators); a paragraph too long
// on its own is broken into lines, and a line into words, so that every piece fits.
func pieces(text string, limit int) []string {
	var out []string
	for _, para := range strings.SplitAfter(text, "\n\n") {
		if utf16Len(html(para)) <= limit {
			out = append(out, para)
			continue
		}
		for _, line := range strings.SplitAfter(para, "\n") {
			if utf16Len(html(line)) <= limit {
				out = append(out, line)
				continue
			}
			// Words; a single word longer than the limit is cut by runes.
			for _, w := range strings.SplitAfter(line, " ") {
				for utf16Len(html(w)) > limit {
					r := []rune(w)
					cut := len(r) / 2
					out = append(out, string(r[:cut]))
					w = string(r[cut:])
				}
				out = append(out, w)
			}
		}
	}
	return out
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

// keyboard renders the engine's buttons as an inline keyboard with signed data.
// Buttons whose data would not fit Telegram's 64 bytes are left out (the engine keeps
// its data short; this is a last guard).
func (s signer) keyboard(chatID int64, rows [][]bot.Button) *tgbotapi.InlineKeyboardMarkup {
	var kb [][]tgbotapi.InlineKeyboardButton
	for _, row := range rows {
		var r []tgbotapi.InlineKeyboardButton
		for _, b := range row {
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
