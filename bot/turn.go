package bot

import (
	"strings"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/desk"
)

// Turn is one message being handled, as the flows see it: the message, the
// conversation's state, the catalogue of the moment, and what the handling produces
// (replies for the citizen, events for staff, facts for the day's figures). The
// engine builds a Turn, routes it to a flow's handler (routes.go), and then saves the
// state and delivers what the Turn collected. A Turn is used by one goroutine.
type Turn struct {
	e       *Engine
	cat     *catalogue.Catalogue // the catalogue of this turn (a reload swaps it between turns)
	flow    string               // what the message asked for, for metrics
	m       Message
	st      *state
	now     time.Time
	replies []Reply
	events  []Event
	facts   []desk.Fact
	forget  bool
	// fresh says the store knew no conversation before this message: it is new, or
	// it was erased or expired.
	fresh bool
	// offered says the buttons of this turn's replies are being kept (the first
	// reply forgets those of the last turn).
	offered bool
	// unsaved says the state of this turn will not be saved (the store is away): no
	// handoff can be promised.
	unsaved bool
}

// T returns the text for key in the conversation's language, its placeholders
// filled from kv pairs ("name", value, ...).
func (t *Turn) T(key string, kv ...string) string { return t.e.texts.T(t.st.Lang, key, kv...) }

// Plural returns the text for a count n in the citizen's language: the key's plural
// form (key_one, key_few...) that the language uses for n.
func (t *Turn) Plural(key string, n int, kv ...string) string {
	return t.e.texts.Count(t.st.Lang, key, n, kv...)
}

// Say adds a reply for the citizen, and remembers its first line among the recent
// turns an operator reads on a handoff.
func (t *Turn) Say(r Reply) {
	switch {
	case r.AskLocation != "":
		t.st.LocationAsked = true
	case t.st.LocationAsked:
		r.LocationDone, t.st.LocationAsked = true, false
	}
	t.replies = append(t.replies, r)
	t.st.remember("bot", firstLine(r.Text), t.now)
	if !t.offered {
		// The turn's first reply: its buttons replace the last turn's.
		t.offered = true
		t.st.offerButtons(r.Buttons)
		return
	}
	t.st.offerButtons(append(t.st.offeredRows(), r.Buttons...))
}

// Text says the text for key, without buttons.
func (t *Turn) Text(key string, kv ...string) { t.Say(Reply{Text: t.T(key, kv...)}) }

// Raise adds an event for staff; the engine delivers it once the state is saved.
func (t *Turn) Raise(ev Event) { t.events = append(t.events, ev) }

// Count adds a fact for the day's figures; the engine counts it once the state is
// saved.
func (t *Turn) Count(f desk.Fact) { t.facts = append(t.facts, f) }

// Stale answers a button that is malformed, unknown or no longer valid.
func (t *Turn) Stale() {
	t.Say(Reply{Text: t.T("error.stale_button"), Buttons: t.MainMenu()})
}

// MainMenu is the main menu's buttons, two per row. Its rows are built once per
// language and shared by every reply that shows them: never change them.
func (t *Turn) MainMenu() [][]Button {
	if rows, ok := t.e.menus[t.st.Lang]; ok {
		return rows
	}
	return mainMenu(t.e.texts, t.st.Lang)
}

// mainMenus builds the main menu in every language of texts (which never change).
func mainMenus(texts *Texts) map[string][][]Button {
	menus := map[string][][]Button{}
	for _, lang := range languages() {
		menus[lang] = mainMenu(texts, lang)
	}
	return menus
}

func mainMenu(texts *Texts, lang string) [][]Button {
	t := func(key string) string { return texts.T(lang, key) }
	return [][]Button{
		{btn(t("menu.search"), actSearch), btn(t("menu.categories"), actCats)},
		{btn(t("menu.domestic"), actDomestic), btn(t("menu.near"), actNear)},
		{btn(t("menu.spaces"), actSpaces), btn(t("menu.bookings"), actBookings)},
		{btn(t("menu.operator"), actOperator), btn(t("menu.language"), actLangAsk)},
	}
}

// MenuRow is a single "back to the menu" row.
func (t *Turn) MenuRow() [][]Button {
	return [][]Button{{btn(t.T("button.menu"), actMenu)}}
}

// Event returns an event about this conversation, with its recent turns and last
// search, for staff.
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

// slowDown answers a message over the rate limit: one polite request per window,
// the rest of a flood is ignored.
func (t *Turn) slowDown() {
	t.flow = "rate_limited"
	if t.now.Sub(t.st.SlowedAt) < t.e.opts.RateWindow {
		return
	}
	t.st.SlowedAt = t.now
	t.replies = append(t.replies, Reply{Text: t.T("error.slow_down")})
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
