package catalogue

import (
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/i18n"
)

// fileActivities is the optional file of dated activities; a catalogue without it
// (an HSDS import, an older folder) simply has none.
const fileActivities = "activities.yaml"

// Bounds that catch typos in activities' data.
const (
	maxActivityDays = 366
	maxCapacity     = 500
	maxAge          = 120
)

// How an activity's days are grouped into sessions, the things citizens enrol in.
const (
	sessionsWeekly = "settimana"
	sessionsDaily  = "giorno"
	sessionsWhole  = "intero"
)

type activityRecord struct {
	ID            string              `yaml:"id"`
	Kind          string              `yaml:"kind"`
	Title         string              `yaml:"title"`
	Description   string              `yaml:"description"`
	TitleEN       string              `yaml:"title_en"`
	DescriptionEN string              `yaml:"description_en"`
	Organization  string              `yaml:"organization"`
	Space         string              `yaml:"space"`
	Place         *locationRecord     `yaml:"place"`
	Dates         activityDatesRecord `yaml:"dates"`
	Sessions      string              `yaml:"sessions"`
	Times         activityTimesRecord `yaml:"times"`
	Ages          activityAgesRecord  `yaml:"ages"`
	Price         activityPriceRecord `yaml:"price"`
	Capacity      *int                `yaml:"capacity"`
	Enrol         activityEnrolRecord `yaml:"enrol"`
	Closed        []string            `yaml:"closed"`
}

type activityDatesRecord struct {
	First    string   `yaml:"first"`
	Last     string   `yaml:"last"`
	Weekdays []string `yaml:"weekdays"`
	Single   []string `yaml:"single"`
}

