package telegramtest

import (
	"context"
	"time"
)

var errNotModified = badRequest("message is not modified: specified new message content and reply markup " +
	"are exactly the same as a content and reply markup of the current message")

// editTargetLocked resolves the message an edit call refers to: chat_id and
// message_id of a message the bot sent. Inline messages are not modelled.
func (s *Server) editTargetLocked(p params) (*chat, *storedMessage, *apiError) {
	if p.str("inline_message_id") != "" {
		return nil, nil, badRequest("message to edit not found")
	}
	c, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, nil, apiErr
	}
	id, apiErr := p.int("message_id")
	if apiErr != nil {
		return nil, nil, apiErr
	}
	if id == 0 {
		return nil, nil, badRequest("message identifier is not specified")
	}
	m, ok := c.messages[int(id)]
	if !ok {
		return nil, nil, badRequest("message to edit not found")
	}
	if !m.fromBot {
		return nil, nil, badRequest("message can't be edited")
	}
	return c, m, nil
}

// inlineOnly parses the reply_markup of an edit, which can only be an inline keyboard.
func inlineOnly(p params) (markup, *apiError) {
	mk, apiErr := optionalMarkup(p)
	if apiErr != nil {
		return markup{}, apiErr
	}
	if mk.reply != nil || mk.remove {
		return markup{}, badRequest("inline keyboard expected")
	}
	return mk, nil
}

// recordEditLocked records a successful edit. Edits are not sends: they appear in Sent
// but not in the rate accounting.
func (s *Server) recordEditLocked(c *chat, m *storedMessage, method string) apiMessage {
	now := time.Now()
	m.msg.EditDate = now.Unix()
	c.sent = append(c.sent, Sent{
		Method: method, ChatID: c.info.ID, MessageID: m.msg.MessageID,
		Text: m.rawText, ParseMode: m.parseMode, Keyboard: m.keyboard, Time: now,
	})
	s.notifyLocked()
	return m.msg
}

func (s *Server) editMessageText(_ context.Context, p params) (any, *apiError) {
	text, mode := p.str("text"), p.str("parse_mode")
	plain, apiErr := checkText(text, mode, maxTextLen, "message text", true)
	if apiErr != nil {
		return nil, apiErr
	}
	// Without reply_markup the edited message loses its keyboard, as in Telegram.
	mk, apiErr := inlineOnly(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, apiErr := s.editTargetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if m.msg.Text == "" {
		return nil, badRequest("there is no text in the message to edit")
	}
	if m.rawText == text && m.parseMode == mode && sameKeyboard(m.keyboard, mk.inline) {
		return nil, errNotModified
	}
	m.rawText, m.parseMode, m.keyboard = text, mode, mk.inline
	m.msg.Text, m.msg.ReplyMarkup = plain, mk.raw
	return s.recordEditLocked(c, m, "editMessageText"), nil
}

func (s *Server) editMessageReplyMarkup(_ context.Context, p params) (any, *apiError) {
	mk, apiErr := inlineOnly(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, apiErr := s.editTargetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if sameKeyboard(m.keyboard, mk.inline) {
		return nil, errNotModified
	}
	m.keyboard, m.msg.ReplyMarkup = mk.inline, mk.raw
	return s.recordEditLocked(c, m, "editMessageReplyMarkup"), nil
}

func (s *Server) answerCallbackQuery(_ context.Context, p params) (any, *apiError) {
	id := p.str("callback_query_id")
	if utf16Len(p.str("text")) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	answered, known := s.callbacks[id]
	if !known || answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	s.callbacks[id] = true
	s.answered = append(s.answered, id)
	s.notifyLocked()
	return true, nil
}
