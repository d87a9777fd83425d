package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/search/searchtest"
)

// nopStore is a Store that keeps nothing: interpretation never reaches the store.
type nopStore struct{}

func (nopStore) Begin(context.Context, Begin) (Session, error) { return Session{}, nil }
func (nopStore) Commit(context.Context, Session, Commit) error { return nil }
func (nopStore) Release(context.Context, Session) error        { return nil }
func (nopStore) Forget(context.Context, string) error          { return nil }

// What a text means depends on the text and on what the conversation waits for.
func TestInterpret(t *testing.T) {
	e, err := New(Options{Search: searchtest.Bundled(t), Store: nopStore{}})
	if err != nil {
		t.Fatal(err)
	}
	inBooking := state{Flow: flowBook, Draft: &bookingDraft{}}
	tests := []struct {
		name string
		st   state
		text string
		want Interpretation
	}{
		{"a need", state{}, "non so a chi lasciare i bambini", Interpretation{Intent: IntentSearch, Text: "non so a chi lasciare i bambini"}},
		{"a command", state{}, "/vicino  Niguarda", Interpretation{Intent: IntentCommand, Command: "vicino", Arg: "Niguarda", Text: "/vicino  Niguarda"}},
		{"a greeting", state{}, "Ciao!", Interpretation{Intent: IntentGreeting, Text: "Ciao!"}},
		{"only blanks", state{}, " \u200b\t", Interpretation{Intent: IntentEmpty}},
		{"too long", state{}, strings.Repeat("a", 2001), Interpretation{Intent: IntentTooLong}},
		{"thanks", state{}, "grazie mille", Interpretation{Intent: IntentThanks, Text: "grazie mille"}},
		{"english, please", state{}, "english please", Interpretation{Intent: IntentLanguage, Arg: "en", Text: "english please"}},
		{"a course is not a language switch", state{}, "corso di italiano", Interpretation{Intent: IntentSearch, Text: "corso di italiano"}},
		{"a yes to nothing", state{}, "sì", Interpretation{Intent: IntentYes, Text: "sì"}},
		{"a bare no", state{}, "no", Interpretation{Intent: IntentNo, Text: "no"}},
		{"a digit", state{}, "4", Interpretation{Intent: IntentNumber, Number: 4, Text: "4"}},
		{"a digit rates the handoff just closed", state{Flow: flowRate, RateHandoff: "h1"}, "4", Interpretation{Intent: IntentRating, Number: 4, Text: "4"}},
		{"a neighbourhood answers the zone question", state{Flow: flowZone}, "Niguarda", Interpretation{Intent: IntentAnswer, Flow: flowZone, Text: "Niguarda"}},
		{"a typed yes to erasure goes to erasure", state{Flow: flowForget}, "sì", Interpretation{Intent: IntentAnswer, Flow: flowForget, Text: "sì"}},
		{"a form takes other features' words as answers", inBooking, "operatrice socio sanitaria", Interpretation{Intent: IntentAnswer, Flow: flowBook, Text: "operatrice socio sanitaria"}},
		{"help inside a form", inBooking, "aiuto", Interpretation{Intent: IntentHelp, Text: "aiuto"}},
		{"cancel inside a form", inBooking, "annulla", Interpretation{Intent: IntentCancel, Text: "annulla"}},
		{"privacy", state{}, "quali dati avete su di me", Interpretation{Intent: IntentPrivacy, Text: "quali dati avete su di me"}},
		{"erasure", state{}, "cancella i miei dati per favore", Interpretation{Intent: IntentForget, Text: "cancella i miei dati per favore"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.st
			if got := e.interpret(tc.text, &st); got != tc.want {
				t.Errorf("interpret(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

// An interpretation prints on one line, naming only what it holds.
func TestInterpretationString(t *testing.T) {
	in := Interpretation{Intent: IntentCommand, Command: "vicino", Arg: "Niguarda", Text: "/vicino Niguarda"}
	if got, want := in.String(), `command command="vicino" arg="Niguarda" text="/vicino Niguarda"`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}
