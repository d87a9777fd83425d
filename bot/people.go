package bot

import (
	"strconv"
	"time"
)

// handoffRepeat is how soon a second request for an operator is taken as the same one.
const handoffRepeat = 30 * time.Minute

// handoffOpen reports whether the citizen asked for an operator recently.
func (t *turnCtx) handoffOpen() bool {
	return !t.st.HandoffAt.IsZero() && t.now.Sub(t.st.HandoffAt) < handoffRepeat
}

// handoff raises a request for an operator and tells the citizen what happens next.
func (t *turnCtx) handoff(reason string) {
	t.st.resetFlow()
	t.st.Misses = 0
	if t.handoffOpen() {
		t.say(Reply{Text: t.T("handoff.already"), Buttons: t.menuRow()})
		return
	}
	if t.e.opts.Staff == nil {
		// No staff desk is connected: promise nothing, point to the people at the
		// WeMi spaces instead.
		t.say(Reply{Text: t.T("handoff.no_desk"), Buttons: [][]Button{
			{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)}}})
		return
	}
	t.st.HandoffAt = t.now
	t.events = append(t.events, t.event(EventHandoff, reason, false))
	key := "handoff.asked"
	if reason == "no_results" {
		key = "handoff.no_results"
	}
	if t.e.office.open(t.now) {
		t.say(Reply{Text: t.T(key), Buttons: t.menuRow()})
		return
	}
	// Outside office hours: say when someone will answer.
	next := t.e.office.next(t.now)
	t.say(Reply{Text: t.T(key+"_closed", "day", t.T("day."+strconv.Itoa(int(next.Weekday()))),
		"date", next.Format("02/01"), "time", next.Format("15:04")), Buttons: t.menuRow()})
}

// emergency answers a message that signals danger with the emergency numbers, at once
// and whatever flow was active, and raises it to staff with priority.
func (t *turnCtx) emergency(kind string) {
	t.st.resetFlow()
	t.events = append(t.events, t.event(EventEmergency, kind, true))
	text := t.T("emergency." + kind)
	if t.e.opts.Staff != nil {
		text += "\n" + t.T("emergency.alerted")
	}
	t.say(Reply{Text: text, Buttons: [][]Button{
		{btn(t.T("menu.operator"), actOperator), btn(t.T("button.menu"), actMenu)}}})
}

func (t *turnCtx) event(kind EventKind, reason string, priority bool) Event {
	recent := make([]Turn, len(t.st.Recent))
	for i, r := range t.st.Recent {
		recent[i] = Turn(r)
	}
	return Event{Kind: kind, Priority: priority, Conversation: t.m.Conversation(), Channel: t.m.Channel,
		Lang: t.st.Lang, FirstName: t.m.FirstName, Reason: reason, Query: t.st.Query, Recent: recent, At: t.now}
}

// privacy says what the bot keeps, why, for how long and who sees it.
func (t *turnCtx) privacy() {
	days := int(t.e.opts.IdleTTL / (24 * time.Hour))
	t.say(Reply{Text: t.T("privacy.info", "days", strconv.Itoa(days)), Buttons: [][]Button{
		{btn(t.T("privacy.forget_button"), actForgetAsk)},
		{btn(t.T("button.menu"), actMenu)}}})
}

func (t *turnCtx) askForget() {
	t.st.Flow = flowForget
	t.say(Reply{Text: t.T("privacy.forget_ask"), Buttons: [][]Button{
		{btn(t.T("privacy.forget_yes"), actForgetYes), btn(t.T("privacy.forget_no"), actForgetNo)}}})
}

func (t *turnCtx) confirmForget() {
	if t.st.Flow != flowForget {
		// A stale confirmation: ask again rather than erase by surprise.
		t.askForget()
		return
	}
	t.forget = true
	t.replies = append(t.replies, Reply{Text: t.T("privacy.forgotten"), Buttons: [][]Button{
		{btn(t.T("menu.search"), actSearch)}}})
}
