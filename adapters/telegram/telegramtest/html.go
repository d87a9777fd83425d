package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// htmlTags are the tags of the Bot API's "HTML style" formatting, aliases included.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "tg-emoji": true, "code": true, "pre": true, "blockquote": true,
}

// renderHTML checks text in the Bot API's HTML style and returns the plain text a
// client would show. When the real API would refuse the text it returns the reason,
// worded like the API's "can't parse entities" errors.
//
// It checks what the reference demands: only the supported tags, properly closed and
// nested; span only with class "tg-spoiler"; and every <, > and & that is not part of
// a tag or an entity written as &lt;, &gt; or &amp;. Entities are the four named ones
// (&lt; &gt; &amp; &quot;) and numeric ones (&#39; &#x27;). Telegram itself forgives a
// lone > or &; the fake holds bots to the reference.
func renderHTML(s string) (plain, problem string) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			if strings.HasPrefix(s[i:], "</") {
				name, next, problem := scanEndTag(s, i)
				if problem != "" {
					return "", problem
				}
				if len(open) == 0 {
					return "", fmt.Sprintf("Unexpected end tag at byte offset %d", i)
				}
				if want := open[len(open)-1]; name != want {
					return "", fmt.Sprintf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, want, name)
				}
				open = open[:len(open)-1]
				i = next
				continue
			}
			name, next, problem := scanStartTag(s, i)
			if problem != "" {
				return "", problem
			}
			open = append(open, name)
			i = next
		case '&':
			r, next, ok := scanEntity(s, i)
			if !ok {
				return "", fmt.Sprintf("Character '&' at byte offset %d must be escaped as \"&amp;\"", i)
			}
			out.WriteRune(r)
			i = next
		case '>':
			return "", fmt.Sprintf("Character '>' at byte offset %d must be escaped as \"&gt;\"", i)
		default:
			out.WriteByte(s[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Sprintf("Can't find end tag corresponding to start tag \"%s\"", open[len(open)-1])
	}
	return out.String(), ""
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r'
}

func isNameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_'
}

// scanEndTag reads the end tag starting at s[i] ("</name>").
func scanEndTag(s string, i int) (name string, next int, problem string) {
	end := strings.IndexByte(s[i:], '>')
	if end < 0 {
		return "", 0, fmt.Sprintf("Unclosed end tag at byte offset %d", i)
	}
	return strings.ToLower(strings.TrimSpace(s[i+2 : i+end])), i + end + 1, ""
}

// scanStartTag reads the start tag starting at s[i], with its attributes.
func scanStartTag(s string, i int) (name string, next int, problem string) {
	j := i + 1
	for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
		j++
	}
	name = strings.ToLower(s[i+1 : j])
	if !htmlTags[name] {
		return "", 0, fmt.Sprintf("Unsupported start tag \"%s\" at byte offset %d", name, i)
	}
	attrs := map[string]string{}
	for {
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) {
			return "", 0, fmt.Sprintf("Unclosed start tag at byte offset %d", i)
		}
		if s[j] == '>' {
			j++
			break
		}
		k := j
		for k < len(s) && isNameByte(s[k]) {
			k++
		}
		if k == j {
			return "", 0, fmt.Sprintf("Empty attribute name in the tag \"%s\" at byte offset %d", name, j)
		}
		attr := strings.ToLower(s[j:k])
		j = k
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		value := ""
		if j < len(s) && s[j] == '=' {
			var ok bool
			if value, j, ok = scanAttrValue(s, j+1); !ok {
				return "", 0, fmt.Sprintf("Unclosed start tag at byte offset %d", i)
			}
		}
		attrs[attr] = value
	}
	switch name {
	case "span":
		if attrs["class"] != "tg-spoiler" {
			return "", 0, "Tag \"span\" must have class \"tg-spoiler\""
		}
	case "tg-emoji":
		if attrs["emoji-id"] == "" {
			return "", 0, "Tag \"tg-emoji\" must have attribute \"emoji-id\""
		}
	}
	return name, j, ""
}

// scanAttrValue reads an attribute value, quoted or not, starting at s[j].
func scanAttrValue(s string, j int) (value string, next int, ok bool) {
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	if j >= len(s) {
		return "", 0, false
	}
	if q := s[j]; q == '"' || q == '\'' {
		end := strings.IndexByte(s[j+1:], q)
		if end < 0 {
			return "", 0, false
		}
		return s[j+1 : j+1+end], j + end + 2, true
	}
	k := j
	for k < len(s) && !isSpace(s[k]) && s[k] != '>' {
		k++
	}
	return s[j:k], k, true
}

// maxEntity is the longest entity the API supports: &#x10FFFF; or &#1114111;.
const maxEntity = len("&#1114111;")

// scanEntity decodes the HTML entity starting at s[i].
func scanEntity(s string, i int) (r rune, next int, ok bool) {
	window := s[i:min(len(s), i+maxEntity)]
	semi := strings.IndexByte(window, ';')
	if semi < 2 {
		return 0, 0, false
	}
	name := window[1:semi]
	next = i + semi + 1
	switch name {
	case "lt":
		return '<', next, true
	case "gt":
		return '>', next, true
	case "amp":
		return '&', next, true
	case "quot":
		return '"', next, true
	}
	digits, base := strings.CutPrefix(name, "#")
	if !base {
		return 0, 0, false
	}
	radix := 10
	if hex, ok := strings.CutPrefix(digits, "x"); ok {
		digits, radix = hex, 16
	} else if hex, ok := strings.CutPrefix(digits, "X"); ok {
		digits, radix = hex, 16
	}
	if digits == "" || strings.ContainsAny(digits, "+-") {
		return 0, 0, false
	}
	n, err := strconv.ParseUint(digits, radix, 32)
	if err != nil || n == 0 || !utf8.ValidRune(rune(n)) {
		return 0, 0, false
	}
	return rune(n), next, true
}

// utf16Len counts text the way Telegram measures message length: in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}
