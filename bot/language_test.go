package bot_test

import (
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/i18n"
)

// The app's language is a hint: the citizen's first words decide.
func TestFirstWordsDecideTheLanguage(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1")
		c.lang = "en"
		c.say("cerco una babysitter per mio figlio").expect("Ho trovato").expectNot("Shall we go on")
		c.say("quanto costa?").expect("€").expectNot("Shall we")
		d := h.citizen(t, "u2")
		d.lang = "it"
		d.say("I need someone to help my mum at home").expect("found").expectNot("Vuoi continuare")
	})
}

// Writing in another language in an established conversation asks once, with
// buttons; the message is then answered in the language chosen, and the choice is
// remembered.
func TestAnotherLanguageIsAskedOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("cerco una babysitter").expect("Ho trovato")
		c.say("I need a psychologist for my son").expect("Shall we go on in English?").
			expectButtons("Yes, in English", "Continua in italiano")
		c.press("Continua in italiano").expect("Ho trovato").expectNot("found")
		c.say("I need a psychologist for my son").expectNot("Shall we go on").expect("Ho trovato")

		d := h.citizen(t, "u2").say("cerco una babysitter").expect("Ho trovato")
		d.say("how much does it cost?").expect("Shall we go on in English?")
		d.press("Yes, in English").expect("€").expectNot("Quanto")
		d.say("/start").expect("Hi! I'm")
		d.pressData("langsw:en:yes").expect("no longer") // the question was answered

		// Typed answers to the question: "sì" goes on in the language offered, "no"
		// keeps the conversation's; either way the held message is answered.
		e := h.citizen(t, "u3").say("cerco una babysitter").expect("Ho trovato")
		e.say("I need a psychologist for my son").expect("Shall we go on in English?")
		e.say("sì").expect("found").expectNot("Shall we", "no longer")
		f := h.citizen(t, "u4").say("cerco una babysitter").expect("Ho trovato")
		f.say("I need a psychologist for my son").expect("Shall we go on in English?")
		f.say("no").expect("Ho trovato").expectNot("no longer")
	})
}

// /lingua lists every language by its own name.
func TestLanguageListNamesEachInItsOwn(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("/lingua")
		var names []string
		for _, code := range bot.Languages() {
			names = append(names, ownName(code))
		}
		c.expectButtons(names...)
		c.say("/lingua english").expect("in English")
		c.say("/lingua italiano").expect("in italiano")
	})
}

func ownName(code string) string {
	l, _ := i18n.Get(code)
	return l.Name
}

// A citizen who speaks neither Italian nor English is told, in their language, that
// operators answer in those, and which WeMi spaces offer mediation in theirs.
func TestMediationIsOffered(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("/lingua zh").expect("意大利语或英语", "Spazio WeMi Capuana")
		c.say("/lingua it").expectNot("Capuana")
	})
}

// A message that signals danger is answered at once in the language it is written
// in, without asking whether to switch.
func TestDangerIsAnsweredInItsLanguage(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("cerco una babysitter").expect("Ho trovato")
		c.say("我不想活了，想自杀").expect("112").expectNot("要继续用")
		if c.replies[0].Lang != "zh" {
			t.Errorf("the emergency answer is in %q", c.replies[0].Lang)
		}
	})
}

// In a Romanian message "tata" is dad, not the Italian nanny: a carer for dad is
// care for the elderly, not babysitting.
func TestFalseFriendsKeepTheirOwnMeaning(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1")
		c.lang = "ro"
		c.say("am nevoie de o badanta pentru tata").expect("vârstnic").expectNot("Babysitting")
	})
}

// A no with a few more words answers a yes-or-no question as a bare no does.
func TestANoWithMoreWords(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _ := domesticHarness(t, store)
		h.citizen(t, "u1").say("voglio lavorare come badante").expect("Sei d'accordo").
			say("no, preferisco di no").expect("non ho conservato nulla")
	})
}

// Forged or stale language buttons and garbage get a polite answer, never a switch.
func TestLanguageButtonsForgedOrStale(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("cerco una babysitter")
		c.pressData("langsw:es:yes").expect("non è più valido")
		c.pressData("langsw:zz:yes").expect("non è più valido")
		c.pressData("lang:zz").expect("In che lingua")
		c.say("/lingua klingon").expect("In che lingua")
		c.say(strings.Repeat("שלום ", 3000)).expectNot("Vuoi continuare")
		c.say("/start").expect("Ciao! Sono") // still Italian
	})
}
