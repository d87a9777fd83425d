package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/desk"
)

// handoffFlow is the handoff flow: its handlers and what it keeps in the conversation state.
type handoffFlow struct{ e *Engine }

// handoff opens a handoff to an operator, if none is open, and tells the citizen what
// happens next: how soon someone answers, or when the offices open.
func (hf *handoffFlow) handoff(t *Turn, reason string) {
	t.st.resetFlow()
	t.st.Misses = 0
	if t.st.Handoff != nil {
		t.Say(Reply{Text: t.T("handoff.already"), Buttons: hf.handoffRow(t)})
		return
	}
	if t.e.opts.Staff == nil {
		// No staff desk is connected: promise nothing, point to the people at the
		// WeMi spaces instead.
		t.Say(Reply{Text: t.T("handoff.no_desk"), Buttons: [][]Button{
			{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)}}})
		return
	}
	hf.openHandoff(t, reason, false)
	ev := t.Event(EventHandoff, reason, false)
	key := "handoff.asked"
	if reason == "no_results" {
		key = "handoff.no_results"
	}
	text := t.T(key) + "\n"
	if next, open := hf.answerTime(t); open {
		text += t.T("handoff.reply_time", "within", t.duration(t.e.opts.ReplyWithin))
	} else {
		ev.AnswerFrom = next
		text += t.T("handoff.closed_hours", "day", t.T("day."+strconv.Itoa(int(next.Weekday()))),
			"date", t.date(next), "time", next.Format("15:04"))
	}
	t.Raise(ev)
	if note := hf.e.mediationNote(t); note != "" {
		text += "\n" + note
	}
	t.Say(Reply{Text: text + "\n" + t.T("handoff.write_here"), Buttons: hf.handoffRow(t)})
}

// answerTime reports whether operators answer now and, if not, when they will.
func (hf *handoffFlow) answerTime(t *Turn) (next time.Time, open bool) {
	if t.e.office.open(t.now) {
		return t.now, true
	}
	return t.e.office.next(t.now), false
}

// openHandoff records a new handoff in the state.
func (hf *handoffFlow) openHandoff(t *Turn, reason string, priority bool) {
	t.st.Handoff = &handoffState{ID: newHandoffID(), Reason: reason, Priority: priority, Opened: t.now}
	t.st.rememberHandoff(t.st.Handoff.ID)
	t.st.RateHandoff = ""
	t.Count(desk.Fact{Kind: desk.FactHandoff, At: t.now})
}

// newHandoffID returns a random id: it names the handoff to staff without naming the
// citizen.
func newHandoffID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// handoffRow is the button that hands the citizen back to the bot.
func (hf *handoffFlow) handoffRow(t *Turn) [][]Button {
	return [][]Button{{btn(t.T("handoff.end_button"), actHandoffEnd)}}
}

// inHandoff handles a message while an operator has the conversation: text goes to
// the operators and the bot stays quiet. The citizen can still leave, manage their
// data and change language.
func (hf *handoffFlow) inHandoff(ctx context.Context, t *Turn) {
	m := t.m
	t.flow = "handoff"
	switch {
	case m.Button != "":
		b, ok := parseButton(m.Button)
		switch {
		case !ok:
			t.Stale()
		case b.action == actHandoffEnd:
			hf.endHandoff(t)
		case b.action == actPrivacy, b.action == actForgetAsk, b.action == actForgetYes, b.action == actForgetNo,
			b.action == actLangAsk, b.action == actLang:
			t.onButton(ctx, m.Button)
		default:
			t.st.remember("user", "["+b.action+"]", t.now)
			t.Say(Reply{Text: t.T("handoff.in_progress"), Buttons: hf.handoffRow(t)})
		}
	case m.Unsupported != "":
		t.Say(Reply{Text: t.T("handoff.text_only")})
	case m.Location != nil:
		if !validPoint(*m.Location) {
			t.Say(Reply{Text: t.T("handoff.text_only")})
			return
		}
		text := fmt.Sprintf("📍 %.5f, %.5f", m.Location.Lat, m.Location.Lon)
		t.st.remember("user", text, t.now)
		hf.relay(t, text)
	default:
		hf.handoffText(ctx, t, m.Text)
	}
}

// handoffText relays what the citizen writes, except the commands that still work.
func (hf *handoffFlow) handoffText(ctx context.Context, t *Turn, raw string) {
	if utf8.RuneCountInString(raw) > t.e.opts.MaxMessageRunes {
		t.Say(Reply{Text: t.T("error.too_long", "max", strconv.Itoa(t.e.opts.MaxMessageRunes))})
		return
	}
	text := cleanText(raw)
	if text == "" {
		return
	}
	if c, ok := parseCommand(text); ok {
		t.st.remember("user", text, t.now)
		switch c.name {
		case "annulla", "cancel", "stop", "fine", "end":
			hf.endHandoff(t)
		case "operatore", "operator", "human":
			t.Say(Reply{Text: t.T("handoff.already"), Buttons: hf.handoffRow(t)})
		case "privacy", "dimenticami", "forget", "forgetme", "lingua", "language", "lang":
			t.onCommand(ctx, c)
		default:
			t.Say(Reply{Text: t.T("handoff.in_progress"), Buttons: hf.handoffRow(t)})
		}
		return
	}
	t.st.remember("user", text, t.now)
	hf.relay(t, text)
}

