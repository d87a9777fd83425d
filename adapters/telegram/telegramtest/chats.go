package telegramtest

import (
	"cmp"
	"strconv"
	"strings"
	"time"
)

// chat is what the fake knows of one chat: its messages, in both directions, and what
// the bot sent there.
type chat struct {
	info          apiChat
	lastMessageID int
	messages      map[int]*storedMessage
	blocked       bool
	sent          []Sent
	sendTimes     []time.Time
}

// storedMessage is a message of the chat, kept so that edits and callback queries can
// refer to it.
type storedMessage struct {
	msg       apiMessage
	fromBot   bool
	rawText   string // text as sent, markup included; "" for non-text messages
	parseMode string
	keyboard  [][]Button
}

// supergroupIDs start here: Telegram gives supergroups and channels ids of the form
// -100xxxxxxxxxx.
const supergroupIDs = -1_000_000_000_000

// AddChat makes chatID a chat the bot may write to without any pushed update, as if its
// user had started the bot long ago. Pushing an update adds its chat by itself.
func (s *Server) AddChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID, User{})
}

// Block makes the user of chatID block the bot: later sends and edits there answer 403
// "Forbidden: bot was blocked by the user", as the real API does.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID, User{}).blocked = true
	s.notifyLocked()
}

// chatLocked returns the chat with chatID, creating it as a chat with from.
func (s *Server) chatLocked(chatID int64, from User) *chat {
	if c, ok := s.chats[chatID]; ok {
		return c
	}
	info := apiChat{ID: chatID}
	switch {
	case chatID > 0:
		info.Type = "private"
		info.FirstName = cmp.Or(from.FirstName, "Test")
		info.LastName, info.Username = from.LastName, from.Username
	case chatID <= supergroupIDs:
		info.Type, info.Title = "supergroup", "Test supergroup"
	default:
		info.Type, info.Title = "group", "Test group"
	}
	c := &chat{info: info, messages: map[int]*storedMessage{}}
	s.chats[chatID] = c
	return c
}

// targetLocked resolves the chat_id parameter of a call that writes to a chat.
func (s *Server) targetLocked(p params) (*chat, *apiError) {
	raw := strings.TrimSpace(p.str("chat_id"))
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, errChatNotFound // @channel usernames: the fake knows none
	}
	c, ok := s.chats[id]
	if !ok {
		return nil, errChatNotFound
	}
	if c.blocked {
		return nil, errBlocked
	}
	return c, nil
}

// newMessage adds a message to the chat with the next message id of the chat.
func (c *chat) newMessage(from apiUser, fromBot bool, now time.Time) *storedMessage {
	c.lastMessageID++
	m := &storedMessage{
		fromBot: fromBot,
		msg:     apiMessage{MessageID: c.lastMessageID, From: &from, Date: now.Unix(), Chat: c.info},
	}
	c.messages[m.msg.MessageID] = m
	return m
}

// userOf completes from for an update in chatID: in a private chat the user is, by
// default, the chat's owner.
func userOf(chatID int64, from User) apiUser {
	id := from.ID
	if id == 0 && chatID > 0 {
		id = chatID
	}
	return apiUser{
		ID:           id,
		FirstName:    cmp.Or(from.FirstName, "Test"),
		LastName:     from.LastName,
		Username:     from.Username,
		LanguageCode: from.LanguageCode,
	}
}
