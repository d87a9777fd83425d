package telegramtest

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
)

// maxCommands is how many commands one setMyCommands may set.
const maxCommands = 100

var (
	commandName  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	languageCode = regexp.MustCompile(`^[a-z]{2}$`)
)

// scopeTypes are the BotCommandScope types of the reference, with whether they need a
// chat_id.
var scopeTypes = map[string]bool{
	"default": false, "all_private_chats": false, "all_group_chats": false,
	"all_chat_administrators": false, "chat": true, "chat_administrators": true,
	"chat_member": true,
}

// commandKey identifies one command list: Telegram keeps a list per scope and
// language.
type commandKey struct {
	scope    CommandScope
	language string
}

// Commands returns the command lists set for the default scope, keyed by language
// code; the key "" holds the list for users of any language.
func (s *Server) Commands() map[string][]BotCommand {
	return s.CommandsIn(CommandScope{Type: "default"})
}

// CommandsIn returns the command lists set for scope, keyed by language code as in
// Commands.
func (s *Server) CommandsIn(scope CommandScope) map[string][]BotCommand {
	if scope.Type == "" {
		scope.Type = "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]BotCommand{}
	for key, cmds := range s.commands {
		if key.scope == scope {
			out[key.language] = slices.Clone(cmds)
		}
	}
	return out
}

// commandKeyOf reads the scope and language_code parameters shared by the *MyCommands
// methods.
func commandKeyOf(p params) (commandKey, *apiError) {
	key := commandKey{scope: CommandScope{Type: "default"}, language: p.str("language_code")}
	if key.language != "" && !languageCode.MatchString(key.language) {
		return commandKey{}, badRequest("invalid language code specified")
	}
	if raw := p.str("scope"); raw != "" {
		var scope struct {
			Type   string `json:"type"`
			ChatID int64  `json:"chat_id"`
			UserID int64  `json:"user_id"`
		}
		if err := json.Unmarshal([]byte(raw), &scope); err != nil {
			return commandKey{}, badRequest("can't parse BotCommandScope JSON object")
		}
		needsChat, ok := scopeTypes[scope.Type]
		if !ok {
			return commandKey{}, badRequest("unsupported bot command scope type %q", scope.Type)
		}
		if needsChat && scope.ChatID == 0 {
			return commandKey{}, badRequest("chat_id is empty")
		}
		if scope.Type == "chat_member" && scope.UserID == 0 {
			return commandKey{}, badRequest("user_id is empty")
		}
		key.scope = CommandScope{Type: scope.Type, ChatID: scope.ChatID, UserID: scope.UserID}
	}
	return key, nil
}

func (s *Server) setMyCommands(_ context.Context, p params) (any, *apiError) {
	var cmds []apiBotCommand
	if err := json.Unmarshal([]byte(p.str("commands")), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > maxCommands {
		return nil, badRequest("too many commands specified")
	}
	list := make([]BotCommand, 0, len(cmds))
	for _, c := range cmds {
		if !commandName.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(c.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
		list = append(list, BotCommand(c))
	}
	key, apiErr := commandKeyOf(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(list) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = list
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) getMyCommands(_ context.Context, p params) (any, *apiError) {
	key, apiErr := commandKeyOf(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []apiBotCommand{}
	for _, c := range s.commands[key] {
		out = append(out, apiBotCommand(c))
	}
	return out, nil
}

func (s *Server) deleteMyCommands(_ context.Context, p params) (any, *apiError) {
	key, apiErr := commandKeyOf(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	s.notifyLocked()
	return true, nil
}
