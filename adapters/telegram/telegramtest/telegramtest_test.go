package telegramtest_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
)

const (
	token  = "123456:TEST-wemi-token"
	chatID = int64(4242)
)

var maria = telegramtest.User{FirstName: "Maria", LanguageCode: "it"}

// newBot starts a fake Bot API and the real tgbotapi client pointed at it.
func newBot(t *testing.T) (*telegramtest.Server, *tgbotapi.BotAPI) {
	t.Helper()
	srv := telegramtest.New(t, token)
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(token, srv.Endpoint())
	if err != nil {
		t.Fatalf("connect tgbotapi to the fake: %v", err)
	}
	return srv, bot
}

// boundedCtx bounds every wait of a test.
func boundedCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// apiErr returns the Bot API error inside err, failing the test when there is none.
func apiErr(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *tgbotapi.Error", err, err)
	}
	return e
}

func TestGetMe(t *testing.T) {
	srv, bot := newBot(t)
	if !bot.Self.IsBot || bot.Self.UserName != telegramtest.BotUsername || bot.Self.ID != 123456 || bot.Self.FirstName == "" {
		t.Errorf("getMe gave %+v, want bot 123456 @%s with a first name", bot.Self, telegramtest.BotUsername)
	}
	if n := srv.Calls("getMe"); n != 1 {
		t.Errorf("Calls(getMe) = %d, want 1", n)
	}
	if got, want := srv.Endpoint(), srv.URL()+"/bot%s/%s"; got != want {
		t.Errorf("Endpoint() = %q, want %q", got, want)
	}
}

func TestWrongTokenAndUnknownMethod(t *testing.T) {
	srv, bot := newBot(t)
	if _, err := tgbotapi.NewBotAPIWithAPIEndpoint("999:other", srv.Endpoint()); apiErr(t, err).Code != http.StatusUnauthorized {
		t.Errorf("wrong token: got %v, want 401 Unauthorized", err)
	}
	_, err := bot.MakeRequest("frobnicate", nil)
	if e := apiErr(t, err); e.Code != http.StatusNotFound || e.Message != "Not Found" {
		t.Errorf("unknown method: got %d %q, want 404 Not Found", e.Code, e.Message)
	}
}

func TestGetUpdatesOffsetAndLimit(t *testing.T) {
	srv, bot := newBot(t)
	first := srv.PushMessage(chatID, maria, "ciao")
	second := srv.PushMessage(chatID, maria, "/start")
	third := srv.PushLocation(chatID, maria, 45.4642, 9.19)
	if !(first < second && second < third) {
		t.Fatalf("update ids %d, %d, %d do not increase", first, second, third)
	}

	got, err := bot.GetUpdates(tgbotapi.UpdateConfig{Limit: 2})
	if err != nil {
		t.Fatalf("getUpdates: %v", err)
	}
	if len(got) != 2 || got[0].UpdateID != first || got[1].UpdateID != second {
		t.Fatalf("limit 2: got %d updates %v, want %d and %d", len(got), updateIDs(got), first, second)
	}
	if m := got[0].Message; m == nil || m.Text != "ciao" || m.From.FirstName != "Maria" ||
		m.From.LanguageCode != "it" || m.Chat.ID != chatID || m.Chat.Type != "private" {
		t.Errorf("first update message = %+v", got[0].Message)
	}
	if m := got[1].Message; !m.IsCommand() || m.Command() != "start" {
		t.Errorf("/start is not a command to tgbotapi: entities %+v", m.Entities)
	}

	got, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: second + 1})
	if err != nil {
		t.Fatalf("getUpdates: %v", err)
	}
	if len(got) != 1 || got[0].UpdateID != third || got[0].Message.Location == nil || got[0].Message.Location.Latitude != 45.4642 {
		t.Fatalf("offset %d: got %v, want only the location %d", second+1, updateIDs(got), third)
	}
	if n := srv.PendingUpdates(); n != 1 {
		t.Errorf("PendingUpdates after confirming two = %d, want 1", n)
	}
	if got, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: third + 1}); err != nil || len(got) != 0 {
		t.Fatalf("after confirming all: %v, %v; want no updates", updateIDs(got), err)
	}
	if n := srv.PendingUpdates(); n != 0 {
		t.Errorf("PendingUpdates after confirming all = %d, want 0", n)
	}
	if srv.Update(first) == nil {
		t.Error("Update(first) = nil: confirmed updates must stay available")
	}
}

