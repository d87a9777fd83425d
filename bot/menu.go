package bot

import (
	"context"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// menuFlow is the menu flow: its handlers and what it keeps in the conversation state.
type menuFlow struct{ e *Engine }

// Deep-link payloads of /start: "s_<service id>" opens a service, "c_<category id>" a
// category (Telegram allows [A-Za-z0-9_-] up to 64 characters).
const (
	deepService  = "s_"
	deepCategory = "c_"
)

func (mf *menuFlow) start(ctx context.Context, t *Turn, payload string) {
	switch {
	case strings.HasPrefix(payload, deepService):
		if _, ok := t.cat.Service(strings.TrimPrefix(payload, deepService)); ok {
			t.e.flows.card.card(t, strings.TrimPrefix(payload, deepService))
			return
		}
	case strings.HasPrefix(payload, deepCategory):
		if catalogue.CategoryID(strings.TrimPrefix(payload, deepCategory)).Valid() {
			t.e.flows.search.category(ctx, t, strings.TrimPrefix(payload, deepCategory))
			return
		}
	}
	if payload != "" {
		t.Text("start.unknown_link")
	}
	mf.welcome(t)
}

func (mf *menuFlow) welcome(t *Turn) {
	t.Say(Reply{Text: t.T("welcome"), Buttons: t.MainMenu()})
}

func (mf *menuFlow) menu(t *Turn) {
	t.Say(Reply{Text: t.T("menu.title"), Buttons: t.MainMenu()})
}

func (mf *menuFlow) help(t *Turn) {
	t.Say(Reply{Text: t.T("help"), Buttons: t.MainMenu()})
}

func (mf *menuFlow) askSearch(t *Turn) {
	t.st.Flow = flowSearch
	t.Say(Reply{Text: t.T("search.ask"), Buttons: [][]Button{
		{btn(t.T("menu.categories"), actCats), btn(t.T("button.menu"), actMenu)}}})
}

// register routes the menu's buttons, commands and intents: the ways in and out.
func (mf *menuFlow) register(r *routes) {
	r.button(actMenu, show(mf.menu))
	r.button(actSearch, show(mf.askSearch))
	r.button(actHelp, show(mf.help))
	// A handoff already ended (the operator closed it), or nothing left to retry
	// (it was already replayed): the menu.
	r.button(actHandoffEnd, show(mf.menu))
	r.button(actRetry, show(mf.menu))
	r.command(mf.start, "start")
	r.command(showCommand(mf.menu), "menu")
	r.command(showCommand(mf.help), "aiuto", "help")
	r.command(showCommand(mf.cancel), "annulla", "cancel", "stop")
	r.intent(IntentGreeting, thenShow(mf.welcome))
	r.intent(IntentThanks, thenShow(mf.thanks))
	r.intent(IntentHelp, func(_ context.Context, t *Turn, _ Interpretation) {
		if !t.st.inForm() {
			t.st.resetFlow() // asked inside a form, help leaves the form where it was
		}
		mf.help(t)
	})
	// "annulla", "lascia perdere": like /annulla, whatever was going on.
	r.intent(IntentCancel, func(ctx context.Context, t *Turn, _ Interpretation) {
		t.onCommand(ctx, command{name: "annulla"})
	})
	r.intent(IntentPress, press)
	r.intent(IntentMenu, thenShow(mf.menu))
}

// cancel drops whatever was going on, a booking or a request being put together too.
func (mf *menuFlow) cancel(t *Turn) {
	t.st.Draft, t.st.Dom = nil, nil
	t.Say(Reply{Text: t.T("cancel.done"), Buttons: t.MainMenu()})
}

// thanks answers thanks.
func (mf *menuFlow) thanks(t *Turn) {
	t.Say(Reply{Text: t.T("thanks"), Buttons: t.MainMenu()})
}

// ack answers a yes or a no to nothing asked: not a need to search for.
func (mf *menuFlow) ack(t *Turn) {
	t.st.resetFlow()
	t.Say(Reply{Text: t.T("ack"), Buttons: t.MainMenu()})
}
