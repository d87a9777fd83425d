package telegramtest

import (
	"context"
	"fmt"
	"mime"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits from the Bot API reference, in UTF-16 code units after entity parsing.
const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
)

// chatActions are the values sendChatAction accepts.
var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true,
	"choose_sticker": true, "find_location": true, "record_video_note": true,
	"upload_video_note": true,
}

// checkText validates a text or caption under parseMode and returns the plain text a
// client shows. what is "message text" or "message caption", for the error wording.
func checkText(text, parseMode string, limit int, what string, required bool) (string, *apiError) {
	if !utf8.ValidString(text) {
		return "", badRequest("%s must be encoded in UTF-8", what)
	}
	plain := text
	switch parseMode {
	case "":
	case "HTML":
		var problem string
		if plain, problem = renderHTML(text); problem != "" {
			return "", badRequest("can't parse entities: %s", problem)
		}
	case "Markdown", "MarkdownV2":
		// Accepted without checking: WeMi Bot writes HTML.
	default:
		return "", badRequest("unsupported parse_mode")
	}
	if required && strings.TrimSpace(plain) == "" {
		return "", badRequest("%s is empty", what)
	}
	if utf16Len(plain) > limit {
		if what == "message text" {
			return "", badRequest("message is too long")
		}
		return "", badRequest("%s is too long", what)
	}
	return plain, nil
}

// optionalMarkup parses reply_markup when the call has one.
func optionalMarkup(p params) (markup, *apiError) {
	if !p.has("reply_markup") {
		return markup{}, nil
	}
	return parseMarkup(p.str("reply_markup"))
}

// checkReplyLocked refuses a reply to a message the chat does not have, unless the
// call allows sending without the reply.
func checkReplyLocked(c *chat, p params) *apiError {
	id, apiErr := p.int("reply_to_message_id")
	if apiErr != nil || id == 0 {
		return apiErr
	}
	if _, ok := c.messages[int(id)]; !ok && !p.bool("allow_sending_without_reply") {
		return badRequest("message to be replied not found")
	}
	return nil
}

// sendLocked stores a new bot message in c and records the send, for Sent and for the
// rate accounting.
func (s *Server) sendLocked(c *chat, m *storedMessage, rec Sent) apiMessage {
	now := time.Now()
	rec.ChatID, rec.MessageID, rec.Time = c.info.ID, m.msg.MessageID, now
	c.sent = append(c.sent, rec)
	c.sendTimes = append(c.sendTimes, now)
	s.sendTimes = append(s.sendTimes, now)
	s.notifyLocked()
	return m.msg
}

func (s *Server) sendMessage(_ context.Context, p params) (any, *apiError) {
	text, mode := p.str("text"), p.str("parse_mode")
	plain, apiErr := checkText(text, mode, maxTextLen, "message text", true)
	if apiErr != nil {
		return nil, apiErr
	}
	mk, apiErr := optionalMarkup(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkReplyLocked(c, p); apiErr != nil {
		return nil, apiErr
	}
	m := c.newMessage(s.bot.apiUser, true, time.Now())
	m.rawText, m.parseMode, m.keyboard = text, mode, mk.inline
	m.msg.Text, m.msg.ReplyMarkup = plain, mk.raw
	return s.sendLocked(c, m, Sent{
		Method: "sendMessage", Text: text, ParseMode: mode,
		Keyboard: mk.inline, ReplyKeyboard: mk.reply, RemoveKeyboard: mk.remove,
	}), nil
}

func (s *Server) sendLocation(_ context.Context, p params) (any, *apiError) {
	lat, apiErr := p.float("latitude")
	if apiErr != nil {
		return nil, apiErr
	}
	lon, apiErr := p.float("longitude")
	if apiErr != nil {
		return nil, apiErr
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return nil, badRequest("wrong location specified")
	}
	mk, apiErr := optionalMarkup(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkReplyLocked(c, p); apiErr != nil {
		return nil, apiErr
	}
	m := c.newMessage(s.bot.apiUser, true, time.Now())
	m.keyboard = mk.inline
	m.msg.Location, m.msg.ReplyMarkup = &apiLocation{Latitude: lat, Longitude: lon}, mk.raw
	return s.sendLocked(c, m, Sent{
		Method: "sendLocation", Location: &Location{Latitude: lat, Longitude: lon},
		Keyboard: mk.inline, ReplyKeyboard: mk.reply, RemoveKeyboard: mk.remove,
	}), nil
}

func (s *Server) sendDocument(_ context.Context, p params) (any, *apiError) {
	caption, mode := p.str("caption"), p.str("parse_mode")
	plainCaption, apiErr := checkText(caption, mode, maxCaptionLen, "message caption", false)
	if apiErr != nil {
		return nil, apiErr
	}
	file, uploaded := p.files["document"]
	ref := p.str("document")
	if !uploaded && ref == "" {
		return nil, badRequest("there is no document in the request")
	}
	if uploaded && len(file.data) == 0 {
		return nil, badRequest("file must be non-empty")
	}
	mk, apiErr := optionalMarkup(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkReplyLocked(c, p); apiErr != nil {
		return nil, apiErr
	}
	s.nextFile++
	doc := &apiDocument{
		FileID:       fmt.Sprintf("BQACAgIAAxkBAAI%06d", s.nextFile),
		FileUniqueID: fmt.Sprintf("AgAD%06d", s.nextFile),
	}
	if uploaded {
		doc.FileName, doc.FileSize = path.Base(file.name), len(file.data)
		doc.MimeType = mime.TypeByExtension(path.Ext(file.name))
	}
	m := c.newMessage(s.bot.apiUser, true, time.Now())
	m.keyboard = mk.inline
	m.msg.Document, m.msg.Caption, m.msg.ReplyMarkup = doc, plainCaption, mk.raw
	rec := Sent{
		Method: "sendDocument", Caption: caption, ParseMode: mode,
		Keyboard: mk.inline, ReplyKeyboard: mk.reply, RemoveKeyboard: mk.remove,
	}
	if uploaded {
		rec.DocumentName, rec.DocumentData = file.name, file.data
	} else {
		rec.DocumentRef = ref
	}
	return s.sendLocked(c, m, rec), nil
}

// sendChatAction shows "typing…" and the like; the fake checks it and keeps nothing
// but the call count.
func (s *Server) sendChatAction(_ context.Context, p params) (any, *apiError) {
	if !chatActions[p.str("action")] {
		return nil, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, apiErr := s.targetLocked(p); apiErr != nil {
		return nil, apiErr
	}
	return true, nil
}
