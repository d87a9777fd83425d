package telegramtest

import (
	"slices"
	"time"
)

// User is the Telegram user behind an update pushed into the fake. A zero ID means the
// user whose private chat the update belongs to, so most tests set only FirstName and
// LanguageCode.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
}

// Button is one button of a keyboard the bot sent. Inline buttons carry CallbackData or
// URL; reply-keyboard buttons may ask the client to share the user's location or contact.
type Button struct {
	Text            string
	CallbackData    string
	URL             string
	RequestLocation bool
	RequestContact  bool
}

// Location is a point on the map, in degrees.
type Location struct {
	Latitude  float64
	Longitude float64
}

// Sent is one successful send or edit the bot made, as the fake recorded it.
type Sent struct {
	// Method is the Bot API method: sendMessage, sendLocation, sendDocument,
	// editMessageText or editMessageReplyMarkup.
	Method    string
	ChatID    int64
	MessageID int
	// Text is the message text exactly as the bot sent it, markup included. After
	// editMessageReplyMarkup it is the text the message already had.
	Text string
	// Caption is a document's caption, markup included.
	Caption   string
	ParseMode string
	// Keyboard is the inline keyboard attached to the message, nil when there is none.
	Keyboard [][]Button
	// ReplyKeyboard is the custom reply keyboard the message showed, nil when none.
	ReplyKeyboard [][]Button
	// RemoveKeyboard reports that the message asked the client to hide the reply keyboard.
	RemoveKeyboard bool
	// Location is set for sendLocation.
	Location *Location
	// DocumentName and DocumentData are the file name and bytes of an uploaded document.
	DocumentName string
	DocumentData []byte
	// DocumentRef is the file_id or URL of a document sent without an upload.
	DocumentRef string
	// Invoice is set for sendInvoice.
	Invoice *Invoice
	// Time is when the fake accepted the call.
	Time time.Time
}

// clone returns a copy that shares no slices with s, so callers cannot alter the record.
func (s Sent) clone() Sent {
	s.Keyboard = cloneKeyboard(s.Keyboard)
	s.ReplyKeyboard = cloneKeyboard(s.ReplyKeyboard)
	s.DocumentData = slices.Clone(s.DocumentData)
	if s.Location != nil {
		loc := *s.Location
		s.Location = &loc
	}
	if s.Invoice != nil {
		in := *s.Invoice
		in.Prices = slices.Clone(in.Prices)
		s.Invoice = &in
	}
	return s
}

func cloneKeyboard(rows [][]Button) [][]Button {
	if rows == nil {
		return nil
	}
	out := make([][]Button, len(rows))
	for i, row := range rows {
		out[i] = slices.Clone(row)
	}
	return out
}

func sameKeyboard(a, b [][]Button) bool {
	return slices.EqualFunc(a, b, slices.Equal[[]Button])
}

// BotCommand is one entry of the command menu set with setMyCommands.
type BotCommand struct {
	Command     string
	Description string
}

// CommandScope says which users see a command menu, as in the Bot API's
// BotCommandScope. The zero value stands for the default scope.
type CommandScope struct {
	// Type is default, all_private_chats, all_group_chats, all_chat_administrators,
	// chat, chat_administrators or chat_member.
	Type   string
	ChatID int64
	UserID int64
}
