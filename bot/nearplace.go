package bot

import "strings"

// placeAsked reports a message that asks what is near a street or a postcode of
// Milan: "/vicino" said in words ("abito in viale Monza", "spazio WeMi vicino a corso
// Buenos Aires 20", "CAP 20127", "I live near piazza Duomo"). The address may come
// with words of where the citizen lives, of nearness and of the WeMi spaces, in any
// of the bot's languages, and nothing else: a need ("babysitter in via Padova") is a
// search in that Municipio. A street the gazetteer does not know counts only with
// such words around it and a name that says no need ("corso di italiano").
//
// With a need under way, a place alone ("e in via Padova?", "abito in viale Monza")
// narrows it (a follow-up): only the WeMi spaces or nearness named ask what is near.
func (e *Engine) placeAsked(text string, st *state) bool {
	cat := e.opts.Search.Catalogue()
	a, rest, ok := cat.Milan.FindAddress(text)
	if !ok {
		return false
	}
	lx := e.lexicon
	if st.hasNeed() && !has(rest, lx.refine["near"]) && !has(rest, e.intents.phrases[intentSpaces]) && !has(rest, e.intents.phrases[intentNear]) {
		return false
	}
	cues := rest
	for _, ps := range []*phraseList{lx.postcodes, lx.places, lx.refine["near"], e.intents.phrases[intentNear], e.intents.phrases[intentSpaces]} {
		cues = strip(cues, ps)
	}
	if len(lx.content(cues)) > 0 {
		return false // words of a need, or of something else
	}
	if a.Known() || a.Outside {
		return true
	}
	if cues == rest {
		return false // a bare "via ...": too often not a street at all
	}
	_, name, _ := strings.Cut(a.Said, " ") // without its kind
	return len(e.vocab.needWords(cat, lx, st.Lang, lx.content(name), nil)) == 0
}