func updateIDs(updates []tgbotapi.Update) []int {
	ids := make([]int, len(updates))
	for i, u := range updates {
		ids[i] = u.UpdateID
	}
	return ids
}

type pollResult struct {
	updates []tgbotapi.Update
	err     error
}

func poll(bot *tgbotapi.BotAPI, cfg tgbotapi.UpdateConfig) <-chan pollResult {
	done := make(chan pollResult, 1)
	go func() {
		u, err := bot.GetUpdates(cfg)
		done <- pollResult{u, err}
	}()
	return done
}

func TestLongPollReturnsWhenAnUpdateArrives(t *testing.T) {
	srv, bot := newBot(t)
	ctx := boundedCtx(t)
	done := poll(bot, tgbotapi.UpdateConfig{Timeout: 30})
	if err := srv.WaitPolling(ctx); err != nil {
		t.Fatalf("no long poll started: %v", err)
	}
	pushed := time.Now()
	id := srv.PushMessage(chatID, maria, "ho bisogno di aiuto")
	select {
	case r := <-done:
		if r.err != nil || len(r.updates) != 1 || r.updates[0].UpdateID != id {
			t.Fatalf("long poll: %v, %v; want update %d", updateIDs(r.updates), r.err, id)
		}
		if waited := time.Since(pushed); waited > 2*time.Second {
			t.Errorf("long poll answered %v after the push", waited)
		}
	case <-ctx.Done():
		t.Fatal("long poll did not return after an update was pushed")
	}
}

func TestNewerPollEndsTheWaitingOne(t *testing.T) {
	srv, bot := newBot(t)
	ctx := boundedCtx(t)
	first := poll(bot, tgbotapi.UpdateConfig{Timeout: 30})
	if err := srv.WaitPolling(ctx); err != nil {
		t.Fatalf("no long poll started: %v", err)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatalf("second getUpdates: %v", err)
	}
	select {
	case r := <-first:
		if e := apiErr(t, r.err); e.Code != http.StatusConflict {
			t.Errorf("first poll ended with %d %q, want 409", e.Code, e.Message)
		}
	case <-ctx.Done():
		t.Fatal("the first long poll kept waiting")
	}
}

func TestSendInlineKeyboardAndReadItBack(t *testing.T) {
	srv, bot := newBot(t)
	srv.PushMessage(chatID, maria, "/start") // message 1 of the chat
	msg := tgbotapi.NewMessage(chatID, "<b>Scegli</b> un servizio &amp; un quartiere")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("Anziani", "svc:anziani"),
			tgbotapi.NewInlineKeyboardButtonURL("Sito WeMi", "https://wemi.comune.milano.it"),
		),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Famiglie", "svc:famiglie")),
	)
	got, err := bot.Send(msg)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if got.MessageID != 2 || got.Text != "Scegli un servizio & un quartiere" || got.From == nil || !got.From.IsBot {
		t.Errorf("returned message %d %q from %+v, want message 2 with plain text from the bot", got.MessageID, got.Text, got.From)
	}
	if got.ReplyMarkup == nil || *got.ReplyMarkup.InlineKeyboard[1][0].CallbackData != "svc:famiglie" {
		t.Errorf("returned message lacks its keyboard: %+v", got.ReplyMarkup)
	}

	sent, err := srv.WaitSent(boundedCtx(t), chatID, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := telegramtest.Sent{
		Method: "sendMessage", ChatID: chatID, MessageID: 2,
		Text: msg.Text, ParseMode: "HTML",
		Keyboard: [][]telegramtest.Button{
			{{Text: "Anziani", CallbackData: "svc:anziani"}, {Text: "Sito WeMi", URL: "https://wemi.comune.milano.it"}},
			{{Text: "Famiglie", CallbackData: "svc:famiglie"}},
		},
	}
	sent[0].Time = time.Time{}
	if !reflect.DeepEqual(sent[0], want) {
		t.Errorf("Sent = %+v\nwant %+v", sent[0], want)
	}

	// Message ids increase per chat.
	srv.AddChat(7)
	if m, err := bot.Send(tgbotapi.NewMessage(7, "uno")); err != nil || m.MessageID != 1 {
		t.Errorf("first message of chat 7: id %d, %v; want 1", m.MessageID, err)
	}
	if m, err := bot.Send(tgbotapi.NewMessage(chatID, "tre")); err != nil || m.MessageID != 3 {
		t.Errorf("third message of chat %d: id %d, %v; want 3", chatID, m.MessageID, err)
	}
}

