package bot

import (
	"context"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// Deep-link payloads of /start: "s_<service id>" opens a service, "c_<category id>" a
// category (Telegram allows [A-Za-z0-9_-] up to 64 characters).
const (
	deepService  = "s_"
	deepCategory = "c_"
)

func (t *turnCtx) start(ctx context.Context, payload string) {
	switch {
	case strings.HasPrefix(payload, deepService):
		if _, ok := t.cat.Service(strings.TrimPrefix(payload, deepService)); ok {
			t.card(strings.TrimPrefix(payload, deepService))
			return
		}
	case strings.HasPrefix(payload, deepCategory):
		if catalogue.CategoryID(strings.TrimPrefix(payload, deepCategory)).Valid() {
			t.category(ctx, strings.TrimPrefix(payload, deepCategory))
			return
		}
	}
	if payload != "" {
		t.text("start.unknown_link")
	}
	t.welcome()
}

func (t *turnCtx) welcome() {
	t.say(Reply{Text: t.T("welcome"), Buttons: t.mainMenu()})
}

func (t *turnCtx) menu() {
	t.say(Reply{Text: t.T("menu.title"), Buttons: t.mainMenu()})
}

// mainMenu is the main menu's buttons, two per row.
func (t *turnCtx) mainMenu() [][]Button {
	return [][]Button{
		{btn(t.T("menu.search"), actSearch), btn(t.T("menu.categories"), actCats)},
		{btn(t.T("menu.domestic"), actDomestic), btn(t.T("menu.near"), actNear)},
		{btn(t.T("menu.spaces"), actSpaces), btn(t.T("menu.bookings"), actBookings)},
		{btn(t.T("menu.operator"), actOperator), btn(t.T("menu.language"), actLangAsk)},
	}
}

// menuRow is a single "back to the menu" row.
func (t *turnCtx) menuRow() [][]Button {
	return [][]Button{{btn(t.T("button.menu"), actMenu)}}
}

func (t *turnCtx) help() {
	t.say(Reply{Text: t.T("help"), Buttons: t.mainMenu()})
}

func (t *turnCtx) askSearch() {
	t.st.Flow = flowSearch
	t.say(Reply{Text: t.T("search.ask"), Buttons: [][]Button{
		{btn(t.T("menu.categories"), actCats), btn(t.T("button.menu"), actMenu)}}})
}

// language switches to lang, or asks which one when lang is empty or unknown.
func (t *turnCtx) language(lang string) {
	lang = strings.ToLower(strings.TrimSpace(lang))
	switch lang {
	case "italiano", "ita":
		lang = "it"
	case "english", "inglese", "eng":
		lang = "en"
	}
	if !supported(lang) {
		t.say(Reply{Text: t.T("language.ask"), Buttons: [][]Button{
			{btn(t.T("language.option_it"), actLang, "it"), btn(t.T("language.option_en"), actLang, "en")}}})
		return
	}
	t.st.Lang, t.st.LangSet = lang, true
	t.say(Reply{Text: t.T("language.set"), Buttons: t.mainMenu()})
}
