package bookings_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// unfold undoes RFC 5545 folding: a CRLF followed by a space joins the lines.
func unfold(ics []byte) []string {
	return strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(ics), "\r\n ", ""), "\r\n"), "\r\n")
}

func TestICSGolden(t *testing.T) {
	loc := rome(t)
	created := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	b := booking("0a1b2c3d4e5f", "telegram:42", time.Date(2026, 11, 30, 10, 0, 0, 0, loc), created)
	if err := b.Transition(bookings.Confirmed, "Sara", "", created.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	description := "Assistenza domiciliare; 2 ore, per sé. Portare: documento d'identità, tessera sanitaria\n" +
		"Per annullare scrivi /prenotazioni al bot WeMi \\ grazie! È tutto, 😀 a presto."
	got := bookings.ICS(b, "Badante a ore, Cooperativa Aurora", "Via Padova 36, 20127 Milano", description, "ora", created.Add(time.Hour))

	golden := filepath.Join("testdata", "booking.ics")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("ICS differs from %s (go test -run TestICSGolden -update to rewrite it):\n%s", golden, got)
	}

	t.Run("CRLF and 75 octets", func(t *testing.T) {
		if !bytes.HasSuffix(got, []byte("\r\n")) {
			t.Error("does not end with CRLF")
		}
		for i, line := range strings.Split(strings.TrimSuffix(string(got), "\r\n"), "\r\n") {
			if strings.ContainsAny(line, "\r\n") {
				t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
			}
			if len(line) > 75 {
				t.Errorf("line %d has %d octets", i+1, len(line))
			}
			if !utf8.ValidString(line) {
				t.Errorf("line %d splits a UTF-8 character: %q", i+1, line)
			}
		}
	})
	lines := unfold(got)
	has := func(t *testing.T, want string) {
		t.Helper()
		for _, l := range lines {
			if l == want {
				return
			}
		}
		t.Errorf("no line %q in\n%s", want, strings.Join(lines, "\n"))
	}
	t.Run("structure", func(t *testing.T) {
		if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
			t.Errorf("first and last lines %q, %q", lines[0], lines[len(lines)-1])
		}
		for _, want := range []string{"VERSION:2.0", "METHOD:PUBLISH", "BEGIN:VTIMEZONE", "TZID:Europe/Rome",
			"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
			"UID:0a1b2c3d4e5f@wemi.comune.milano.it", "DTSTAMP:20261126T100000Z", "STATUS:CONFIRMED",
			"DTSTART;TZID=Europe/Rome:20261130T100000", "DTEND;TZID=Europe/Rome:20261130T120000"} {
			has(t, want)
		}
		if !strings.Contains(string(got), "PRODID:") {
			t.Error("no PRODID")
		}
	})
	t.Run("escaping", func(t *testing.T) {
		has(t, `SUMMARY:Badante a ore\, Cooperativa Aurora`)
		has(t, `LOCATION:Via Padova 36\, 20127 Milano`)
		has(t, `DESCRIPTION:Assistenza domiciliare\; 2 ore\, per sé. Portare: documento d'identità\, tessera sanitaria\nPer annullare scrivi /prenotazioni al bot WeMi \\ grazie! È tutto\, 😀 a presto.`)
	})
}

