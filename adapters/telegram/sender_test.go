package telegram_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/internal/logtest"
)

func TestRetriesAndFlakyNetwork(t *testing.T) {
	logs := &logtest.Buffer{}
	f := newFixture(t, func(o *telegram.Options) { o.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	t.Cleanup(func() {
		if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), "TEST-token") {
			t.Errorf("the bot token reached the logs:\n%s", logs.String())
		}
	})
	f.fake.FailNext("sendMessage", 1, 429, 1)
	f.fake.FailNext("sendMessage", 2, 502, 0)
	f.fake.DropNext("sendMessage", 1)
	f.fake.DropNext("setMyCommands", 1)
	f.fake.FailNext("getUpdates", 1, 500, 0)
	f.fake.DropNext("getUpdates", 1)
	f.start()
	pushed := time.Now()
	f.fake.PushMessage(4004, giulia, "ciao")
	sent := f.wait(4004, 1)
	if len(sent) != 1 || !strings.Contains(sent[0].Text, "WeMi Bot") {
		t.Fatalf("after 429, 5xx and a dropped connection: %d messages", len(sent))
	}
	if f.fake.Calls("sendMessage") < 5 {
		t.Errorf("sendMessage called %d times, want the failures retried", f.fake.Calls("sendMessage"))
	}
	// The 429 was honoured: the message came at least retry_after (1 s) later.
	if d := f.fake.SendTimes(4004)[0].Sub(pushed); d < 900*time.Millisecond {
		t.Errorf("delivered %v after the push, before retry_after", d)
	}
}

func TestLimitsQueueRatherThanDrop(t *testing.T) {
	f := newFixture(t, func(o *telegram.Options) { o.ChatRate = 20; o.ChatBurst = 1; o.GlobalRate = 60 })
	f.start()
	// Every reply here is one message; per chat at most 20 a second, 60 in all.
	const chats = 6
	for c := int64(0); c < chats; c++ {
		for i := 0; i < 5; i++ {
			f.fake.PushMessage(5000+c, telegramtest.User{ID: 5000 + c, FirstName: "X"}, "/aiuto")
		}
	}
	for c := int64(0); c < chats; c++ {
		sent := f.wait(5000+c, 5)
		// Paced at 20 a second, five messages span at least four intervals of 50 ms.
		// The span is measured where the fake receives them, so one message delayed
		// on the way can shorten a single gap: the whole span is what is checked.
		times := f.fake.SendTimes(5000 + c)
		if span := times[len(times)-1].Sub(times[0]); len(times) == 5 && span < 150*time.Millisecond {
			t.Errorf("chat %d: 5 messages within %v, faster than 20 a second", c, span)
		}
		if len(sent) != 5 {
			t.Errorf("chat %d: %d of 5 replies", c, len(sent))
		}
	}
	all := f.fake.AllSendTimes()
	for i := range all {
		// In any window of one second there are at most 60 + burst messages.
		n := 0
		for j := i; j < len(all) && all[j].Sub(all[i]) < time.Second; j++ {
			n++
		}
		if n > 61 {
			t.Errorf("%d messages within a second", n)
			break
		}
	}
}

// A dropped connection after Telegram took a message (the reply lost on the way) and
// a slow answer: the reply is delivered, and an edit that changes nothing sends no
// second copy.
func TestSlowAndLostAnswers(t *testing.T) {
	f := newFixture(t)
	f.fake.SlowNext("sendMessage", 1, 300*time.Millisecond)
	f.start()
	f.fake.PushMessage(4100, giulia, "psicologo")
	res := f.wait(4100, 1)[0]
	more := button(t, res, "Altri risultati").CallbackData
	f.fake.PushCallback(4100, giulia, res.MessageID, more)
	f.wait(4100, 2)
	f.fake.PushCallback(4100, giulia, res.MessageID, more) // the same page again
	time.Sleep(300 * time.Millisecond)
	for _, s := range f.fake.Sent(4100)[1:] {
		if s.Method != "editMessageText" {
			t.Errorf("paging sent a %s, want edits only", s.Method)
		}
	}
}
