package web

import (
	"encoding/json"
	"testing"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// TestAppendAnswer: an answer is written byte for byte as encoding/json writes it.
func TestAppendAnswer(t *testing.T) {
	replies := []bot.Reply{
		{Lang: "it", Text: "*Ciao* <b> & \"tu\"\n📞 +39 02 5550 1001 · https://coop.example.org"},
		{Lang: "ar", Text: "مرحبا\u2028x\t\x01\xff", Replace: true, AskLocation: "Dove sei?",
			Buttons: [][]bot.Button{{{Label: "Sì <ok>", Data: "yes"}, {Label: "Paga", URL: "https://pay.example.org/?a=1&b=2"}},
				{{Label: "solo http", URL: "http://pay.example.org"}}, {}}},
		{Lang: "en", Text: "", Location: &bot.Place{Point: catalogue.Point{Lat: 45.4642, Lon: 9.19}, Name: "Sede", Address: "Via <Roma> 1"},
			Document: &bot.Document{Name: "ricevuta.pdf", MIME: "application/pdf", Data: []byte("%PDF-1.7\x00\xff")}},
	}
	tests := []outgoing{
		{Lang: "it", Replies: render(replies, nil, "")},
		{Lang: "it", Replies: render(replies, newHTMLCache(), "s1"), Forgotten: true, Tag: "0123abcd"},
		{Lang: "it", Replies: []webReply{}},
		{Lang: "fr"},
	}
	for i, o := range tests {
		want, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendAnswer(nil, o); string(got) != string(want) {
			t.Errorf("%d: appendAnswer =\n%s\nwant\n%s", i, got, want)
		}
	}
}

// FuzzAppendJSONString: any string is quoted as encoding/json quotes it.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "<b>&amp;</b>", "\x00\x1f\b\f\n\r\t\x7f", "\u2028\u2029", "\xff\xfe", "é😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got[1:], want)
		}
	})
}
