package bot

import (
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// The lists of intents/<lang>.yaml the activities flow reads: the kinds of activity,
// the words that ask what is on, and the periods citizens name.
const (
	intentActSummer   = "activity_summer"   // "centri estivi", "summer school"
	intentActCourse   = "activity_course"   // "corsi": also services, so asked with a filter
	intentActWorkshop = "activity_workshop" // "laboratori"
	intentActOpenDay  = "activity_openday"  // "open day", "porte aperte"
	intentWhatsOn     = "whats_on"          // "cosa c'è", "eventi": asked with a filter
	intentThisWeek    = "when_this_week"
	intentNextWeek    = "when_next_week"
	intentThisMonth   = "when_this_month"
	intentNextMonth   = "when_next_month"
	intentSummer      = "when_summer"
	monthPrefix       = "month_" // month_1 ... month_12
)

// activityIntentNames are the lists above, each required in the intents files.
func activityIntentNames() []string {
	names := []string{intentActSummer, intentActCourse, intentActWorkshop, intentActOpenDay, intentWhatsOn,
		intentThisWeek, intentNextWeek, intentThisMonth, intentNextMonth, intentSummer}
	for m := 1; m <= 12; m++ {
		names = append(names, monthPrefix+strconv.Itoa(m))
	}
	return names
}

// activityQuery is what a citizen asked of the activities: every field narrows the
// list; the zero value is everything still to come.
type activityQuery struct {
	Kind string `json:"kind,omitempty"`
	// Age is the participant's age when AgeSet (a baby is 0).
	Age    int  `json:"age,omitempty"`
	AgeSet bool `json:"age_set,omitempty"`
	// Audience is a target group said without an age ("per adulti").
	Audience string `json:"audience,omitempty"`
	// From and To bound the days (YYYY-MM-DD), both included; empty: from today on.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Space is a WeMi space's id.
	Space string `json:"space,omitempty"`
	Page  int    `json:"page,omitempty"`
}

// activityAsk reads a message as a question about activities. It reports false for
// a message that is not one: a course or "what's on" counts only with something that
// narrows it (a period, a place, an age), since "corso di italiano" is a service.
func (e *Engine) activityAsk(text string, cat *catalogue.Catalogue, today catalogue.Date) (activityQuery, bool) {
	folded := catalogue.Fold(text)
	var q activityQuery
	strong := true
	switch {
	case e.hasList(folded, intentActSummer):
		q.Kind = string(catalogue.KindSummerSchool)
	case e.hasList(folded, intentActOpenDay):
		q.Kind = string(catalogue.KindOpenDay)
	case e.hasList(folded, intentActWorkshop):
		q.Kind = string(catalogue.KindWorkshop)
	case e.hasList(folded, intentActCourse):
		q.Kind, strong = string(catalogue.KindCourse), false
	case e.hasList(folded, intentWhatsOn):
		strong = false
	default:
		return q, false
	}
	if age, ok := e.lexicon.age(folded); ok {
		q.Age, q.AgeSet = age, true
	}
	if k, _ := longest(folded, e.lexicon.audiences); k != "" && !q.AgeSet {
		q.Audience = k
	}
	from, to, hasWhen := e.activityPeriod(folded, today)
	if hasWhen {
		q.From, q.To = from.String(), to.String()
	}
	if sp, ok := activitySpace(cat, text); ok {
		q.Space = sp.ID
	}
	// A place alone makes "what's on" a question about activities only at a WeMi
	// space: "corso di italiano a Niguarda" is a search for the service.
	atSpace := q.Space != "" && containsPhrase(folded, "wemi")
	// Who it is for is enough for a workshop or "what's on", not for a course:
	// "corso di italiano per adulti" is one of the catalogue's Italian courses.
	forWhom := (q.AgeSet || q.Audience != "") && q.Kind != string(catalogue.KindCourse)
	if !strong && !hasWhen && !atSpace && !forWhom {
		return q, false
	}
	return q, true
}

// hasList reports whether folded text holds a phrase of an intents list.
func (e *Engine) hasList(folded, list string) bool { return has(folded, e.intents.phrases[list]) }

// activityPeriod reads the days a message asks about: this or next week, this or
// next month, a month by name (the next one of that name), the summer.
func (e *Engine) activityPeriod(folded string, today catalogue.Date) (from, to catalogue.Date, ok bool) {
	monday := today.AddDays(-((int(today.Weekday()) + 6) % 7))
	if today.Weekday() == time.Sunday {
		monday = today.AddDays(1) // on a Sunday, "this week" is the one ahead
	}
	first := catalogue.Date{Year: today.Year, Month: today.Month, Day: 1}
	switch {
	case e.hasList(folded, intentNextWeek):
		return monday.AddDays(7), monday.AddDays(13), true
	case e.hasList(folded, intentThisWeek):
		return today, monday.AddDays(6), true
	case e.hasList(folded, intentNextMonth):
		next := catalogue.DateOf(first.In(time.UTC).AddDate(0, 1, 0))
		return next, catalogue.DateOf(next.In(time.UTC).AddDate(0, 1, -1)), true
	case e.hasList(folded, intentThisMonth):
		return today, catalogue.DateOf(first.In(time.UTC).AddDate(0, 1, -1)), true
	}
	// From December down: "十一月" (November) holds "一月" (January) as whole words.
	for m := 12; m >= 1; m-- {
		if e.hasList(folded, monthPrefix+strconv.Itoa(m)) {
			year := today.Year
			if time.Month(m) < today.Month {
				year++
			}
			start := catalogue.Date{Year: year, Month: time.Month(m), Day: 1}
			return start, catalogue.DateOf(start.In(time.UTC).AddDate(0, 1, -1)), true
		}
	}
	if e.hasList(folded, intentSummer) {
		year := today.Year
		if today.Month > time.September {
			year++
		}
		return catalogue.Date{Year: year, Month: time.June, Day: 1}, catalogue.Date{Year: year, Month: time.September, Day: 30}, true
	}
	return from, to, false
}

// activitySpace finds the WeMi space a message names ("allo spazio WeMi di
// Corvetto", "a NoLo"), or the one nearest to a neighbourhood it names.
func activitySpace(cat *catalogue.Catalogue, text string) (*catalogue.Space, bool) {
	folded := " " + catalogue.Fold(text) + " "
	for _, s := range cat.Spaces {
		name := catalogue.Fold(strings.TrimPrefix(s.Name, "Spazio WeMi "))
		if name != "" && strings.Contains(folded, " "+name+" ") {
			return s, true
		}
	}
	n, ok := cat.Milan.FindNeighbourhood(text)
	if !ok {
		return nil, false
	}
	var best *catalogue.Space
	bestM := 0.0
	for _, s := range cat.Spaces {
		if m := distanceMeters(n.Point, s.Location.Point); best == nil || m < bestM {
			best, bestM = s, m
		}
	}
	return best, best != nil
}

// age reads an age said in folded text ("8 anni", "8 years old", "8岁"), in any of
// the bot's languages.
func (lx *lexicon) age(folded string) (int, bool) {
	m := lx.ageRE.FindStringSubmatchIndex(folded)
	if m == nil {
		return 0, false
	}
	for i := 2; i < len(m); i += 2 {
		if m[i] >= 0 {
			n, err := strconv.Atoi(folded[m[i]:m[i+1]])
			return n, err == nil && n <= 120
		}
	}
	return 0, false
}

// matches reports whether an activity answers the query on or after today.
func (q activityQuery) matches(a *catalogue.Activity, today catalogue.Date) bool {
	if a.Last().Before(today) || (q.Kind != "" && string(a.Kind) != q.Kind) ||
		(q.Space != "" && (a.Space == nil || a.Space.ID != q.Space)) || (q.AgeSet && !a.ForAge(q.Age)) {
		return false
	}
	if !audienceFits(a, q.Audience) {
		return false
	}
	from, to := today, catalogue.Date{Year: 9999, Month: 12, Day: 31}
	if d, err := catalogue.ParseDate(q.From); err == nil && today.Before(d) {
		from = d
	}
	if d, err := catalogue.ParseDate(q.To); err == nil {
		to = d
	}
	return a.Overlaps(from, to)
}

// audienceFits reports whether an activity is for a target group said without an
// age: adults' activities start at 16 at the latest, children's end by 14.
func audienceFits(a *catalogue.Activity, audience string) bool {
	switch catalogue.Audience(audience) {
	case catalogue.AudienceAdults, catalogue.AudienceFamilies:
		return a.MinAge >= 16 || (a.MinAge == 0 && a.MaxAge == 0)
	case catalogue.AudienceElderly:
		return a.ForAge(70) && a.MinAge >= 16
	case catalogue.AudienceChildren:
		return a.MaxAge > 0 && a.MinAge < 12
	case catalogue.AudienceTeenagers:
		return a.MaxAge >= 12 && a.MinAge < 18
	}
	return true
}

// asksActivities reports whether a message asks what activities are on; the
// activities flow reads the details.
func (e *Engine) asksActivities(text string) bool {
	cat := e.opts.Search.Catalogue()
	if cat == nil || len(cat.Activities) == 0 {
		return false
	}
	_, ok := e.activityAsk(text, cat, catalogue.DateOf(e.now().In(e.rome)))
	return ok
}
