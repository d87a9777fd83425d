package web

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// appendAnswer appends the JSON of an answer to a message to dst, byte for byte as
// encoding/json writes it, without its reflection: every message is answered so.
func appendAnswer(dst []byte, o outgoing) []byte {
	dst = append(dst, `{"lang":`...)
	dst = appendJSONString(dst, o.Lang)
	dst = append(dst, `,"replies":`...)
	if o.Replies == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, r := range o.Replies {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendReply(dst, r)
		}
		dst = append(dst, ']')
	}
	if o.Forgotten {
		dst = append(dst, `,"forgotten":true`...)
	}
	if o.Tag != "" {
		dst = append(dst, `,"tag":`...)
		dst = appendJSONString(dst, o.Tag)
	}
	return append(dst, '}')
}

// answerSizeHint is about the length of the JSON of an answer, a little more rather
// than less (its HTML grows when escaped), so that it is written without copies.
func answerSizeHint(o outgoing) int {
	n := 64
	for _, r := range o.Replies {
		n += 160 + len(r.HTML) + len(r.HTML)/4
		for _, row := range r.Buttons {
			for _, b := range row {
				n += 32 + len(b.Label) + len(b.Data) + len(b.URL)
			}
		}
	}
	return n
}

// appendReply appends the JSON of a reply, as encoding/json writes it.
func appendReply(dst []byte, r webReply) []byte {
	dst = append(dst, `{"lang":`...)
	dst = appendJSONString(dst, r.Lang)
	dst = append(dst, `,"dir":`...)
	dst = appendJSONString(dst, r.Dir)
	dst = append(dst, `,"html":`...)
	dst = appendJSONString(dst, r.HTML)
	dst = append(dst, `,"buttons":`...)
	dst = appendButtons(dst, r.Buttons)
	dst = append(dst, `,"location":`...)
	dst = appendMarshalled(dst, r.Location)
	dst = append(dst, `,"document":`...)
	dst = appendMarshalled(dst, r.Document)
	dst = append(dst, `,"replace":`...)
	dst = strconv.AppendBool(dst, r.Replace)
	if r.AskLocation != "" {
		dst = append(dst, `,"ask_location":`...)
		dst = appendJSONString(dst, r.AskLocation)
	}
	return append(dst, '}')
}

// appendButtons appends the JSON of rows of buttons; a nil row is null.
func appendButtons(dst []byte, rows [][]webButton) []byte {
	if rows == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, row := range rows {
		if i > 0 {
			dst = append(dst, ',')
		}
		if row == nil {
			dst = append(dst, "null"...)
			continue
		}
		dst = append(dst, '[')
		for j, b := range row {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"label":`...)
			dst = appendJSONString(dst, b.Label)
			dst = append(dst, `,"data":`...)
			dst = appendJSONString(dst, b.Data)
			if b.URL != "" {
				dst = append(dst, `,"url":`...)
				dst = appendJSONString(dst, b.URL)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, ']')
}

// appendMarshalled appends the JSON of a rare part of a reply (a location, a
// document), nil as null, through encoding/json itself.
func appendMarshalled[T any](dst []byte, v *T) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...) // not reached: its fields all encode
	}
	return append(dst, b...)
}

// appendJSONString appends s quoted as encoding/json quotes a string: <, > and & too
// as \u escapes (the HTML of a reply stays inert in any context), U+2028 and U+2029
// escaped, and invalid UTF-8 replaced by U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	done := 0 // s[:done] is in dst
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[done:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, `\b`...)
			case '\f':
				dst = append(dst, `\f`...)
			case '\n':
				dst = append(dst, `\n`...)
			case '\r':
				dst = append(dst, `\r`...)
			case '\t':
				dst = append(dst, `\t`...)
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			done = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[done:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[done:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		done = i
	}
	dst = append(dst, s[done:]...)
	return append(dst, '"')
}
