package catalogue

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// sanGottardo opens Monday, Wednesday and Friday mornings and Tuesday and Thursday
// afternoons, like the bundled space of that name.
func sanGottardo(closures ...Closure) *Space {
	return &Space{ID: "sg", Name: "Spazio WeMi San Gottardo", Schedules: []Schedule{
		{Days: []time.Weekday{time.Monday, time.Wednesday, time.Friday}, OpensAt: 9 * 60, ClosesAt: 13 * 60},
		{Days: []time.Weekday{time.Tuesday, time.Thursday}, OpensAt: 14 * 60, ClosesAt: 18 * 60},
	}, Closures: closures}
}

func closure(t *testing.T, loc *time.Location, from, to, reason string) Closure {
	t.Helper()
	return Closure{From: mustTime(t, loc, from+"T00:00:00"), To: mustTime(t, loc, to+"T00:00:00"), Reason: reason, ReasonEN: reason + " (en)"}
}

// describe writes an Opening as "2006-01-02 15:04 [reasons]" for comparisons.
func describe(op Opening) string {
	var reasons []string
	for _, c := range op.Closed {
		if c.Closure != nil {
			reasons = append(reasons, c.Closure.Reason)
		} else {
			reasons = append(reasons, c.Holiday)
		}
	}
	return op.At.Format("2006-01-02 15:04") + " [" + strings.Join(reasons, ",") + "]"
}

func TestNextOpeningAcrossHolidaysAndClosures(t *testing.T) {
	rome := mustRome(t)
	christmas := closure(t, rome, "2026-12-24", "2026-12-31", "natale-chiuso")
	week := closure(t, rome, "2026-12-09", "2026-12-15", "lavori")
	tests := []struct {
		name  string
		space *Space
		now   string
		want  string
	}{
		// Sunday 6 December 2026: Monday is Sant'Ambrogio, Tuesday the Immacolata.
		{"sunday before the ambrosian bridge", sanGottardo(), "2026-12-06T10:00:00", "2026-12-09 09:00 [santambrogio,immacolata]"},
		{"on sant'ambrogio itself", sanGottardo(), "2026-12-07T10:00:00", "2026-12-09 09:00 [santambrogio,immacolata]"},
		{"on the immacolata", sanGottardo(), "2026-12-08T08:00:00", "2026-12-09 09:00 [immacolata]"},
		{"a plain evening", sanGottardo(), "2026-12-03T19:00:00", "2026-12-04 09:00 []"},
		{"same day, later slot", sanGottardo(), "2026-12-10T10:00:00", "2026-12-10 14:00 []"},
		// A week of works right after the holidays: closed from the 7th to the 15th.
		{"a week of closure after the holidays", sanGottardo(week), "2026-12-06T12:00:00", "2026-12-16 09:00 [santambrogio,immacolata,lavori]"},
		{"inside the closure", sanGottardo(week), "2026-12-11T09:30:00", "2026-12-16 09:00 [lavori]"},
		// The Christmas closure covers Christmas and Santo Stefano: named once, as
		// staff wrote it; then New Year's Day is a holiday of its own.
		{"christmas closure then new year", sanGottardo(christmas), "2026-12-23T19:00:00", "2027-01-04 09:00 [natale-chiuso,capodanno]"},
		// Easter 2027 is 28 March: Monday 29 is Pasquetta.
		// Easter Sunday is a day it is closed anyway: only Pasquetta is news, but on
		// Easter Sunday itself the day's holiday is named too.
		{"easter weekend", sanGottardo(), "2027-03-27T10:00:00", "2027-03-30 14:00 [pasquetta]"},
		{"easter sunday", sanGottardo(), "2027-03-28T10:00:00", "2027-03-30 14:00 [pasqua,pasquetta]"},
		{"pasquetta", sanGottardo(), "2027-03-29T08:00:00", "2027-03-30 14:00 [pasquetta]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, ok := tt.space.NextOpening(mustTime(t, rome, tt.now), rome)
			if !ok {
				t.Fatal("no next opening")
			}
			if got := describe(op); got != tt.want {
				t.Errorf("NextOpening(%s) = %s, want %s", tt.now, got, tt.want)
			}
		})
	}
}

