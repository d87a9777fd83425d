package bot

// This file holds the conversation's language: chosen from the list of every language
// the bot speaks, or followed from what the citizen writes. The language a chat app
// or a browser reports is only a hint: the first words the citizen writes decide, and
// when later they write in another language the bot asks once whether to go on in it.

import (
	"context"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
	"github.com/comune-milano/wemibot/langid"
	"go.yaml.in/yaml/v3"
)

// actLangSwitch answers the question whether to go on in another language:
// langsw:<lang>:yes or langsw:<lang>:no.
const actLangSwitch = "langsw"

// langOffer is the question asked whether to go on in another language, with the
// message that raised it, answered once the citizen has chosen.
type langOffer struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
}

// languageFlow is the conversation's language.
type languageFlow struct{}

func (lf *languageFlow) register(r *routes) {
	r.button(actLangAsk, func(_ context.Context, t *Turn, _ button) { lf.choose(t, "") })
	r.button(actLang, func(_ context.Context, t *Turn, b button) { lf.choose(t, b.arg) })
	r.button(actLangSwitch, lf.answerSwitch)
	r.command(func(_ context.Context, t *Turn, arg string) { lf.choose(t, arg) }, "lingua", "language", "lang", "idioma", "langue", "limba", "мова", "язык", "لغة", "语言")
	r.intent(IntentLanguage, func(_ context.Context, t *Turn, in Interpretation) { lf.choose(t, in.Arg) })
}

// choose switches to the language named (a code, or its name in any language the bot
// speaks), or lists them all when the name is empty or unknown.
func (lf *languageFlow) choose(t *Turn, name string) {
	lang := t.e.languageNamed(name)
	if lang == "" {
		t.Say(Reply{Text: t.T("language.ask"), Buttons: languageButtons(actLang)})
		return
	}
	t.st.Lang, t.st.LangSet, t.st.LangOffer = lang, true, nil
	t.Say(Reply{Text: t.T("language.set"), Buttons: t.MainMenu()})
	if note := t.e.mediationNote(t); note != "" {
		t.Say(Reply{Text: note})
	}
}

// mediationNote tells a citizen who speaks neither Italian nor English that
// operators answer in those languages, and where WeMi offers linguistic mediation in
// theirs; "" for Italian and English.
func (e *Engine) mediationNote(t *Turn) string {
	if t.st.Lang == "it" || t.st.Lang == "en" {
		return ""
	}
	note := t.T("language.operators")
	var spaces []string
	for _, sp := range t.cat.Spaces {
		if slices.Contains(sp.Mediation, t.st.Lang) {
			spaces = append(spaces, Literal(sp.Name+" ("+shortAddress(sp.Location.Address)+")"))
		}
	}
	if len(spaces) > 0 {
		note += "\n" + t.T("language.mediation", "language", t.T("lang."+t.st.Lang), "spaces", strings.Join(spaces, ", "))
	}
	return note
}

// languageButtons lists every language by its own name, three a row.
func languageButtons(action string) [][]Button {
	var rows [][]Button
	for i, l := range i18n.All() {
		if i%3 == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], btn(l.Name, action, l.Code))
	}
	return rows
}

// languageNamed returns the code of the language name stands for: its code, its own
// name, its English name or its name in any of the bot's languages ("spagnolo",
// "español", "es"); "" for none.
func (e *Engine) languageNamed(name string) string {
	f := catalogue.Fold(name)
	if f == "" {
		return ""
	}
	for _, l := range i18n.All() {
		if f == l.Code || f == catalogue.Fold(l.Name) || f == catalogue.Fold(l.English) {
			return l.Code
		}
		for _, in := range i18n.Codes() {
			if f == catalogue.Fold(e.texts.T(in, "lang."+l.Code)) {
				return l.Code
			}
		}
	}
	return ""
}

// followInDanger answers a message that signals danger in the language it is
// written in, without asking: the emergency numbers must be understood.
func (lf *languageFlow) followInDanger(t *Turn) {
	t.st.Spoke = true
	if r := t.e.langs.Detect(t.m.Text); r.Confident && i18nKnown(r.Lang) && r.Lang != t.st.Lang {
		t.st.Lang, t.st.LangSet = r.Lang, true
	}
}

// followQuietly follows the language of a citizen's first words without asking
// (while an operator has the conversation, the bot does not interrupt).
func (lf *languageFlow) followQuietly(t *Turn) {
	if t.m.Text == "" || t.st.Spoke || t.st.LangSet {
		return
	}
	t.st.Spoke = true
	if r := t.e.langs.Detect(t.m.Text); r.Confident && i18nKnown(r.Lang) {
		t.st.Lang, t.st.LangSet = r.Lang, true
	}
}

// minSwitchWords is how many words a message in Latin letters must be before it can
// change an established conversation's language: "ok", "badante" or "ISEE" are
// words of every language a citizen of Milan writes.
const minSwitchWords = 2

