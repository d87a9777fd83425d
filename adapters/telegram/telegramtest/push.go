package telegramtest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// callbackIDBase makes callback query ids look like Telegram's long numeric strings.
const callbackIDBase = 4_000_000_000_000_000_000

// SecretTokenHeader is the header in which Telegram sends a webhook's secret_token.
const SecretTokenHeader = "X-Telegram-Bot-Api-Secret-Token"

// PushMessage queues a text message that from wrote in chatID and returns its update
// id. As in Telegram, a text starting with "/" carries a bot_command entity, which is
// what tgbotapi's Message.IsCommand looks for.
func (s *Server) PushMessage(chatID int64, from User, text string) (updateID int) {
	return s.pushMessage(chatID, from, func(m *apiMessage) {
		m.Text, m.Entities = text, commandEntities(text)
	})
}

// PushLocation queues a location that from shared in chatID and returns its update id.
func (s *Server) PushLocation(chatID int64, from User, lat, lon float64) (updateID int) {
	return s.pushMessage(chatID, from, func(m *apiMessage) {
		m.Location = &apiLocation{Latitude: lat, Longitude: lon}
	})
}

// PushSticker queues a sticker showing emoji and returns its update id.
func (s *Server) PushSticker(chatID int64, from User, emoji string) (updateID int) {
	return s.pushMessage(chatID, from, func(m *apiMessage) {
		id, unique := s.fileIDsLocked("CAACAgIAAxkBAAI")
		m.Sticker = &apiSticker{FileID: id, FileUniqueID: unique, Type: "regular", Width: 512, Height: 512, Emoji: emoji}
	})
}

// PushPhoto queues a photo with an optional caption and returns its update id.
func (s *Server) PushPhoto(chatID int64, from User, caption string) (updateID int) {
	return s.pushMessage(chatID, from, func(m *apiMessage) {
		small, smallUnique := s.fileIDsLocked("AgACAgQAAxkBAAI")
		large, largeUnique := s.fileIDsLocked("AgACAgQAAxkBAAI")
		m.Photo = []apiPhotoSize{
			{FileID: small, FileUniqueID: smallUnique, Width: 90, Height: 90, FileSize: 1_500},
			{FileID: large, FileUniqueID: largeUnique, Width: 800, Height: 800, FileSize: 65_000},
		}
		m.Caption = caption
	})
}

// PushVoice queues a voice note lasting seconds and returns its update id.
func (s *Server) PushVoice(chatID int64, from User, seconds int) (updateID int) {
	return s.pushMessage(chatID, from, func(m *apiMessage) {
		id, unique := s.fileIDsLocked("AwACAgQAAxkBAAI")
		m.Voice = &apiVoice{FileID: id, FileUniqueID: unique, Duration: seconds, MimeType: "audio/ogg"}
	})
}

// PushDocument queues a file that from sent and returns its update id.
func (s *Server) PushDocument(chatID int64, from User, fileName, mimeType string) (updateID int) {
	return s.pushMessage(chatID, from, func(m *apiMessage) {
		id, unique := s.fileIDsLocked("BQACAgQAAxkBAAI")
		m.Document = &apiDocument{FileID: id, FileUniqueID: unique, FileName: fileName, MimeType: mimeType, FileSize: 1_024}
	})
}

// PushCallback queues the callback query Telegram sends when from presses an inline
// button carrying data under message messageID of chatID. It returns the update id
// and the query id the bot must answer with answerCallbackQuery. The query carries the
// message as the fake stored it; an unknown messageID gives an inaccessible message
// (date 0), as for messages too old for Telegram to include.
func (s *Server) PushCallback(chatID int64, from User, messageID int, data string) (updateID int, callbackQueryID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, queryID := s.callbackUpdateLocked(chatID, from, messageID, data)
	return s.pushLocked(u, updateCallbackQuery), queryID
}

// NewMessageUpdate creates a text-message update like PushMessage, without queueing it
// for getUpdates, and returns its id and JSON: the body Telegram would POST to a
// webhook.
func (s *Server) NewMessageUpdate(chatID int64, from User, text string) (updateID int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.messageUpdateLocked(chatID, from, func(m *apiMessage) {
		m.Text, m.Entities = text, commandEntities(text)
	})
	updateID, raw := s.createLocked(u)
	return updateID, append([]byte(nil), raw...)
}

// NewCallbackUpdate creates a callback-query update like PushCallback, without
// queueing it for getUpdates, and returns its id, the query id and its JSON.
func (s *Server) NewCallbackUpdate(chatID int64, from User, messageID int, data string) (updateID int, callbackQueryID string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, queryID := s.callbackUpdateLocked(chatID, from, messageID, data)
	updateID, raw := s.createLocked(u)
	return updateID, queryID, append([]byte(nil), raw...)
}

// NewWebhookRequest builds the POST Telegram would make to a webhook at target to
// deliver the update with updateID: its JSON body and, when setWebhook recorded a
// secret_token, the X-Telegram-Bot-Api-Secret-Token header.
func (s *Server) NewWebhookRequest(ctx context.Context, target string, updateID int) (*http.Request, error) {
	body := s.Update(updateID)
	if body == nil {
		return nil, fmt.Errorf("webhook request for update %d: no such update", updateID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("webhook request for update %d: %w", updateID, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if _, secret := s.Webhook(); secret != "" {
		req.Header.Set(SecretTokenHeader, secret)
	}
	return req, nil
}

func (s *Server) pushMessage(chatID int64, from User, fill func(*apiMessage)) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked(s.messageUpdateLocked(chatID, from, fill), updateMessage)
}

// messageUpdateLocked stores a new user message in chatID and wraps it in an update.
// A user who writes has unblocked the bot.
func (s *Server) messageUpdateLocked(chatID int64, from User, fill func(*apiMessage)) apiUpdate {
	c := s.chatLocked(chatID, from)
	c.blocked = false
	m := c.newMessage(userOf(chatID, from), false, time.Now())
	fill(&m.msg)
	m.rawText = m.msg.Text
	msg := m.msg
	return apiUpdate{Message: &msg}
}

func (s *Server) callbackUpdateLocked(chatID int64, from User, messageID int, data string) (apiUpdate, string) {
	c := s.chatLocked(chatID, from)
	s.nextCallback++
	queryID := strconv.FormatInt(callbackIDBase+s.nextCallback, 10)
	s.callbacks[queryID] = false
	msg := &apiMessage{MessageID: messageID, Chat: c.info}
	if m, ok := c.messages[messageID]; ok {
		stored := m.msg
		msg = &stored
	}
	return apiUpdate{CallbackQuery: &apiCallbackQuery{
		ID:           queryID,
		From:         userOf(chatID, from),
		Message:      msg,
		ChatInstance: strconv.FormatInt(chatID, 10),
		Data:         data,
	}}, queryID
}

// fileIDsLocked invents a file_id with Telegram's look and its file_unique_id.
func (s *Server) fileIDsLocked(prefix string) (fileID, uniqueID string) {
	s.nextFile++
	return fmt.Sprintf("%s%06d", prefix, s.nextFile), fmt.Sprintf("AQAD%06d", s.nextFile)
}

// commandEntities marks a leading /command (with any @botname) as Telegram does.
func commandEntities(text string) []apiEntity {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return nil
	}
	end := strings.IndexFunc(text, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' })
	if end < 0 {
		end = len(text)
	}
	return []apiEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(text[:end])}}
}
