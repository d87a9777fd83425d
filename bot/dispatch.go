package bot

import (
	"context"

	"strconv"
	"unicode/utf8"
)

// dispatch routes a message: safety first, then a button, a location, a command, or
// free text in the light of what the bot was waiting for.
func (t *Turn) dispatch(ctx context.Context) {
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
		t.Say(Reply{Text: t.T("error.unsupported"), Buttons: t.MainMenu()})
	case m.Location != nil:
		t.flow = "location"
		t.st.remember("user", "(posizione)", t.now)
		if !validPoint(*m.Location) {
			t.e.flows.near.askNear(t)
			return
		}
		t.e.flows.near.nearPoint(ctx, t, *m.Location, "")
	default:
		t.flow = "text"
		t.onText(ctx, m.Text)
	}
}

func (t *Turn) onText(ctx context.Context, raw string) {
	if utf8.RuneCountInString(raw) > t.e.opts.MaxMessageRunes {
		t.st.remember("user", truncateRunes(cleanText(raw), 200)+"…", t.now)
		t.Say(Reply{Text: t.T("error.too_long", "max", strconv.Itoa(t.e.opts.MaxMessageRunes)), Buttons: t.MenuRow()})
		return
	}
	text := cleanText(raw)
	if text == "" {
		t.Say(Reply{Text: t.T("error.empty"), Buttons: t.MainMenu()})
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
		t.e.flows.menu.help(t)
	case inForm && t.e.saysOperator(text):
		t.e.flows.handoff.handoff(t, "asked")
	case inForm && !t.e.says(intentCancel, text):
		// Words of other features ("operatrice socio sanitaria", "privacy") are an
		// answer here: danger and commands were handled before.
		if t.st.Flow == flowBook {
			t.e.flows.booking.bookingText(ctx, t, text)
		} else {
			t.e.flows.domestic.domesticText(ctx, t, text)
		}
	case t.e.isGreeting(text):
		t.st.resetFlow()
		t.e.flows.menu.welcome(t)
	case t.e.asksForOperator(text):
		t.e.flows.handoff.handoff(t, "asked")
	case t.e.says(intentThanks, text):
		t.st.resetFlow()
		t.Say(Reply{Text: t.T("thanks"), Buttons: t.MainMenu()})
	case t.e.says(intentCancel, text):
		// "annulla", "lascia perdere": like /annulla, whatever was going on.
		t.onCommand(ctx, command{name: "annulla"})
	case t.e.says(intentMyBookings, text):
		t.st.resetFlow()
		t.e.flows.booking.bookings(ctx, t)
	case t.e.says(intentMyRequests, text):
		t.st.resetFlow()
		t.e.flows.domestic.myDomestic(ctx, t)
	case t.e.says(intentHelp, text):
		t.st.resetFlow()
		t.e.flows.menu.help(t)
	case t.st.Flow == flowRate && t.e.flows.handoff.typedRating(t, text):
		// a digit answering the rating question just asked
	case t.e.says(intentEnglish, text):
		t.e.flows.menu.language(t, "en")
	case t.e.says(intentItalian, text):
		t.e.flows.menu.language(t, "it")
	case t.e.mentions(intentForget, text):
		t.e.flows.privacy.askForget(t)
	case t.e.mentions(intentPrivacy, text):
		t.st.resetFlow()
		t.e.flows.privacy.privacy(t)
	case t.e.says(intentNear, text):
		t.e.flows.near.askNear(t)
	case t.e.mentions(intentSpaces, text):
		t.st.resetFlow()
		t.e.flows.near.spaces(t)
	case t.e.flows.domestic.domesticAvailable(t) && t.e.wantsToWork(text):
		t.e.flows.application.startApplication(t)
	case t.e.flows.domestic.domesticAvailable(t) && t.e.wantsToHire(text):
		t.Text("domestic.hire_info")
		t.e.flows.domestic.startHire(t, t.e.domesticRole(text), typedPattern(text))
	case t.st.Flow == flowZone:
		t.e.flows.search.zoneText(ctx, t, text)
	case t.st.Flow == flowNear:
		t.e.flows.near.nearText(ctx, t, text)
	case t.st.Flow == flowForget && t.e.says(intentYes, text):
		// A typed "sì" must not erase by surprise, nor cancel: the button decides.
		t.Say(Reply{Text: t.T("privacy.forget_use_buttons"), Buttons: [][]Button{
			{btn(t.T("privacy.forget_yes"), actForgetYes), btn(t.T("privacy.forget_no"), actForgetNo)}}})
	case t.st.Flow == flowForget:
		// Erasure needs the button: anything else typed cancels it.
		t.st.resetFlow()
		t.Text("privacy.forget_cancelled")
		t.e.flows.search.search(ctx, t, text)
	case t.e.flows.booking.typedBookingAnswer(ctx, t, text):
		// a rating of a service just concluded, or a yes or no to a proposed time
	case t.e.says(intentYes, text) || t.e.says(intentNo, text):
		// A yes or a no to nothing asked: not a need to search for.
		t.st.resetFlow()
		t.Say(Reply{Text: t.T("ack"), Buttons: t.MainMenu()})
	default:
		t.st.resetFlow()
		t.flow = "search"
		t.e.flows.search.search(ctx, t, text)
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

func (t *Turn) onCommand(ctx context.Context, c command) {
	t.st.resetFlow()
	switch c.name {
	case "start":
		t.e.flows.menu.start(ctx, t, c.arg)
	case "menu":
		t.e.flows.menu.menu(t)
	case "aiuto", "help":
		t.e.flows.menu.help(t)
	case "annulla", "cancel", "stop":
		t.st.Draft, t.st.Dom = nil, nil // a booking or a request being put together goes too
		t.Say(Reply{Text: t.T("cancel.done"), Buttons: t.MainMenu()})
	case "lingua", "language", "lang":
		t.e.flows.menu.language(t, c.arg)
	case "privacy":
		t.e.flows.privacy.privacy(t)
	case "dimenticami", "forget", "forgetme":
		t.e.flows.privacy.askForget(t)
	case "operatore", "operator", "human":
		t.e.flows.handoff.handoff(t, "asked")
	case "categorie", "categories":
		t.e.flows.search.categories(t)
	case "spazi", "spaces":
		t.e.flows.near.spaces(t)
	case "vicino", "near", "nearby":
		if c.arg != "" {
			t.e.flows.near.nearText(ctx, t, c.arg)
			return
		}
		t.e.flows.near.askNear(t)
	case "cerca", "search":
		if c.arg == "" {
			t.e.flows.menu.askSearch(t)
			return
		}
		t.e.flows.search.search(ctx, t, c.arg)
	case "prenotazioni", "bookings":
		t.e.flows.booking.bookings(ctx, t)
	case "tatecolfbadanti", "domestic":
		t.e.flows.domestic.domestic(t)
	default:
		t.Say(Reply{Text: t.T("error.unknown_command", "command", "/"+c.name), Buttons: t.MainMenu()})
	}
}

func (t *Turn) onButton(ctx context.Context, data string) {
	b, ok := parseButton(data)
	if !ok {
		t.Stale()
		return
	}
	t.st.remember("user", "["+b.action+"]", t.now)
	if resultBound(b.action) && b.gen != t.st.Gen {
		// A button of an older list: acting on the current one would replace the
		// wrong message.
		t.Say(Reply{Text: t.T("error.old_list"), Buttons: t.MainMenu()})
		return
	}
	if b.action != actForgetYes && b.action != actForgetNo {
		t.st.resetFlow()
	}
	switch b.action {
	case actMenu:
		t.e.flows.menu.menu(t)
	case actSearch:
		t.e.flows.menu.askSearch(t)
	case actCats:
		t.e.flows.search.categories(t)
	case actCat:
		t.e.flows.search.category(ctx, t, b.arg)
	case actService:
		t.e.flows.card.card(t, b.arg)
	case actPage:
		t.e.flows.search.page(t, b.num)
	case actBack:
		t.e.flows.search.page(t, t.st.Page)
	case actFree:
		t.st.Filters.Free = !t.st.Filters.Free
		t.e.flows.search.rerun(ctx, t)
	case actZoneAsk:
		t.e.flows.search.askZone(t)
	case actZone:
		t.e.flows.search.setZone(ctx, t, b.num)
	case actForAsk:
		t.e.flows.search.askAudience(t)
	case actFor:
		t.e.flows.search.setAudience(ctx, t, b.arg)
	case actNone:
		t.e.flows.search.noneOfThese(t)
	case actNear:
		t.e.flows.near.askNear(t)
	case actSpaces:
		t.e.flows.near.spaces(t)
	case actSpace:
		t.e.flows.near.space(t, b.arg)
	case actLangAsk:
		t.e.flows.menu.language(t, "")
	case actLang:
		t.e.flows.menu.language(t, b.arg)
	case actHelp:
		t.e.flows.menu.help(t)
	case actPrivacy:
		t.e.flows.privacy.privacy(t)
	case actForgetAsk:
		t.e.flows.privacy.askForget(t)
	case actForgetYes:
		t.e.flows.privacy.confirmForget(t)
	case actForgetNo:
		t.st.resetFlow()
		t.Say(Reply{Text: t.T("privacy.forget_cancelled"), Buttons: t.MainMenu()})
	case actOperator:
		t.e.flows.handoff.handoff(t, "asked")
	case actRequest:
		t.e.flows.card.request(t, b.arg)
	case actDomestic:
		t.e.flows.domestic.domestic(t)
	case actBookings:
		t.e.flows.booking.bookings(ctx, t)
	case actRate:
		t.e.flows.handoff.rate(t, b.num)
	case actBook:
		t.e.flows.booking.onBookingButton(ctx, t, b.arg)
	case actDom:
		t.e.flows.domestic.onDomesticButton(ctx, t, b.arg)
	case actHandoffEnd:
		// The handoff already ended (the operator closed it): nothing to leave.
		t.e.flows.menu.menu(t)
	case actRetry:
		// Nothing was interrupted (or it was already replayed): show the menu.
		t.e.flows.menu.menu(t)
	}
}
