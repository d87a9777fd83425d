package telegramtest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
)

func TestWebhook(t *testing.T) {
	srv, bot := newBot(t)
	if _, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "http://wemi.example/hook"}); apiErr(t, err).Code != http.StatusBadRequest {
		t.Error("a plain-HTTP webhook was accepted")
	}
	_, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "https://wemi.example/hook", "secret_token": "s3cret_Token-1"})
	if err != nil {
		t.Fatalf("setWebhook: %v", err)
	}
	if address, secret := srv.Webhook(); address != "https://wemi.example/hook" || secret != "s3cret_Token-1" {
		t.Errorf("Webhook() = %q, %q", address, secret)
	}
	if info, err := bot.GetWebhookInfo(); err != nil || info.URL != "https://wemi.example/hook" {
		t.Errorf("getWebhookInfo: %+v, %v", info, err)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); apiErr(t, err).Code != http.StatusConflict {
		t.Error("getUpdates worked while a webhook was set")
	}

	// The bot's own webhook endpoint, parsing with tgbotapi as the real adapter would.
	received := make(chan *tgbotapi.Update, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(telegramtest.SecretTokenHeader) != "s3cret_Token-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		u, err := bot.HandleUpdate(r)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		received <- u
	}))
	defer hook.Close()
	updateID, body := srv.NewMessageUpdate(chatID, maria, "/start")
	if string(body) != string(srv.Update(updateID)) {
		t.Errorf("NewMessageUpdate body differs from Update(%d)", updateID)
	}
	req, err := srv.NewWebhookRequest(boundedCtx(t), hook.URL, updateID)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST to webhook: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook answered %s", resp.Status)
	}
	if u := <-received; u.UpdateID != updateID || !u.Message.IsCommand() {
		t.Errorf("webhook got update %d %+v", u.UpdateID, u.Message)
	}
	if srv.PendingUpdates() != 0 {
		t.Error("NewMessageUpdate queued its update for getUpdates")
	}

	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatalf("deleteWebhook: %v", err)
	}
	if address, _ := srv.Webhook(); address != "" {
		t.Errorf("webhook %q survives deleteWebhook", address)
	}
}