type activityTimesRecord struct {
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

type activityAgesRecord struct {
	Min *int `yaml:"min"`
	Max *int `yaml:"max"`
}

type activityPriceRecord struct {
	Free bool     `yaml:"free"`
	Euro *float64 `yaml:"euro"`
	Per  string   `yaml:"per"`
}

type activityEnrolRecord struct {
	Chat    bool   `yaml:"chat"`
	AtSpace bool   `yaml:"at_space"`
	URL     string `yaml:"url"`
}

// readActivities reads activities.yaml when the folder has one.
func (l *loader) readActivities(fsys fs.FS) {
	if _, err := fs.Stat(fsys, fileActivities); isNotExist(err) {
		return
	}
	if data, ok := l.read(fsys, fileActivities); ok {
		l.activities = decodeFile[activityRecord](fileActivities, data, "activities", "activity", l.ps)
	}
}

// buildActivities validates the activities against the spaces and providers already
// built, and adds them to the catalogue.
func (l *loader) buildActivities(c *Catalogue) {
	seen := map[string]bool{}
	for _, r := range l.activities {
		ck := checkerFor(l.ps, r, "activity")
		v := r.val
		ck.id(v.ID, seen)
		a := &Activity{ID: v.ID, Kind: ActivityKind(v.Kind), Title: strings.TrimSpace(v.Title),
			Description: strings.TrimSpace(v.Description), TitleEN: strings.TrimSpace(v.TitleEN),
			DescriptionEN: strings.TrimSpace(v.DescriptionEN)}
		if !a.Kind.Valid() {
			ck.bad("kind", "unknown kind %q (expected centro-estivo, corso, laboratorio or open-day)", v.Kind)
		}
		ck.required("title", v.Title)
		ck.required("description", v.Description)
		ck.required("title_en", v.TitleEN)
		ck.required("description_en", v.DescriptionEN)
		ck.activityPlace(c, v, a)
		a.Days = ck.activityDays(v)
		a.Sessions = ck.activitySessions(v.Sessions, v.Dates, a.Days)
		a.Opens, a.Closes = ck.activityTimes(v.Times)
		a.MinAge, a.MaxAge = ck.activityAges(v.Ages)
		a.Price = ck.activityPrice(v.Price)
		switch {
		case v.Capacity == nil:
			ck.bad("capacity", "is required: how many places each session has")
		case *v.Capacity <= 0 || *v.Capacity > maxCapacity:
			ck.bad("capacity", "%d is not between 1 and %d", *v.Capacity, maxCapacity)
		default:
			a.Capacity = *v.Capacity
		}
		a.Enrol = ck.activityEnrol(v.Enrol, a.Space != nil)
		if _, dup := c.activityByID[v.ID]; !dup && v.ID != "" {
			c.activityByID[v.ID] = a
			c.Activities = append(c.Activities, a)
		}
	}
}

// activityPlace resolves where the activity happens: a WeMi space, or a provider's
// office unless place gives another address.
func (c checker) activityPlace(cat *Catalogue, v activityRecord, a *Activity) {
	if v.Organization != "" {
		org, ok := cat.orgByID[v.Organization]
		if !ok {
			c.bad("organization", "unknown provider %q (not in %s)", v.Organization, fileOrganizations)
		}
		a.Organization = org
	}
	switch {
	case v.Space != "" && v.Place != nil:
		c.bad("place", "give either a WeMi space or a place, not both")
	case v.Space != "":
		sp, ok := cat.spaceByID[v.Space]
		if !ok {
			c.bad("space", "unknown space %q (not in %s)", v.Space, fileSpaces)
			return
		}
		a.Space, a.Location = sp, sp.Location
	case v.Place != nil:
		if v.Organization == "" {
			c.bad("organization", "an activity away from a WeMi space needs the provider that runs it")
		}
		c.required("place.address", v.Place.Address)
		c.municipio("place.municipio", v.Place.Municipio)
		p := c.point("place.latitude", "place.longitude", v.Place.Latitude, v.Place.Longitude)
		a.Location = Location{Address: v.Place.Address, Municipio: v.Place.Municipio, Point: p}
	case a.Organization != nil:
		a.Location = a.Organization.Location
	case v.Organization == "":
		c.bad("space", "say where it happens: a WeMi space (space) or the provider that runs it (organization)")
	}
}

// activityDays lists the days the activity meets: the single dates, or every listed
// weekday from first to last except public holidays.
func (c checker) activityDays(v activityRecord) []Date {
	d := v.Dates
	closed := map[Date]bool{}
	for _, s := range v.Closed {
		day, err := ParseDate(strings.TrimSpace(s))
		if err != nil {
			c.bad("closed", "%q is not a date YYYY-MM-DD", s)
			continue
		}
		closed[day] = true
	}
	if len(d.Single) > 0 {
		if d.First != "" || d.Last != "" || len(d.Weekdays) > 0 {
			c.bad("dates", "give either single dates or first, last and weekdays, not both")
			return nil
		}
		return c.singleDates(d.Single, closed)
	}
	first, errFirst := ParseDate(strings.TrimSpace(d.First))
	last, errLast := ParseDate(strings.TrimSpace(d.Last))
	if errFirst != nil {
		c.bad("dates.first", "%q is not a date YYYY-MM-DD (or give dates.single)", d.First)
	}
	if errLast != nil {
		c.bad("dates.last", "%q is not a date YYYY-MM-DD", d.Last)
	}
	if errFirst != nil || errLast != nil {
		return nil
	}
	if last.Before(first) {
		c.bad("dates", "the last day %s comes before the first %s", last, first)
		return nil
	}
	if !last.Before(first.AddDays(maxActivityDays)) {
		c.bad("dates", "from %s to %s is over %d days", first, last, maxActivityDays)
		return nil
	}
	weekdays := map[time.Weekday]bool{}
	for _, w := range d.Weekdays {
		wd, ok := parseWeekday(strings.ToLower(strings.TrimSpace(w)))
		if !ok {
			c.bad("dates.weekdays", "unknown day %q (use lun mar mer gio ven sab dom)", w)
			continue
		}
		weekdays[wd] = true
	}
	if len(d.Weekdays) == 0 {
		c.bad("dates.weekdays", "at least one day of the week is required with first and last")
		return nil
	}
	holidays := map[Date]bool{}
	for y := first.Year; y <= last.Year; y++ {
		for _, h := range Holidays(y, time.UTC) {
			holidays[DateOf(h.Date)] = true
		}
	}
	var days []Date
	for day := first; !last.Before(day); day = day.AddDays(1) {
		if weekdays[day.Weekday()] && !holidays[day] && !closed[day] {
			days = append(days, day)
		}
	}
	if len(days) == 0 {
		c.bad("dates", "no day from %s to %s falls on the weekdays given", first, last)
	}
	return days
}

func (c checker) singleDates(single []string, closed map[Date]bool) []Date {
	var days []Date
	for i, s := range single {
		day, err := ParseDate(strings.TrimSpace(s))
		if err != nil {
			c.bad(fmt.Sprintf("dates.single[%d]", i), "%q is not a date YYYY-MM-DD", s)
			continue
		}
		if len(days) > 0 && !days[len(days)-1].Before(day) {
			c.bad(fmt.Sprintf("dates.single[%d]", i), "%s is not after %s: list the dates in order, once each", day, days[len(days)-1])
			continue
		}
		if closed[day] {
			c.bad("closed", "%s is both a date and a closed day", day)
			continue
		}
		days = append(days, day)
	}
	return days
}

// activitySessions groups the days into sessions: by week (Monday to Sunday), one
// per day, or the whole activity. Single dates default to one per day, a span to the
// whole.
func (c checker) activitySessions(how string, d activityDatesRecord, days []Date) []Session {
	if how == "" {
		how = sessionsWhole
		if len(d.Single) > 0 {
			how = sessionsDaily
		}
	}
	var out []Session
	switch how {
	case sessionsWhole:
		if len(days) > 0 {
			out = append(out, Session{ID: days[0].compact(), First: days[0], Last: days[len(days)-1], Days: days})
		}
	case sessionsDaily:
		for _, day := range days {
			out = append(out, Session{ID: day.compact(), First: day, Last: day, Days: []Date{day}})
		}
	case sessionsWeekly:
		for _, day := range days {
			n := len(out)
			if n > 0 && day.Before(weekStart(out[n-1].First).AddDays(7)) {
				out[n-1].Last = day
				out[n-1].Days = append(out[n-1].Days, day)
				continue
			}
			out = append(out, Session{ID: day.compact(), First: day, Last: day, Days: []Date{day}})
		}
	default:
		c.bad("sessions", "unknown value %q (expected settimana, giorno or intero)", how)
	}
	return out
}

// weekStart returns the Monday of d's week.
func weekStart(d Date) Date { return d.AddDays(-((int(d.Weekday()) + 6) % 7)) }

func (c checker) activityTimes(t activityTimesRecord) (Clock, Clock) {
	from, okFrom := parseClock(t.From)
	to, okTo := parseClock(t.To)
	if !okFrom {
		c.bad("times.from", "%q is not a time of day HH:MM", t.From)
	}
	if !okTo {
		c.bad("times.to", "%q is not a time of day HH:MM", t.To)
	}
	if okFrom && okTo && from >= to {
		c.bad("times", "starts at %s but ends at %s", t.From, t.To)
	}
	return from, to
}

func (c checker) activityAges(a activityAgesRecord) (int, int) {
	var lo, hi int
	if a.Min != nil {
		if *a.Min < 0 || *a.Min > maxAge {
			c.bad("ages.min", "%d is not an age between 0 and %d", *a.Min, maxAge)
		} else {
			lo = *a.Min
		}
	}
	if a.Max != nil {
		if *a.Max <= 0 || *a.Max > maxAge {
			c.bad("ages.max", "%d is not an age between 1 and %d", *a.Max, maxAge)
		} else {
			hi = *a.Max
		}
	}
	if lo > 0 && hi > 0 && hi < lo {
		c.bad("ages", "the maximum age %d is below the minimum %d", hi, lo)
	}
	return lo, hi
}

func (c checker) activityPrice(p activityPriceRecord) ActivityPrice {
	if p.Free {
		if p.Euro != nil || p.Per != "" {
			c.bad("price", "a free activity has no price or unit")
		}
		return ActivityPrice{Free: true}
	}
	out := ActivityPrice{Per: PriceUnit(p.Per)}
	switch out.Per {
	case PerWeek, PerCourse, PerMeeting:
	default:
		c.bad("price.per", "unknown unit %q (expected settimana, corso or incontro)", p.Per)
	}
	switch {
	case p.Euro == nil:
		c.bad("price.euro", "a price is required (or set free: true)")
	case !finite(*p.Euro) || *p.Euro <= 0:
		c.bad("price.euro", "%v is not a positive price (set free: true for a free activity)", *p.Euro)
	case *p.Euro > 10000:
		c.bad("price.euro", "price %v euro looks wrong (over 10,000)", *p.Euro)
	default:
		out.Cents = int(math.Round(*p.Euro * 100))
	}
	return out
}

func (c checker) activityEnrol(e activityEnrolRecord, atSpace bool) Enrolment {
	out := Enrolment{Chat: e.Chat, AtSpace: e.AtSpace, URL: strings.TrimSpace(e.URL)}
	if !out.Chat && !out.AtSpace && out.URL == "" {
		c.bad("enrol", "say how to enrol: chat: true, at_space: true or a url")
	}
	if out.AtSpace && !atSpace {
		c.bad("enrol.at_space", "the activity is not at a WeMi space")
	}
	if out.URL != "" {
		u, err := url.Parse(out.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			c.bad("enrol.url", "%q is not an https:// address", e.URL)
		}
	}
	return out
}

// attachActivityTexts adds a translation file's activity titles and descriptions.
func attachActivityTexts(ps *problems, c *Catalogue, tf *translationFile) {
	for _, r := range tf.activities {
		ck := checker{ps: ps, file: r.file, label: fmt.Sprintf("activity %q", r.id), line: r.line}
		a, ok := c.activityByID[r.id]
		if !ok {
			ck.stale("unknown activity %q (not in %s): its translation is ignored", r.id, fileActivities)
			continue
		}
		if a.Texts == nil {
			a.Texts = map[string]ActivityText{}
		}
		a.Texts[tf.lang.Code] = ActivityText{Title: strings.TrimSpace(r.val.Title),
			Description: strings.TrimSpace(r.val.Description)}
	}
}

// warnActivityTexts warns of activities with no title in a language: they are shown
// in English.
func warnActivityTexts(ps *problems, c *Catalogue, tf *translationFile, lang i18n.Language) {
	for _, a := range c.Activities {
		if a.Texts[lang.Code].Title == "" {
			ps.warn(Problem{File: tf.file, Record: fmt.Sprintf("activity %q", a.ID),
				Msg: fmt.Sprintf("no %s title: shown in English", lang.English)})
		}
	}
}
