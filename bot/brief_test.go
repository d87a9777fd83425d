package bot

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/search/searchtest"
)

// keepNothing is a Store that keeps nothing: these tests call the flows directly.
type keepNothing struct{}

func (keepNothing) Begin(context.Context, Begin) (Session, error) { return Session{}, nil }
func (keepNothing) Commit(context.Context, Session, Commit) error { return nil }
func (keepNothing) Release(context.Context, Session) error        { return nil }
func (keepNothing) Forget(context.Context, string) error          { return nil }

// telegramSignature is what the Telegram adapter appends to button data (a dot and 8
// characters) inside Telegram's 64 bytes.
const telegramSignature = 9

// replyBounds measures replies against the bounds for phones: at most maxReplyRunes,
// and the longest and most lines seen, for the log.
type replyBounds struct {
	t                  *testing.T
	longest, mostLines int
	replies            int
}

func (b *replyBounds) check(what string, r Reply) {
	b.t.Helper()
	b.replies++
	n := utf8.RuneCountInString(r.Text)
	b.longest = max(b.longest, n)
	b.mostLines = max(b.mostLines, strings.Count(r.Text, "\n")+1)
	if n > maxReplyRunes {
		b.t.Errorf("%s: %d characters (at most %d):\n%s", what, n, maxReplyRunes, r.Text)
	}
	for _, row := range r.Buttons {
		for _, bt := range row {
			if _, ok := parseButton(bt.Data); !ok || len(bt.Data)+telegramSignature > maxButtonData {
				b.t.Errorf("%s: button %q has data %q that does not parse or fit Telegram", what, bt.Label, bt.Data)
			}
		}
	}
}

// newBriefTurn is a turn in lang on a fresh conversation, for calling flows directly.
func newBriefTurn(t *testing.T, e *Engine, lang string) *Turn {
	t.Helper()
	return &Turn{e: e, cat: e.opts.Search.Catalogue(), st: &state{Lang: lang}, now: e.now()}
}

// Every card is a summary of at most six lines, and every detail of every service,
// every category's first page, the spaces and what is near fit a phone: no reply over
// about 900 characters, no list over 5 items, one line an item.
func TestShortAnswers(t *testing.T) {
	e, err := New(Options{Search: searchtest.Bundled(t), Store: keepNothing{}})
	if err != nil {
		t.Fatal(err)
	}
	cat := e.opts.Search.Catalogue()
	sections := []string{detailCost, detailWhen, detailWhere, detailHow, detailContacts, detailLanguages, detailProvider, detailAbout}
	for _, lang := range languages() {
		cards, details := &replyBounds{t: t}, &replyBounds{t: t}
		for _, s := range cat.Services {
			tc := newBriefTurn(t, e, lang)
			e.flows.card.card(tc, s.ID)
			if len(tc.replies) != 1 {
				t.Fatalf("%s %s: %d replies to a card", lang, s.ID, len(tc.replies))
			}
			card := tc.replies[0]
			cards.check(lang+" card "+s.ID, card)
			if n := strings.Count(card.Text, "\n") + 1; n > maxCardLines {
				t.Errorf("%s card %s: %d lines (at most %d):\n%s", lang, s.ID, n, maxCardLines, card.Text)
			}
			if len(findDetailButtons(card)) < 5 {
				t.Errorf("%s card %s: %d detail buttons", lang, s.ID, len(findDetailButtons(card)))
			}
			for _, sec := range sections {
				td := newBriefTurn(t, e, lang)
				td.st.Filters.Municipio = 4 // the longest "where": the citizen's zone is said too
				e.flows.card.detail(td, s, sec)
				if len(td.replies) != 1 || td.replies[0].Text == "" {
					t.Fatalf("%s %s %s: %d replies", lang, s.ID, sec, len(td.replies))
				}
				details.check(lang+" "+sec+" "+s.ID, td.replies[0])
			}
		}
		t.Logf("%s: %d cards, longest %d characters, at most %d lines", lang, cards.replies, cards.longest, cards.mostLines)
		t.Logf("%s: %d details, longest %d characters", lang, details.replies, details.longest)
		lists := &replyBounds{t: t}
		for _, c := range cat.Categories {
			tl := newBriefTurn(t, e, lang)
			e.flows.search.category(context.Background(), tl, string(c.ID))
			checkList(t, lists, lang+" category "+string(c.ID), tl.replies, "")
		}
		tl := newBriefTurn(t, e, lang)
		for page := 0; page*maxListItems < len(cat.Spaces); page++ {
			e.flows.near.spaces(tl, page)
		}
		checkList(t, lists, lang+" spaces", tl.replies, "• ")
		for _, m := range cat.Milan.Municipi {
			for _, n := range m.Neighbourhoods {
				tn := newBriefTurn(t, e, lang)
				e.flows.near.nearPoint(context.Background(), tn, n.Point, n.Name)
				checkList(t, lists, lang+" near "+n.Name, tn.replies, "• ")
			}
		}
		for _, sp := range cat.Spaces {
			ts := newBriefTurn(t, e, lang)
			e.flows.near.space(ts, sp.ID)
			lists.check(lang+" space "+sp.ID, ts.replies[0])
		}
		t.Logf("%s: %d lists and spaces, longest %d characters", lang, lists.replies, lists.longest)
	}
}