func TestOpenAtHonoursHolidaysAndClosures(t *testing.T) {
	rome := mustRome(t)
	s := sanGottardo(closure(t, rome, "2026-12-14", "2026-12-14", "assemblea"))
	tests := []struct {
		at   string
		want bool
	}{
		{"2026-12-04T10:00:00", true},  // a Friday morning
		{"2026-12-07T10:00:00", false}, // Monday, Sant'Ambrogio
		{"2026-12-08T15:00:00", false}, // Tuesday afternoon, the Immacolata
		{"2026-12-09T10:00:00", true},
		{"2026-12-14T10:00:00", false}, // a one-day closure
		{"2027-03-29T10:00:00", false}, // Pasquetta
		{"2026-10-05T10:00:00", true},  // a Monday
		{"2026-10-04T10:00:00", false}, // a Sunday anyway
	}
	for _, tt := range tests {
		if got := s.OpenAt(mustTime(t, rome, tt.at), rome); got != tt.want {
			t.Errorf("OpenAt(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

func TestNextOpeningOfASpaceThatNeverOpens(t *testing.T) {
	rome := mustRome(t)
	s := &Space{ID: "none"}
	if op, ok := s.NextOpening(mustTime(t, rome, "2026-12-06T10:00:00"), rome); ok {
		t.Errorf("a space without schedules opens at %v", op.At)
	}
	// Closed for a whole year: nothing within the horizon, and no endless loop.
	year := sanGottardo(closure(t, rome, "2026-12-01", "2027-11-30", "trasloco"))
	if op, ok := year.NextOpening(mustTime(t, rome, "2026-12-06T10:00:00"), rome); !ok || op.At.Format(time.DateOnly) != "2027-12-01" {
		t.Errorf("after a year-long closure: %v %v, want 2027-12-01", op.At, ok)
	}
}

func TestUpcomingClosings(t *testing.T) {
	rome := mustRome(t)
	s := sanGottardo(closure(t, rome, "2026-12-24", "2026-12-31", "natale-chiuso"))
	got := s.UpcomingClosings(mustTime(t, rome, "2026-12-06T10:00:00"), rome, 45, 5)
	var keys []string
	for _, c := range got {
		if c.Closure != nil {
			keys = append(keys, c.Day.Format("01-02")+" "+c.Closure.Reason)
		} else {
			keys = append(keys, c.Day.Format("01-02")+" "+c.Holiday)
		}
	}
	// 6 January 2027 is a Wednesday; 1 January a Friday: both days it would open.
	want := "12-07 santambrogio|12-08 immacolata|12-24 natale-chiuso|01-01 capodanno|01-06 epifania"
	if strings.Join(keys, "|") != want {
		t.Errorf("UpcomingClosings = %s, want %s", strings.Join(keys, "|"), want)
	}
	if n := len(s.UpcomingClosings(mustTime(t, rome, "2026-12-06T10:00:00"), rome, 45, 2)); n != 2 {
		t.Errorf("limit 2 gave %d closings", n)
	}
}

func TestBundledSpaceClosuresAndTheirTranslations(t *testing.T) {
	rome := mustRome(t)
	c := mustLoad(t, bundledFS(t))
	s, ok := c.Space("wemi-lambrate")
	if !ok || len(s.Closures) == 0 {
		t.Fatal("wemi-lambrate has no closures in the bundled catalogue")
	}
	for _, lang := range []string{"it", "en", "es", "fr", "ro", "uk", "ru", "ar", "zh"} {
		if text, got := s.Closures[0].ReasonIn(lang); text == "" || got != lang {
			t.Errorf("reason in %s = %q (%s), want a text in %s", lang, text, got, lang)
		}
	}
	if s.OpenAt(mustTime(t, rome, "2026-12-14T15:00:00"), rome) {
		t.Error("Lambrate is open during its refurbishment")
	}
}

func TestClosuresValidation(t *testing.T) {
	fsys := bundledFS(t)
	fsys["spaces.yaml"] = &fstest.MapFile{Data: []byte(`spaces:
  - id: wemi-prova
    name: Spazio WeMi Prova
    address: via Prova 1, 20121 Milano
    municipio: 1
    latitude: 45.47
    longitude: 9.19
    schedules: [{days: [lun], opens_at: "09:00", closes_at: "12:00"}]
    closures:
      - {from: 2026-12-20, to: 2026-12-10, reason: al contrario, reason_en: backwards}
      - {from: 2026-13-01, reason: mese sbagliato, reason_en: wrong month}
      - {from: 2027-01-10, to: 2027-01-12, reason_en: no Italian}
      - {from: 2027-01-11, to: 2027-01-20, reason: sovrapposta, reason_en: overlapping, reasons: {xx: boh, en: doppio}}
      - {from: 2027-02-01, to: 2029-02-01, reason: troppo lunga, reason_en: too long}
`)}
	_, err := Load(fsys)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Load error = %v, want a *ValidationError", err)
	}
	for _, w := range []struct{ field, msg string }{
		{"closures[0].to", "before from"},
		{"closures[1].from", "not a date"},
		{"closures[2].reason", "is required"},
		{"closures[3].reasons", "not a language"},
		{"closures[3].reasons", "goes in reason"},
		{"closures", "overlap"},
		{"closures[4].to", "more than a year"},
	} {
		found := false
		for _, p := range ve.Problems {
			if p.Record == `space "wemi-prova"` && p.Field == w.field && strings.Contains(p.Msg, w.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem on %s containing %q; got:\n%v", w.field, w.msg, err)
		}
	}
}
