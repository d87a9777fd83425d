package telegramtest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
)

// TestJSONAndQueryParameters covers the other ways the Bot API takes parameters, and
// its case-insensitive method names, for clients other than tgbotapi.
func TestJSONAndQueryParameters(t *testing.T) {
	srv := telegramtest.New(t, token)
	srv.AddChat(chatID)
	base := srv.URL() + "/bot" + token

	body := `{"chat_id":4242,"text":"da JSON","reply_markup":{"inline_keyboard":[[{"text":"ok","callback_data":"ok"}]]}}`
	resp, err := http.Post(base+"/sendMessage", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		OK     bool `json:"ok"`
		Result struct {
			MessageID int    `json:"message_id"`
			Text      string `json:"text"`
		} `json:"result"`
	}
	err = json.NewDecoder(resp.Body).Decode(&answer)
	_ = resp.Body.Close()
	if err != nil || !answer.OK || answer.Result.MessageID != 1 || answer.Result.Text != "da JSON" {
		t.Fatalf("JSON sendMessage answered %+v, %v", answer, err)
	}

	resp, err = http.Get(base + "/SENDMESSAGE?chat_id=4242&text=da+query")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET sendMessage answered %s", resp.Status)
	}

	sent := srv.Sent(chatID)
	if len(sent) != 2 || sent[0].Keyboard[0][0].CallbackData != "ok" || sent[1].Text != "da query" {
		t.Errorf("Sent = %+v", sent)
	}
	if n := srv.Calls("sendmessage"); n != 2 {
		t.Errorf("Calls(sendmessage) = %d, want 2", n)
	}
}
