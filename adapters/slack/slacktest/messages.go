package slacktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits Slack enforces on chat.postMessage and chat.update.
const (
	maxTextRunes = 40000
	maxBlocks    = 50
)

// firstTS is the seconds part of the first timestamp the fake hands out; later ones
// grow by one microsecond each, so every ts is unique and they sort as they were made.
const firstTS = 1700000000

// Post is one call of chat.postMessage, chat.update or chat.postEphemeral the fake
// accepted, or a message a test added as a user.
type Post struct {
	Method   string // "chat.postMessage", "chat.update", "chat.postEphemeral"; "" for AddUserMessage
	Channel  string
	TS       string // the message's ts; for an ephemeral message, the message_ts answered
	ThreadTS string // the parent's ts for a thread reply
	User     string // the recipient of an ephemeral message; the author of a user message
	Text     string
	Blocks   json.RawMessage // the blocks parameter as sent; nil when there was none
	Mrkdwn   bool            // false only when the call passed mrkdwn=false
	Params   url.Values      // every parameter of the call but the token
}

// VisibleText returns Text followed by every "text" string inside Blocks, in document
// order, one a line: what a person sees, for assertions that do not care about layout.
func (p Post) VisibleText() string {
	return strings.Join(append([]string{p.Text}, stringsOf(p.Blocks, "text")...), "\n")
}

// ActionIDs returns the action_id of every interactive element in Blocks, in order.
func (p Post) ActionIDs() []string {
	return stringsOf(p.Blocks, "action_id")
}

// stringsOf returns, in document order, every string value of an object member named
// key anywhere in the JSON document raw.
func stringsOf(raw json.RawMessage, key string) []string {
	var out []string
	dec := json.NewDecoder(bytes.NewReader(raw))
	// inObject records, for each open container, whether it is an object; in an object
	// tokens alternate between member names and values.
	var inObject []bool
	expectName, lastName := false, ""
	for {
		tok, err := dec.Token()
		if err != nil {
			return out // io.EOF, or a malformed document: keep what was found
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				inObject = append(inObject, d == '{')
				expectName = d == '{'
			default:
				inObject = inObject[:len(inObject)-1]
				expectName = len(inObject) > 0 && inObject[len(inObject)-1]
			}
			continue
		}
		if expectName {
			lastName, _ = tok.(string)
			expectName = false
			continue
		}
		if str, ok := tok.(string); ok && lastName == key && len(inObject) > 0 && inObject[len(inObject)-1] {
			out = append(out, str)
		}
		expectName = len(inObject) > 0 && inObject[len(inObject)-1]
	}
}

