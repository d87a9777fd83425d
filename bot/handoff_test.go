package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
)

// inbox is a Pusher that records what reaches citizens on the test channel.
type inbox struct {
	mu   sync.Mutex
	fail error
	got  map[string][]bot.Reply
}

func (b *inbox) Push(_ context.Context, user string, replies []bot.Reply) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	if b.got == nil {
		b.got = map[string][]bot.Reply{}
	}
	b.got[user] = append(b.got[user], replies...)
	return nil
}

// take returns and forgets what reached a citizen.
func (b *inbox) take(user string) []bot.Reply {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.got[user]
	delete(b.got, user)
	return r
}

// figures records the facts the engine counts.
type figures struct {
	mu    sync.Mutex
	facts []desk.Fact
}

func (f *figures) Count(_ context.Context, fact desk.Fact) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.facts = append(f.facts, fact)
}

func (f *figures) count(kind desk.FactKind) (n int, texts []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.facts {
		if x.Kind == kind {
			n++
			if x.Text != "" {
				texts = append(texts, x.Text)
			}
		}
	}
	return n, texts
}

func handoffHarness(t *testing.T, store bot.Store) (*harness, *inbox, *figures) {
	box, figs := &inbox{}, &figures{}
	h := newHarness(t, store, func(o *bot.Options) {
		o.Pushers = map[string]bot.Pusher{"test": box}
		o.Figures = figs
	})
	return h, box, figs
}

func (h *harness) lastEvent(t *testing.T) bot.Event {
	t.Helper()
	ev := h.staff.all()
	if len(ev) == 0 {
		t.Fatal("no staff event")
	}
	return ev[len(ev)-1]
}

func replyText(rs []bot.Reply) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n")
}

// The whole handoff: open, relay, claim, operator replies, close, rating.
func TestHandoffLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, figs := handoffHarness(t, store)
		ctx := context.Background()
		c := h.citizen(t, "u1").say("badante per mia madre").say("/operatore").expect("Ho passato", "entro 30 minuti")
		open := h.lastEvent(t)
		if open.Kind != bot.EventHandoff || open.Handoff == "" || open.Query != "badante per mia madre" {
			t.Fatalf("handoff event: %+v", open)
		}
		act := func(a bot.StaffAction) error {
			a.Conversation, a.Handoff = open.Conversation, open.Handoff
			return h.engine.FromStaff(ctx, a)
		}

		c.say("mia madre ha 88 anni").silent()
		if ev := h.lastEvent(t); ev.Kind != bot.EventRelay || ev.Text != "mia madre ha 88 anni" || ev.Handoff != open.Handoff {
			t.Fatalf("relay: %+v", ev)
		}
		if err := act(bot.StaffAction{Kind: bot.StaffClaim, Operator: "Giulia Bianchi", ID: "e1"}); err != nil {
			t.Fatal(err)
		}
		if got := replyText(box.take("u1")); !strings.Contains(got, "Giulia di WeMi ha preso in carico") {
			t.Errorf("claim told the citizen %q", got)
		}
		if err := act(bot.StaffAction{Kind: bot.StaffReply, Operator: "Giulia Bianchi", Text: "Buongiorno! Di che zona siete?", ID: "e2"}); err != nil {
			t.Fatal(err)
		}
		if got := replyText(box.take("u1")); got != "*Giulia (WeMi):* Buongiorno! Di che zona siete?" {
			t.Errorf("reply reached the citizen as %q", got)
		}
		// A repeated delivery of the same action is applied once.
		if err := act(bot.StaffAction{Kind: bot.StaffReply, Operator: "Giulia", Text: "Buongiorno! Di che zona siete?", ID: "e2"}); !errors.Is(err, bot.ErrDuplicate) {
			t.Errorf("repeated action: %v", err)
		}
		if got := box.take("u1"); len(got) != 0 {
			t.Errorf("a repeated action reached the citizen again: %v", got)
		}
		// The button under the handoff message hands the citizen back to the bot...
		c.pressData("hoend").expect("ho avvisato l'operatore")
		if ev := h.lastEvent(t); ev.Kind != bot.EventHandoffEnded || ev.Reason != "citizen" {
			t.Fatalf("end: %+v", ev)
		}
		// ...and the operator's next action finds it closed.
		if err := act(bot.StaffAction{Kind: bot.StaffReply, Operator: "Giulia", Text: "ci sei?", ID: "e3"}); !errors.Is(err, bot.ErrNoHandoff) {
			t.Errorf("reply after the citizen left: %v", err)
		}
		c.say("psicologo").expect("Ho trovato")

		// A second handoff, closed by the operator and rated.
		c.say("/operatore").expect("Ho passato")
		open = h.lastEvent(t)
		c.pressData("cats").expect("stai parlando con un operatore").expectButtons("Torna all'assistente")
		if err := act(bot.StaffAction{Kind: bot.StaffClose, Operator: "Marco", ID: "e4"}); err != nil {
			t.Fatal(err)
		}
		closed := box.take("u1")
		if got := replyText(closed); !strings.Contains(got, "Marco di WeMi ha chiuso") || !strings.Contains(got, "da 1") {
			t.Fatalf("close told the citizen %q", got)
		}
		c.replies = closed
		c.press("⭐ 4").expect("Grazie del tuo giudizio")
		if ev := h.lastEvent(t); ev.Kind != bot.EventRating || ev.Score != 4 || ev.Handoff != open.Handoff {
			t.Fatalf("rating: %+v", ev)
		}
		c.pressData("menu").expect("Come posso aiutarti") // back to the bot
		c.pressData("rate:5").expect("non è più valido")
		if n, _ := figs.count(desk.FactRating); n != 1 {
			t.Errorf("%d ratings counted, want 1", n)
		}
		if n, _ := figs.count(desk.FactHandoff); n != 2 {
			t.Errorf("%d handoffs counted, want 2", n)
		}
		if n, _ := figs.count(desk.FactConversation); n != 1 {
			t.Errorf("%d conversations counted today, want 1", n)
		}
	})
}

