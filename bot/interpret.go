package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
)

// Intent names what a citizen's text means, before any flow acts on it.
type Intent string

// The intents a text can have. Each is acted on by one handler (routes.go).
const (
	IntentTooLong    Intent = "too_long"    // over the message bound: declined
	IntentEmpty      Intent = "empty"       // nothing readable left once cleaned
	IntentCommand    Intent = "command"     // "/name argument": Command, Arg
	IntentAnswer     Intent = "answer"      // an answer to what the Flow is waiting for
	IntentHelp       Intent = "help"        // asks how the bot works
	IntentOperator   Intent = "operator"    // asks for a person
	IntentGreeting   Intent = "greeting"    // only greets
	IntentThanks     Intent = "thanks"      // only thanks
	IntentCancel     Intent = "cancel"      // drops whatever was going on
	IntentMyBookings Intent = "my_bookings" // asks for their bookings
	IntentMyRequests Intent = "my_requests" // asks for their Tate/Colf/Badanti requests
	IntentPayHelp    Intent = "pay_help"    // asks how to pay (a booking, or on WeMi)
	IntentRating     Intent = "rating"      // a digit rating the handoff just closed: Number
	IntentLanguage   Intent = "language"    // switches language: Arg
	IntentForget     Intent = "forget"      // asks to erase their data
	IntentPrivacy    Intent = "privacy"     // asks what is kept about them
	IntentNear       Intent = "near"        // asks what is near
	IntentSpaces     Intent = "spaces"      // asks for the WeMi spaces
	IntentApply      Intent = "apply"       // wants to work as a tata, colf or badante
	IntentHire       Intent = "hire"        // wants to hire one: Role, Pattern
	IntentYes        Intent = "yes"         // a bare yes, to whatever was last asked
	IntentNo         Intent = "no"          // a bare no
	IntentNumber     Intent = "number"      // a bare digit from 1 to 5: Number
	IntentQuestion   Intent = "question"    // asks about the service in focus or the list: Topic
	IntentRefine     Intent = "refine"      // narrows or reorders the current need: Refine
	IntentConfused   Intent = "confused"    // did not understand the bot
	IntentBack       Intent = "back"        // wants what was shown before
	IntentRepeat     Intent = "repeat"      // wants the last answer again
	IntentMore       Intent = "more"        // wants more results
	IntentMenu       Intent = "menu"        // wants the main menu
	IntentCategories Intent = "categories"  // asks what kinds of services there are
	IntentBook       Intent = "book"        // wants to book the service in focus
	IntentPress      Intent = "press"       // typed one of the buttons just shown: Button
	IntentSearch     Intent = "search"      // a need to look for in the catalogue
)

// Interpretation is what the engine understood a citizen's text to mean, in the
// light of what the conversation was waiting for. It is a plain value: tests assert
// it, and `wemibot shell --debug` prints it before each reply.
type Interpretation struct {
	Intent  Intent
	Text    string // the text, cleaned
	Flow    string // for IntentAnswer: the flow waiting for the answer
	Command string // for IntentCommand: the command's name
	Arg     string // the command's argument; the language for IntentLanguage
	Role    string // for IntentHire: "tata", "colf" or "badante", or "" when not said
	Pattern string // for IntentHire: the working pattern, when said
	Number  int    // for IntentRating and IntentNumber
	Topic   string // for IntentQuestion: cost, free, where, when, how, provider, languages, contacts
	Button  string // for IntentPress: the data of the button the text names
	Refine  Refinement
}

// String prints an interpretation on one line, naming only the fields it uses.
func (in Interpretation) String() string {
	var b strings.Builder
	b.WriteString(string(in.Intent))
	add := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, " %s=%q", k, v)
		}
	}
	add("flow", in.Flow)
	add("command", in.Command)
	add("arg", in.Arg)
	add("role", in.Role)
	add("pattern", in.Pattern)
	add("topic", in.Topic)
	add("button", in.Button)
	if in.Number != 0 {
		fmt.Fprintf(&b, " number=%d", in.Number)
	}
	if !in.Refine.empty() {
		fmt.Fprintf(&b, " refine=%+v", in.Refine)
	}
	add("text", in.Text)
	return b.String()
}

// Interpret says what a text means to a conversation in state st. It reads nothing
// but the text, the state and the engine's phrase lists: no store, no search.
func (e *Engine) interpret(raw string, st *state) Interpretation {
	if utf8.RuneCountInString(raw) > e.opts.MaxMessageRunes {
		return Interpretation{Intent: IntentTooLong}
	}
	text := cleanText(raw)
	in := Interpretation{Text: text}
	if text == "" {
		in.Intent = IntentEmpty
		return in
	}
	if cmd, ok := parseCommand(text); ok {
		in.Intent, in.Command, in.Arg = IntentCommand, cmd.name, cmd.arg
		return in
	}
	if st.inForm() {
		// Words of other features ("operatrice socio sanitaria", "privacy") are an
		// answer here: danger and commands were handled before.
		switch {
		case e.says(intentHelp, text):
			in.Intent = IntentHelp
		case e.saysOperator(text):
			in.Intent = IntentOperator
		case e.pressed(text, st, &in):
			in.Intent = IntentPress
		case e.cancelsForm(text) && !e.says(intentCancel, text):
			in.Intent = IntentCancel
		case !e.says(intentCancel, text):
			in.Intent, in.Flow = IntentAnswer, st.Flow
		default:
			in.Intent = e.intentOf(text, st, &in)
		}
		return in
	}
	in.Intent = e.intentOf(text, st, &in)
	return in
}