func (p Post) clone() Post {
	p.Blocks = slices.Clone(p.Blocks)
	p.Params = cloneValues(p.Params)
	return p
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func clonePosts(posts []Post) []Post {
	out := make([]Post, len(posts))
	for i, p := range posts {
		out[i] = p.clone()
	}
	return out
}

// channel is what the fake knows of one conversation: its messages as they are now.
type channel struct {
	messages map[string]*Post // by ts
	replies  map[string][]string
}

func (s *Server) channelLocked(id string) *channel {
	c, ok := s.channels[id]
	if !ok {
		c = &channel{messages: map[string]*Post{}, replies: map[string][]string{}}
		s.channels[id] = c
	}
	return c
}

// nextTSLocked returns a Slack-shaped timestamp no other message of this server has.
func (s *Server) nextTSLocked() string {
	s.lastTS++
	return fmt.Sprintf("%d.%06d", firstTS+s.lastTS/1_000_000, s.lastTS%1_000_000)
}

// content reads and checks text and blocks, as chat.postMessage and chat.update do.
func content(p url.Values) (text string, blocks json.RawMessage, code string) {
	text = p.Get("text")
	if raw := p.Get("blocks"); raw != "" {
		var list []map[string]any
		if json.Unmarshal([]byte(raw), &list) != nil || len(list) > maxBlocks {
			return "", nil, "invalid_blocks"
		}
		for _, b := range list {
			if t, _ := b["type"].(string); t == "" {
				return "", nil, "invalid_blocks"
			}
		}
		blocks = json.RawMessage(raw)
	}
	if utf8.RuneCountInString(text) > maxTextRunes {
		return "", nil, "msg_too_long"
	}
	if text == "" && blocks == nil && p.Get("attachments") == "" {
		return "", nil, "no_text"
	}
	return text, blocks, ""
}

// threadLocked resolves thread_ts to the parent's ts: Slack files a reply to a reply
// under the same parent.
func (c *channel) threadLocked(threadTS string) (string, bool) {
	m, ok := c.messages[threadTS]
	if !ok {
		return "", false
	}
	if m.ThreadTS != "" {
		return m.ThreadTS, true
	}
	return threadTS, true
}

// addLocked stores a new message in channel id and returns its stored copy.
func (s *Server) addLocked(p Post) (*Post, string) {
	c := s.channelLocked(p.Channel)
	if p.ThreadTS != "" {
		parent, ok := c.threadLocked(p.ThreadTS)
		if !ok {
			return nil, "thread_not_found"
		}
		p.ThreadTS = parent
	}
	p.TS = s.nextTSLocked()
	stored := p.clone()
	c.messages[p.TS] = &stored
	if p.ThreadTS != "" {
		c.replies[p.ThreadTS] = append(c.replies[p.ThreadTS], p.TS)
	}
	return &stored, ""
}

func (s *Server) postMessage(p url.Values) (map[string]any, string) {
	ch := p.Get("channel")
	if ch == "" {
		return nil, "channel_not_found"
	}
	text, blocks, code := content(p)
	if code != "" {
		return nil, code
	}
	stored, code := s.addLocked(Post{
		Method: "chat.postMessage", Channel: ch, ThreadTS: p.Get("thread_ts"), Text: text,
		Blocks: blocks, Mrkdwn: p.Get("mrkdwn") != "false", Params: p,
	})
	if code != "" {
		return nil, code
	}
	s.posts = append(s.posts, stored.clone())
	return map[string]any{"channel": ch, "ts": stored.TS, "message": s.renderLocked(stored)}, ""
}

func (s *Server) update(p url.Values) (map[string]any, string) {
	ch, ts := p.Get("channel"), p.Get("ts")
	if ch == "" {
		return nil, "channel_not_found"
	}
	c, ok := s.channels[ch]
	if !ok || c.messages[ts] == nil {
		return nil, "message_not_found"
	}
	m := c.messages[ts]
	if m.Method == "" {
		return nil, "cant_update_message" // a user's message, not the bot's
	}
	text, blocks, code := content(p)
	if code != "" {
		return nil, code
	}
	// Slack keeps what the update does not mention.
	if p.Has("text") {
		m.Text = text
	}
	if blocks != nil {
		m.Blocks = slices.Clone(blocks)
	}
	rec := Post{Method: "chat.update", Channel: ch, TS: ts, ThreadTS: m.ThreadTS, Text: text,
		Blocks: blocks, Mrkdwn: p.Get("mrkdwn") != "false", Params: p}
	s.updates = append(s.updates, rec.clone())
	return map[string]any{"channel": ch, "ts": ts, "text": m.Text, "message": s.renderLocked(m)}, ""
}

func (s *Server) postEphemeral(p url.Values) (map[string]any, string) {
	ch, user := p.Get("channel"), p.Get("user")
	if ch == "" {
		return nil, "channel_not_found"
	}
	if user == "" {
		return nil, "user_not_found"
	}
	text, blocks, code := content(p)
	if code != "" {
		return nil, code
	}
	// Ephemeral messages are never stored: they vanish from the channel for everyone.
	rec := Post{Method: "chat.postEphemeral", Channel: ch, TS: s.nextTSLocked(), ThreadTS: p.Get("thread_ts"),
		User: user, Text: text, Blocks: blocks, Mrkdwn: p.Get("mrkdwn") != "false", Params: p}
	s.ephemeral = append(s.ephemeral, rec.clone())
	return map[string]any{"message_ts": rec.TS}, ""
}

// deleteMessage answers chat.delete: the bot's own message leaves the channel (a
// thread's parent keeps its replies, as in Slack); a user's message cannot be deleted
// with a bot token.
func (s *Server) deleteMessage(p url.Values) (map[string]any, string) {
	ch, ts := p.Get("channel"), p.Get("ts")
	c, ok := s.channels[ch]
	if !ok {
		return nil, "channel_not_found"
	}
	m := c.messages[ts]
	if m == nil {
		return nil, "message_not_found"
	}
	if m.Method == "" {
		return nil, "cant_delete_message"
	}
	if len(c.replies[ts]) > 0 {
		m.Text, m.Blocks = "This message was deleted.", nil // Slack's tombstone
	} else {
		delete(c.messages, ts)
	}
	if m.ThreadTS != "" {
		c.replies[m.ThreadTS] = slices.DeleteFunc(c.replies[m.ThreadTS], func(r string) bool { return r == ts })
	}
	s.deleted = append(s.deleted, Post{Method: "chat.delete", Channel: ch, TS: ts, ThreadTS: m.ThreadTS, Params: p})
	return map[string]any{"channel": ch, "ts": ts}, ""
}

// Deleted returns, in order, every chat.delete the fake accepted.
func (s *Server) Deleted() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clonePosts(s.deleted)
}

