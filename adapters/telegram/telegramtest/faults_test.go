package telegramtest_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestFailNext(t *testing.T) {
	tests := []struct {
		name       string
		code       int
		retryAfter int
		wantText   string
	}{
		{"flood", http.StatusTooManyRequests, 3, "Too Many Requests: retry after 3"},
		{"bad gateway", http.StatusBadGateway, 0, "Bad Gateway"},
		{"internal", http.StatusInternalServerError, 0, "Internal Server Error"},
		{"blocked", http.StatusForbidden, 0, "Forbidden: bot was blocked by the user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, bot := newBot(t)
			srv.AddChat(chatID)
			srv.FailNext("sendMessage", 1, tt.code, tt.retryAfter)
			_, err := bot.Send(tgbotapi.NewMessage(chatID, "ciao"))
			e := apiErr(t, err)
			if e.Code != tt.code || e.RetryAfter != tt.retryAfter || e.Message != tt.wantText {
				t.Errorf("got code %d retry_after %d %q, want %d %d %q", e.Code, e.RetryAfter, e.Message, tt.code, tt.retryAfter, tt.wantText)
			}
			if _, err := bot.Send(tgbotapi.NewMessage(chatID, "ciao")); err != nil {
				t.Fatalf("the call after the injected failure: %v", err)
			}
			if n := srv.Calls("sendMessage"); n != 2 {
				t.Errorf("Calls = %d, want 2", n)
			}
			if n := len(srv.Sent(chatID)); n != 1 {
				t.Errorf("Sent has %d entries, want only the successful one", n)
			}
			if n := srv.PendingFaults("sendMessage"); n != 0 {
				t.Errorf("PendingFaults = %d after the fault was met", n)
			}
		})
	}
}

func TestFailNextOnGetUpdatesAndUploads(t *testing.T) {
	srv, bot := newBot(t)
	srv.PushMessage(chatID, maria, "ciao")
	srv.FailNext("getUpdates", 2, http.StatusTooManyRequests, 1)
	for range 2 {
		if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); apiErr(t, err).RetryAfter != 1 {
			t.Fatalf("getUpdates: %v, want 429 retry after 1", err)
		}
	}
	if got, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil || len(got) != 1 {
		t.Fatalf("getUpdates after the faults: %v, %v", updateIDs(got), err)
	}

	// tgbotapi v5.5.1 drops error_code for multipart calls (UploadFiles): the retry
	// delay survives, the code does not. Adapters must not rely on Code for uploads.
	srv.FailNext("sendDocument", 1, http.StatusTooManyRequests, 2)
	_, err := bot.Send(tgbotapi.NewDocument(chatID, tgbotapi.FileBytes{Name: "a.txt", Bytes: []byte("a")}))
	if e := apiErr(t, err); e.RetryAfter != 2 || e.Code != 0 {
		t.Errorf("upload 429 surfaced as code %d retry_after %d; tgbotapi v5.5.1 gives code 0 retry_after 2", e.Code, e.RetryAfter)
	}
}

func TestDropNext(t *testing.T) {
	srv, bot := newBot(t)
	srv.AddChat(chatID)
	srv.DropNext("sendMessage", 1)
	_, err := bot.Send(tgbotapi.NewMessage(chatID, "perso"))
	var e *tgbotapi.Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("dropped connection gave %v, want a transport error", err)
	}
	if n := len(srv.Sent(chatID)); n != 0 {
		t.Errorf("a call dropped before handling was recorded (%d entries)", n)
	}

	srv.DropReplyNext("sendMessage", 1)
	if _, err := bot.Send(tgbotapi.NewMessage(chatID, "consegnato")); err == nil {
		t.Fatal("dropped reply gave no error")
	}
	if sent := srv.Sent(chatID); len(sent) != 1 || sent[0].Text != "consegnato" {
		t.Errorf("a call whose reply was dropped must still take effect; Sent = %+v", sent)
	}

	srv.DropNext("getUpdates", 1)
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err == nil {
		t.Error("dropped getUpdates gave no error")
	}
	if _, err := bot.Send(tgbotapi.NewMessage(chatID, "di nuovo")); err != nil {
		t.Errorf("the client does not recover after drops: %v", err)
	}
}

func TestSlowNext(t *testing.T) {
	srv, bot := newBot(t)
	srv.AddChat(chatID)
	const delay = 60 * time.Millisecond
	srv.SlowNext("sendMessage", 1, delay)
	start := time.Now()
	if _, err := bot.Send(tgbotapi.NewMessage(chatID, "lento")); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < delay {
		t.Errorf("slow call took %v, want at least %v", took, delay)
	}

	// A slow answer ends when the client gives up.
	srv.SlowNext("getMe", 1, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/bot"+token+"/getMe", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Error("a one-minute slow answer returned before the client's deadline")
	}
}

func TestWaitSentGivesUpWithTheContext(t *testing.T) {
	srv, _ := newBot(t)
	srv.AddChat(chatID)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := srv.WaitSent(ctx, chatID, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitSent with nothing sent: %v, want context.DeadlineExceeded", err)
	}
}

func TestConcurrentSendsAndRateAccounting(t *testing.T) {
	srv, bot := newBot(t)
	chats := []int64{1, 2, 3, 4}
	for _, c := range chats {
		srv.AddChat(c)
	}
	const perChat = 5
	var wg sync.WaitGroup
	errs := make(chan error, len(chats)*perChat)
	for _, c := range chats {
		for range perChat {
			wg.Go(func() {
				if _, err := bot.Send(tgbotapi.NewMessage(c, "ciao")); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent send: %v", err)
	}
	for _, c := range chats {
		sent, err := srv.WaitSent(boundedCtx(t), c, perChat)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int]bool{}
		for i, s := range sent {
			if seen[s.MessageID] || s.MessageID < 1 || s.MessageID > perChat {
				t.Errorf("chat %d: message id %d repeated or out of 1..%d", c, s.MessageID, perChat)
			}
			seen[s.MessageID] = true
			if i > 0 && s.MessageID <= sent[i-1].MessageID {
				t.Errorf("chat %d: ids out of order in Sent", c)
			}
		}
		if n := len(srv.SendTimes(c)); n != perChat {
			t.Errorf("SendTimes(%d) has %d entries, want %d", c, n, perChat)
		}
	}
	all := srv.AllSendTimes()
	if len(all) != len(chats)*perChat {
		t.Fatalf("AllSendTimes has %d entries, want %d", len(all), len(chats)*perChat)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Before(all[i-1]) {
			t.Fatal("AllSendTimes is not in order")
		}
	}
	// The fake records; it does not throttle. A burst like this one breaks the
	// one-message-a-second limit, which is what a test of a rate limiter would catch.
	if times := srv.SendTimes(1); times[perChat-1].Sub(times[0]) >= time.Second {
		t.Errorf("burst of %d sends spread over %v", perChat, times[perChat-1].Sub(times[0]))
	}
}
