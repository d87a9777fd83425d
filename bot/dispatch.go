package bot

import (
	"context"

	"github.com/comune-milano/wemibot/catalogue"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/desk"
)

// turnCtx is the handling of one message: its state, the replies and the events it
// produces.
type turnCtx struct {
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
	// unsaved says the state of this turn will not be saved (the store is away): no
	// handoff can be promised.
	unsaved bool
}

func (t *turnCtx) T(key string, kv ...string) string { return t.e.texts.T(t.st.Lang, key, kv...) }

func (t *turnCtx) say(r Reply) {
	t.replies = append(t.replies, r)
	t.st.remember("bot", firstLine(r.Text), t.now)
}

func (t *turnCtx) text(key string, kv ...string) { t.say(Reply{Text: t.T(key, kv...)}) }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// dispatch routes a message: safety first, then a button, a location, a command, or
// free text in the light of what the bot was waiting for.
func (t *turnCtx) dispatch(ctx context.Context) {
	m := t.m
	switch {
	case m.Button != "":
		t.flow = "button"
		if b, ok := parseButton(m.Button); ok {
			t.flow = "button:" + b.action
		}
		t.onButton(ctx, m.Button)
	case m.Unsupported != "":
		t.flow = "unsupported"
		t.st.remember("user", "("+m.Unsupported+")", t.now)
		t.say(Reply{Text: t.T("error.unsupported"), Buttons: t.mainMenu()})
	case m.Location != nil:
		t.flow = "location"
		t.st.remember("user", "(posizione)", t.now)
		if !validPoint(*m.Location) {
			t.askNear()
			return
		}
		t.nearPoint(ctx, *m.Location, "")
	default:
		t.flow = "text"
		t.onText(ctx, m.Text)
	}
}

func (t *turnCtx) onText(ctx context.Context, raw string) {
	if utf8.RuneCountInString(raw) > t.e.opts.MaxMessageRunes {
		t.st.remember("user", truncateRunes(cleanText(raw), 200)+"…", t.now)
		t.say(Reply{Text: t.T("error.too_long", "max", strconv.Itoa(t.e.opts.MaxMessageRunes)), Buttons: t.menuRow()})
		return
	}
	text := cleanText(raw)
	if text == "" {
		t.say(Reply{Text: t.T("error.empty"), Buttons: t.mainMenu()})
		return
	}
	inForm := (t.st.Flow == flowDomestic && t.st.Dom != nil) || (t.st.Flow == flowBook && t.st.Draft != nil)
	if inForm {
		// A form's answers (a care need, a contact) stay in the form: they are not
		// kept among the recent turns that go to staff with a later handoff.
		t.st.remember("user", t.T("turn.form_answer"), t.now)
	} else {
		t.st.remember("user", text, t.now)
	}
	if cmd, ok := parseCommand(text); ok {
		t.flow = "command"
		t.onCommand(ctx, cmd)
		return
	}
	switch {
	case inForm && t.e.says(intentHelp, text):
		t.help()
	case inForm && t.e.saysOperator(text):
		t.handoff("asked")
	case inForm && !t.e.says(intentCancel, text):
		// Words of other features ("operatrice socio sanitaria", "privacy") are an
		// answer here: danger and commands were handled before.
		if t.st.Flow == flowBook {
			t.bookingText(ctx, text)
		} else {
			t.domesticText(ctx, text)
		}
	case t.e.isGreeting(text):
		t.st.resetFlow()
		t.welcome()
	case t.e.asksForOperator(text):
		t.handoff("asked")
	case t.e.says(intentThanks, text):
		t.st.resetFlow()
		t.say(Reply{Text: t.T("thanks"), Buttons: t.mainMenu()})
	case t.e.says(intentCancel, text):
		// "annulla", "lascia perdere": like /annulla, whatever was going on.
		t.onCommand(ctx, command{name: "annulla"})
	case t.e.says(intentMyBookings, text):
		t.st.resetFlow()
		t.bookings(ctx)
	case t.e.says(intentMyRequests, text):
		t.st.resetFlow()
		t.myDomestic(ctx)
	case t.e.says(intentHelp, text):
		t.st.resetFlow()
		t.help()
	case t.st.Flow == flowRate && t.typedRating(text):
		// a digit answering the rating question just asked
	case t.e.says(intentEnglish, text):
		t.language("en")
	case t.e.says(intentItalian, text):
		t.language("it")
	case t.e.mentions(intentForget, text):
		t.askForget()
	case t.e.mentions(intentPrivacy, text):
		t.st.resetFlow()
		t.privacy()
	case t.e.says(intentNear, text):
		t.askNear()
	case t.e.mentions(intentSpaces, text):
		t.st.resetFlow()
		t.spaces()
	case t.domesticAvailable() && t.e.wantsToWork(text):
		t.startApplication()
	case t.domesticAvailable() && t.e.wantsToHire(text):
		t.text("domestic.hire_info")
		t.startHire(t.e.domesticRole(text), typedPattern(text))
	case t.st.Flow == flowZone:
		t.zoneText(ctx, text)
	case t.st.Flow == flowNear:
		t.nearText(ctx, text)
	case t.st.Flow == flowForget && t.e.says(intentYes, text):
		// A typed "sì" must not erase by surprise, nor cancel: the button decides.
		t.say(Reply{Text: t.T("privacy.forget_use_buttons"), Buttons: [][]Button{
			{btn(t.T("privacy.forget_yes"), actForgetYes), btn(t.T("privacy.forget_no"), actForgetNo)}}})
	case t.st.Flow == flowForget:
		// Erasure needs the button: anything else typed cancels it.
		t.st.resetFlow()
		t.text("privacy.forget_cancelled")
		t.search(ctx, text)
	case t.typedBookingAnswer(ctx, text):
		// a rating of a service just concluded, or a yes or no to a proposed time
	case t.e.says(intentYes, text) || t.e.says(intentNo, text):
		// A yes or a no to nothing asked: not a need to search for.
		t.st.resetFlow()
		t.say(Reply{Text: t.T("ack"), Buttons: t.mainMenu()})
	default:
		t.st.resetFlow()
		t.flow = "search"
		t.search(ctx, text)
	}
}

