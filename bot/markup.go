package bot

import "strings"

// A reply's light formatting: a "*" opens or closes a bold run; "\*" is a literal
// asterisk and "\\" a literal backslash (any other backslash is itself). Bold comes
// from the translation files and the flows; a citizen's words, a catalogue title or
// a staff note are data, so the flows pass them through Literal, and an asterisk in
// them shows as written instead of turning the rest of the reply bold.

// Literal escapes text so that it shows as written in a reply's light formatting.
func Literal(s string) string {
	if !strings.ContainsAny(s, `*\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for _, r := range s {
		if r == '*' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Span is a run of a reply's text in one style, with its escapes resolved.
type Span struct {
	Text string
	Bold bool
}

// Spans parses a reply's light formatting into runs of plain and bold text; a bold
// run left open ends with the text. Runs alternate: empty runs are left out, so
// their neighbours join.
func Spans(text string) []Span {
	var out []Span
	var cur strings.Builder
	bold := false
	flush := func() {
		switch {
		case cur.Len() == 0:
			return
		case len(out) > 0 && out[len(out)-1].Bold == bold: // "a**b" is one run
			out[len(out)-1].Text += cur.String()
		default:
			out = append(out, Span{Text: cur.String(), Bold: bold})
		}
		cur.Reset()
	}
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '\\' && i+1 < len(text) && (text[i+1] == '*' || text[i+1] == '\\'):
			cur.WriteByte(text[i+1])
			i++
		case c == '*':
			flush()
			bold = !bold
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// Plain is a reply's text without its formatting, for channels that show none.
func Plain(text string) string {
	var b strings.Builder
	for _, s := range Spans(text) {
		b.WriteString(s.Text)
	}
	return b.String()
}

// BoldAtEnd reports whether a bold run is still open at the end of text: a channel
// that cuts a long reply in parts opens it again in the next part.
func BoldAtEnd(text string) bool {
	bold := false
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\\':
			if i+1 < len(text) && (text[i+1] == '*' || text[i+1] == '\\') {
				i++
			}
		case '*':
			bold = !bold
		}
	}
	return bold
}
