package catalogue

import (
	"fmt"
	"time"
)

// ActivityKind says what an activity is; the ids are stable (buttons and the HSDS
// export carry them).
type ActivityKind string

// The kinds of activity the catalogue lists.
const (
	// KindSummerSchool is a summer camp of Milan's Summer School (centro estivo):
	// children enrol week by week.
	KindSummerSchool ActivityKind = "centro-estivo"
	// KindCourse is a course of several meetings, enrolled in whole.
	KindCourse ActivityKind = "corso"
	// KindWorkshop is a workshop (laboratorio), usually one afternoon.
	KindWorkshop ActivityKind = "laboratorio"
	// KindOpenDay is an open day at a WeMi space or a provider's.
	KindOpenDay ActivityKind = "open-day"
)

// ActivityKinds returns every kind, in the order lists show them.
func ActivityKinds() []ActivityKind {
	return []ActivityKind{KindSummerSchool, KindCourse, KindWorkshop, KindOpenDay}
}

// Valid reports whether k is a known kind.
func (k ActivityKind) Valid() bool {
	for _, x := range ActivityKinds() {
		if x == k {
			return true
		}
	}
	return false
}

// Activity is a dated activity at a WeMi space or at a provider's: a Summer School
// camp, a course, a workshop, an open day. Unlike a service it happens on given days
// and has a number of places; citizens enrol in one of its sessions.
type Activity struct {
	ID            string
	Kind          ActivityKind
	Title         string // Italian
	Description   string // Italian
	TitleEN       string
	DescriptionEN string
	// Texts holds the title and description in the other languages, by language code;
	// TitleIn and DescriptionIn fall back to English and Italian.
	Texts map[string]ActivityText
	// Organization runs the activity; nil for a WeMi space's own activity.
	Organization *Organization
	// Space is the WeMi space where it happens; nil when it happens at the provider's
	// (Location then is the provider's or the one the data gives).
	Space    *Space
	Location Location
	// Days are the days it meets, in order; Sessions group them into what a citizen
	// enrols in.
	Days     []Date
	Sessions []Session
	Opens    Clock
	Closes   Clock
	// MinAge and MaxAge bound the participants' age in years; 0 means no bound.
	MinAge int
	MaxAge int
	Price  ActivityPrice
	// Capacity is the number of places of each session.
	Capacity int
	Enrol    Enrolment
}

// ActivityText is an activity's title and description in one language.
type ActivityText struct {
	Title       string
	Description string
}

// ActivityPrice is what taking part costs: free, or Cents per Per.
type ActivityPrice struct {
	Free  bool
	Cents int
	Per   PriceUnit
}

// PriceUnit is what an activity's price is charged per.
type PriceUnit string

// The units an activity's price can be charged per.
const (
	PerWeek    PriceUnit = "settimana"
	PerCourse  PriceUnit = "corso"
	PerMeeting PriceUnit = "incontro"
)

// Enrolment says how a citizen enrols: in the chat (the booking flow), at the
// space, or on a web page.
type Enrolment struct {
	Chat    bool
	AtSpace bool
	URL     string
}

// Session is what a citizen enrols in: one week of a summer camp, a whole course,
// one date of a workshop. Its places are counted apart.
type Session struct {
	// ID is unique within the activity and stable across reloads: the first day,
	// "20270614".
	ID    string
	First Date
	Last  Date
	Days  []Date
}

// SessionByID returns the session with the given id.
func (a *Activity) SessionByID(id string) (Session, bool) {
	for _, s := range a.Sessions {
		if s.ID == id {
			return s, true
		}
	}
	return Session{}, false
}

// First returns the activity's first day.
func (a *Activity) First() Date { return a.Days[0] }

// Last returns the activity's last day.
func (a *Activity) Last() Date { return a.Days[len(a.Days)-1] }

// ForAge reports whether a participant of age years may take part.
func (a *Activity) ForAge(age int) bool {
	return (a.MinAge == 0 || age >= a.MinAge) && (a.MaxAge == 0 || age <= a.MaxAge)
}

// Overlaps reports whether the activity meets on a day from first to last.
func (a *Activity) Overlaps(first, last Date) bool {
	for _, d := range a.Days {
		if !d.Before(first) && !last.Before(d) {
			return true
		}
	}
	return false
}

// TitleIn returns the title in lang, falling back to English and then to Italian,
// and the language of the text returned.
func (a *Activity) TitleIn(lang string) (text, got string) {
	return pick(lang, a.Title, a.TitleEN, a.Texts[lang].Title)
}

// DescriptionIn returns the description in lang, falling back to English and then
// to Italian, and the language of the text returned.
func (a *Activity) DescriptionIn(lang string) (text, got string) {
	return pick(lang, a.Description, a.DescriptionEN, a.Texts[lang].Description)
}

// Activity returns the activity with the given id.
func (c *Catalogue) Activity(id string) (*Activity, bool) {
	a, ok := c.activityByID[id]
	return a, ok
}

// ActivitiesAt returns the activities that happen at a WeMi space, in catalogue order.
func (c *Catalogue) ActivitiesAt(spaceID string) []*Activity {
	var out []*Activity
	for _, a := range c.Activities {
		if a.Space != nil && a.Space.ID == spaceID {
			out = append(out, a)
		}
	}
	return out
}

// Date is a calendar day in Milan, without a time of day or zone, so that "from 14
// June" means the same in every replica and across daylight-saving changes.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the day t falls on in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate reads a date written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: expected YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// In returns the midnight that starts the day in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Time returns the day at the given clock in loc.
func (d Date) Time(c Clock, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, int(c)/60, int(c)%60, 0, 0, loc)
}

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.In(time.UTC).Weekday() }

// AddDays returns the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return DateOf(d.In(time.UTC).AddDate(0, 0, n)) }

// Before reports whether d comes before o.
func (d Date) Before(o Date) bool { return d.In(time.UTC).Before(o.In(time.UTC)) }

// IsZero reports whether d is the zero date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// compact formats the date as YYYYMMDD, for session ids.
func (d Date) compact() string { return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day) }
