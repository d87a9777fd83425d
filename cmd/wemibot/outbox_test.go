package main

import (
	"context"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
)

// The case: a chat with a backlog of 16 replies, which Telegram's limit of
// one a second per chat paces, when serve is stopped. serve exits 0 within 10 s, and
// the next start, on the same data, sends the replies left, none twice.
func TestServeStopKeepsTelegramBacklog(t *testing.T) {
	t.Parallel() // a real server of its own: runs beside the others
	fake := telegramtest.New(t, testToken)
	env := map[string]string{"WEMI_TELEGRAM_TOKEN": testToken, "WEMI_TELEGRAM_API": fake.Endpoint(),
		"WEMI_DATA_DIR": t.TempDir()}
	const chat, n = 9100, 16
	for range n {
		fake.PushMessage(chat, telegramtest.User{ID: chat, FirstName: "Ada"}, "/aiuto")
	}
	_, _, stop := launchServe(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if _, err := fake.WaitSent(ctx, chat, 3); err != nil {
		t.Fatal(err)
	}
	if took := stop(); took > 10*time.Second {
		t.Errorf("serve took %v to stop with a backlog", took)
	}
	before := len(fake.Sent(chat))
	if before >= n {
		t.Fatalf("all %d replies went out before the stop: no backlog", before)
	}
	startServe(t, env)
	if _, err := fake.WaitSent(ctx, chat, n); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	time.Sleep(500 * time.Millisecond) // a duplicate, if any, would arrive now
	if got := len(fake.Sent(chat)); got != n {
		t.Errorf("%d replies to %d messages", got, n)
	}
	if fake.PendingUpdates() != 0 {
		t.Errorf("%d updates left unconfirmed", fake.PendingUpdates())
	}
	t.Logf("%d of %d replies before the stop, the rest after the restart", before, n)
}