// During a handoff a citizen can still erase their data; the operators learn the
// handoff ended, and nothing else about them.
func TestForgetDuringHandoff(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _ := handoffHarness(t, store)
		c := h.citizen(t, "u1").say("/operatore")
		open := h.lastEvent(t)
		c.say("/dimenticami").expect("davvero").press("Sì, cancella").expect("ho cancellato")
		ev := h.lastEvent(t)
		if ev.Kind != bot.EventHandoffEnded || ev.Reason != "forgotten" || ev.Handoff != open.Handoff || ev.FirstName != "" || len(ev.Recent) != 0 {
			t.Fatalf("end event: %+v", ev)
		}
		err := h.engine.FromStaff(context.Background(), bot.StaffAction{Kind: bot.StaffReply, Conversation: open.Conversation,
			Handoff: open.Handoff, Operator: "Giulia", Text: "ciao"})
		if !errors.Is(err, bot.ErrNoHandoff) {
			t.Errorf("reply after erasure: %v", err)
		}
	})
}

// Danger during a handoff is answered at once and reaches the operators' thread.
func TestDangerOpensHandoff(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, _ := handoffHarness(t, store)
		c := h.citizen(t, "u1").say("voglio farla finita").expect("Telefono Amico", "può scriverti qui").
			expectButtons("Torna all'assistente").expectNot("uffici WeMi sono chiusi")
		ev := h.lastEvent(t)
		if ev.Kind != bot.EventEmergency || !ev.Priority || ev.Handoff == "" || ev.Text != "voglio farla finita" {
			t.Fatalf("emergency: %+v", ev)
		}
		c.say("sono a casa").silent()
		if relay := h.lastEvent(t); relay.Kind != bot.EventRelay || !relay.Priority {
			t.Fatalf("relay after an emergency: %+v", relay)
		}
		if err := h.engine.FromStaff(context.Background(), bot.StaffAction{Kind: bot.StaffReply, Conversation: ev.Conversation,
			Handoff: ev.Handoff, Operator: "Sara", Text: "Sono qui con te."}); err != nil {
			t.Fatal(err)
		}
		if got := replyText(box.take("u1")); !strings.Contains(got, "Sara (WeMi)") {
			t.Errorf("the citizen got %q", got)
		}
	})
}

