package catalogue

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// closureRecord is an exceptional closure as written in the catalogue files: dates
// as YYYY-MM-DD, the reason in Italian and English, and optionally in the other
// languages of the registry.
type closureRecord struct {
	From     string            `yaml:"from"`
	To       string            `yaml:"to"`
	Reason   string            `yaml:"reason"`
	ReasonEN string            `yaml:"reason_en"`
	Reasons  map[string]string `yaml:"reasons"`
}

// maxClosureDays bounds one closure: a longer one is a typo in a year, and a
// space closed for longer is better taken out of the catalogue.
const maxClosureDays = 366

// ReasonIn returns why the closure is, in lang, falling back to English and then
// to Italian, and the language of the text returned.
func (c Closure) ReasonIn(lang string) (text, got string) {
	return pick(lang, c.Reason, c.ReasonEN, c.Texts[lang])
}

// dayOf is midnight of t's calendar day in loc.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// closures validates a list of closures: real dates in order, a reason in Italian
// and English, translations only into languages the catalogue knows (knows), and
// no two closures of one record overlapping (which would leave one reason unsaid);
// at most maxClosures, each reason at most maxReasonRunes.
func (c checker) closures(field string, recs []closureRecord, knows func(lang string) bool) []Closure {
	if len(recs) > maxClosures {
		c.bad(field, "%d closures: at most %d", len(recs), maxClosures)
		recs = recs[:maxClosures]
	}
	var out []Closure
	for i, r := range recs {
		f := fmt.Sprintf("%s[%d]", field, i)
		from, okFrom := parseDate(r.From)
		to, okTo := parseDate(r.To)
		if strings.TrimSpace(r.To) == "" {
			to, okTo = from, okFrom // a single day
		}
		switch {
		case strings.TrimSpace(r.From) == "":
			c.bad(f+".from", "is required (YYYY-MM-DD)")
		case !okFrom:
			c.bad(f+".from", "%q is not a date YYYY-MM-DD", r.From)
		}
		if !okTo {
			c.bad(f+".to", "%q is not a date YYYY-MM-DD", r.To)
		}
		if okFrom && okTo {
			switch days := int(to.Sub(from).Hours()/24 + 0.5); {
			case days < 0:
				c.bad(f+".to", "%s is before from %s", r.To, r.From)
				continue
			case days >= maxClosureDays:
				c.bad(f+".to", "a closure of %d days: more than a year", days+1)
			}
		}
		c.required(f+".reason", r.Reason)
		c.required(f+".reason_en", r.ReasonEN)
		for _, reason := range []struct{ field, text string }{{".reason", r.Reason}, {".reason_en", r.ReasonEN}} {
			if n := len([]rune(reason.text)); n > maxReasonRunes {
				c.bad(f+reason.field, "%d characters: at most %d", n, maxReasonRunes)
			}
		}
		texts := map[string]string{}
		for lang, text := range r.Reasons {
			switch {
			case lang == LangItalian || lang == LangEnglish:
				c.bad(f+".reasons", "%s goes in reason or reason_en", lang)
			case !knows(lang):
				c.bad(f+".reasons", "%q is not a language of the registry", lang)
			case strings.TrimSpace(text) == "":
				c.bad(f+".reasons", "the %s reason is empty", lang)
			default:
				texts[lang] = strings.TrimSpace(text)
			}
		}
		if !okFrom || !okTo {
			continue
		}
		out = append(out, Closure{From: from, To: to, Reason: strings.TrimSpace(r.Reason),
			ReasonEN: strings.TrimSpace(r.ReasonEN), Texts: texts})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].From.Before(out[j].From) })
	for i := 1; i < len(out); i++ {
		if !out[i].From.After(out[i-1].To) {
			c.bad(field, "the closures from %s and from %s overlap", out[i-1].From.Format(time.DateOnly), out[i].From.Format(time.DateOnly))
		}
	}
	return out
}

// parseDate reads a YYYY-MM-DD date as midnight UTC: a closure's dates are calendar
// days (see Closure).
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return t, err == nil
}