func TestICSTimes(t *testing.T) {
	loc := rome(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		start      time.Time
		qty        int
		unit       catalogue.CostUnit
		status     bookings.Status
		dtstart    string
		dtend      string
		statusLine string
	}{
		{"summer time on the day it starts", time.Date(2026, 3, 29, 10, 0, 0, 0, loc), 1, "ora", bookings.Confirmed,
			"20260329T100000", "20260329T110000", "CONFIRMED"},
		{"the same instant in UTC", time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC), 1, "ora", bookings.Confirmed,
			"20260329T100000", "20260329T110000", "CONFIRMED"},
		{"across the hour the clocks skip", time.Date(2026, 3, 29, 1, 0, 0, 0, loc), 2, "ora", bookings.Requested,
			"20260329T010000", "20260329T040000", "TENTATIVE"},
		{"standard time, read back with a fixed zone", time.Date(2026, 10, 25, 10, 0, 0, 0, time.FixedZone("", 3600)), 3, "pasto", bookings.Cancelled,
			"20261025T100000", "20261025T110000", "CANCELLED"},
		{"across the hour the clocks repeat", time.Date(2026, 10, 25, 1, 30, 0, 0, loc), 2, "ora", bookings.Done,
			"20261025T013000", "20261025T023000", "CONFIRMED"},
		{"new year's eve in UTC", time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), 1, "seduta", bookings.Refused,
			"20270101T003000", "20270101T013000", "CANCELLED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := booking("0123456789ab", "web:x", tt.start, now)
			b.Quantity, b.Status = tt.qty, tt.status
			lines := unfold(bookings.ICS(b, "Pasti", "", "", tt.unit, now))
			want := map[string]bool{
				"DTSTART;TZID=Europe/Rome:" + tt.dtstart: true,
				"DTEND;TZID=Europe/Rome:" + tt.dtend:     true,
				"STATUS:" + tt.statusLine:                true,
			}
			for _, l := range lines {
				delete(want, l)
				if strings.HasPrefix(l, "LOCATION") || strings.HasPrefix(l, "DESCRIPTION") {
					t.Errorf("empty text gave %q", l)
				}
			}
			if len(want) > 0 {
				t.Errorf("missing %v in\n%s", want, strings.Join(lines, "\n"))
			}
		})
	}
}

func TestICSFolding(t *testing.T) {
	created := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	b := booking("0123456789ab", "web:x", created.Add(time.Hour), created)
	for _, n := range []int{60, 61, 62, 63, 64, 74, 75, 76, 200} {
		for _, unit := range []string{"a", "è", "😀", "a\\"} {
			text := strings.Repeat(unit, n)
			ics := bookings.ICS(b, text, "", "", "ora", created)
			for _, line := range strings.Split(string(ics), "\r\n") {
				if len(line) > 75 || !utf8.ValidString(line) {
					t.Fatalf("%d × %q: line %q (%d octets)", n, unit, line, len(line))
				}
			}
			if !strings.Contains(strings.Join(unfold(ics), "\n"), "SUMMARY:"+strings.ReplaceAll(text, "\\", "\\\\")+"\n") {
				t.Errorf("%d × %q: the summary does not unfold to the text", n, unit)
			}
		}
	}
}

// The calendar file's LOCATION follows the service's venue.
func TestPlaceFollowsTheVenue(t *testing.T) {
	s := service("ora", 9*60, 13*60, time.Monday)
	s.Organization = &catalogue.Organization{Location: catalogue.Location{Address: "via Padova 36, 20127 Milano"}}
	loc := rome(t)
	b := booking("0a1b2c3d4e5f", "telegram:42", time.Date(2026, 11, 30, 10, 0, 0, 0, loc), time.Date(2026, 11, 26, 10, 0, 0, 0, loc))
	for venue, want := range map[catalogue.Venue]string{
		"":                   "via Padova 36, 20127 Milano",
		catalogue.AtProvider: "via Padova 36, 20127 Milano",
		catalogue.AtHome:     "A domicilio (Municipio 3)",
		catalogue.Online:     "Online",
	} {
		s.Rules.Venue = venue
		place := bookings.Place(s, "A domicilio (Municipio 3)", "Online")
		if place != want {
			t.Errorf("venue %q: Place = %q, want %q", venue, place, want)
		}
		ics := unfold(bookings.ICS(b, "Servizio", place, "", "ora", b.Created))
		found := false
		for _, l := range ics {
			found = found || l == "LOCATION:"+strings.ReplaceAll(want, ",", `\,`) // escaped as RFC 5545 says
		}
		if !found {
			t.Errorf("venue %q: no LOCATION:%s in %q", venue, want, ics)
		}
	}
	s.Organization, s.Rules.Venue = nil, catalogue.AtProvider
	if p := bookings.Place(s, "casa", "online"); p != "" {
		t.Errorf("no provider: Place = %q", p)
	}
}