// What the operators cannot deliver is said, and the state still moves on.
func TestStaffReplyNotDelivered(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, _ := handoffHarness(t, store)
		h.citizen(t, "u1").say("/operatore")
		open := h.lastEvent(t)
		box.fail = errors.New("telegram down")
		err := h.engine.FromStaff(context.Background(), bot.StaffAction{Kind: bot.StaffReply, Conversation: open.Conversation,
			Handoff: open.Handoff, Operator: "Sara", Text: "ciao"})
		if !errors.Is(err, bot.ErrNotDelivered) {
			t.Errorf("err = %v, want ErrNotDelivered", err)
		}
		for _, bad := range []bot.StaffAction{
			{Kind: bot.StaffReply, Conversation: open.Conversation, Handoff: open.Handoff, Text: "  "},
			{Kind: bot.StaffReply, Conversation: "nocolon", Handoff: open.Handoff, Text: "x"},
			{Kind: bot.StaffReply, Conversation: open.Conversation, Handoff: "someotherid", Text: "x"},
		} {
			if err := h.engine.FromStaff(context.Background(), bad); err == nil {
				t.Errorf("%+v accepted", bad)
			}
		}
	})
}

// The day's figures: searches, and the texts of those that found nothing.
func TestFiguresCounted(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, figs := handoffHarness(t, store)
		c := h.citizen(t, "u1").say("babysitter").say("astronave marziana")
		h.citizen(t, "u2").say("ciao")
		if n, _ := figs.count(desk.FactSearch); n != 2 {
			t.Errorf("%d searches, want 2", n)
		}
		if n, texts := figs.count(desk.FactEmptySearch); n != 1 || texts[0] != "astronave marziana" {
			t.Errorf("empty searches: %d %q", n, texts)
		}
		if n, _ := figs.count(desk.FactConversation); n != 2 {
			t.Errorf("%d conversations, want 2", n)
		}
		h.clock.Set(monday10(t).Add(24 * 60 * 60 * 1e9))
		c.say("ciao")
		if n, _ := figs.count(desk.FactConversation); n != 3 {
			t.Errorf("%d conversations after a new day, want 3", n)
		}
	})
}

// At night an emergency says the offices are closed and to call the numbers if nobody
// answers; the card knows when the citizen was told.
func TestDangerAtNight(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _ := handoffHarness(t, store)
		h.clock.Set(monday10(t).Add(13 * time.Hour)) // 23:00
		h.citizen(t, "u1").say("mi ha picchiata").expect("1522", "uffici WeMi sono chiusi").expectButtons("Torna all'assistente")
		if ev := h.lastEvent(t); ev.AnswerFrom.IsZero() || ev.AnswerFrom.Hour() != 9 {
			t.Errorf("emergency at night: AnswerFrom %v", ev.AnswerFrom)
		}
	})
}

// How long a reply may take reads naturally, whatever the setting.
func TestReplyTimeWording(t *testing.T) {
	for _, tc := range []struct {
		within time.Duration
		want   string
	}{{30 * time.Minute, "entro 30 minuti"}, {time.Minute, "entro 1 minuto"}, {time.Hour, "entro 1 ora"}, {4 * time.Hour, "entro 4 ore"}, {90 * time.Minute, "entro 90 minuti"}} {
		h := newHarness(t, stores()[0].open(t), func(o *bot.Options) { o.ReplyWithin = tc.within })
		h.citizen(t, "u1").say("/operatore").expect(tc.want)
	}
}

// Erasing their data reaches the citizen's latest handoffs, open and closed, the last
// twenty at most: the desk is told of each, so that it can clear their threads.
func TestForgetReachesPastHandoffs(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store, func(o *bot.Options) { o.RateLimit = 1000 })
		c := h.citizen(t, "u1")
		var opened []string
		for i := range 22 {
			c.say("/operatore")
			opened = append(opened, h.lastEvent(t).Handoff)
			if i < 21 {
				c.say("/annulla") // back to the bot: the handoff ends
			}
		}
		before := len(h.staff.all())
		c.say("/dimenticami").press("Sì")
		var forgotten []string
		for _, ev := range h.staff.all()[before:] {
			if ev.Kind == bot.EventHandoffEnded && ev.Reason == "forgotten" {
				forgotten = append(forgotten, ev.Handoff)
			}
		}
		if want := opened[2:]; !slices.Equal(forgotten, want) {
			t.Errorf("erasure reached handoffs %v, want the last 20 %v", forgotten, want)
		}
	})
}
