package slack

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape makes untrusted text safe inside Slack mrkdwn: &, < and > become entities, so
// a citizen cannot write a mention (<@U…>, <!channel>) or a disguised link (<url|label>).
// Control and invisible format characters (bidi overrides) are dropped; newlines stay.
func Escape(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\n':
			b.WriteRune(r)
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200d':
			// Zero-width joiners stay: emoji sequences need them.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeLine is Escape for text shown on one line: newlines become spaces.
func escapeLine(s string) string {
	return strings.ReplaceAll(Escape(s), "\n", " ")
}

// truncate cuts s to at most n runes, ending with an ellipsis when it cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max(n-1, 0)])) + "…"
}

// slackMarkupRE matches Slack's angle-bracket markup in a message an operator wrote:
// mentions, channel links, special mentions and links, with an optional label.
var slackMarkupRE = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)

// plainText turns the text of an operator's Slack message into what the citizen reads:
// links as "label (url)" or the bare URL, mentions as their label (or dropped when
// Slack gave none), and entities decoded.
func plainText(s string) string {
	s = slackMarkupRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackMarkupRE.FindStringSubmatch(m)
		target, label := sub[1], sub[2]
		switch {
		case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "#"):
			if label == "" {
				return ""
			}
			return target[:1] + label
		case strings.HasPrefix(target, "!"):
			if label != "" {
				return label
			}
			name, _, _ := strings.Cut(target[1:], "^")
			return "@" + name
		case strings.HasPrefix(target, "mailto:"):
			return strings.TrimPrefix(target, "mailto:")
		case label != "" && label != target:
			return label + " (" + target + ")"
		default:
			return target
		}
	})
	return strings.TrimSpace(html.UnescapeString(s))
}

// chunks splits mrkdwn text into pieces of at most n runes, at line breaks where it
// can and never inside an entity, for Block Kit's per-block limits.
func chunks(s string, n int) []string {
	var out []string
	for utf8.RuneCountInString(s) > n {
		r := []rune(s)
		cut := n
		if i := lastIndexRune(r[:n], '\n'); i > n/2 {
			cut = i + 1
		} else if amp := lastIndexRune(r[:n], '&'); amp >= 0 && amp > n-6 && lastIndexRune(r[amp:n], ';') < 0 {
			cut = amp // do not split "&amp;"
		}
		out = append(out, string(r[:cut]))
		s = string(r[cut:])
	}
	if s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}

func lastIndexRune(r []rune, x rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == x {
			return i
		}
	}
	return -1
}
