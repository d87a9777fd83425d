package bot

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/comune-milano/wemibot/catalogue"
)

// Message is one update from a citizen on a channel: text (a command is text starting
// with "/"), a button press, or a shared location.
type Message struct {
	Channel   string // "telegram", "web", "shell"...
	UserID    string // the channel's id of the citizen's chat
	UpdateID  string // the channel's id of this update, for dropping redeliveries; may be empty
	LangCode  string // the language the citizen's app reports (e.g. "en-GB"); may be empty
	FirstName string // the citizen's first name, shown to staff only on a handoff
	Text      string
	Button    string // the data of the button pressed
	Location  *catalogue.Point
	// Unsupported names content the bot cannot read ("sticker", "photo", "voice",
	// "file"): the citizen is told what the bot can do instead.
	Unsupported string
	// Payment is a channel's native payment completed (Telegram's successful_payment).
	Payment *PaymentNotice
}

// Conversation returns the channel-qualified id of the message's conversation.
func (m Message) Conversation() string { return m.Channel + ":" + m.UserID }

// Reply is one message from the bot. Text uses light formatting: *bold*, line breaks,
// and \* for a literal asterisk (see Literal and Spans); channels render it in their
// own idiom.
type Reply struct {
	Text     string
	Buttons  [][]Button // rows of buttons
	Location *Place
	Document *Document
	// Invoice asks for a payment on a channel that pays natively (Payments.Invoices).
	Invoice *Invoice
	// Replace says the reply takes the place of the message whose button was pressed
	// (paging, refining results); channels that cannot edit send it as a new message.
	Replace bool
	// Lang is the language the reply is in ("it", "en"): the conversation's language.
	Lang string
	// Forgotten says the citizen's data has just been erased: a channel that keeps
	// the conversation on the citizen's side (the web chat's page) drops it too.
	Forgotten bool
	// AskLocation, when set, is the label of a button that shares the citizen's
	// location: a channel that has one (Telegram's location button, the browser's
	// geolocation) shows it with the reply, beside the reply's buttons.
	AskLocation string
	// LocationDone says the question a location button answered is over: a channel
	// that keeps that button on screen (Telegram's reply keyboard) removes it. The
	// engine sets it on the first reply after one that asked for the location.
	LocationDone bool
}

// Button is a button under a reply. Data comes back in Message.Button when pressed.
type Button struct {
	Label string
	Data  string
	// URL, when set, makes the button a link (a hosted payment page): it opens URL
	// and sends nothing back.
	URL string
}

// Place is a location to show on a map.
type Place struct {
	Point   catalogue.Point
	Name    string
	Address string
}

// Document is a file to send, such as an .ics calendar entry.
type Document struct {
	Name string
	MIME string
	Data []byte
}

// command is a parsed "/name argument" message.
type command struct {
	name string // lower case, without the slash and any "@botname"
	arg  string
}

// maxCommandArg bounds a command's argument (a deep-link payload is at most 64 bytes).
const maxCommandArg = 256

// parseCommand reads "/start payload" or "/start@WeMiBot payload"; ok is false for
// text that is not a command.
func parseCommand(text string) (command, bool) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return command{}, false
	}
	head, arg, _ := strings.Cut(text[1:], " ")
	head, _, _ = strings.Cut(head, "@")
	if head == "" || !isWord(head) {
		return command{}, false
	}
	arg = strings.TrimSpace(arg)
	if len(arg) > maxCommandArg {
		arg = truncateRunes(arg, maxCommandArg)
	}
	return command{name: strings.ToLower(head), arg: arg}, true
}

// isGreeting reports whether m is the bare greeting, /start without a payload, and
// nothing else.
func isGreeting(m Message) bool {
	if m.Button != "" || m.Location != nil || m.Unsupported != "" {
		return false
	}
	c, ok := parseCommand(m.Text)
	return ok && c.name == "start" && c.arg == ""
}

func isWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			return false
		}
	}
	return true
}

// truncateRunes cuts s to at most n runes, never inside a rune.
func truncateRunes(s string, n int) string { return catalogue.TruncateRunes(s, n) }

// tagRE matches markup pasted into a message ("<b>", "<img src=x>"): it is not part of
// a need, and searching its words would only mislead.
var tagRE = regexp.MustCompile(`<[^<>]{0,200}>`)

// withoutMarkup removes markup from a message before it is searched.
func withoutMarkup(s string) string { return strings.TrimSpace(tagRE.ReplaceAllString(s, " ")) }

// cleanText makes untrusted text safe to process and to echo: valid UTF-8, newlines
// and tabs as spaces, no control or format characters (bidi overrides, zero-width
// characters), trimmed.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