// relay passes a citizen's message to the operators.
func (hf *handoffFlow) relay(t *Turn, text string) {
	ev := t.Event(EventRelay, "", t.st.Handoff.Priority)
	ev.Recent, ev.Query = nil, ""
	ev.Text = text
	t.Raise(ev)
}

// endHandoff is the citizen leaving the handoff: the operators are told, the bot
// takes over again.
func (hf *handoffFlow) endHandoff(t *Turn) {
	ev := t.Event(EventHandoffEnded, "citizen", false)
	ev.Recent, ev.Query = nil, ""
	t.Raise(ev)
	t.st.Handoff = nil
	t.Say(Reply{Text: t.T("handoff.ended_by_you"), Buttons: t.MainMenu()})
}

// staffAction applies an operator's action to the open handoff (FromStaff checked it
// is the one named).
func (hf *handoffFlow) staffAction(t *Turn, a StaffAction) {
	h := t.st.Handoff
	name := hf.signed(t, operatorName(a.Operator))
	switch a.Kind {
	case StaffClaim:
		h.Operator = operatorName(a.Operator)
		t.Say(Reply{Text: t.T("handoff.claimed", "name", name)})
	case StaffReply:
		if h.Operator == "" {
			h.Operator = operatorName(a.Operator)
		}
		text := truncateRunes(cleanText(a.Text), maxStaffRunes)
		t.replies = append(t.replies, Reply{Text: t.T("handoff.operator_says", "name", Literal(name), "text", text)})
		t.st.remember("operator", text, t.now)
	case StaffClose:
		t.st.Handoff = nil
		t.st.RateHandoff = h.ID
		t.st.Flow = flowRate // a digit typed next is the rating
		stars := make([]Button, 0, 5)
		for i := 1; i <= 5; i++ {
			stars = append(stars, btn(t.T("handoff.rate_button", "n", strconv.Itoa(i)), actRate, strconv.Itoa(i)))
		}
		t.Say(Reply{Text: t.T("handoff.closed", "name", name) + "\n" + t.T("handoff.rate_ask"),
			Buttons: [][]Button{stars, {btn(t.T("button.menu"), actMenu)}}})
	}
}

// maxStaffRunes bounds an operator's message to a citizen (Telegram's limit is 4,096).
const maxStaffRunes = 3500

// operatorName is how an operator signs: their first name ("" when there is none;
// the texts then name no one).
func operatorName(name string) string {
	name = truncateRunes(cleanText(name), 40)
	first, _, _ := strings.Cut(name, " ")
	return first
}

// signed is how an operator is named to the citizen: their first name, or "an operator".
func (hf *handoffFlow) signed(t *Turn, name string) string {
	if name == "" {
		return t.T("handoff.an_operator")
	}
	return name
}

// rate records the citizen's rating of the handoff just closed.
func (hf *handoffFlow) rate(t *Turn, score int) {
	if t.st.RateHandoff == "" || score < 1 || score > 5 {
		t.Stale()
		return
	}
	ev := t.Event(EventRating, "", false)
	ev.Recent, ev.Query = nil, ""
	ev.Handoff, ev.Score = t.st.RateHandoff, score
	t.Raise(ev)
	t.Count(desk.Fact{Kind: desk.FactRating, At: t.now, Value: score})
	t.st.RateHandoff = ""
	t.Say(Reply{Text: t.T("handoff.rated"), Buttons: t.MainMenu()})
}

// sameDay reports whether a and b fall on the same day in loc.
func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// register routes the way to an operator and the rating of a closed handoff; what
// happens during a handoff is inHandoff's.
func (hf *handoffFlow) register(r *routes) {
	r.button(actOperator, func(_ context.Context, t *Turn, _ button) { hf.handoff(t, "asked") })
	r.button(actRate, func(_ context.Context, t *Turn, b button) { hf.rate(t, b.num) })
	r.command(func(_ context.Context, t *Turn, _ string) { hf.handoff(t, "asked") }, "operatore", "operator", "human")
	r.intent(IntentOperator, func(_ context.Context, t *Turn, _ Interpretation) { hf.handoff(t, "asked") })
	// A digit answering the rating question just asked.
	r.intent(IntentRating, func(_ context.Context, t *Turn, in Interpretation) { hf.rate(t, in.Number) })
}
