package bot

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/domestic"
)

// toggle adds x to a set, or removes it.
func toggle[T comparable](set []T, x T) []T {
	if i := slices.Index(set, x); i >= 0 {
		return slices.Delete(set, i, i+1)
	}
	return append(set, x)
}

// domesticText takes what the citizen typed as the answer to the question asked.
func (df *domesticFlow) domesticText(ctx context.Context, t *Turn, text string) {
	d := t.st.Dom
	if d.Kind == "work" {
		t.e.flows.application.applicationText(t, text)
		return
	}
	switch {
	case d.Role == "":
		if r := t.e.domesticRole(text, t.st.Lang); r != "" {
			d.Role = r
		} else {
			t.Text("book.use_buttons")
		}
	case d.Pattern == "":
		if p := t.e.typedPattern(text); p != "" {
			d.Pattern = string(p)
		} else {
			t.Text("book.use_buttons")
		}
	case d.Hours == 0:
		n, ok := firstNumber(text)
		lo, hi := df.hoursRange(t, d.Pattern)
		if !ok || n < lo || n > hi {
			t.Text("dom.hours_invalid", "min", strconv.Itoa(lo), "max", strconv.Itoa(hi))
		} else {
			d.Hours = n
		}
	case d.Role == string(domestic.Badante) && !d.SelfSet:
		t.Text("book.use_buttons")
	case d.Start.IsZero():
		w, ok := bookings.ParseWhen(text, t.now, t.e.rome)
		if t.e.says(intentSoon, text) {
			w, ok = bookings.When{Day: t.today().AddDate(0, 0, 7), HasDate: true}, true // as the button
		}
		switch {
		case !ok || !w.HasDate:
			t.Text("dom.start_invalid")
		case w.Day.Before(t.today()):
			t.Text("book.day_past")
		default:
			d.Start = w.Day
		}
	case d.Municipio == 0:
		if m, ok := t.municipioOf(text); ok {
			d.Municipio = m
		} else {
			t.Text("dom.zone_invalid")
		}
	case !d.CareDone:
		if utf8.RuneCountInString(text) > maxCareRunes {
			t.Text("book.note_too_long", "max", strconv.Itoa(maxCareRunes))
			return
		}
		d.CareFor, d.CareDone = text, true
		if t.e.says(intentSkip, text) {
			d.CareFor = ""
		}
	case !d.LangsDone:
		df.typedLanguages(t, text)
		return
	case d.Contact == "":
		c, ok := validContact(text)
		if !ok {
			t.Text("dom.contact_invalid")
			return
		}
		d.Contact = c
	default:
		t.Text("book.use_buttons")
	}
	df.askDomestic(t)
}

// contactRE finds an e-mail address or a phone number inside a sentence ("my
// number is +39 345 678 9012").
var contactRE = regexp.MustCompile(`[^\s@]+@[^\s@]+\.[A-Za-z]{2,24}|\+?\d[\d ./-]{5,20}\d`)

// validContact checks a phone number or an e-mail address by the rules the store
// applies, so that what the form accepts can be saved; one written inside a
// sentence is taken out of it.
func validContact(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if domestic.ValidContact(s) {
		return s, true
	}
	if m := strings.TrimSpace(contactRE.FindString(s)); m != "" && domestic.ValidContact(m) {
		return m, true
	}
	return "", false
}

// typedPattern reads a working arrangement written in words, in Italian or English.
func (e *Engine) typedPattern(text string) domestic.Pattern {
	f := catalogue.Fold(text)
	// The longest phrase wins: "non convivente" is not "convivente".
	best, bestLen := domestic.Pattern(""), 0
	for _, p := range domestic.Patterns() {
		for _, w := range e.intents.patterns[string(p)] {
			if len(w) > bestLen && containsPhrase(f, w) {
				best, bestLen = p, len(w)
			}
		}
	}
	return best
}

// hoursRange is the weekly hours a working pattern allows by the pay tables.
func (df *domesticFlow) hoursRange(t *Turn, pattern string) (lo, hi int) {
	if t.e.pay != nil {
		if r, ok := t.e.pay.Patterns[domestic.Pattern(pattern)]; ok {
			return r.Min, r.Max
		}
	}
	return 1, domestic.MaxHoursPerWeek
}

// typedLanguages takes languages written in words ("italiano e spagnolo", "English"),
// in either language of the bot, and shows the choice again.
func (df *domesticFlow) typedLanguages(t *Turn, text string) {
	d := t.st.Dom
	folded := " " + catalogue.Fold(text) + " "
	found := false
	for _, code := range domesticLanguages {
		for _, lang := range languages() {
			name := catalogue.Fold(t.e.texts.T(lang, "lang."+code))
			if name != "" && strings.Contains(folded, " "+name+" ") {
				if !slices.Contains(d.Langs, code) {
					d.Langs = append(d.Langs, code)
				}
				found = true
			}
		}
	}
	if !found {
		t.Text("dom.langs_buttons")
	}
	df.askLanguages(t)
}
