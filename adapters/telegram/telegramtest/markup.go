package telegramtest

import (
	"encoding/json"
	"net/url"
)

// maxCallbackData is the Bot API's limit on an inline button's callback_data, in bytes.
const maxCallbackData = 64

// markup is a parsed reply_markup parameter.
type markup struct {
	inline [][]Button
	reply  [][]Button
	remove bool
	// raw is the inline keyboard as the API echoes it in the returned Message; reply
	// keyboards are not echoed.
	raw json.RawMessage
}

var errMarkupJSON = badRequest("can't parse reply keyboard markup JSON object")

// parseMarkup parses and checks reply_markup: an InlineKeyboardMarkup,
// ReplyKeyboardMarkup, ReplyKeyboardRemove or ForceReply object.
func parseMarkup(raw string) (markup, *apiError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &fields); err != nil || fields == nil {
		return markup{}, errMarkupJSON
	}
	if data, ok := fields["inline_keyboard"]; ok {
		return parseInlineKeyboard(data)
	}
	if data, ok := fields["keyboard"]; ok {
		rows, apiErr := parseReplyKeyboard(data)
		return markup{reply: rows}, apiErr
	}
	var flags struct {
		RemoveKeyboard bool `json:"remove_keyboard"`
		ForceReply     bool `json:"force_reply"`
	}
	if err := json.Unmarshal([]byte(raw), &flags); err != nil || !(flags.RemoveKeyboard || flags.ForceReply) {
		return markup{}, errMarkupJSON
	}
	return markup{remove: flags.RemoveKeyboard}, nil
}

// inlineButton is an InlineKeyboardButton; the fields the fake does not model are kept
// raw only to count how many actions a button has.
type inlineButton struct {
	Text                         string          `json:"text"`
	CallbackData                 *string         `json:"callback_data"`
	URL                          *string         `json:"url"`
	LoginURL                     json.RawMessage `json:"login_url"`
	WebApp                       json.RawMessage `json:"web_app"`
	SwitchInlineQuery            *string         `json:"switch_inline_query"`
	SwitchInlineQueryCurrentChat *string         `json:"switch_inline_query_current_chat"`
	CallbackGame                 json.RawMessage `json:"callback_game"`
	Pay                          bool            `json:"pay"`
}

func (b inlineButton) actions() int {
	n := 0
	for _, set := range []bool{
		b.CallbackData != nil, b.URL != nil, b.LoginURL != nil, b.WebApp != nil,
		b.SwitchInlineQuery != nil, b.SwitchInlineQueryCurrentChat != nil,
		b.CallbackGame != nil, b.Pay,
	} {
		if set {
			n++
		}
	}
	return n
}

func parseInlineKeyboard(data json.RawMessage) (markup, *apiError) {
	var rows [][]inlineButton
	if err := json.Unmarshal(data, &rows); err != nil {
		return markup{}, badRequest("can't parse inline keyboard button: field \"inline_keyboard\" must be an Array of Arrays")
	}
	var m markup
	for _, row := range rows {
		var out []Button
		for _, b := range row {
			if b.Text == "" {
				return markup{}, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			switch b.actions() {
			case 0:
				return markup{}, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			case 1:
			default:
				return markup{}, badRequest("can't parse inline keyboard button: exactly one of the optional fields must be used")
			}
			btn := Button{Text: b.Text}
			if b.CallbackData != nil {
				if n := len(*b.CallbackData); n == 0 || n > maxCallbackData {
					return markup{}, badRequest("BUTTON_DATA_INVALID")
				}
				btn.CallbackData = *b.CallbackData
			}
			if b.URL != nil {
				if !validButtonURL(*b.URL) {
					return markup{}, badRequest("inline keyboard button URL '%s' is invalid: Wrong HTTP URL", *b.URL)
				}
				btn.URL = *b.URL
			}
			out = append(out, btn)
		}
		if len(out) > 0 {
			m.inline = append(m.inline, out)
		}
	}
	if len(m.inline) > 0 {
		m.raw, _ = json.Marshal(map[string]json.RawMessage{"inline_keyboard": data})
	}
	return m, nil
}

func validButtonURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host != ""
	case "tg":
		return true
	}
	return false
}

// parseReplyKeyboard reads a ReplyKeyboardMarkup's rows, whose buttons are either
// KeyboardButton objects or, as the API also allows, plain strings.
func parseReplyKeyboard(data json.RawMessage) ([][]Button, *apiError) {
	var rows [][]json.RawMessage
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, badRequest("can't parse keyboard button: field \"keyboard\" must be an Array of Arrays")
	}
	var out [][]Button
	for _, row := range rows {
		var buttons []Button
		for _, raw := range row {
			var text string
			if json.Unmarshal(raw, &text) == nil {
				buttons = append(buttons, Button{Text: text})
				continue
			}
			var b struct {
				Text            string `json:"text"`
				RequestLocation bool   `json:"request_location"`
				RequestContact  bool   `json:"request_contact"`
			}
			if err := json.Unmarshal(raw, &b); err != nil {
				return nil, badRequest("can't parse keyboard button: KeyboardButton must be a String or an Object")
			}
			if b.Text == "" {
				return nil, badRequest("can't parse keyboard button: field \"text\" must be of type String")
			}
			buttons = append(buttons, Button{Text: b.Text, RequestLocation: b.RequestLocation, RequestContact: b.RequestContact})
		}
		if len(buttons) > 0 {
			out = append(out, buttons)
		}
	}
	if len(out) == 0 {
		return nil, badRequest("keyboard must be non-empty")
	}
	return out, nil
}