// replies answers conversations.replies with the whole thread, parent first, in one
// page, whether ts is the parent's or a reply's.
func (s *Server) replies(p url.Values) (map[string]any, string) {
	c, ok := s.channels[p.Get("channel")]
	if !ok {
		return nil, "channel_not_found"
	}
	parent, ok := c.threadLocked(p.Get("ts"))
	if !ok {
		return nil, "thread_not_found"
	}
	msgs := []map[string]any{s.renderLocked(c.messages[parent])}
	for _, ts := range c.replies[parent] {
		msgs = append(msgs, s.renderLocked(c.messages[ts]))
	}
	return map[string]any{
		"messages": msgs, "has_more": false,
		"response_metadata": map[string]any{"next_cursor": ""},
	}, ""
}

// renderLocked returns m as the Web API shows a message.
func (s *Server) renderLocked(m *Post) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "team": TeamID}
	if m.Method == "" {
		out["user"] = m.User
	} else {
		out["user"], out["bot_id"], out["app_id"] = BotUserID, BotID, AppID
	}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	} else if n := len(s.channels[m.Channel].replies[m.TS]); n > 0 {
		out["thread_ts"], out["reply_count"] = m.TS, n
	}
	return out
}

// AddUserMessage stores a message userID wrote in channel, as a reply in the thread of
// threadTS unless it is "", and returns its ts. conversations.replies shows it; Posts
// does not, being what the bot posted. To also deliver the message event, use
// PushUserMessage, or MessageEvent with a signed request.
func (s *Server) AddUserMessage(channel, userID, text, threadTS string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, code := s.addLocked(Post{Channel: channel, ThreadTS: threadTS, User: userID, Text: text, Mrkdwn: true})
	if code != "" {
		s.tb.Errorf("slacktest: AddUserMessage in %s, thread %q: %s", channel, threadTS, code)
		return ""
	}
	s.notifyLocked()
	return stored.TS
}

// Posts returns, in order, every chat.postMessage the fake accepted in channel, thread
// replies included, as they were posted: later updates show in Updates and Message.
func (s *Server) Posts(channel string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.postsLocked(channel)
}

func (s *Server) postsLocked(channel string) []Post {
	var out []Post
	for _, p := range s.posts {
		if p.Channel == channel {
			out = append(out, p.clone())
		}
	}
	return out
}

// Updates returns, in order, every chat.update the fake accepted.
func (s *Server) Updates() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clonePosts(s.updates)
}

// Ephemerals returns, in order, every chat.postEphemeral the fake accepted.
func (s *Server) Ephemerals() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clonePosts(s.ephemeral)
}

// Message returns the message with ts in channel as it is now, after any updates.
func (s *Server) Message(channel, ts string) (Post, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	if !ok || c.messages[ts] == nil {
		return Post{}, false
	}
	return c.messages[ts].clone(), true
}

// Thread returns the thread of threadTS in channel as it is now, parent first, the
// bot's and users' messages alike: what conversations.replies answers.
func (s *Server) Thread(channel, threadTS string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	if !ok {
		return nil
	}
	parent, ok := c.threadLocked(threadTS)
	if !ok {
		return nil
	}
	out := []Post{c.messages[parent].clone()}
	for _, ts := range c.replies[parent] {
		out = append(out, c.messages[ts].clone())
	}
	return out
}

// WaitPosts blocks until the bot posted at least n messages in channel (the entries of
// Posts) and returns them all. When ctx ends first it returns what was there with an
// error wrapping ctx.Err().
func (s *Server) WaitPosts(ctx context.Context, channel string, n int) ([]Post, error) {
	err := s.waitFor(ctx, func() bool { return len(s.postsLocked(channel)) >= n })
	got := s.Posts(channel)
	if err != nil {
		return got, fmt.Errorf("wait for %d posts in %s, got %d: %w", n, channel, len(got), err)
	}
	return got, nil
}

// WaitUpdates blocks until the fake accepted at least n chat.update calls and returns
// them all, like WaitPosts.
func (s *Server) WaitUpdates(ctx context.Context, n int) ([]Post, error) {
	err := s.waitFor(ctx, func() bool { return len(s.updates) >= n })
	got := s.Updates()
	if err != nil {
		return got, fmt.Errorf("wait for %d updates, got %d: %w", n, len(got), err)
	}
	return got, nil
}

// WaitEphemerals blocks until the fake accepted at least n chat.postEphemeral calls
// and returns them all, like WaitPosts.
func (s *Server) WaitEphemerals(ctx context.Context, n int) ([]Post, error) {
	err := s.waitFor(ctx, func() bool { return len(s.ephemeral) >= n })
	got := s.Ephemerals()
	if err != nil {
		return got, fmt.Errorf("wait for %d ephemeral messages, got %d: %w", n, len(got), err)
	}
	return got, nil
}
