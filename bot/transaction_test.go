package bot_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// panickySearch panics when armed, as a bug in a flow would, while the
// conversation's lock is held.
type panickySearch struct {
	bot.Searcher
	armed atomic.Bool
}

func (p *panickySearch) Catalogue() *catalogue.Catalogue {
	if p.armed.Load() {
		panic("a bug in a flow")
	}
	return p.Searcher.Catalogue()
}

// A panic while a citizen's message or an operator's action holds the conversation
// is answered as an error, and the conversation is not left locked: the next
// message is handled at once, on both stores.
func TestPanicReleasesTheConversation(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		search := &panickySearch{Searcher: testIndex(t)}
		h := newHarness(t, store, func(o *bot.Options) {
			o.Search = search
			o.LockWait = 300 * time.Millisecond // far shorter than the lock's 15 s
		})
		ctx := context.Background()
		c := h.citizen(t, "u1")

		search.armed.Store(true)
		replies, err := h.engine.Handle(ctx, bot.Message{Channel: "test", UserID: "u1", Text: "ciao"})
		if err == nil || errors.Is(err, bot.ErrUnavailable) || len(replies) != 1 || replies[0].Text == "" {
			t.Fatalf("a panic answered %v, %v; want an apology and an error", replies, err)
		}
		search.armed.Store(false)
		c.say("/operatore").expect("Ho passato")
		open := h.lastEvent(t)

		claim := bot.StaffAction{Kind: bot.StaffClaim, Conversation: open.Conversation, Handoff: open.Handoff, Operator: "Giulia"}
		search.armed.Store(true)
		if err := h.engine.FromStaff(ctx, claim); err == nil || errors.Is(err, bot.ErrNoHandoff) || errors.Is(err, bot.ErrUnavailable) {
			t.Fatalf("a panic in a staff action returned %v", err)
		}
		search.armed.Store(false)
		if err := h.engine.FromStaff(ctx, claim); err != nil && !errors.Is(err, bot.ErrNotDelivered) {
			t.Fatalf("the staff action after a panic: %v", err)
		}
		c.say("grazie, aspetto").silent()
	})
}
