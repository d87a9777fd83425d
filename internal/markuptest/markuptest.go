// Package markuptest gives the channel adapters' tests the engine's replies whose data
// (a catalogue title, a citizen's words) holds the characters of the bots' own markup,
// so that each adapter can check its renderer keeps them literal.
package markuptest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/search/searchtest"
)

// StarTitle is a catalogue title with asterisks and a backslash in it, as an editor
// could write.
const StarTitle = `Babysitting *5 stelle* a domicilio \ sera`

// StarQuery is a citizen's search whose words hold asterisks.
const StarQuery = "cerco una babysitter *urgente* per stasera"

// StarredReplies are the engine's first answers, on the bundled catalogue whose first
// service is renamed StarTitle, to a deep link to that service's card and to
// StarQuery.
func StarredReplies(t *testing.T) (card, found bot.Reply) {
	t.Helper()
	var id string
	idx := searchtest.Edited(t, func(c *catalogue.Catalogue) {
		s := c.Services[0]
		s.Name, s.NameEN, s.Texts, id = StarTitle, "", nil, s.ID
	})
	store, err := bolt.Open(filepath.Join(t.TempDir(), "wemi.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e, err := bot.New(bot.Options{Search: idx, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	first := func(user, text string) bot.Reply {
		t.Helper()
		rs, err := e.Handle(context.Background(), bot.Message{Channel: "test", UserID: user, Text: text})
		if err != nil || len(rs) == 0 {
			t.Fatalf("%q: %v %v", text, rs, err)
		}
		return rs[0]
	}
	return first("u1", "/start s_"+id), first("u2", StarQuery)
}