// intentOf interprets text outside a form, in order of precedence: what the whole
// message says first, then what the bot was waiting for, then a need.
func (e *Engine) intentOf(text string, st *state, in *Interpretation) Intent {
	folded := catalogue.Fold(text) // once: every question below reads it
	switch {
	case e.greets(folded):
		return IntentGreeting
	case has(folded, e.intents.operator):
		return IntentOperator
	}
	// Messages that say only one thing ("grazie", "annulla", "le mie prenotazioni").
	for _, w := range []struct {
		phrases string
		intent  Intent
	}{{intentThanks, IntentThanks}, {intentCancel, IntentCancel}, {intentMyBookings, IntentMyBookings},
		{intentMyRequests, IntentMyRequests}, {intentHelp, IntentHelp}} {
		if e.saysFolded(w.phrases, folded) {
			return w.intent
		}
	}
	if e.mentionsFolded(intentReschedule, folded) {
		return IntentReschedule // "vorrei spostarla a venerdì"
	}
	if n, ok := bareNumber(text); ok && n >= 1 && n <= 5 && st.Flow == flowRate && st.RateHandoff != "" {
		in.Number = n
		return IntentRating
	}
	if lang := e.languageIn(folded); lang != "" {
		in.Arg = lang
		return IntentLanguage
	}
	if intent := e.featureAsked(text, folded, st, in); intent != "" {
		return intent
	}
	switch {
	case st.Flow == flowZone || st.Flow == flowNear || st.Flow == flowForget:
		in.Flow = st.Flow
		return IntentAnswer
	}
	if data, ok := e.buttonNamed(folded, st); ok {
		in.Button = data
		return IntentPress
	}
	if intent := e.followUp(text, folded, st, in); intent != "" {
		return intent
	}
	yesButton, hasYes := e.answeredButton(st, true)
	switch {
	case e.saysFolded(intentYes, folded), hasYes && e.assentsFolded(folded):
		in.Button = yesButton
		return IntentYes
	case e.saysFolded(intentNo, folded):
		in.Button, _ = e.answeredButton(st, false)
		return IntentNo
	}
	if noButton, hasNo := e.answeredButton(st, false); hasNo && e.refusesFolded(folded) {
		in.Button = noButton // "no, purtroppo", "ні, на жаль"
		return IntentNo
	}
	if n, ok := bareNumber(text); ok && n >= 1 && n <= 5 {
		in.Number = n
		in.Button, _ = st.nthItem(n)
		return IntentNumber
	}
	return IntentSearch
}

// pressed reports whether a text answers the buttons the form just showed: an
// option's name, or a yes or a no; in.Button is then the button's data.
func (e *Engine) pressed(text string, st *state, in *Interpretation) bool {
	data, ok := e.typedButton(text, st)
	switch {
	case ok:
	case e.says(intentYes, text) || e.assents(text):
		data, ok = e.answeredButton(st, true)
	case e.says(intentNo, text) || e.refuses(text):
		data, ok = e.answeredButton(st, false)
	}
	in.Button = data
	return ok
}

// languageSaid returns the language a message asks for ("english please"), or "".
func (e *Engine) languageSaid(text string) string { return e.languageIn(catalogue.Fold(text)) }

// languageIn is languageSaid of folded text.
func (e *Engine) languageIn(folded string) string {
	for _, lang := range languages() {
		if e.saysOneFolded(e.intents.speak[lang], folded) {
			return lang
		}
	}
	return ""
}

// featureAsked returns the feature a message asks for, anywhere in its words
// (privacy, erasure, the WeMi spaces, Tate/Colf/Badanti) or as all it says ("vicino
// a me"), or "".
func (e *Engine) featureAsked(text, folded string, st *state, in *Interpretation) Intent {
	switch {
	case e.mentionsFolded(intentForget, folded):
		return IntentForget
	case e.mentionsFolded(intentPrivacy, folded):
		return IntentPrivacy
	case e.mentionsFolded(intentPayHelp, folded):
		return IntentPayHelp
	case e.placeAsked(text, st):
		in.Arg = text // a street or a postcode: what is near it
		return IntentNear
	case e.saysFolded(intentNear, folded):
		return IntentNear
	case e.asksActivities(text):
		return IntentActivities
	case e.mentionsFolded(intentSpaces, folded):
		return IntentSpaces
	case e.domesticAvailable() && e.wantsToWork(text, st.Lang):
		return IntentApply
	case e.domesticAvailable() && e.wantsToHire(text, st.Lang):
		in.Role, in.Pattern = e.domesticRole(text, st.Lang), string(e.typedPattern(text))
		return IntentHire
	}
	return ""
}

// inForm reports whether the conversation is in the middle of a form (a booking, a
// Tate/Colf/Badanti request or application), whose answers are free text.
func (st *state) inForm() bool {
	return (st.Flow == flowDomestic && st.Dom != nil) || (st.Flow == flowBook && st.Draft != nil) ||
		(st.Flow == flowVoucher && st.Voucher != nil)
}

// cancelsForm reports a short message that drops the form ("no aspetta, lascia
// perdere"): a phrase of leaving among a few words. A long answer that mentions one
// is an answer.
func (e *Engine) cancelsForm(text string) bool {
	if len(strings.Fields(text)) > 6 {
		return false
	}
	folded := catalogue.Fold(text)
	for _, p := range e.intents.phrases[intentCancel].all() {
		if strings.Contains(p, " ") && containsPhrase(folded, p) {
			return true
		}
	}
	return false
}
