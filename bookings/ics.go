package bookings

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
)

// UIDDomain is the domain of the calendar events' UIDs: <booking id>@UIDDomain, so a
// calendar app updates the same event when a booking's file is sent again.
const UIDDomain = "wemi.comune.milano.it"

// romeTimezone is the VTIMEZONE of Europe/Rome: the EU rules since 1996, summer time
// from the last Sunday of March at 02:00 to the last Sunday of October at 03:00.
var romeTimezone = []string{
	"BEGIN:VTIMEZONE",
	"TZID:Europe/Rome",
	"BEGIN:DAYLIGHT",
	"TZOFFSETFROM:+0100",
	"TZOFFSETTO:+0200",
	"TZNAME:CEST",
	"DTSTART:19700329T020000",
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
	"END:DAYLIGHT",
	"BEGIN:STANDARD",
	"TZOFFSETFROM:+0200",
	"TZOFFSETTO:+0100",
	"TZNAME:CET",
	"DTSTART:19701025T030000",
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
	"END:STANDARD",
	"END:VTIMEZONE",
}

// ICS returns an RFC 5545 calendar file with the booking as its one event, for the
// citizen to add to their calendar: METHOD PUBLISH, a VTIMEZONE for Europe/Rome, and a
// VEVENT with UID <id>@wemi.comune.milano.it, DTSTAMP now (UTC), DTSTART and DTEND in
// Europe/Rome (DTEND as Booking.End gives it for unit), SUMMARY, LOCATION (left out
// when empty), DESCRIPTION and a STATUS that follows the booking's. Text is escaped,
// lines are folded at 75 octets and end in CRLF. The wall-clock times are worked out
// with the same EU rules the VTIMEZONE states, so they do not depend on the time zone
// database of the machine.
func ICS(b Booking, summary, location, description string, unit catalogue.CostUnit, now time.Time) []byte {
	lines := []string{
		"BEGIN:VCALENDAR",
		"PRODID:-//Comune di Milano//WeMi Bot//IT",
		"VERSION:2.0",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
	}
	lines = append(lines, romeTimezone...)
	lines = append(lines,
		"BEGIN:VEVENT",
		"UID:"+b.ID+"@"+UIDDomain,
		"DTSTAMP:"+now.UTC().Format("20060102T150405Z"),
		"DTSTART;TZID=Europe/Rome:"+romeWallClock(b.Start),
		"DTEND;TZID=Europe/Rome:"+romeWallClock(b.End(unit)),
		"SUMMARY:"+escapeText(summary),
	)
	if strings.TrimSpace(location) != "" {
		lines = append(lines, "LOCATION:"+escapeText(location))
	}
	if strings.TrimSpace(description) != "" {
		lines = append(lines, "DESCRIPTION:"+escapeText(description))
	}
	lines = append(lines, "STATUS:"+eventStatus(b.Status), "END:VEVENT", "END:VCALENDAR")

	var out bytes.Buffer
	for _, l := range lines {
		fold(&out, l)
	}
	return out.Bytes()
}

// Place returns where a booking of s takes place, for the calendar file's LOCATION,
// following the service's venue: the provider's address for a service at its office
// (sede); atHome for a service at the citizen's home (the bot keeps no street
// address, so the caller words the Municipio); online for an online one.
func Place(s *catalogue.Service, atHome, online string) string {
	switch s.Rules.Where() {
	case catalogue.AtHome:
		return atHome
	case catalogue.Online:
		return online
	}
	if s.Organization == nil {
		return ""
	}
	return s.Organization.Location.Address
}

// eventStatus is the VEVENT STATUS for a booking's status.
func eventStatus(s Status) string {
	switch s {
	case Requested:
		return "TENTATIVE"
	case Refused, Cancelled:
		return "CANCELLED"
	}
	return "CONFIRMED"
}

// romeWallClock formats t as Rome's local time, "20060102T150405".
func romeWallClock(t time.Time) string {
	u := t.UTC()
	offset := time.Hour
	if summerTime(u) {
		offset = 2 * time.Hour
	}
	return u.Add(offset).Format("20060102T150405")
}

// summerTime reports whether the EU summer time is in force at u (in UTC): from 01:00
// UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
func summerTime(u time.Time) bool {
	y := u.Year()
	return !u.Before(lastSunday(y, time.March)) && u.Before(lastSunday(y, time.October))
}

// lastSunday returns 01:00 UTC on the last Sunday of month m of year y.
func lastSunday(y int, m time.Month) time.Time {
	last := time.Date(y, m+1, 0, 1, 0, 0, 0, time.UTC)
	return last.AddDate(0, 0, -int(last.Weekday()))
}

// escapeText escapes an RFC 5545 TEXT value: backslash, semicolon, comma and line
// breaks; other control characters, which TEXT does not allow, are dropped, and
// invalid UTF-8 becomes U+FFFD.
func escapeText(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r < 0x20 && r != '\t' || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxOctets is the longest content line RFC 5545 allows, line break excluded.
const maxOctets = 75

// fold writes a content line, folding it into lines of at most 75 octets (the
// continuation lines' leading space included) without splitting a UTF-8 character.
func fold(out *bytes.Buffer, line string) {
	limit := maxOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		out.WriteString(line[:cut])
		out.WriteString("\r\n ")
		line = line[cut:]
		limit = maxOctets - 1
	}
	out.WriteString(line)
	out.WriteString("\r\n")
}
