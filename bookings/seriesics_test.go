package bookings

import (
	"bytes"
	"testing"
	"time"
)

func TestSeriesICS(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	start := time.Date(2026, 12, 8, 10, 0, 0, 0, rome)
	var bs []Booking
	for i, id := range []string{"aaaaaaaaaaa1", "aaaaaaaaaaa2", "aaaaaaaaaaa3"} {
		bs = append(bs, Booking{ID: id, Start: start.AddDate(0, 0, 7*i), Quantity: 2, Status: Confirmed})
	}
	ics := SeriesICS(bs, "Assistenza", "Via Roma 1", "", "ora", start)
	if n := bytes.Count(ics, []byte("BEGIN:VEVENT")); n != 3 {
		t.Fatalf("%d events, want 3:\n%s", n, ics)
	}
	for _, want := range []string{"UID:aaaaaaaaaaa3@", "DTSTART;TZID=Europe/Rome:20261222T100000", "END:VCALENDAR"} {
		if !bytes.Contains(ics, []byte(want)) {
			t.Errorf("no %q in\n%s", want, ics)
		}
	}
	if bytes.Count(ics, []byte("BEGIN:VCALENDAR")) != 1 || bytes.Count(ics, []byte("BEGIN:VTIMEZONE")) != 1 {
		t.Errorf("one calendar with one time zone expected:\n%s", ics)
	}
	if SeriesICS(nil, "x", "", "", "ora", start) != nil {
		t.Error("no bookings, a calendar")
	}
}
