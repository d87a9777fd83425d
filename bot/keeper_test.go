package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bot"
)

// The keeper gets the answer while the message is not yet marked handled; when it
// fails nothing is saved and the same message is handled again; when it succeeds the
// answer returned is the one it kept.
func TestHandleKeeping(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		ctx := context.Background()
		m := bot.Message{Channel: "web", UserID: "u1", UpdateID: "m1", Text: "mi serve una badante"}
		refused := errors.New("the cache is away")
		_, err := h.engine.HandleKeeping(ctx, m, func(context.Context, []bot.Reply) error { return refused })
		if !errors.Is(err, bot.ErrUnavailable) || !errors.Is(err, refused) {
			t.Fatalf("a failed keep: %v, want ErrUnavailable wrapping the keeper's error", err)
		}
		var kept []bot.Reply
		replies, err := h.engine.HandleKeeping(ctx, m, func(ctx context.Context, replies []bot.Reply) error {
			kept = replies
			// Not yet handled: the lock is held, no handled mark is stored.
			_, err := store.Begin(ctx, bot.Begin{Conversation: m.Conversation(), UpdateID: m.UpdateID,
				LockTTL: time.Minute, RateWindow: time.Minute})
			if !errors.Is(err, bot.ErrLocked) {
				t.Errorf("Begin while keeping: %v, want ErrLocked", err)
			}
			return nil
		})
		if err != nil || len(replies) == 0 || !strings.Contains(replies[0].Text, "Ho trovato") {
			t.Fatalf("the message after a failed keep was not handled again: %v %+v", err, replies)
		}
		if !slices.EqualFunc(kept, replies, func(a, b bot.Reply) bool { return a.Text == b.Text && a.Lang == b.Lang }) {
			t.Errorf("kept %+v, answered %+v", kept, replies)
		}
		if _, err := h.engine.HandleKeeping(ctx, m, nil); !errors.Is(err, bot.ErrDuplicate) {
			t.Errorf("the kept message again: %v, want ErrDuplicate", err)
		}
	})
}
