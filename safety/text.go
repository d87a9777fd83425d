package safety

import (
	"unicode"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/i18n"
	"golang.org/x/text/unicode/norm"
)

// maxRunes bounds the text assessed: the engine already truncates messages to this
// length, and the bound keeps the work linear in it whatever a caller passes.
const maxRunes = 20000

// token is one word of a message, folded (lower case, no accents).
type token struct {
	text   string // after contractions, clitics and typos are resolved
	role   wordRole
	sent   int // the sentence it is in: sentences end at . ! ? ; : and line breaks
	clause int // the clause it is in: commas and words such as "ma", "but" start one
}

// boundary is what separates two words in the raw text.
type boundary int

const (
	noBreak boundary = iota
	clauseBreak
	sentenceBreak
)

// rawWord is a folded word and the strongest boundary seen before it.
type rawWord struct {
	text   string
	before boundary
}

// splitWords folds text into words, noting sentence punctuation (. ! ? ; : and line
// breaks) and clause punctuation (commas, brackets, dashes between spaces). A dot or
// comma between digits belongs to a number ("39.8", "39,8").
func splitWords(text string) []rawWord {
	return appendWords(nil, &textBuffers{}, text)
}

// textBuffers are the buffers reading a message needs, kept from message to message.
type textBuffers struct {
	fix    map[string]string // typo corrections, per message
	nfd    norm.Iter         // decomposes (NFD) text that is not ASCII
	runes  []rune            // the decomposed text's letters
	folded []byte            // the words' folded letters, one word after another
	spans  []span            // where each word is in folded
	words  []rawWord
	parts  []string // the words one word splits into
}

// span is where a word is in textBuffers.folded, and the boundary before it.
type span struct {
	start, end int
	before     boundary
}

// reset forgets the last message.
func (tb *textBuffers) reset() {
	tb.nfd.InitString(norm.NFD, "")
	clear(tb.fix)
	clear(tb.words)
	clear(tb.parts)
}

// appendWords appends the words of text to words (see splitWords). Their letters are
// folded into one buffer, and the words are slices of one string made of it.
func appendWords(words []rawWord, tb *textBuffers, text string) []rawWord {
	runes := tb.decompose(text)
	folded, spans := tb.folded[:0], tb.spans[:0]
	start, pending := 0, noBreak
	flush := func() {
		if len(folded) > start {
			spans = append(spans, span{start: start, end: len(folded), before: pending})
			start, pending = len(folded), noBreak
		}
	}
	for i, r := range runes {
		f, class := foldRune(r)
		switch {
		case class == i18n.Drop:
			// accents fold away
		case class == i18n.Alone:
			// a Chinese character is a word by itself
			flush()
			folded = utf8.AppendRune(folded, f)
			flush()
		case class == i18n.Letter:
			folded = utf8.AppendRune(folded, f)
		case (r == '.' || r == ',') && len(folded) > start && i+1 < len(runes) && unicode.IsDigit(runes[i+1]) && isDigit(folded[len(folded)-1]):
			folded = append(folded, '.')
		default:
			flush()
			if k := breakAt(runes, i); k > pending {
				pending = k
			}
		}
	}
	flush()
	tb.folded, tb.spans = folded, spans
	all := string(folded)
	for _, s := range spans {
		words = append(words, rawWord{text: all[s.start:s.end], before: s.before})
	}
	return words
}

// foldRune is i18n.FoldRune, with ASCII, most of most messages, read without the
// Unicode tables.
func foldRune(r rune) (rune, i18n.RuneClass) {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return r, i18n.Letter
	case r >= 'A' && r <= 'Z':
		return r + 'a' - 'A', i18n.Letter
	case r < utf8.RuneSelf:
		return r, i18n.Space
	}
	return i18n.FoldRune(r)
}

// breakAt returns the boundary the punctuation or space at runes[i] makes.
func breakAt(runes []rune, i int) boundary {
	r := runes[i]
	switch {
	case i18n.SentenceEnd(r):
		return sentenceBreak
	case i18n.ClauseBreak(r):
		return clauseBreak
	case r == '-' && (i == 0 || unicode.IsSpace(runes[i-1])):
		return clauseBreak
	}
	return noBreak
}

// decompose returns the letters of text, at most maxRunes of them, decomposed (NFD)
// so that accents are letters of their own. ASCII text is its own decomposition.
func (tb *textBuffers) decompose(text string) []rune {
	n := 0
	ascii := true
	for i, r := range text {
		if n == maxRunes {
			text = text[:i]
			break
		}
		n++
		ascii = ascii && r < utf8.RuneSelf
	}
	runes := tb.runes[:0]
	if ascii {
		for i := 0; i < len(text); i++ {
			runes = append(runes, rune(text[i]))
		}
	} else {
		// An iterator, unlike norm.NFD.String, needs no memory of its own.
		tb.nfd.InitString(norm.NFD, text)
		for !tb.nfd.Done() {
			for b := tb.nfd.Next(); len(b) > 0; {
				r, size := utf8.DecodeRune(b)
				runes = append(runes, r)
				b = b[size:]
			}
		}
	}
	tb.runes = runes
	return runes
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// tokens turns text into tokens: contractions expanded ("don t" → "do not"), clause
// words noted, joined prefixes split off ("والانتحار" → "انتحار"), Italian clitics
// split from infinitives and gerunds ("uccidermi" → "uccidere mi"), and typos
// corrected. Clauses are numbered across the message.
func (r *Recogniser) tokens(text string) []token {
	return r.appendTokens(nil, &textBuffers{}, text)
}

// appendTokens appends the tokens of text to out (see tokens).
func (r *Recogniser) appendTokens(out []token, tb *textBuffers, text string) []token {
	tb.words = appendWords(tb.words[:0], tb, text)
	words := tb.words
	if tb.fix == nil {
		tb.fix = map[string]string{}
	}
	at := token{}
	for i := 0; i < len(words); i++ {
		switch {
		case i > 0 && words[i].before == sentenceBreak:
			at.sent++
			at.clause++
		case words[i].before == clauseBreak:
			at.clause++
		}
		repl, n := r.lex.expansion(words, i)
		if n == 0 {
			out = r.appendWord(out, tb, words[i].text, &at)
			continue
		}
		i += n - 1
		for _, t := range repl {
			out = r.appendWord(out, tb, t, &at)
		}
	}
	return out
}

// appendWord appends the tokens a word makes, in the sentence and clause at says; a
// word that starts a clause starts one in at.
func (r *Recogniser) appendWord(out []token, tb *textBuffers, word string, at *token) []token {
	if role := r.lex.roles[word]; role&roleBreak != 0 {
		at.clause++
		return append(out, token{text: word, role: role, sent: at.sent, clause: at.clause})
	}
	tb.parts = r.lex.splitPrefix(tb.parts[:0], word)
	for _, t := range tb.parts {
		verb, clitic, split := r.lex.splitClitic(t)
		if !split {
			verb, clitic, split = r.lex.splitClitic(r.lex.correct(t, tb.fix))
		}
		out = append(out, token{text: verb, role: r.lex.roles[verb], sent: at.sent, clause: at.clause})
		if split {
			out = append(out, token{text: clitic, role: r.lex.roles[clitic], sent: at.sent, clause: at.clause})
		}
	}
	return out
}
