package bot

import (
	"strings"
	"sync"

	"github.com/comune-milano/wemibot/catalogue"
)

// vocabulary holds the stems of the words that name what the catalogue offers: the
// services' names and the categories' names and keywords, in every language. A
// follow-up that adds such a word ("e un corso di italiano?") brings a need of its
// own; one that adds other words ("quanto tempo ci vuole perché inizi?") does not.
type vocabulary struct {
	mu    sync.Mutex
	cat   *catalogue.Catalogue // the catalogue the stems are of: a reload swaps it
	stems map[string]bool
}

// of returns the stems of cat's vocabulary, building them on a new catalogue.
func (v *vocabulary) of(cat *catalogue.Catalogue, lx *lexicon) map[string]bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cat == cat && v.stems != nil {
		return v.stems
	}
	stems := map[string]bool{}
	add := func(texts ...string) {
		for _, text := range texts {
			for _, w := range lx.content(catalogue.Fold(text)) {
				if len(w) >= 4 {
					stems[stem(w)] = true
				}
			}
		}
	}
	for _, s := range cat.Services {
		add(s.Name, s.NameEN)
	}
	for _, c := range cat.Categories {
		add(c.Name, c.NameEN)
		add(c.Keywords...)
		add(c.KeywordsEN...)
	}
	v.cat, v.stems = cat, stems
	return stems
}

// stem is a word's first five letters, or all but the last of a shorter word:
// "babysitter" and "babysitting", "pasti" and "pasto" share theirs.
func stem(w string) string {
	switch {
	case len(w) > 5:
		return w[:5]
	case len(w) > 3:
		return w[:len(w)-1]
	}
	return w
}

// offers reports whether a word names something the catalogue offers.
func (v *vocabulary) offers(cat *catalogue.Catalogue, lx *lexicon, w string) bool {
	return v.of(cat, lx)[stem(strings.ToLower(w))]
}
