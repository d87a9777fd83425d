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

// language switches to lang, or asks which one when lang is empty or unknown.
func (mf *menuFlow) language(t *Turn, lang string) {
	lang = strings.ToLower(strings.TrimSpace(lang))
	switch lang {
	case "italiano", "ita":
		lang = "it"
	case "english", "inglese", "eng":
		lang = "en"
	}
	if !supported(lang) {
		t.Say(Reply{Text: t.T("language.ask"), Buttons: [][]Button{
			{btn(t.T("language.option_it"), actLang, "it"), btn(t.T("language.option_en"), actLang, "en")}}})
		return
	}
	t.st.Lang, t.st.LangSet = lang, true
	t.Say(Reply{Text: t.T("language.set"), Buttons: t.MainMenu()})
}
