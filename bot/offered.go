package bot

import (
	"slices"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// This file lets a citizen type what a button says instead of pressing it: the
// option's name, a yes or a no to a question asked with buttons, or the number of an
// item in a list. The buttons of the bot's last message are kept in the state.

// offer is a button of the bot's last message, as kept in the state.
type offer struct {
	Label string `json:"l"` // folded, without emoji and punctuation
	Data  string `json:"d"`
}

// maxOffers bounds the buttons kept.
const maxOffers = 40

// offerButtons keeps the buttons of a message the bot sends (none when it has none):
// what the citizen types next may answer them.
func (st *state) offerButtons(rows [][]Button) {
	n := 0
	for _, row := range rows {
		n += len(row)
	}
	st.Offered = slices.Grow(st.Offered[:0], min(n, maxOffers))
	for _, row := range rows {
		for _, b := range row {
			if len(st.Offered) == maxOffers {
				return
			}
			if label := catalogue.Fold(b.Label); label != "" && b.Data != "" {
				st.Offered = append(st.Offered, offer{Label: truncateRunes(label, 64), Data: b.Data})
			}
		}
	}
}

// yesLabel reports whether a button's label (folded) says yes to the question
// asked: it starts with a word of assent.
func (e *Engine) yesLabel(label string) bool {
	return startsWithAny(label, e.intents.phrases[intentYes]) || startsWithAny(label, e.intents.confirm)
}

// noLabel reports whether a button's label (folded) says no to the question asked.
func (e *Engine) noLabel(label string) bool {
	return startsWithAny(label, e.intents.phrases[intentNo]) || startsWithAny(label, e.intents.refuse)
}

// typedButton returns the data of the button a text names: its whole label, give or
// take polite words ("Babysitting diurno a domicilio", "sì, annulla").
func (e *Engine) typedButton(text string, st *state) (string, bool) {
	return e.buttonNamed(catalogue.Fold(text), st)
}

// withoutPlease drops "please" around a button's name.
var withoutPlease = strings.NewReplacer(" per favore ", " ", " please ", " ")

// buttonNamed is typedButton of folded text.
func (e *Engine) buttonNamed(folded string, st *state) (string, bool) {
	if folded == "" {
		return "", false
	}
	if strings.Contains(folded, "please") || strings.Contains(folded, "per favore") {
		folded = strings.Join(strings.Fields(withoutPlease.Replace(" "+folded+" ")), " ")
	}
	found, prefixed, n := "", "", 0
	for _, o := range st.Offered {
		switch {
		case o.Label == folded:
			if found != "" && found != o.Data {
				return "", false // two buttons say the same: the citizen must choose
			}
			found = o.Data
		case len(folded) >= 4 && strings.HasPrefix(o.Label, folded+" ") && len(e.lexicon.content(folded)) > 0:
			// The first words of one button's label: "babysitting diurno".
			prefixed = o.Data
			n++
		}
	}
	if found == "" && n == 1 {
		found = prefixed
	}
	return found, found != ""
}

// answeredButton returns the button a bare yes or no answers: the one offered
// button whose label says yes (or no), when there is exactly one.
func (e *Engine) answeredButton(st *state, yes bool) (string, bool) {
	found := ""
	for _, o := range st.Offered {
		if o.Data == actBook+":x" {
			continue // leaving the booking is never a bare no's meaning
		}
		if (yes && e.yesLabel(o.Label)) || (!yes && e.noLabel(o.Label)) {
			if found != "" {
				return "", false
			}
			found = o.Data
		}
	}
	return found, found != ""
}

// nthItem returns the button of the nth item (from 1) of the list last shown: its
// services or spaces, in order.
func (st *state) nthItem(n int) (string, bool) {
	i := 0
	for _, o := range st.Offered {
		action, _, _ := strings.Cut(o.Data, ":")
		if action != actService && action != actSpace {
			continue
		}
		i++
		if i == n {
			return o.Data, true
		}
	}
	return "", false
}

// ordinal reads "il secondo", "the third one", "numero 2" as a position from 1.
func (e *Engine) ordinal(folded string) (int, string, bool) {
	n, phrase := longest(folded, e.lexicon.ordinals)
	if n == "" {
		return 0, folded, false
	}
	i, err := strconv.Atoi(n)
	if err != nil {
		return 0, folded, false
	}
	return i, stripPhrase(folded, phrase), true
}

// offeredRows returns the buttons kept, as one row, so that a turn's replies add up.
func (st *state) offeredRows() [][]Button {
	row := make([]Button, len(st.Offered))
	for i, o := range st.Offered {
		row[i] = Button{Label: o.Label, Data: o.Data}
	}
	return [][]Button{row}
}

// assents reports a short message that says yes and perhaps a little more ("sì,
// mandala", "certo, cancellala pure", "yes, send it"): it starts with a word of assent
// and says no word of refusal.
func (e *Engine) assents(text string) bool { return e.assentsFolded(catalogue.Fold(text)) }

// assentsFolded is assents of folded text.
func (e *Engine) assentsFolded(folded string) bool {
	if n := countFields(folded); n == 0 || n > 5 {
		return false
	}
	if e.saysFolded(intentYes, folded) {
		return true
	}
	if !startsWithAny(folded, e.intents.phrases[intentYes]) && !startsWithAny(folded, e.intents.confirm) {
		return false
	}
	for w := range strings.FieldsSeq(folded) {
		if e.intents.negations[w] {
			return false
		}
	}
	return true
}

// refuses reports a short message that says no and a little more ("no, purtroppo",
// "no, lui è allettato"): it starts with a no of the intents, in at most five words.
func (e *Engine) refuses(text string) bool { return e.refusesFolded(catalogue.Fold(text)) }

// refusesFolded is refuses of folded text.
func (e *Engine) refusesFolded(folded string) bool {
	n := countFields(folded)
	return n > 0 && n <= 5 && startsWithAny(folded, e.intents.phrases[intentNo])
}

// forWhom reads who a booking is for from a typed answer: the citizen ("per me",
// "for myself") or someone else they name ("per mia nonna", "it's for my grandad").
func (e *Engine) forWhom(text string) (string, bool) {
	folded := catalogue.Fold(text)
	// "para mí" is the whole answer; "para mi hija" names someone (Spanish "mi" is
	// both "me" and "my" once accents fold away).
	if e.saysOne(e.intents.phrases[intentForMe], text) {
		return bookings.ForSelf, true
	}
	if aud, _ := longest(folded, e.lexicon.audiences); aud != "" {
		return bookings.ForRelative, true
	}
	for _, self := range e.intents.phrases[intentForMe].all() {
		if containsPhrase(folded, self) {
			return bookings.ForSelf, true
		}
	}
	return "", false
}

// hoursInDigits writes the hour said in words after "alle", "at", "ore" in digits,
// so that times are read as they are typed: "alle undici" is "alle 11".
func hoursInDigits(text string) string {
	words := strings.Fields(text)
	for i := 1; i < len(words); i++ {
		switch catalogue.Fold(words[i-1]) {
		case "alle", "ore", "le", "at", "around", "verso":
		default:
			continue
		}
		if n, ok := hourWord(catalogue.Fold(words[i])); ok {
			words[i] = strconv.Itoa(n)
		}
	}
	return strings.Join(words, " ")
}

// hourWord reads the hours one to twelve written as a word.
func hourWord(w string) (int, bool) {
	if n, ok := numberWord(w); ok && n > 0 {
		return n, true
	}
	switch w {
	case "undici", "eleven":
		return 11, true
	case "dodici", "twelve", "mezzogiorno", "noon", "midday":
		return 12, true
	}
	return 0, false
}

// itemNamed returns the one item of the list shown whose name has every meaningful
// word of folded ("quella serale" names "Babysitting serale e notturno").
func (e *Engine) itemNamed(folded string, st *state) (string, bool) {
	words := e.lexicon.content(folded)
	if len(words) == 0 || len(words) > 3 {
		return "", false
	}
	found := ""
	for _, o := range st.Offered {
		if !strings.HasPrefix(o.Data, actService+":") {
			continue
		}
		label := strings.Fields(o.Label)
		all := true
		for _, w := range words {
			all = all && sameStem(w, label)
		}
		if all {
			if found != "" {
				return "", false
			}
			found = o.Data
		}
	}
	return found, found != ""
}
