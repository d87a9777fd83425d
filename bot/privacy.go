package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"time"
)

// privacyFlow is the privacy flow: its handlers and what it keeps in the conversation state.
type privacyFlow struct{ e *Engine }

// privacy says what the bot keeps, why, for how long and who sees it.
func (pf *privacyFlow) privacy(t *Turn) {
	days := int(t.e.opts.IdleTTL / (24 * time.Hour))
	t.Say(Reply{Text: t.T("privacy.info", "days", strconv.Itoa(days)), Buttons: [][]Button{
		{btn(t.T("privacy.forget_button"), actForgetAsk)},
		{btn(t.T("button.menu"), actMenu)}}})
}

// askForget asks whether to erase the citizen's data. The question has an id of its
// own, carried by its buttons: once it is answered (or another is asked), its buttons
// act no more.
func (pf *privacyFlow) askForget(t *Turn) {
	t.st.Flow, t.st.ForgetAsk = flowForget, newQuestionID()
	t.Say(pf.question(t, ""))
}

// question is the erasure question with its buttons, after a lead-in when given.
func (pf *privacyFlow) question(t *Turn, lead string) Reply {
	text := t.T("privacy.forget_ask")
	if lead != "" {
		text = lead + "\n\n" + text
	}
	id := t.st.ForgetAsk
	return Reply{Text: text, Buttons: [][]Button{
		{btn(t.T("privacy.forget_yes"), actForgetYes, id), btn(t.T("privacy.forget_no"), actForgetNo, id)}}}
}

// newQuestionID returns a random id for a question: an old question's buttons,
// even from before an erasure, never match a new one.
func newQuestionID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// answered reports whether a press of b answers the open erasure question; a press
// that does not is answered as stale.
func (pf *privacyFlow) answered(t *Turn, b button) bool {
	if t.st.Flow == flowForget && b.arg != "" && b.arg == t.st.ForgetAsk {
		return true
	}
	pf.stale(t)
	return false
}

// stale answers a button of an erasure question already answered (or from before
// questions had ids): it says so and what is kept now, and erases nothing. While a
// newer question waits, it is asked again.
func (pf *privacyFlow) stale(t *Turn) {
	lead := t.T("privacy.forget_stale")
	switch {
	case t.st.Flow == flowForget && t.st.ForgetAsk != "":
		t.Say(pf.question(t, lead))
	case t.fresh:
		t.Say(Reply{Text: lead + "\n" + t.T("privacy.state_none"), Buttons: t.MainMenu()})
	default:
		t.st.resetFlow()
		t.Say(Reply{Text: lead + "\n" + t.T("privacy.state_kept"), Buttons: [][]Button{
			{btn(t.T("privacy.forget_button"), actForgetAsk)},
			{btn(t.T("button.menu"), actMenu)}}})
	}
}

// confirmForget erases the citizen's data, when the press answers the open question.
func (pf *privacyFlow) confirmForget(t *Turn, b button) {
	if pf.answered(t, b) {
		pf.forget(t)
	}
}

// forget erases the citizen's data: the conversation, their records and the
// operators' threads.
func (pf *privacyFlow) forget(t *Turn) {
	t.forget = true
	t.st.Flow, t.st.ForgetAsk = "", ""
	// The operators' threads forget the citizen too, the open one closing.
	ids := t.st.Handoffs
	if h := t.st.Handoff; h != nil && !slices.Contains(ids, h.ID) {
		ids = append(ids, h.ID)
	}
	for _, id := range ids {
		t.Raise(Event{Kind: EventHandoffEnded, Handoff: id, Conversation: t.m.Conversation(),
			Channel: t.m.Channel, Reason: "forgotten", At: t.now})
	}
	t.replies = append(t.replies, Reply{Text: t.T("privacy.forgotten"), Buttons: [][]Button{
		{btn(t.T("menu.search"), actSearch)}}})
}

// register routes the privacy notice and erasure.
func (pf *privacyFlow) register(r *routes) {
	r.button(actPrivacy, show(pf.privacy))
	r.button(actForgetAsk, show(pf.askForget))
	r.button(actForgetYes, func(_ context.Context, t *Turn, b button) { pf.confirmForget(t, b) })
	r.button(actForgetNo, func(_ context.Context, t *Turn, b button) {
		if pf.answered(t, b) {
			pf.keep(t)
		}
	})
	r.command(showCommand(pf.privacy), "privacy")
	r.command(showCommand(pf.askForget), "dimenticami", "forget", "forgetme")
	r.answer(flowForget, pf.forgetText)
	r.intent(IntentForget, showIntent(pf.askForget))
	r.intent(IntentPrivacy, thenShow(pf.privacy))
}

// keep answers "no" to erasure.
func (pf *privacyFlow) keep(t *Turn) {
	t.st.Flow, t.st.ForgetAsk = "", ""
	t.Say(Reply{Text: t.T("privacy.forget_cancelled"), Buttons: t.MainMenu()})
}

// forgetText takes text typed while erasure waits for its confirmation (the bot's
// last question): a yes erases, a no keeps; anything else cancels it, and is
// searched.
func (pf *privacyFlow) forgetText(ctx context.Context, t *Turn, text string) {
	if t.e.says(intentYes, text) || t.e.assents(text) {
		pf.forget(t) // the question was this one, and it was just asked
		return
	}
	if t.e.says(intentNo, text) || t.e.says(intentCancel, text) {
		pf.keep(t)
		return
	}
	t.st.Flow, t.st.ForgetAsk = "", ""
	t.Text("privacy.forget_cancelled")
	t.e.flows.search.search(ctx, t, text)
}
