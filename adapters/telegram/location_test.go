package telegram_test

import (
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
)

// "Near me" shows Telegram's location button on a one-time reply keyboard, with the
// reply's other choices as text buttons; the next reply removes the keyboard, and its
// own buttons stay inline.
func TestNearMeShowsTheLocationButton(t *testing.T) {
	f := newFixture(t)
	f.start()
	const chat = 4242
	f.fake.PushMessage(chat, giulia, "/vicino")
	ask := f.wait(chat, 1)[0]
	want := [][]telegramtest.Button{{{Text: "📍 Invia la mia posizione", RequestLocation: true}},
		{{Text: "🏢 Spazi WeMi"}, {Text: "☰ Menu"}}}
	if !sameKeyboard(ask.ReplyKeyboard, want) || ask.Keyboard != nil || !strings.Contains(ask.Text, "Condividi la tua posizione") {
		t.Fatalf("/vicino: %q with reply keyboard %+v, inline %+v", ask.Text, ask.ReplyKeyboard, ask.Keyboard)
	}

	// The location arrives: the first message removes the keyboard, the services
	// come with their inline buttons.
	f.fake.PushLocation(chat, giulia, 45.4642, 9.19)
	i := f.waitFor(chat, 1, "Vicino a te")
	after := f.wait(chat, i+2)[1:]
	if !after[0].RemoveKeyboard || after[0].Keyboard != nil || after[0].ReplyKeyboard != nil {
		t.Errorf("the first message after the location: %q remove %v inline %v", after[0].Text, after[0].RemoveKeyboard, after[0].Keyboard)
	}
	if !hasInline(after, "svc:") {
		t.Error("the services lost their buttons")
	}
	removals := 0
	for _, s := range f.fake.Sent(chat) {
		if s.RemoveKeyboard {
			removals++
		}
	}
	if removals != 1 {
		t.Errorf("%d messages removed the keyboard, want 1", removals)
	}

	// A text button of the keyboard sends its label: the engine acts as on the button.
	f.fake.PushMessage(chat, giulia, "/vicino")
	j := f.waitFor(chat, i+1, "Condividi la tua posizione")
	f.fake.PushMessage(chat, giulia, "☰ Menu")
	k := f.waitFor(chat, j+1, "di cosa hai bisogno")
	menu := f.fake.Sent(chat)[j+1 : k+1]
	if !menu[0].RemoveKeyboard || !hasInline(menu, "Cerca un servizio") {
		t.Errorf("the menu from the keyboard: %+v", menu)
	}
	for _, s := range menu {
		if strings.Contains(s.Text, "Non conosco il luogo") {
			t.Errorf("the label was read as a place: %q", s.Text)
		}
	}
}

func sameKeyboard(got, want [][]telegramtest.Button) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return false
		}
		for j := range got[i] {
			if got[i][j] != want[i][j] {
				return false
			}
		}
	}
	return true
}

// hasInline reports whether one of the messages has an inline button whose label or
// data contains s.
func hasInline(sent []telegramtest.Sent, s string) bool {
	for _, m := range sent {
		for _, row := range m.Keyboard {
			for _, b := range row {
				if strings.Contains(b.Text, s) || strings.Contains(b.CallbackData, s) {
					return true
				}
			}
		}
	}
	return false
}
