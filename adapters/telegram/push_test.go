package telegram_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/bot"
)

// An operator's messages reach the citizen's Telegram chat on the bot's initiative,
// and the rating buttons pushed after the close work like any other.
func TestOperatorRepliesArePushed(t *testing.T) {
	f := newFixture(t)
	a, err := telegram.New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	e, err := bot.New(bot.Options{Search: testIndex(t), Store: f.store, Staff: f.staff,
		Pushers: map[string]bot.Pusher{"telegram": a}})
	if err != nil {
		t.Fatal(err)
	}
	f.engine = e
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, e) }()
	t.Cleanup(func() { cancel(); <-done })

	const chat = 5005
	f.fake.PushMessage(chat, giulia, "/operatore")
	f.waitFor(chat, 0, "operatore WeMi")
	ev := f.staff.last()
	if ev.Kind != bot.EventHandoff || ev.Conversation != "telegram:"+strconv.Itoa(chat) {
		t.Fatalf("handoff event: %+v", ev)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	act := func(kind bot.StaffActionKind, text string) error {
		return e.FromStaff(wctx, bot.StaffAction{Kind: kind, Conversation: ev.Conversation, Handoff: ev.Handoff, Operator: "Sara Neri", Text: text})
	}
	if err := act(bot.StaffReply, "Buongiorno, <sono> Sara & vi aiuto io"); err != nil {
		t.Fatal(err)
	}
	i := f.waitFor(chat, 0, "Sara (WeMi):")
	if got := f.fake.Sent(chat)[i].Text; got != "<b>Sara (WeMi):</b> Buongiorno, &lt;sono&gt; Sara &amp; vi aiuto io" {
		t.Errorf("pushed text %q", got)
	}
	if err := act(bot.StaffClose, ""); err != nil {
		t.Fatal(err)
	}
	i = f.waitFor(chat, i+1, "ha chiuso la conversazione")
	sent := f.fake.Sent(chat)[i]
	f.fake.PushCallback(chat, giulia, sent.MessageID, button(t, sent, "5").CallbackData)
	f.waitFor(chat, i+1, "Grazie del tuo giudizio")
	if last := f.staff.last(); last.Kind != bot.EventRating || last.Score != 5 {
		t.Errorf("rating event: %+v", last)
	}

	// A chat that blocked the bot: the operator learns the message did not arrive.
	f.fake.PushMessage(chat, giulia, "/operatore")
	f.waitFor(chat, i+2, "operatore WeMi")
	ev = f.staff.last()
	f.fake.FailNext("sendMessage", 1, 403, 0)
	if err := act(bot.StaffReply, "ci sei?"); !errors.Is(err, bot.ErrNotDelivered) {
		t.Errorf("push to a blocked chat: %v", err)
	}
}

// A push whose caller stopped waiting (a reminder's deadline) is not sent later: the
// caller counts it failed and tries again, and the citizen must not get it twice.
func TestAbandonedPushIsNotSent(t *testing.T) {
	f := newFixture(t, func(o *telegram.Options) { o.ChatRate = 1; o.ChatBurst = 1 })
	a, err := telegram.New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, f.engine) }()
	t.Cleanup(func() { cancel(); <-done })
	const chat = 6006
	f.fake.PushMessage(chat, telegramtest.User{ID: chat, FirstName: "Ada"}, "ciao") // the chat exists
	f.wait(chat, 1)
	long, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := a.Push(long, strconv.Itoa(chat), []bot.Reply{{Text: "first"}}); err != nil {
		t.Fatal(err)
	}
	// The chat's limit holds the second one back for about a second: its caller
	// gives up first.
	short, stop2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop2()
	if err := a.Push(short, strconv.Itoa(chat), []bot.Reply{{Text: "abandoned"}}); err == nil {
		t.Fatal("a push held back past its deadline reported success")
	}
	if err := a.Push(long, strconv.Itoa(chat), []bot.Reply{{Text: "third"}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range f.fake.Sent(chat) {
		if s.Text == "abandoned" {
			t.Error("the abandoned push was sent after its caller gave up")
		}
	}
}
