package bot

import (
	"testing"

	"github.com/comune-milano/wemibot/search/searchtest"
)

// Follow-ups are read against the current need, the list shown and the service in
// focus; a message with a need of its own is a new search.
func TestInterpretFollowUps(t *testing.T) {
	e, err := New(Options{Search: searchtest.Bundled(t), Store: nopStore{}})
	if err != nil {
		t.Fatal(err)
	}
	list := state{Query: "cerco una babysitter", Results: []string{"a", "b", "c"}, Offered: []offer{
		{Label: "babysitting diurno a domicilio", Data: "svc:a"}, {Label: "tata d emergenza last minute", Data: "svc:b"},
		{Label: "babysitting serale", Data: "svc:c"}, {Label: "solo gratuiti", Data: "free.g1"}}}
	card := list
	card.Focus = "a"
	cancelAsked := state{Offered: []offer{{Label: "si annulla", Data: "book:cancelyes:x1"}, {Label: "no tienila", Data: "mybook"}}}
	tests := []struct {
		name string
		st   state
		text string
		want Interpretation
	}{
		{"cost of the list", list, "e quanto si paga?", Interpretation{Intent: IntentQuestion, Topic: topicCost}},
		{"cost in English", list, "how much is it?", Interpretation{Intent: IntentQuestion, Topic: topicCost}},
		{"free ones", list, "ci sono anche quelli gratuiti?", Interpretation{Intent: IntentRefine, Refine: Refinement{Free: true}}},
		{"free ones in English", list, "are there free ones?", Interpretation{Intent: IntentRefine, Refine: Refinement{Free: true}}},
		{"is it free, of the card", card, "è gratis?", Interpretation{Intent: IntentQuestion, Topic: topicFree}},
		{"where, of the card", card, "dove si trova?", Interpretation{Intent: IntentQuestion, Topic: topicWhere}},
		{"languages", card, "e in che lingue?", Interpretation{Intent: IntentQuestion, Topic: topicLanguages}},
		{"for my son", list, "e per mio figlio?", Interpretation{Intent: IntentRefine, Refine: Refinement{Audience: "bambini"}}},
		{"for my dad", list, "what about for my dad", Interpretation{Intent: IntentRefine, Refine: Refinement{Audience: "anziani"}}},
		{"an age", list, "ho 82 anni", Interpretation{Intent: IntentRefine, Refine: Refinement{Audience: "anziani"}}},
		{"an age in English", list, "it's for my 16 year old daughter", Interpretation{Intent: IntentRefine, Refine: Refinement{Audience: "ragazzi"}}},
		{"cheaper", list, "quelli meno cari?", Interpretation{Intent: IntentRefine, Refine: Refinement{Cheaper: true}}},
		{"a Municipio", list, "sto al municipio 4", Interpretation{Intent: IntentRefine, Refine: Refinement{Municipio: 4}}},
		{"shared", list, "in gruppo?", Interpretation{Intent: IntentRefine, Refine: Refinement{Shared: true}}},
		{"the same need's word", list, "quanto costa la babysitter?", Interpretation{Intent: IntentQuestion, Topic: topicCost}},
		{"a need of its own", list, "cerco un corso di italiano", Interpretation{Intent: IntentSearch}},
		{"a need with who it is for", card, "non so a chi lasciare i bambini", Interpretation{Intent: IntentSearch}},
		{"a need in the thesaurus's words", list, "mia mamma non riesce più a cucinare", Interpretation{Intent: IntentSearch}},
		{"a place and a verb", list, "he lives in Baggio", Interpretation{Intent: IntentRefine, Refine: Refinement{Municipio: 7, Place: "Baggio - Q.re degli Olmi - Q.re Valsesia"}}},
		{"the second's cost", list, "quanto costa il secondo?", Interpretation{Intent: IntentQuestion, Topic: topicCost, Button: "svc:b"}},
		{"the second", list, "il secondo", Interpretation{Intent: IntentPress, Button: "svc:b"}},
		{"a digit picks from the list", list, "3", Interpretation{Intent: IntentNumber, Number: 3, Button: "svc:c"}},
		{"a button's name", list, "Tata d'emergenza last minute", Interpretation{Intent: IntentPress, Button: "svc:b"}},
		{"confused", state{}, "non ho capito", Interpretation{Intent: IntentConfused}},
		{"confused in English", list, "I dont understand", Interpretation{Intent: IntentConfused}},
		{"back", card, "torna indietro", Interpretation{Intent: IntentBack}},
		{"repeat", card, "puoi ripetere?", Interpretation{Intent: IntentRepeat}},
		{"more", list, "ce ne sono altri?", Interpretation{Intent: IntentMore}},
		{"leave it", list, "lascia stare", Interpretation{Intent: IntentCancel}},
		{"a yes to the question asked", cancelAsked, "sì", Interpretation{Intent: IntentYes, Button: "book:cancelyes:x1"}},
		{"a no to the question asked", cancelAsked, "no", Interpretation{Intent: IntentNo, Button: "mybook"}},
		{"no need, no follow-up", state{}, "quanto costa?", Interpretation{Intent: IntentSearch}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.st
			got := e.interpret(tc.text, &st)
			got.Text = ""
			if got != tc.want {
				t.Errorf("interpret(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

// A message that tells the citizen's situation and their need searches the need,
// and takes only where they live from the situation.
func TestSituationAndNeed(t *testing.T) {
	e, err := New(Options{Search: searchtest.Bundled(t), Store: nopStore{}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text, need string
		municipio  int
		audience   string
	}{
		{"sono in pensione e vorrei imparare a usare il computer", "vorrei imparare a usare il computer", 0, "anziani"},
		{"faccio i turni in ospedale e mi serve qualcuno per i bambini", "mi serve qualcuno per i bambini", 0, ""},
		{"abito a Niguarda e cerco compagnia per mia madre", "cerco compagnia per mia madre", 9, ""},
		{"lavoro fino a tardi, chi può prendere mio figlio a scuola?", "chi può prendere mio figlio a scuola", 0, ""},
		{"I work night shifts and I need a babysitter", "I need a babysitter", 0, ""},
		{"mia mamma non riesce più a cucinare", "mia mamma non riesce più a cucinare", 0, ""},
		{"pulizie e stiro", "pulizie e stiro", 0, ""},
	}
	for _, tc := range tests {
		need, r := e.situationAndNeed(tc.text)
		if need != tc.need || r.Municipio != tc.municipio || r.Audience != tc.audience {
			t.Errorf("situationAndNeed(%q) = %q, Municipio %d, for %q; want %q, %d, %q", tc.text, need, r.Municipio, r.Audience, tc.need, tc.municipio, tc.audience)
		}
	}
}