// followLanguage looks at the language of a citizen's text before it is acted on.
// A conversation whose language is only the app's hint follows the text at once; an
// established one asks whether to go on in the new language, once per language, and
// holds the text until the answer. It reports whether it asked.
func (lf *languageFlow) followLanguage(t *Turn) (asked bool) {
	text := t.m.Text
	if text == "" || t.m.Button != "" || strings.HasPrefix(strings.TrimSpace(text), "/") ||
		utf8.RuneCountInString(text) > t.e.opts.MaxMessageRunes {
		return false
	}
	spoke := t.st.Spoke
	t.st.Spoke = true
	if t.st.inForm() || t.st.Flow == flowZone || t.st.Flow == flowRate || t.st.Flow == flowForget {
		// a form's answers (a name, an address, an e-mail) say nothing of a language
		return false
	}
	r := t.e.langs.Detect(text)
	if o := t.st.LangOffer; o != nil {
		// A question about the language is open and the citizen wrote instead of
		// pressing: a yes or a no answers it, and the held message is answered;
		// writing on in the offered language is a yes, in the conversation's a no.
		t.st.LangOffer = nil
		switch {
		case t.e.assents(text) || t.e.says(intentYes, text):
			t.st.Lang, t.st.LangSet = o.Lang, true
			t.m.Text = o.Text
			return false
		case t.e.says(intentNo, text):
			t.st.LangKept = appendOnce(t.st.LangKept, o.Lang)
			t.m.Text = o.Text
			return false
		case r.Confident && r.Lang == o.Lang:
			t.st.Lang, t.st.LangSet = o.Lang, true
			return false
		case r.Confident && r.Lang == t.st.Lang:
			t.st.LangKept = appendOnce(t.st.LangKept, o.Lang)
			return false
		}
	}
	if !r.Confident || r.Lang == t.st.Lang || !i18nKnown(r.Lang) || t.e.languageSaid(text) != "" {
		return false // "in rumeno per favore" asks for a language: no question about another
	}
	if !spoke && !t.st.LangSet {
		// The app's language was a guess: the citizen's words decide.
		t.st.Lang, t.st.LangSet = r.Lang, true
		return false
	}
	if slices.Contains(t.st.LangKept, r.Lang) || !enoughToSwitch(text) {
		return false
	}
	t.st.LangOffer = &langOffer{Lang: r.Lang, Text: text}
	// Each language named in its own words ("español", "italiano").
	own := t.e.texts.T(r.Lang, "lang."+r.Lang)
	cur := t.e.texts.T(t.st.Lang, "lang."+t.st.Lang)
	t.Say(Reply{Lang: r.Lang, Text: t.e.texts.T(r.Lang, "language.switch_ask", "language", own),
		Buttons: [][]Button{
			{btn(t.e.texts.T(r.Lang, "language.switch_yes", "language", own), actLangSwitch, r.Lang, "yes")},
			{btn(t.e.texts.T(t.st.Lang, "language.switch_no", "language", cur), actLangSwitch, r.Lang, "no")}}})
	return true
}

// answerSwitch answers the question whether to go on in another language, then
// acts on the message that raised it.
func (lf *languageFlow) answerSwitch(ctx context.Context, t *Turn, b button) {
	lang, choice, _ := strings.Cut(b.arg, ":")
	o := t.st.LangOffer
	if o == nil || o.Lang != lang || !i18nKnown(lang) {
		t.Stale()
		return
	}
	t.st.LangOffer = nil
	if choice == "yes" {
		t.st.Lang, t.st.LangSet = lang, true
	} else {
		t.st.LangKept = appendOnce(t.st.LangKept, lang)
	}
	t.m.Button, t.m.Text = "", o.Text
	t.flow = "text"
	t.onText(ctx, o.Text)
}

// enoughToSwitch reports whether text says enough to offer another language: two
// words, or any text in a script of its own.
func enoughToSwitch(text string) bool {
	words := strings.FieldsFunc(text, func(r rune) bool { return !isWordRune(r) })
	if len(words) >= minSwitchWords {
		return true
	}
	for _, r := range text {
		if r > 0x2FF { // beyond Latin letters: Cyrillic, Arabic, Chinese
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0xC0
}

func i18nKnown(lang string) bool {
	_, ok := i18n.Get(lang)
	return ok
}

func appendOnce(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// LanguageCorpus is the text a language detector learns each language from: every
// sentence the bot says in it and every phrase it understands in it.
func LanguageCorpus(texts *Texts) map[string][]string {
	out := map[string][]string{}
	for _, lang := range languages() {
		for _, s := range texts.byLang[lang] {
			out[lang] = append(out[lang], s)
		}
		var f lexiconFile
		if b, err := understandingFiles.ReadFile("understanding/" + lang + ".yaml"); err == nil && yaml.Unmarshal(b, &f) == nil {
			out[lang] = append(out[lang], f.phrases()...)
		}
	}
	return out
}

// phrases returns every phrase of the file.
func (f lexiconFile) phrases() []string {
	var out []string
	for _, m := range []map[string][]string{f.Questions, f.Refine, f.Audiences, f.Meta, f.Ordinals} {
		for _, ps := range m {
			out = append(out, ps...)
		}
	}
	for _, ps := range [][]string{f.Needs, f.Situations, f.Clauses, f.Places} {
		out = append(out, ps...)
	}
	return out
}

// NewDetector builds a language detector for the languages of texts. The detector of
// the bundled texts is built once and shared.
func NewDetector(texts *Texts) *langid.Detector {
	if bundled, err := bundledTexts(); err == nil && texts == bundled {
		return bundledDetector()
	}
	return langid.New(LanguageCorpus(texts))
}

var bundledDetector = sync.OnceValue(func() *langid.Detector {
	texts, _ := bundledTexts()
	return langid.New(LanguageCorpus(texts))
})

// withoutFalseFriends drops from text the words of lang that are Italian or English
// words with another meaning (Romanian "tata", dad), so that Italian and English
// phrases do not read them.
func withoutFalseFriends(text, lang string) string {
	l, ok := i18n.Get(lang)
	if !ok || len(l.FalseFriends) == 0 {
		return text
	}
	words := strings.Fields(catalogue.Fold(text))
	kept := words[:0]
	for _, w := range words {
		if !slices.Contains(l.FalseFriends, w) {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}
