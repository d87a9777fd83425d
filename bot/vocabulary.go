package bot

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
)

// vocabulary holds the stems of the words that name what the catalogue offers: the
// services' names and the categories' names and keywords, in Italian, English and
// the conversation's language (not in all: a stem of one language is a word of
// another). A
// follow-up that adds such a word ("e un corso di italiano?") brings a need of its
// own; one that adds other words ("quanto tempo ci vuole perché inizi?") does not.
type vocabulary struct {
	mu     sync.Mutex
	cat    *catalogue.Catalogue // the catalogue the stems are of: a reload swaps it
	byLang map[string]*vocabularyIn
}

// vocabularyIn is the vocabulary of a conversation in one language.
type vocabularyIn struct {
	stems map[string]bool
	// triggers are the stems of each of the thesaurus's ways of saying a need, by
	// their first stem.
	triggers map[string][][]string
	// names are the stems of the words of each service's names (serviceNames), by
	// service id: what a follow-up about it may repeat.
	names map[string][]string
}

// of returns the vocabulary of cat in lang, building it on a new catalogue. It is
// never written once built.
func (v *vocabulary) of(cat *catalogue.Catalogue, lx *lexicon, lang string) *vocabularyIn {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cat != cat {
		v.cat, v.byLang = cat, map[string]*vocabularyIn{}
	}
	if in := v.byLang[lang]; in != nil {
		return in
	}
	langs := []string{"it", "en"}
	if lang != "it" && lang != "en" {
		langs = append(langs, lang)
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
		for _, l := range langs {
			name, _ := s.NameIn(l)
			add(name)
		}
	}
	for _, c := range cat.Categories {
		for _, l := range langs {
			name, _ := c.NameIn(l)
			keywords, _ := c.KeywordsIn(l)
			add(name)
			add(keywords...)
		}
	}
	// Who a need is for ("mio papà") is a refinement, not a need, even where the
	// thesaurus lists it among a need's words.
	who := map[string]bool{}
	for _, ps := range lx.audiences.lists {
		for _, p := range ps.phrases {
			for _, w := range lx.content(p) {
				who[stem(w)] = true
			}
		}
	}
	triggers := map[string][][]string{}
	for _, n := range cat.Thesaurus {
		if !slices.Contains(langs, n.Lang) {
			continue
		}
		for _, tr := range n.Triggers {
			var ss []string
			onlyWho := true
			for _, w := range lx.content(catalogue.Fold(tr)) {
				ss = append(ss, stem(w))
				onlyWho = onlyWho && who[stem(w)]
			}
			if len(ss) > 0 && !onlyWho {
				triggers[ss[0]] = append(triggers[ss[0]], ss)
			}
		}
	}
	names := map[string][]string{}
	for _, s := range cat.Services {
		names[s.ID] = stemsOf(lx.content(catalogue.Fold(serviceNames(s, lang))))
	}
	in := &vocabularyIn{stems: stems, triggers: triggers, names: names}
	v.byLang[lang] = in
	return in
}

// nameStems returns the stems of the words of a service's names in lang.
func (v *vocabulary) nameStems(cat *catalogue.Catalogue, lx *lexicon, lang, id string) []string {
	return v.of(cat, lx, lang).names[id]
}

// stemsOf returns the words' stems.
func stemsOf(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = stem(w)
	}
	return out
}

// stem is a word's first five letters, or all but the last of a shorter word:
// "babysitter" and "babysitting", "pasti" and "pasto" share theirs.
func stem(w string) string {
	if !utf8.ValidString(w) {
		return stemRunes(w)
	}
	// Letters, not bytes: a Cyrillic or Arabic letter is two bytes.
	switch n := utf8.RuneCountInString(w); {
	case n > 5:
		return w[:runeOffset(w, 5)]
	case n > 3:
		return w[:runeOffset(w, n-1)]
	}
	return w
}

// stemRunes is stem of text that is not UTF-8: each broken byte a letter U+FFFD.
func stemRunes(w string) string {
	r := []rune(w)
	switch {
	case len(r) > 5:
		return string(r[:5])
	case len(r) > 3:
		return string(r[:len(r)-1])
	}
	return w
}

// runeOffset returns where the nth letter of w (from 0) starts.
func runeOffset(w string, n int) int {
	for i := range w {
		if n == 0 {
			return i
		}
		n--
	}
	return len(w)
}

// needWords returns the words that name something the catalogue offers, or the
// words of withWho when together they say a need as the thesaurus knows it ("non
// riesce più a cucinare", "a chi lasciare i bambini").
func (v *vocabulary) needWords(cat *catalogue.Catalogue, lx *lexicon, lang string, words, withWho []string) []string {
	if len(words)+len(withWho) == 0 {
		return nil
	}
	in := v.of(cat, lx, lang)
	var named []string
	for _, w := range words {
		if in.stems[stem(strings.ToLower(w))] {
			named = append(named, w)
		}
	}
	if len(named) > 0 {
		return named
	}
	have := make([]string, len(withWho))
	for i, w := range withWho {
		have[i] = stem(strings.ToLower(w))
	}
	// A trigger all of whose stems are had starts with one of them.
	for _, first := range have {
		for _, tr := range in.triggers[first] {
			if !slices.ContainsFunc(tr, func(s string) bool { return !slices.Contains(have, s) }) {
				return withWho
			}
		}
	}
	return nil
}
