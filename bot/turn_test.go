package bot

import (
	"reflect"
	"testing"
)

// TestSayKeepsTheTurnsButtons checks that the buttons kept for typing are those of
// this turn's replies, all of them, and none of the last turn's.
func TestSayKeepsTheTurnsButtons(t *testing.T) {
	st := state{Offered: []offer{{Label: "vecchio", Data: "old"}}}
	turn := &Turn{st: &st}
	turn.Say(Reply{Text: "uno", Buttons: [][]Button{{{Label: "Sì, Grazie!", Data: "yes"}}, {{Label: "No", Data: "no"}}}})
	want := []offer{{Label: "si grazie", Data: "yes"}, {Label: "no", Data: "no"}}
	if !reflect.DeepEqual(st.Offered, want) {
		t.Fatalf("after the first reply %+v, want %+v", st.Offered, want)
	}
	turn.Say(Reply{Text: "due"})
	if !reflect.DeepEqual(st.Offered, want) {
		t.Fatalf("after a reply without buttons %+v, want %+v", st.Offered, want)
	}
	turn.Say(Reply{Text: "tre", Buttons: [][]Button{{{Label: "Menu", Data: "menu"}}}})
	want = append(want, offer{Label: "menu", Data: "menu"})
	if !reflect.DeepEqual(st.Offered, want) {
		t.Fatalf("after the third reply %+v, want %+v", st.Offered, want)
	}
	next := &Turn{st: &st}
	next.Say(Reply{Text: "quattro"})
	if len(st.Offered) != 0 {
		t.Errorf("the next turn's reply without buttons keeps %+v", st.Offered)
	}
}
