package bot

import (
	"slices"
	"sync"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
)

// stem cuts letters, not bytes, and agrees with cutting a slice of runes.
func TestStem(t *testing.T) {
	for _, c := range []struct{ word, want string }{
		{"babysitter", "babys"}, {"pasti", "past"}, {"pasto", "past"}, {"casa", "cas"}, {"tre", "tre"}, {"", ""},
		{"сиделка", "сидел"}, {"няня", "нян"}, {"مساعدة", "مساعد"}, {"保姆", "保姆"}, {"a\xffbcdefg", "a\uFFFDbcd"},
	} {
		if got := stem(c.word); got != c.want || got != stemRunes(c.word) {
			t.Errorf("stem(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

// The stems of the services' names are built once per catalogue and language, and
// again for a new catalogue: a reload never leaves the old names.
func TestVocabularyNameStems(t *testing.T) {
	lx, err := loadLexicon()
	if err != nil {
		t.Fatal(err)
	}
	before, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	after, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	s := after.Services[0]
	s.Name = "Lezioni di zebra"
	want := func(cat *catalogue.Catalogue, lang string) []string {
		sv, _ := cat.Service(s.ID)
		return stemsOf(lx.content(catalogue.Fold(serviceNames(sv, lang))))
	}
	var v vocabulary
	for _, c := range []struct {
		cat  *catalogue.Catalogue
		lang string
	}{{before, "it"}, {before, "en"}, {after, "it"}, {before, "it"}} {
		if got := v.nameStems(c.cat, lx, c.lang, s.ID); !slices.Equal(got, want(c.cat, c.lang)) {
			t.Errorf("%s: stems %q, want %q", c.lang, got, want(c.cat, c.lang))
		}
	}
	if got := v.nameStems(after, lx, "it", s.ID); !slices.Contains(got, stem("zebra")) {
		t.Errorf("stems of the reloaded catalogue %q lack the new name's", got)
	}
	if got := v.nameStems(after, lx, "it", "no-such-service"); got != nil {
		t.Errorf("stems of an unknown service: %q", got)
	}
	// Conversations read the vocabulary at once, while a reload swaps the catalogue.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			cat := before
			if i%2 == 1 {
				cat = after
			}
			for range 20 {
				if got := v.nameStems(cat, lx, "it", s.ID); !slices.Equal(got, want(cat, "it")) {
					t.Errorf("concurrent stems %q, want %q", got, want(cat, "it"))
					return
				}
			}
		})
	}
	wg.Wait()
}
