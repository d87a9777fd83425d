package bot

import (
	"slices"
	"strconv"
	"time"
)

// emergencyFlow is the emergency flow: its handlers and what it keeps in the conversation state.
type emergencyFlow struct{ e *Engine }

// privacyFlow is the privacy flow: its handlers and what it keeps in the conversation state.
type privacyFlow struct{ e *Engine }

// emergency answers a message that signals danger with the emergency numbers, at once
// and whatever flow was active, and raises it to staff with priority.
func (ef *emergencyFlow) emergency(t *Turn, kind string) {
	t.st.resetFlow()
	text := t.T("emergency." + kind)
	if t.e.opts.Staff == nil || t.unsaved {
		// No desk, or a state that will not be saved: staff are alerted, but nobody
		// can promise to write back in this chat.
		t.events = append(t.events, t.Event(EventEmergency, kind, true))
		if t.e.opts.Staff != nil {
			text += "\n" + t.T("emergency.alerted_only")
		}
		t.Say(Reply{Text: text, Buttons: [][]Button{{btn(t.T("button.menu"), actMenu)}}})
		return
	}
	// An operator can write to the citizen at once: the emergency opens a handoff
	// (or joins the open one), and the bot steps aside.
	if t.st.Handoff == nil {
		t.e.flows.handoff.openHandoff(t, kind, true)
	}
	t.st.Handoff.Priority = true // an open handoff becomes urgent
	ev := t.Event(EventEmergency, kind, true)
	ev.Text = truncateRunes(cleanText(t.m.Text), maxStaffRunes) // all of it, for the operators
	text += "\n" + t.T("emergency.alerted")
	if when, open := t.e.flows.handoff.answerTime(t); !open {
		ev.AnswerFrom = when
		text += "\n" + t.T("emergency.closed_hours")
	}
	t.events = append(t.events, ev)
	t.Say(Reply{Text: text, Buttons: t.e.flows.handoff.handoffRow(t)})
}

func (t *Turn) Event(kind EventKind, reason string, priority bool) Event {
	recent := make([]Line, len(t.st.Recent))
	for i, r := range t.st.Recent {
		recent[i] = Line(r)
	}
	ev := Event{Kind: kind, Priority: priority, Conversation: t.m.Conversation(), Channel: t.m.Channel,
		Lang: t.st.Lang, FirstName: t.m.FirstName, Reason: reason, Query: t.st.Query, Recent: recent, At: t.now}
	if h := t.st.Handoff; h != nil {
		ev.Handoff = h.ID
	}
	return ev
}

// privacy says what the bot keeps, why, for how long and who sees it.
func (pf *privacyFlow) privacy(t *Turn) {
	days := int(t.e.opts.IdleTTL / (24 * time.Hour))
	t.Say(Reply{Text: t.T("privacy.info", "days", strconv.Itoa(days)), Buttons: [][]Button{
		{btn(t.T("privacy.forget_button"), actForgetAsk)},
		{btn(t.T("button.menu"), actMenu)}}})
}

func (pf *privacyFlow) askForget(t *Turn) {
	t.st.Flow = flowForget
	t.Say(Reply{Text: t.T("privacy.forget_ask"), Buttons: [][]Button{
		{btn(t.T("privacy.forget_yes"), actForgetYes), btn(t.T("privacy.forget_no"), actForgetNo)}}})
}

func (pf *privacyFlow) confirmForget(t *Turn) {
	if t.st.Flow != flowForget {
		// A stale confirmation: ask again rather than erase by surprise.
		pf.askForget(t)
		return
	}
	t.forget = true
	// The operators' threads forget the citizen too, the open one closing.
	ids := t.st.Handoffs
	if h := t.st.Handoff; h != nil && !slices.Contains(ids, h.ID) {
		ids = append(ids, h.ID)
	}
	for _, id := range ids {
		t.events = append(t.events, Event{Kind: EventHandoffEnded, Handoff: id, Conversation: t.m.Conversation(),
			Channel: t.m.Channel, Reason: "forgotten", At: t.now})
	}
	t.replies = append(t.replies, Reply{Text: t.T("privacy.forgotten"), Buttons: [][]Button{
		{btn(t.T("menu.search"), actSearch)}}})
}