func TestReplyKeyboardAndLocation(t *testing.T) {
	srv, bot := newBot(t)
	srv.AddChat(chatID)
	msg := tgbotapi.NewMessage(chatID, "Dove ti trovi?")
	msg.ReplyMarkup = tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonLocation("Invia posizione")))
	if _, err := bot.Send(msg); err != nil {
		t.Fatalf("send reply keyboard: %v", err)
	}
	if _, err := bot.Send(tgbotapi.NewLocation(chatID, 45.478, 9.227)); err != nil {
		t.Fatalf("send location: %v", err)
	}
	sent := srv.Sent(chatID)
	if len(sent) != 2 {
		t.Fatalf("Sent has %d entries, want 2", len(sent))
	}
	if b := sent[0].ReplyKeyboard; len(b) != 1 || !b[0][0].RequestLocation || b[0][0].Text != "Invia posizione" {
		t.Errorf("reply keyboard = %+v", b)
	}
	if sent[1].Method != "sendLocation" || sent[1].Location == nil || *sent[1].Location != (telegramtest.Location{Latitude: 45.478, Longitude: 9.227}) {
		t.Errorf("location send = %+v", sent[1])
	}
}

func TestCallbackAnswerAndEdits(t *testing.T) {
	srv, bot := newBot(t)
	srv.AddChat(chatID)
	keyboard := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Sì", "yes")))
	msg := tgbotapi.NewMessage(chatID, "Vuoi un promemoria?")
	msg.ReplyMarkup = keyboard
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatalf("send: %v", err)
	}

	updateID, queryID := srv.PushCallback(chatID, maria, sent.MessageID, "yes")
	got, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(got) != 1 || got[0].UpdateID != updateID {
		t.Fatalf("getUpdates: %v, %v; want callback update %d", updateIDs(got), err, updateID)
	}
	q := got[0].CallbackQuery
	if q == nil || q.ID != queryID || q.Data != "yes" || q.Message.MessageID != sent.MessageID ||
		q.Message.Text != "Vuoi un promemoria?" || q.From.ID != chatID {
		t.Fatalf("callback query = %+v", q)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(q.ID, "Fatto")); err != nil {
		t.Fatalf("answerCallbackQuery: %v", err)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(q.ID, "")); apiErr(t, err).Code != http.StatusBadRequest {
		t.Error("answering a query twice succeeded")
	}
	if got := srv.AnsweredCallbacks(); !reflect.DeepEqual(got, []string{queryID}) {
		t.Errorf("AnsweredCallbacks = %v, want [%s]", got, queryID)
	}

	edit := tgbotapi.NewEditMessageTextAndMarkup(chatID, sent.MessageID, "Promemoria <i>attivo</i>", keyboard)
	edit.ParseMode = tgbotapi.ModeHTML
	if m, err := bot.Send(edit); err != nil || m.Text != "Promemoria attivo" || m.EditDate == 0 {
		t.Fatalf("editMessageText: %+v, %v", m, err)
	}
	if _, err := bot.Send(edit); apiErr(t, err).Code != http.StatusBadRequest {
		t.Error("an edit that changes nothing succeeded; Telegram answers \"message is not modified\"")
	}
	none := tgbotapi.NewEditMessageReplyMarkup(chatID, sent.MessageID, tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}})
	if _, err := bot.Send(none); err != nil {
		t.Fatalf("editMessageReplyMarkup: %v", err)
	}
	srv.PushMessage(chatID, maria, "grazie") // message sent.MessageID+1, the user's
	if _, err := bot.Send(tgbotapi.NewEditMessageText(chatID, sent.MessageID+1, "no")); apiErr(t, err).Code != http.StatusBadRequest {
		t.Error("editing the user's message succeeded")
	}

	log := srv.Sent(chatID)
	methods := make([]string, len(log))
	for i, s := range log {
		methods[i] = s.Method
	}
	if want := []string{"sendMessage", "editMessageText", "editMessageReplyMarkup"}; !reflect.DeepEqual(methods, want) {
		t.Fatalf("Sent methods = %v, want %v", methods, want)
	}
	if log[1].Text != "Promemoria <i>attivo</i>" || log[1].Keyboard == nil || log[2].Keyboard != nil || log[2].Text != log[1].Text {
		t.Errorf("edits recorded as %+v and %+v", log[1], log[2])
	}
	if n := len(srv.SendTimes(chatID)); n != 1 {
		t.Errorf("SendTimes counts %d sends, want 1: edits are not sends", n)
	}
}

