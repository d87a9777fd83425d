package slacktest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

// VerificationToken is the deprecated verification token the fake puts in payloads.
const VerificationToken = "wemi-verification-token"

// PushEvent queues an events_api envelope carrying event (an Events API inner event:
// "type", "user", "text", "channel", "ts", ...) under a new event_id, and returns the
// envelope_id to pass to WaitAck. The envelope waits for a Socket Mode connection if
// none is open.
func (s *Server) PushEvent(event map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushEventLocked(fmt.Sprintf("Ev%010d", s.nextIDLocked()), event)
}

// PushEventWithID is PushEvent with a given event_id: pushing the same event_id twice
// is how Slack retries an event it thinks failed, in a new envelope.
func (s *Server) PushEventWithID(eventID string, event map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushEventLocked(eventID, event)
}

func (s *Server) pushEventLocked(eventID string, event map[string]any) string {
	return s.enqueueLocked("events_api", EventCallbackBody(eventID, event), false)
}

// EventCallbackBody returns the JSON body of an Events API event_callback carrying
// event, as Slack posts it to an events URL and puts it in an events_api envelope.
// When event has no event_ts, the current time's is added.
func EventCallbackBody(eventID string, event map[string]any) []byte {
	now := time.Now()
	event = maps.Clone(event)
	if _, ok := event["event_ts"]; !ok {
		event["event_ts"] = fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)
	}
	body, err := json.Marshal(map[string]any{
		"token": VerificationToken, "team_id": TeamID, "api_app_id": AppID,
		"event": event, "type": "event_callback", "event_id": eventID, "event_time": now.Unix(),
		"authorizations": []map[string]any{{
			"team_id": TeamID, "user_id": BotUserID, "is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false, "event_context": "4-" + eventID,
	})
	if err != nil {
		panic(fmt.Sprintf("slacktest: event %v does not encode as JSON: %v", event, err))
	}
	return body
}

// URLVerificationBody returns the JSON body Slack posts to check an events URL; the
// endpoint must answer challenge.
func URLVerificationBody(challenge string) []byte {
	body, _ := json.Marshal(map[string]any{
		"token": VerificationToken, "challenge": challenge, "type": "url_verification",
	})
	return body
}

// MessageEvent returns the message event Slack sends when userID writes text in
// channel, with ts, as a reply in the thread of threadTS unless it is "".
func MessageEvent(channel, userID, text, ts, threadTS string) map[string]any {
	channelType := "channel"
	switch {
	case strings.HasPrefix(channel, "D"):
		channelType = "im"
	case strings.HasPrefix(channel, "G"):
		channelType = "group"
	}
	ev := map[string]any{
		"type": "message", "channel": channel, "user": userID, "text": text, "ts": ts,
		"event_ts": ts, "channel_type": channelType, "team": TeamID,
	}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return ev
}

// PushUserMessage stores a message userID wrote in channel (see AddUserMessage) and
// pushes its message event. It returns the message's ts and the envelope_id.
func (s *Server) PushUserMessage(channel, userID, text, threadTS string) (ts, envelopeID string) {
	ts = s.AddUserMessage(channel, userID, text, threadTS)
	if ts == "" {
		return "", ""
	}
	return ts, s.PushEvent(MessageEvent(channel, userID, text, ts, threadTS))
}

// PushInteraction queues an interactive envelope carrying cb and returns its
// envelope_id. BlockAction builds the common case, a button press.
func (s *Server) PushInteraction(cb slackapi.InteractionCallback) string {
	payload, err := json.Marshal(&cb) // MarshalJSON has a pointer receiver
	if err != nil {
		s.tb.Errorf("slacktest: PushInteraction: encode the callback: %v", err)
		return ""
	}
	return s.PushInteractionJSON(payload)
}

// PushInteractionJSON queues an interactive envelope carrying payload, an interaction
// payload as Slack sends it, and returns its envelope_id.
func (s *Server) PushInteractionJSON(payload json.RawMessage) string {
	if !json.Valid(payload) {
		s.tb.Errorf("slacktest: PushInteractionJSON: payload %q is not JSON", payload)
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueueLocked("interactive", payload, true)
}

// BlockAction returns the block_actions interaction Slack sends when userID presses
// the button with actionID and value on the message with messageTS in channelID. The
// message is the fake's copy when it has one; the response_url points at the fake (see
// Responses).
func (s *Server) BlockAction(userID, channelID, messageTS, actionID, value string) slackapi.InteractionCallback {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nextIDLocked()
	cb := slackapi.InteractionCallback{
		Type:        slackapi.InteractionTypeBlockActions,
		Token:       VerificationToken,
		ResponseURL: s.responseURLLocked(n),
		TriggerID:   fmt.Sprintf("%d.%d.wemitrigger", n, n),
		APIAppID:    AppID,
		Team:        slackapi.Team{ID: TeamID, Domain: "wemi-test"},
		User:        slackapi.User{ID: userID, Name: s.userNameLocked(userID), TeamID: TeamID},
		Channel:     slackapi.Channel{GroupConversation: slackapi.GroupConversation{Conversation: slackapi.Conversation{ID: channelID}}},
		Container:   slackapi.Container{Type: "message", MessageTs: messageTS, ChannelID: channelID},
		ActionCallback: slackapi.ActionCallbacks{BlockActions: []*slackapi.BlockAction{{
			ActionID: actionID, Value: value, Type: "button", ActionTs: s.nextTSLocked(),
		}}},
	}
	if c, ok := s.channels[channelID]; ok && c.messages[messageTS] != nil {
		m := c.messages[messageTS]
		var msg slackapi.Message
		if err := json.Unmarshal(mustJSON(s.renderLocked(m)), &msg); err == nil {
			cb.Message = msg
		}
		cb.Container.ThreadTs = m.ThreadTS
	} else {
		cb.Message.Timestamp = messageTS
	}
	return cb
}

// InteractionBody returns the form body Slack posts to an interactivity URL:
// payload=<the JSON of payload>.
func InteractionBody(payload json.RawMessage) []byte {
	return []byte(url.Values{"payload": {string(payload)}}.Encode())
}

// InteractionCallbackBody is InteractionBody for a typed callback.
func InteractionCallbackBody(cb slackapi.InteractionCallback) ([]byte, error) {
	payload, err := json.Marshal(&cb)
	if err != nil {
		return nil, fmt.Errorf("encode interaction callback: %w", err)
	}
	return InteractionBody(payload), nil
}

// SlashCommand returns the slash command Slack sends when userID types command (with
// its slash) followed by text in channelID; its response_url points at the fake.
func (s *Server) SlashCommand(command, text, userID, channelID string) slackapi.SlashCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nextIDLocked()
	return slackapi.SlashCommand{
		Token: VerificationToken, TeamID: TeamID, TeamDomain: "wemi-test",
		ChannelID: channelID, ChannelName: "channel-" + strings.ToLower(channelID),
		UserID: userID, UserName: s.userNameLocked(userID),
		Command: command, Text: text, APIAppID: AppID,
		ResponseURL: s.responseURLLocked(n),
		TriggerID:   fmt.Sprintf("%d.%d.wemitrigger", n, n),
	}
}

// PushSlashCommand queues a slash_commands envelope for SlashCommand(command, text,
// userID, channelID) and returns its envelope_id. The acknowledgement may carry the
// response shown to the user (see WaitAck).
func (s *Server) PushSlashCommand(command, text, userID, channelID string) string {
	return s.PushSlashCommandValue(s.SlashCommand(command, text, userID, channelID))
}

// PushSlashCommandValue queues a slash_commands envelope carrying cmd and returns its
// envelope_id.
func (s *Server) PushSlashCommandValue(cmd slackapi.SlashCommand) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueueLocked("slash_commands", mustJSON(cmd), true)
}

// SlashCommandBody returns the form body Slack posts to a slash command's request URL.
func SlashCommandBody(cmd slackapi.SlashCommand) []byte {
	var fields map[string]any
	_ = json.Unmarshal(mustJSON(cmd), &fields)
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, fmt.Sprint(v))
	}
	return []byte(form.Encode())
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("slacktest: encode %T: %v", v, err))
	}
	return b
}
