package bot

import (
	"strconv"
	"strings"
)

// Button data is "action" or "action:argument", at most maxButtonData bytes of
// [a-z0-9-_.:] so that it fits Telegram's 64-byte callback data. A button only ever
// names public catalogue data (a service, a category) or an action on the pressing
// citizen's own conversation, so a forged or foreign button can reach nothing that is
// not already theirs; a stale one (an expired search) is answered politely.
const maxButtonData = 64

// The button actions.
const (
	actMenu       = "menu"
	actSearch     = "search"  // ask for a need in words
	actCats       = "cats"    // list the categories
	actCat        = "cat"     // cat:<id>[:<page>]
	actService    = "svc"     // svc:<id>
	actPage       = "page"    // page:<n> of the current results
	actBack       = "back"    // back to the current results
	actFree       = "free"    // toggle free only
	actZoneAsk    = "zoneask" // ask for a municipio
	actZone       = "zone"    // zone:<0-9>
	actForAsk     = "forask"  // ask for a target group
	actFor        = "for"     // for:<audience|any>
	actNone       = "none"    // none of these results is what I need
	actNear       = "near"    // ask for a location
	actSpaces     = "spaces"  // spaces[:<page>]: list the WeMi spaces
	actSpace      = "space"   // space:<id>
	actLangAsk    = "langask"
	actLang       = "lang" // lang:<it|en>
	actHelp       = "help"
	actPrivacy    = "privacy"
	actForgetAsk  = "forget"    // ask to confirm erasure
	actForgetYes  = "forgetyes" // forgetyes:<question id>: erase
	actForgetNo   = "forgetno"  // forgetno:<question id>: keep
	actOperator   = "op"
	actRequest    = "req" // req:<service id>: how to request a service
	actDetail     = "det" // det:<section code>:<service id>: one section of a service's details
	actDomestic   = "tcb" // Tate, Colf e Badanti
	actBookings   = "mybook"
	actRetry      = "retry" // replay the message a store failure interrupted
	actHandoffEnd = "hoend" // leave the handoff, back to the bot
	actRate       = "rate"  // rate:<1-5> the handoff just closed
	actBook       = "book"  // book:<step>[:<value>]: the booking flow and the citizen's bookings
	actDom        = "dom"   // dom:<step>[:<value>]: Tate, Colf e Badanti requests and applications
	actDrop       = "drop"  // drop:<filter>[.<filter>]: drop filters a refinement added
)

// button is parsed button data.
type button struct {
	action string
	arg    string
	num    int // a numeric argument's value, or -1
	gen    int // the result set the button belongs to (".g<N>" suffix), or 0
}

// genSuffix marks the buttons of a result set with its generation, so that a press on
// an older list's buttons does not act on (and replace) the current one.
const genSuffix = ".g"

// parseButton validates button data; ok is false for anything malformed or unknown.
func parseButton(data string) (button, bool) {
	if data == "" || len(data) > maxButtonData {
		return button{}, false
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return button{}, false
		}
	}
	gen := 0
	if i := strings.LastIndex(data, genSuffix); i > 0 {
		n, err := strconv.Atoi(data[i+len(genSuffix):])
		if err != nil || n < 1 {
			return button{}, false
		}
		gen, data = n, data[:i]
	}
	action, arg, _ := strings.Cut(data, ":")
	b := button{action: action, arg: arg, num: -1, gen: gen}
	switch action {
	case actMenu, actSearch, actCats, actBack, actFree, actZoneAsk, actForAsk, actNone, actNear,
		actLangAsk, actHelp, actPrivacy, actForgetAsk,
		actOperator, actDomestic, actBookings, actRetry, actHandoffEnd:
		return b, arg == ""
	case actForgetYes, actForgetNo:
		// forgetyes:<question id>; buttons sent before questions had ids have none,
		// and are answered as stale.
		return b, len(arg) <= 16
	case actCat, actService, actSpace, actRequest, actLang, actLangSwitch, actFor, actBook, actDom, actDrop,
		actActs, actAct, actEnrol, actPay:
		return b, arg != ""
	case actDetail:
		return b, validDetailArg(arg)
	case actSpaces:
		if arg == "" {
			return b, true
		}
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 || n > 100 {
			return button{}, false
		}
		b.num = n
		return b, true
	case actPage, actZone, actRate:
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 || n > 1000 {
			return button{}, false
		}
		b.num = n
		return b, true
	}
	return button{}, false
}

// resultBound reports whether an action works on the current result set.
func resultBound(action string) bool {
	switch action {
	case actPage, actBack, actFree, actZoneAsk, actZone, actForAsk, actFor, actNone, actDrop:
		return true
	}
	return false
}

// btn builds a button whose data is action[:arg].
func btn(label, action string, arg ...string) Button {
	data := action
	if len(arg) > 0 {
		data += ":" + strings.Join(arg, ":")
	}
	return Button{Label: label, Data: data}
}
