package bot

import (
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/search/searchtest"
)

// BenchmarkInterpret interprets every message of the dev and held-out sets, in a new
// conversation and in one with a need and a list shown (where follow-ups are read):
// the engine's work on free text alone, without store or search.
//
//	go test -run '^$' -bench Interpret -benchmem ./bot/
func BenchmarkInterpret(b *testing.B) {
	e, err := New(Options{Search: searchtest.Bundled(b), Store: nopStore{}})
	if err != nil {
		b.Fatal(err)
	}
	says := devSetSays(b)
	cat := e.opts.Search.Catalogue()
	listed := state{Query: "babysitter", Lang: "it"}
	for _, s := range cat.Services[:5] {
		listed.Results = append(listed.Results, s.ID)
		listed.Offered = append(listed.Offered, offer{Label: catalogue.Fold(s.Name), Data: actService + ":" + s.ID})
	}
	for _, c := range []struct {
		name string
		st   state
	}{{"new", state{Lang: "it"}}, {"listed", listed}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				st := c.st
				e.interpret(says[i%len(says)], &st)
			}
		})
	}
}
