package catalogue

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestBundledActivities(t *testing.T) {
	c := mustLoad(t, bundledFS(t))
	if n := len(c.Activities); n < 25 || n > 40 {
		t.Fatalf("activities = %d, want 25-40", n)
	}
	kinds := map[ActivityKind]int{}
	var thisWeek, summerWeeks int
	for _, a := range c.Activities {
		kinds[a.Kind]++
		if a.Overlaps(Date{2026, 12, 7}, Date{2026, 12, 13}) && a.Space != nil {
			thisWeek++
		}
		if a.Kind == KindSummerSchool {
			summerWeeks += len(a.Sessions)
			if a.First().Year != 2027 || a.First().Month < 6 || a.Last().Month > 9 {
				t.Errorf("%s: summer school from %s to %s, want June-September 2027", a.ID, a.First(), a.Last())
			}
		}
	}
	for _, k := range ActivityKinds() {
		if kinds[k] == 0 {
			t.Errorf("no activity of kind %s", k)
		}
	}
	if thisWeek < 3 {
		t.Errorf("%d activities at WeMi spaces in the week of 7 December 2026, want at least 3", thisWeek)
	}
	if summerWeeks < 20 {
		t.Errorf("%d Summer School weeks, want at least 20", summerWeeks)
	}
	a, ok := c.Activity("ce-nolo-estate-2027")
	if !ok {
		t.Fatal("ce-nolo-estate-2027 is missing")
	}
	if a.Space == nil || a.Space.ID != "wemi-nolo" || a.Organization == nil || len(a.Sessions) != 7 {
		t.Errorf("ce-nolo-estate-2027 = space %v, org %v, %d sessions; want wemi-nolo, a provider, 7 weeks", a.Space, a.Organization, len(a.Sessions))
	}
	if s := a.Sessions[0]; s.ID != "20270614" || s.Last != (Date{2027, 6, 18}) || len(s.Days) != 5 {
		t.Errorf("first week = %+v, want 14-18 June 2027, five days", s)
	}
	if !a.ForAge(8) || a.ForAge(5) || a.ForAge(12) {
		t.Error("ce-nolo-estate-2027 should take 6-11 year olds only")
	}
	if len(c.ActivitiesAt("wemi-nolo")) < 2 {
		t.Error("wemi-nolo should have several activities")
	}
}

// A span of weekdays skips public holidays: the course on Tuesdays and Thursdays
// does not meet on 8 December (Immacolata).
func TestActivityDaysSkipHolidays(t *testing.T) {
	fsys := bundledFS(t)
	fsys["activities.yaml"] = &fstest.MapFile{Data: []byte(strings.ReplaceAll(activityYAML, "DATES", `{first: "2026-12-01", last: "2026-12-10", weekdays: [mar, gio]}`))}
	c := mustLoad(t, fsys)
	a, _ := c.Activity("test-corso")
	var got []string
	for _, d := range a.Days {
		got = append(got, d.String())
	}
	if want := "2026-12-01 2026-12-03 2026-12-10"; strings.Join(got, " ") != want {
		t.Errorf("days = %v, want %s", got, want)
	}
}

const activityYAML = `activities:
  - id: test-corso
    kind: corso
    organization: coop-arcobaleno
    space: wemi-nolo
    title: Corso
    description: Un corso.
    title_en: Course
    description_en: A course.
    dates: DATES
    times: {from: "10:00", to: "12:00"}
    ages: {min: 6, max: 11}
    price: {euro: 20, per: corso}
    capacity: 10
    enrol: {chat: true}
`