// checkList checks a list's replies: the bounds, at most maxListItems items, each on
// one line of at most maxListLineRunes. An item is a line starting with a number and a
// dot, or with bullet when it is not empty.
func checkList(t *testing.T, b *replyBounds, what string, replies []Reply, bullet string) {
	t.Helper()
	const maxListLineRunes = 110
	for _, r := range replies {
		if r.Text == "" {
			continue // a map
		}
		b.check(what, r)
		items := 0
		for _, line := range strings.Split(r.Text, "\n") {
			if bullet != "" && strings.HasPrefix(line, bullet) || bullet == "" && isNumbered(line) {
				items++
				if n := utf8.RuneCountInString(line); n > maxListLineRunes {
					t.Errorf("%s: an item of %d characters: %s", what, n, line)
				}
			}
		}
		if items == 0 || items > maxListItems {
			t.Errorf("%s: %d items (1 to %d):\n%s", what, items, maxListItems, r.Text)
		}
	}
}

func isNumbered(line string) bool {
	digits := len(line) - len(strings.TrimLeft(line, "0123456789"))
	return digits > 0 && strings.HasPrefix(line[digits:], ". ")
}

func findDetailButtons(r Reply) []Button {
	var out []Button
	for _, row := range r.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Data, actDetail+":") {
				out = append(out, b)
			}
		}
	}
	return out
}

// A detail button carries the longest service id a catalogue allows, signed, within
// Telegram's 64 bytes; and its data reads back as the section it names.
func TestDetailButtonData(t *testing.T) {
	longest := strings.Repeat("x", 48) // catalogue's maxIDLength
	for _, sec := range []string{detailCost, detailWhen, detailWhere, detailHow, detailContacts, detailLanguages, detailProvider, detailAbout} {
		b := btn("", actDetail, sectionCode(sec), longest)
		if len(b.Data)+telegramSignature > maxButtonData {
			t.Errorf("%s: %q is %d bytes with the signature", sec, b.Data, len(b.Data)+telegramSignature)
		}
		got, ok := parseButton(b.Data)
		code, id, _ := strings.Cut(got.arg, ":")
		if back, known := sectionOfCode(code); !ok || !known || back != sec || id != longest {
			t.Errorf("%s: %q parses as %+v", sec, b.Data, got)
		}
	}
	for _, bad := range []string{"det", "det:", "det:c", "det:c:", "det:z:abc", "det:cost:abc", "det::abc"} {
		if b, ok := parseButton(bad); ok {
			t.Errorf("parseButton(%q) accepted %+v", bad, b)
		}
	}
}

// A provider's short name drops the legal form and keeps the name.
func TestProviderShort(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Arcobaleno Società Cooperativa Sociale Onlus", "Arcobaleno"},
		{"Naviglio Sociale Società Cooperativa Sociale di tipo B", "Naviglio Sociale"},
		{"Ciclofficina Sociale Cooperativa Sociale di tipo B", "Ciclofficina Sociale"},
		{"Associazione Nonni Attivi ODV", "Nonni Attivi"},
		{"Associazione La Bottega del Tempo APS", "La Bottega del Tempo"},
		{"Fondazione Verdi", "Fondazione Verdi"},
		{"Spazio Sociale APS", "Spazio Sociale"},
		{"Il Ponte Impresa Sociale srl", "Il Ponte"},
		{"Cooperativa Sociale", "Cooperativa Sociale"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := providerShort(tt.in); got != tt.want {
			t.Errorf("providerShort(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The cost in a list says free, one price, or "from" the lower of two.
func TestCostMark(t *testing.T) {
	e, err := New(Options{Search: searchtest.Bundled(t), Store: keepNothing{}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cost catalogue.Cost
		it   string
		en   string
	}{
		{catalogue.Cost{Free: true}, "gratuito", "free"},
		{catalogue.Cost{Unit: "ora", Individual: 1400}, "14 €/ora", "€14/hour"},
		{catalogue.Cost{Unit: "ora", Individual: 1400, Shared: 950}, "da 9,50 €/ora", "from €9.50/hour"},
		{catalogue.Cost{Unit: "seduta", Shared: 1200}, "12 €/seduta", "€12/session"},
	}
	for _, tt := range tests {
		s := &catalogue.Service{Cost: tt.cost}
		if got := newBriefTurn(t, e, "it").costMark(s); got != tt.it {
			t.Errorf("it %+v: %q, want %q", tt.cost, got, tt.it)
		}
		if got := newBriefTurn(t, e, "en").costMark(s); got != tt.en {
			t.Errorf("en %+v: %q, want %q", tt.cost, got, tt.en)
		}
	}
}
