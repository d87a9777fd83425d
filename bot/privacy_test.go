package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bot"
)

// erasureButtons returns the data of the "yes" and "no" buttons of the erasure
// question the bot has just asked.
func erasureButtons(c *convo) (yes, no string) {
	c.t.Helper()
	y, n := c.buttonsWithData("forgetyes"), c.buttonsWithData("forgetno")
	if len(y) != 1 || len(n) != 1 {
		c.t.Fatalf("no erasure question: %s", c.transcript())
	}
	return y[0].Data, n[0].Data
}

// kept reports whether the store holds the conversation of user.
func kept(t *testing.T, store bot.Store, user string) bool {
	t.Helper()
	sess, err := store.Begin(context.Background(), bot.Begin{Conversation: "test:" + user, UpdateID: "probe-" + time.Now().String(),
		LockTTL: time.Second, RateWindow: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Release(context.Background(), sess)
	return sess.State != nil
}

// Once the citizen has answered the erasure question, its buttons act no more: a
// stale one says so and what is kept now, never "nothing was erased" after an
// erasure, never erases by surprise, and a newer question is asked again.
func TestErasureButtonsActOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("cerco una badante").say("/dimenticami")
		yes1, no1 := erasureButtons(c)
		c.pressData(no1).expect("non ho cancellato nulla")
		c.pressData(yes1).expect("domanda già chiusa", "restano conservati").
			expectButtons("Cancella i miei dati").expectNot("Fatto: ho cancellato")
		c.pressData(no1).expect("domanda già chiusa", "restano conservati").expectNot("Va bene, non ho cancellato")
		if !kept(t, store, "u1") {
			t.Fatal("an old button erased the conversation")
		}

		// A newer question is open: the older one's "yes" asks it again.
		c.say("/dimenticami")
		yes2, no2 := erasureButtons(c)
		c.pressData(yes1).expect("domanda già chiusa", "Vuoi davvero cancellare").expectNot("Fatto: ho cancellato")
		if y, n := erasureButtons(c); y != yes2 || n != no2 {
			t.Errorf("asked again with other buttons: %s %s, want %s %s", y, n, yes2, no2)
		}
		c.pressData(yes2).expect("ho cancellato tutto")
		if kept(t, store, "u1") {
			t.Fatal("the conversation survived erasure")
		}

		// After the erasure: the old "no" does not claim nothing was erased.
		c.pressData(no2).expect("domanda già chiusa", "non conservo più nulla").expectNot("Va bene, non ho cancellato")
		// A new conversation: the old "yes" does not erase it.
		c.say("/lingua en").expect("in English").pressData(yes2).expect("already closed", "is kept").
			expectNot("deleted everything")
		c.say("/start").expect("Hi!")
		// Buttons from before questions had ids are stale too.
		c.pressData("forgetyes").expect("already closed").expectNot("deleted everything")
		c.pressData("forgetno").expect("already closed").expectNot("haven't deleted")
		if !kept(t, store, "u1") {
			t.Error("a stale button erased the new conversation")
		}
		// Typed answers still work on the open question.
		c.say("/forget").say("yes").expect("deleted everything")
	})
}
