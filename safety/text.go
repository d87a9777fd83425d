package safety

import (
	"strings"
	"unicode"

	"github.com/comune-milano/wemibot/i18n"
	"golang.org/x/text/unicode/norm"
)

// maxRunes bounds the text assessed: the engine already truncates messages to this
// length, and the bound keeps the work linear in it whatever a caller passes.
const maxRunes = 20000

// token is one word of a message, folded (lower case, no accents).
type token struct {
	text   string // after contractions, clitics and typos are resolved
	sent   int    // the sentence it is in: sentences end at . ! ? ; : and line breaks
	clause int    // the clause it is in: commas and words such as "ma", "but" start one
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
	n := 0
	for i := range text {
		if n == maxRunes {
			text = text[:i]
			break
		}
		n++
	}
	runes := []rune(norm.NFD.String(text))
	var words []rawWord
	var b strings.Builder
	pending := noBreak
	flush := func() {
		if b.Len() > 0 {
			words = append(words, rawWord{text: b.String(), before: pending})
			b.Reset()
			pending = noBreak
		}
	}
	mark := func(k boundary) {
		flush()
		if k > pending {
			pending = k
		}
	}
	for i, r := range runes {
		f, class := i18n.FoldRune(r)
		switch {
		case class == i18n.Drop:
			// accents fold away
		case class == i18n.Alone:
			// a Chinese character is a word by itself
			flush()
			b.WriteRune(f)
			flush()
		case class == i18n.Letter:
			b.WriteRune(f)
		case (r == '.' || r == ',') && b.Len() > 0 && i+1 < len(runes) && unicode.IsDigit(runes[i+1]) && isDigitByte(b.String()):
			b.WriteRune('.')
		case i18n.SentenceEnd(r):
			mark(sentenceBreak)
		case i18n.ClauseBreak(r):
			mark(clauseBreak)
		case r == '-' && (i == 0 || unicode.IsSpace(runes[i-1])):
			mark(clauseBreak)
		default:
			flush()
		}
	}
	flush()
	return words
}

// isDigitByte reports whether a word so far ends in a digit.
func isDigitByte(s string) bool {
	c := s[len(s)-1]
	return c >= '0' && c <= '9'
}

// tokens turns text into tokens: contractions expanded ("don t" → "do not"), clause
// words noted, joined prefixes split off ("والانتحار" → "انتحار"), Italian clitics
// split from infinitives and gerunds ("uccidermi" → "uccidere mi"), and typos
// corrected. Clauses are numbered across the message.
func (r *Recogniser) tokens(text string) []token {
	return r.appendTokens(nil, &textBuffers{}, text)
}

// textBuffers are the buffers reading a message needs, kept from message to message.
type textBuffers struct {
	fix map[string]string // typo corrections, per message
}

// appendTokens appends the tokens of text to out (see tokens).
func (r *Recogniser) appendTokens(out []token, tb *textBuffers, text string) []token {
	words := splitWords(text)
	sent, clause := 0, 0
	if tb.fix == nil {
		tb.fix = map[string]string{}
	}
	fix := tb.fix
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case i > 0 && w.before == sentenceBreak:
			sent++
			clause++
		case w.before == clauseBreak:
			clause++
		}
		repl, n := r.lex.expansion(words, i)
		if n > 0 {
			i += n - 1
		} else {
			repl = []string{w.text}
		}
		for _, t := range repl {
			if r.lex.breaks[t] {
				clause++
				out = append(out, token{text: t, sent: sent, clause: clause})
				continue
			}
			for _, t := range r.lex.splitPrefix(t) {
				parts := r.lex.splitClitic(t)
				if len(parts) == 1 {
					parts = r.lex.splitClitic(r.lex.correct(t, fix))
				}
				for _, part := range parts {
					out = append(out, token{text: part, sent: sent, clause: clause})
				}
			}
		}
	}
	return out
}
