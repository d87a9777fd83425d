package bot

import (
	"context"
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
	r.button(actForgetYes, show(pf.confirmForget))
	r.button(actForgetNo, show(pf.keep))
	r.command(showCommand(pf.privacy), "privacy")
	r.command(showCommand(pf.askForget), "dimenticami", "forget", "forgetme")
	r.answer(flowForget, pf.forgetText)
	r.intent(IntentForget, showIntent(pf.askForget))
	r.intent(IntentPrivacy, thenShow(pf.privacy))
}

// keep answers "no" to erasure.
func (pf *privacyFlow) keep(t *Turn) {
	t.st.resetFlow()
	t.Say(Reply{Text: t.T("privacy.forget_cancelled"), Buttons: t.MainMenu()})
}

// forgetText takes text typed while erasure waits for its confirmation (the bot's
// last question): a yes erases, a no keeps; anything else cancels it, and is
// searched.
func (pf *privacyFlow) forgetText(ctx context.Context, t *Turn, text string) {
	if t.e.says(intentYes, text) || t.e.assents(text) {
		pf.confirmForget(t) // the question was this one, and it was just asked
		return
	}
	if t.e.says(intentNo, text) || t.e.says(intentCancel, text) {
		pf.keep(t)
		return
	}
	t.st.resetFlow()
	t.Text("privacy.forget_cancelled")
	t.e.flows.search.search(ctx, t, text)
}