func TestActivityValidation(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           string // in the problem, with its line
	}{
		{"unknown space", "space: wemi-nolo", "space: wemi-atlantide", `activities.yaml:5: activity "test-corso", field space: unknown space "wemi-atlantide"`},
		{"unknown provider", "organization: coop-arcobaleno", "organization: coop-nessuno", `field organization: unknown provider "coop-nessuno"`},
		{"ages inverted", "{min: 6, max: 11}", "{min: 11, max: 6}", "the maximum age 6 is below the minimum 11"},
		{"negative age", "{min: 6, max: 11}", "{min: -1}", "ages.min: -1 is not an age"},
		{"dates inverted", "DATES", `{first: "2027-01-20", last: "2027-01-10", weekdays: [lun]}`, "the last day 2027-01-10 comes before the first 2027-01-20"},
		{"bad date", "DATES", `{first: "2027-02-30", last: "2027-03-10", weekdays: [lun]}`, `dates.first: "2027-02-30" is not a date`},
		{"single and span", "DATES", `{first: "2027-01-10", last: "2027-01-20", weekdays: [lun], single: ["2027-01-11"]}`, "either single dates or first"},
		{"single out of order", "DATES", `{single: ["2027-01-12", "2027-01-11"]}`, "2027-01-11 is not after 2027-01-12"},
		{"no weekday in span", "DATES", `{first: "2027-01-11", last: "2027-01-12", weekdays: [sab]}`, "no day from 2027-01-11"},
		{"negative price", "{euro: 20, per: corso}", "{euro: -5, per: corso}", "price.euro: -5 is not a positive price"},
		{"free with a price", "{euro: 20, per: corso}", "{free: true, euro: 5}", "a free activity has no price"},
		{"unknown unit", "{euro: 20, per: corso}", "{euro: 20, per: anno}", `unknown unit "anno"`},
		{"no capacity", "capacity: 10", "capacity: 0", "capacity: 0 is not between 1 and 500"},
		{"times inverted", `{from: "10:00", to: "12:00"}`, `{from: "12:00", to: "10:00"}`, "starts at 12:00 but ends at 10:00"},
		{"unknown kind", "kind: corso", "kind: concerto", `unknown kind "concerto"`},
		{"no way to enrol", "{chat: true}", "{}", "say how to enrol"},
		{"link not https", "{chat: true}", `{url: "javascript:alert(1)"}`, "is not an https:// address"},
		{"unknown field", "capacity: 10", "capacity: 10\n    posti: 3", "field posti: unknown field"},
		{"no place", "    space: wemi-nolo\n", "", "say where it happens"},
		{"unknown session grouping", "capacity: 10", "capacity: 10\n    sessions: mese", `unknown value "mese"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := strings.Replace(activityYAML, tc.from, tc.to, 1)
			if tc.name == "no place" {
				data = strings.Replace(strings.Replace(activityYAML, tc.from, tc.to, 1), "    organization: coop-arcobaleno\n", "", 1)
			}
			data = strings.ReplaceAll(data, "DATES", `{first: "2027-01-11", last: "2027-01-20", weekdays: [lun]}`)
			fsys := bundledFS(t)
			fsys["activities.yaml"] = &fstest.MapFile{Data: []byte(data)}
			_, err := Load(fsys)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Load = %v, want a validation error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// A catalogue folder without activities.yaml (an HSDS import) loads with none.
func TestActivitiesAreOptional(t *testing.T) {
	fsys := bundledFS(t)
	delete(fsys, "activities.yaml")
	if c := mustLoad(t, fsys); len(c.Activities) != 0 {
		t.Errorf("activities = %d, want 0", len(c.Activities))
	}
}

func TestActivityTranslations(t *testing.T) {
	fsys := bundledFS(t)
	fsys["i18n/es.yaml"].Data = append(fsys["i18n/es.yaml"].Data, []byte("activities:\n  ce-nolo-estate-2027:\n    title: Escuela de verano NoLo\n  no-such-activity:\n    title: X\n")...)
	c := mustLoad(t, fsys)
	a, _ := c.Activity("ce-nolo-estate-2027")
	if got, lang := a.TitleIn("es"); got != "Escuela de verano NoLo" || lang != "es" {
		t.Errorf("TitleIn(es) = %q, %s", got, lang)
	}
	if _, lang := a.DescriptionIn("es"); lang != LangEnglish {
		t.Errorf("DescriptionIn(es) fell back to %s, want en", lang)
	}
	var stale bool
	for _, w := range c.Warnings {
		stale = stale || strings.Contains(w.String(), `unknown activity "no-such-activity"`)
	}
	if !stale {
		t.Error("no warning for the translation of an unknown activity")
	}
}

func TestDate(t *testing.T) {
	d, err := ParseDate("2027-06-14")
	if err != nil || d.Weekday().String() != "Monday" || d.AddDays(20) != (Date{2027, 7, 4}) || weekStart(Date{2027, 6, 20}) != d {
		t.Errorf("ParseDate = %v, %v; weekday %v", d, err, d.Weekday())
	}
	if _, err := ParseDate("14/06/2027"); err == nil {
		t.Error("ParseDate accepted 14/06/2027")
	}
}

// Every bundled activity reads in every language the catalogue is translated into.
func TestBundledActivitiesTranslated(t *testing.T) {
	c := mustLoad(t, bundledFS(t))
	for _, lang := range translatedLanguages(c.Languages) {
		for _, a := range c.Activities {
			if _, got := a.TitleIn(lang.Code); got != lang.Code {
				t.Errorf("%s: no %s title", a.ID, lang.Code)
			}
			if _, got := a.DescriptionIn(lang.Code); got != lang.Code {
				t.Errorf("%s: no %s description", a.ID, lang.Code)
			}
		}
	}
}
