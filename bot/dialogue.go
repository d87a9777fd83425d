package bot

import (
	"slices"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// What a question about a service asks (Interpretation.Topic).
const (
	topicCost      = "cost"
	topicFree      = "free"
	topicWhere     = "where"
	topicWhen      = "when"
	topicHow       = "how"
	topicProvider  = "provider"
	topicLanguages = "languages"
	topicContacts  = "contacts"
	topicDetails   = "details"   // everything about it
	topicReduction = "reduction" // an ISEE reduction, a voucher
)

// Refinement is how a follow-up narrows or reorders the current need.
type Refinement struct {
	Free       bool
	Cheaper    bool
	Shared     bool
	Individual bool
	OpenNow    bool
	Audience   string // a catalogue audience ("bambini", "anziani"...)
	Municipio  int
	Place      string // the neighbourhood the Municipio came from
	// Drop* take filters away: "anche in un altro quartiere", "a pagamento",
	// "fammi vedere quello che c'è".
	DropZone bool
	DropFree bool
	DropAll  bool
	// Times are the days or times of day said ("la sera", "on Saturdays"): words
	// the need is searched with.
	Times string
}

// empty reports whether the refinement asks for nothing.
func (r Refinement) empty() bool { return r == Refinement{} }

// hasNeed reports whether the conversation has a current need: a search or a
// category being browsed.
func (st *state) hasNeed() bool { return st.Query != "" || st.Category != "" }

// metaIntents maps the lexicon's meta talk to intents.
func metaIntent(kind string) Intent {
	switch kind {
	case "confused":
		return IntentConfused
	case "back":
		return IntentBack
	case "repeat":
		return IntentRepeat
	case "more":
		return IntentMore
	case "menu":
		return IntentMenu
	case "categories":
		return IntentCategories
	case "book":
		return IntentBook
	case "stop":
		return IntentCancel
	}
	return ""
}

// metaSaid returns the meta talk a message is made of ("non ho capito", "torna
// indietro", "altri?"), or "": the phrase and fillers, nothing else.
func (e *Engine) metaSaid(folded string) string {
	kind, _ := longest(folded, e.lexicon.meta)
	if kind == "" {
		return ""
	}
	rest := strip(folded, e.lexicon.meta.of(kind)) // "stop, that's enough"
	if len(e.lexicon.content(rest)) > 0 {
		return ""
	}
	return kind
}

// followUp interprets a message against the current need and the service in focus:
// a question about them, a refinement, or talk about the conversation. It returns ""
// for a message that brings a need of its own.
func (e *Engine) followUp(text, folded string, st *state, in *Interpretation) Intent {
	if kind := e.metaSaid(folded); kind != "" {
		return metaIntent(kind)
	}
	if !st.hasNeed() && st.Focus == "" {
		return ""
	}
	n, rest, isOrdinal := e.ordinal(folded)
	topic, phrase := longest(rest, e.lexicon.questions)
	cues := e.withoutCues(rest) // what is left with who it is for: "a chi lasciare i bambini"
	if !isOrdinal {
		// "quella serale", "quanto costa quella serale?": the one item whose name
		// has those words.
		if data, ok := e.itemNamed(cues, st); ok {
			if topic != "" {
				in.Topic, in.Button = topic, data
				return IntentQuestion
			}
			in.Button = data
			return IntentPress
		}
	}
	r, rest := e.refinementIn(rest)
	if topic != "" {
		rest = stripPhrase(rest, phrase)
		for _, ps := range e.lexicon.questions.lists {
			rest = strip(rest, ps)
		}
	}
	// A follow-up may carry words of its own ("quando iniziano?"), but not words of
	// something the catalogue offers nor a need as the thesaurus says it.
	if len(e.newWords(rest, strip(cues, e.lexicon.refine["times"]), st)) > 0 {
		return "" // a need of its own: a new search (with what it says of place)
	}
	if isOrdinal {
		data, ok := st.nthItem(n)
		switch {
		case !ok:
		case topic != "":
			// "quanto costa il secondo?": the question is about that one.
			in.Topic, in.Button = topic, data
			return IntentQuestion
		case r.empty():
			in.Button = data
			return IntentPress
		}
	}
	if topic == topicWhere && r.Municipio != 0 && st.Focus == "" {
		topic = "" // "sto al municipio 4" says where the citizen is, not a question
	}
	if r.Times != "" && topic == "" && (st.Focus != "" || strings.Contains(text, "?")) {
		topic = topicWhen // "e il sabato?", "do they come on Saturdays?": a question
	}
	switch {
	case topic == topicFree && st.Focus != "":
		in.Topic = topic
		return IntentQuestion
	case topic == topicFree, !r.empty() && (topic == "" || topic == topicCost):
		r.Free = r.Free || topic == topicFree
		in.Refine = r
		return IntentRefine
	case topic != "":
		// "do they cover Niguarda?": the place is kept, and the answer says.
		in.Topic, in.Refine = topic, Refinement{Municipio: r.Municipio, Place: r.Place}
		return IntentQuestion
	case r.empty() && e.asksSomething(folded, text):
		// A question with no need of its own that no topic names ("chi se ne cura?"):
		// all there is to know about what is shown, rather than a search for its words.
		in.Topic = topicDetails
		return IntentQuestion
	}
	return ""
}

// refinementIn reads the refinements a message makes and returns the message
// without them.
func (e *Engine) refinementIn(folded string) (Refinement, string) {
	var r Refinement
	lx := e.lexicon
	flags := [...]struct {
		name string
		flag *bool
	}{{"free", &r.Free}, {"cheaper", &r.Cheaper}, {"shared", &r.Shared}, {"individual", &r.Individual},
		{"open_now", &r.OpenNow}, {"drop_zone", &r.DropZone}, {"drop_free", &r.DropFree}, {"drop_all", &r.DropAll}}
	rest := folded
	for _, f := range flags {
		if has(rest, lx.refine[f.name]) {
			*f.flag = true
		}
	}
	for _, f := range flags {
		rest = strip(rest, lx.refine[f.name])
	}
	rest = strip(rest, lx.refine["also"])
	times := lx.refine["times"]
	if i := times.firstIn(rest); i >= 0 {
		r.Times, rest = times.phrases[i], strip(rest, times)
	}
	if aud, _ := longest(rest, lx.audiences); aud != "" {
		r.Audience = aud
		for _, ps := range lx.audiences.lists {
			rest = strip(rest, ps)
		}
	}
	if aud, without, ok := lx.ageAudience(rest); ok {
		r.Audience, rest = aud, without // "mio figlio di 15 anni" is a teenager
	}
	milan := e.opts.Search.Catalogue().Milan
	if n, without, ok := lx.municipio(rest); ok {
		r.Municipio, rest = n, without
	} else if a, without, ok := milan.FindAddress(rest); ok && a.Known() {
		r.Municipio, r.Place, rest = a.Municipio(), a.Name(), without // "e in via Padova?"
	} else if without, nb, ok := milan.StripNeighbourhood(rest); ok {
		r.Municipio, r.Place, rest = nb.Municipio, nb.Name, catalogue.Fold(without)
	}
	if r.Municipio != 0 {
		rest = strip(rest, lx.places)
	}
	return r, rest
}

// newWords returns the words of folded that the current need, the list shown and
// the service in focus do not already say, and that name something the catalogue
// offers — or those of withWho (folded with who the need is for) when they say a need
// as citizens say it: a need of its own.
func (e *Engine) newWords(folded, withWho string, st *state) []string {
	cat := e.opts.Search.Catalogue()
	query := stemsOf(e.lexicon.content(catalogue.Fold(st.Query)))
	names := e.vocab.of(cat, e.lexicon, st.Lang).names // none for a service cat lacks
	page := pageOf(st, e.opts.PageSize)
	// known reports whether a stem is of the words known: the need's, those of the
	// names of the list shown ("quanto costa una passeggiata?" of a list of dog
	// walks) and of the service in focus. Asked word by word, with no list of them
	// all built.
	known := func(s string) bool {
		if slices.Contains(query, s) || st.Focus != "" && slices.Contains(names[st.Focus], s) {
			return true
		}
		for _, id := range page {
			if slices.Contains(names[id], s) {
				return true
			}
		}
		return false
	}
	unknown := func(text string) []string {
		var out []string
		for _, w := range e.lexicon.content(text) {
			if !known(stem(w)) {
				out = append(out, w)
			}
		}
		return out
	}
	return e.vocab.needWords(cat, e.lexicon, st.Lang, unknown(folded), unknown(withWho))
}

// sameStem reports whether w shares its stem with one of the words.
func sameStem(w string, words []string) bool {
	for _, k := range words {
		if stem(k) == stem(w) {
			return true
		}
	}
	return false
}

// situationAndNeed splits a message that tells the citizen's situation and their
// need ("faccio i turni in ospedale e mi serve qualcuno per i bambini"): the need is
// searched, and the situation says where they live and who they are ("sono in
// pensione"). A message of one clause, or of situations only, is all need.
func (e *Engine) situationAndNeed(text string) (need string, r Refinement) {
	lx := e.lexicon
	clauses := splitClauses(text, lx.clauses)
	if len(clauses) < 2 {
		return text, r
	}
	var needs, situations []string
	for _, c := range clauses {
		f := catalogue.Fold(c)
		if !has(f, lx.needs) && startsWithAny(f, lx.situation) {
			situations = append(situations, c)
			continue
		}
		needs = append(needs, c)
	}
	if len(needs) == 0 || len(situations) == 0 {
		return text, r
	}
	for _, s := range situations {
		f := catalogue.Fold(s)
		if aud, _, ok := lx.ageAudience(f); ok {
			r.Audience = aud
		} else if aud, _ := longest(f, lx.audiences); aud != "" && r.Audience == "" {
			r.Audience = aud
		}
		if n, _, ok := lx.municipio(f); ok {
			r.Municipio = n
		} else if a, _, ok := e.opts.Search.Catalogue().Milan.FindAddress(s); ok && a.Known() {
			r.Municipio, r.Place = a.Municipio(), a.Name() // "abito in viale Monza"
		} else if nb, ok := e.opts.Search.Catalogue().Milan.FindNeighbourhood(s); ok {
			r.Municipio, r.Place = nb.Municipio, nb.Name
		}
	}
	return strings.Join(needs, ", "), r
}

// clauseBreaks marks the punctuation that ends a clause.
var clauseBreaks = strings.NewReplacer(".", "|", ",", "|", ";", "|", "!", "|", "?", "|")

// splitClauses cuts text at punctuation and at the words that join clauses.
func splitClauses(text string, joiners []string) []string {
	text = clauseBreaks.Replace(text)
	var out []string
	for _, part := range strings.Split(text, "|") {
		words := strings.Fields(part)
		start := 0
		for i := 1; i < len(words); i++ {
			w := catalogue.Fold(words[i])
			for _, j := range joiners {
				if w == j {
					out = appendClause(out, words[start:i])
					start = i + 1
					break
				}
			}
		}
		out = appendClause(out, words[start:])
	}
	return out
}

func appendClause(out []string, words []string) []string {
	if len(words) == 0 {
		return out
	}
	return append(out, strings.Join(words, " "))
}

// withoutCues returns folded without the words of questions and of refinements but
// days and times: what is left may name an item of the list.
func (e *Engine) withoutCues(folded string) string {
	for _, ps := range e.lexicon.questions.lists {
		folded = strip(folded, ps)
	}
	for k, ps := range e.lexicon.refine {
		if k != "times" {
			folded = strip(folded, ps)
		}
	}
	return folded
}

// asksSomething reports a question: a question mark, or a question word first.
func (e *Engine) asksSomething(folded, text string) bool {
	if strings.Contains(text, "?") {
		return true
	}
	first, _, _ := strings.Cut(folded, " ")
	switch first {
	case "chi", "cosa", "che", "come", "quando", "dove", "quale", "quali", "quanto", "perche",
		"who", "what", "how", "when", "where", "which", "why":
		return true
	}
	return false
}

// serviceNames is a service's Italian name and its name in lang.
func serviceNames(s *catalogue.Service, lang string) string {
	name, _ := s.NameIn(lang)
	return s.Name + " " + name
}
