package telegramtest_test

import (
	"net/http"
	"reflect"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
)

func TestCommands(t *testing.T) {
	srv, bot := newBot(t)
	it := []tgbotapi.BotCommand{{Command: "start", Description: "Inizia"}, {Command: "servizi", Description: "Cerca un servizio"}}
	en := []tgbotapi.BotCommand{{Command: "start", Description: "Start"}}
	requests := []tgbotapi.SetMyCommandsConfig{
		tgbotapi.NewSetMyCommands(it...),
		tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), "en", en...),
		tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(chatID), en...),
	}
	for _, req := range requests {
		if _, err := bot.Request(req); err != nil {
			t.Fatalf("setMyCommands: %v", err)
		}
	}
	got := srv.Commands()
	want := map[string][]telegramtest.BotCommand{
		"":   {{Command: "start", Description: "Inizia"}, {Command: "servizi", Description: "Cerca un servizio"}},
		"en": {{Command: "start", Description: "Start"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Commands() = %v, want %v", got, want)
	}
	if got := srv.CommandsIn(telegramtest.CommandScope{Type: "chat", ChatID: chatID}); len(got[""]) != 1 {
		t.Errorf("chat-scoped commands = %v", got)
	}
	if cmds, err := bot.GetMyCommands(); err != nil || len(cmds) != 2 {
		t.Errorf("getMyCommands: %v, %v", cmds, err)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), "en")); err != nil {
		t.Fatalf("deleteMyCommands: %v", err)
	}
	if _, ok := srv.Commands()["en"]; ok {
		t.Error("English commands survive deleteMyCommands")
	}
	bad := tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Start!", Description: "x"})
	if _, err := bot.Request(bad); apiErr(t, err).Code != http.StatusBadRequest {
		t.Error("an invalid command name was accepted")
	}
}
