package bot

import (
	"strconv"
	"strings"

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
	st.Offered = st.Offered[:0]
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
func yesLabel(label string) bool {
	first, _, _ := strings.Cut(label, " ")
	switch first {
	case "si", "yes", "ok", "conferma", "confermo", "confirm", "accetta", "accetto", "accept", "invia", "send", "procedi", "continua", "continue":
		return true
	}
	return strings.HasPrefix(label, "sono d accordo") || strings.HasPrefix(label, "i agree") || strings.HasPrefix(label, "agree")
}

// noLabel reports whether a button's label (folded) says no to the question asked.
func noLabel(label string) bool {
	first, _, _ := strings.Cut(label, " ")
	return first == "no" || strings.HasPrefix(label, "non sono d accordo") || strings.HasPrefix(label, "i do not agree") ||
		strings.HasPrefix(label, "i don t agree")
}

// typedButton returns the data of the button a text names: its whole label, give or
// take polite words ("Babysitting diurno a domicilio", "sì, annulla").
func (e *Engine) typedButton(text string, st *state) (string, bool) {
	folded := catalogue.Fold(text)
	if folded == "" {
		return "", false
	}
	folded = strings.Join(strings.Fields(strings.NewReplacer(" per favore ", " ", " please ", " ").Replace(" "+folded+" ")), " ")
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
func (st *state) answeredButton(yes bool) (string, bool) {
	found := ""
	for _, o := range st.Offered {
		if (yes && yesLabel(o.Label)) || (!yes && noLabel(o.Label)) {
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
	return i, strip(folded, []string{phrase}), true
}

// offeredRows returns the buttons kept, as one row, so that a turn's replies add up.
func (st *state) offeredRows() [][]Button {
	row := make([]Button, len(st.Offered))
	for i, o := range st.Offered {
		row[i] = Button{Label: o.Label, Data: o.Data}
	}
	return [][]Button{row}
}
