package bot

import "github.com/comune-milano/wemibot/safety"

// emergencyFlow is the emergency flow: its handlers and what it keeps in the conversation state.
type emergencyFlow struct{ e *Engine }

// emergency answers a message that signals danger with the emergency numbers, at once
// and whatever flow was active, and raises it to staff with priority. The most urgent
// kind of danger is answered in full; each other kind adds the line with its number.
func (ef *emergencyFlow) emergency(t *Turn, danger safety.Assessment) {
	t.st.resetFlow()
	kind := string(danger.Kind)
	text := t.T("emergency." + kind)
	for _, k := range danger.Also {
		also := "emergency.also." + string(k)
		text += "\n" + t.T(also)
	}
	if t.e.opts.Staff == nil || t.unsaved {
		// No desk, or a state that will not be saved: staff are alerted, but nobody
		// can promise to write back in this chat.
		t.Raise(t.Event(EventEmergency, kind, true))
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
	t.Raise(ev)
	t.Say(Reply{Text: text, Buttons: t.e.flows.handoff.handoffRow(t)})
}

// register routes nothing: danger is recognised before any routing (Engine.Handle).
func (ef *emergencyFlow) register(*routes) {}