// Flows: what the bot waits for.
const (
	flowSearch = "search"
	flowNear   = "near"
	flowForget = "forget"
	flowZone   = "zone" // a Municipio number or a neighbourhood, for the results
	flowRate   = "rate" // a rating from 1 to 5, just asked
)

func (t *turnCtx) onCommand(ctx context.Context, c command) {
	t.st.resetFlow()
	switch c.name {
	case "start":
		t.start(ctx, c.arg)
	case "menu":
		t.menu()
	case "aiuto", "help":
		t.help()
	case "annulla", "cancel", "stop":
		t.st.Draft, t.st.Dom = nil, nil // a booking or a request being put together goes too
		t.say(Reply{Text: t.T("cancel.done"), Buttons: t.mainMenu()})
	case "lingua", "language", "lang":
		t.language(c.arg)
	case "privacy":
		t.privacy()
	case "dimenticami", "forget", "forgetme":
		t.askForget()
	case "operatore", "operator", "human":
		t.handoff("asked")
	case "categorie", "categories":
		t.categories()
	case "spazi", "spaces":
		t.spaces()
	case "vicino", "near", "nearby":
		if c.arg != "" {
			t.nearText(ctx, c.arg)
			return
		}
		t.askNear()
	case "cerca", "search":
		if c.arg == "" {
			t.askSearch()
			return
		}
		t.search(ctx, c.arg)
	case "prenotazioni", "bookings":
		t.bookings(ctx)
	case "tatecolfbadanti", "domestic":
		t.domestic()
	default:
		t.say(Reply{Text: t.T("error.unknown_command", "command", "/"+c.name), Buttons: t.mainMenu()})
	}
}

func (t *turnCtx) onButton(ctx context.Context, data string) {
	b, ok := parseButton(data)
	if !ok {
		t.stale()
		return
	}
	t.st.remember("user", "["+b.action+"]", t.now)
	if resultBound(b.action) && b.gen != t.st.Gen {
		// A button of an older list: acting on the current one would replace the
		// wrong message.
		t.say(Reply{Text: t.T("error.old_list"), Buttons: t.mainMenu()})
		return
	}
	if b.action != actForgetYes && b.action != actForgetNo {
		t.st.resetFlow()
	}
	switch b.action {
	case actMenu:
		t.menu()
	case actSearch:
		t.askSearch()
	case actCats:
		t.categories()
	case actCat:
		t.category(ctx, b.arg)
	case actService:
		t.card(b.arg)
	case actPage:
		t.page(b.num)
	case actBack:
		t.page(t.st.Page)
	case actFree:
		t.st.Filters.Free = !t.st.Filters.Free
		t.rerun(ctx)
	case actZoneAsk:
		t.askZone()
	case actZone:
		t.setZone(ctx, b.num)
	case actForAsk:
		t.askAudience()
	case actFor:
		t.setAudience(ctx, b.arg)
	case actNone:
		t.noneOfThese()
	case actNear:
		t.askNear()
	case actSpaces:
		t.spaces()
	case actSpace:
		t.space(b.arg)
	case actLangAsk:
		t.language("")
	case actLang:
		t.language(b.arg)
	case actHelp:
		t.help()
	case actPrivacy:
		t.privacy()
	case actForgetAsk:
		t.askForget()
	case actForgetYes:
		t.confirmForget()
	case actForgetNo:
		t.st.resetFlow()
		t.say(Reply{Text: t.T("privacy.forget_cancelled"), Buttons: t.mainMenu()})
	case actOperator:
		t.handoff("asked")
	case actRequest:
		t.request(b.arg)
	case actDomestic:
		t.domestic()
	case actBookings:
		t.bookings(ctx)
	case actRate:
		t.rate(b.num)
	case actBook:
		t.onBookingButton(ctx, b.arg)
	case actDom:
		t.onDomesticButton(ctx, b.arg)
	case actHandoffEnd:
		// The handoff already ended (the operator closed it): nothing to leave.
		t.menu()
	case actRetry:
		// Nothing was interrupted (or it was already replayed): show the menu.
		t.menu()
	}
}

// stale answers a button that is malformed, unknown or no longer valid.
func (t *turnCtx) stale() {
	t.say(Reply{Text: t.T("error.stale_button"), Buttons: t.mainMenu()})
}

func (t *turnCtx) slowDown() {
	t.flow = "rate_limited"
	// One polite request per window; the rest of a flood is ignored.
	if t.now.Sub(t.st.SlowedAt) < t.e.opts.RateWindow {
		return
	}
	t.st.SlowedAt = t.now
	t.replies = append(t.replies, Reply{Text: t.T("error.slow_down")})
}