func TestNonTextUpdates(t *testing.T) {
	srv, bot := newBot(t)
	srv.PushSticker(chatID, maria, "👍")
	srv.PushPhoto(chatID, maria, "la mia ricetta")
	srv.PushVoice(chatID, maria, 7)
	srv.PushDocument(chatID, maria, "isee.pdf", "application/pdf")
	got, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(got) != 4 {
		t.Fatalf("getUpdates: %d updates, %v; want 4", len(got), err)
	}
	if m := got[0].Message; m.Sticker == nil || m.Sticker.Emoji != "👍" || m.Text != "" {
		t.Errorf("sticker message = %+v", m)
	}
	if m := got[1].Message; len(m.Photo) == 0 || m.Caption != "la mia ricetta" || m.Photo[0].FileID == "" {
		t.Errorf("photo message = %+v", m)
	}
	if m := got[2].Message; m.Voice == nil || m.Voice.Duration != 7 {
		t.Errorf("voice message = %+v", m)
	}
	if m := got[3].Message; m.Document == nil || m.Document.FileName != "isee.pdf" || m.Document.MimeType != "application/pdf" {
		t.Errorf("document message = %+v", m)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Message.MessageID <= got[i-1].Message.MessageID {
			t.Errorf("message ids %d then %d do not increase", got[i-1].Message.MessageID, got[i].Message.MessageID)
		}
	}
}

func TestSendDocumentUpload(t *testing.T) {
	srv, bot := newBot(t)
	srv.AddChat(chatID)
	pdf := []byte("%PDF-1.4 promemoria appuntamento\n")
	doc := tgbotapi.NewDocument(chatID, tgbotapi.FileBytes{Name: "promemoria.pdf", Bytes: pdf})
	doc.Caption = "Il tuo <b>promemoria</b>"
	doc.ParseMode = tgbotapi.ModeHTML
	m, err := bot.Send(doc)
	if err != nil {
		t.Fatalf("sendDocument: %v", err)
	}
	if m.Document == nil || m.Document.FileName != "promemoria.pdf" || m.Document.FileSize != len(pdf) || m.Caption != "Il tuo promemoria" {
		t.Errorf("returned message = %+v, document %+v", m, m.Document)
	}
	sent := srv.Sent(chatID)
	if len(sent) != 1 || sent[0].Method != "sendDocument" || sent[0].DocumentName != "promemoria.pdf" ||
		string(sent[0].DocumentData) != string(pdf) || sent[0].Caption != doc.Caption {
		t.Fatalf("Sent = %+v", sent)
	}

	if _, err := bot.Send(tgbotapi.NewDocument(chatID, tgbotapi.FileID(m.Document.FileID))); err != nil {
		t.Fatalf("resend by file_id: %v", err)
	}
	if got := srv.Sent(chatID)[1]; got.DocumentRef != m.Document.FileID || got.DocumentData != nil {
		t.Errorf("file_id send recorded as %+v", got)
	}
}

func TestCleanupEndsLongPolls(t *testing.T) {
	var done <-chan pollResult
	start := time.Now()
	t.Run("server", func(t *testing.T) {
		srv, bot := newBot(t)
		done = poll(bot, tgbotapi.UpdateConfig{Timeout: 60})
		if err := srv.WaitPolling(boundedCtx(t)); err != nil {
			t.Fatalf("no long poll started: %v", err)
		}
	})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the test's cleanup took %v with a long poll outstanding", took)
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Error("the long poll outlived the server")
	}
}
