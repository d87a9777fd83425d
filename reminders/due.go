package reminders

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Default policy: a reminder the day before and one two hours before the service, and
// a rating request two hours after it ends.
const (
	DefaultDayBefore     = 24 * time.Hour
	DefaultHoursBefore   = 2 * time.Hour
	DefaultFollowupAfter = 2 * time.Hour
)

// Quiet hours, in the policy's time zone: nothing is due from QuietFrom:00 until
// QuietUntil:00 (21:00 is quiet, 08:00 is not). A Before reminder that would fall
// inside moves back to 20:59 the evening before, the last whole minute before they
// start, so a dispatcher ticking every few seconds still sends it before 21:00, or,
// when that evening has passed, forward to QuietUntil:00 (08:00) if the service
// starts later; a follow-up moves forward to 08:00, since it must stay after the
// service.
const (
	QuietFrom  = 21
	QuietUntil = 8
)

// lastHour:lastMinute is where a Before reminder due in the quiet hours moves to.
const (
	lastHour   = QuietFrom - 1
	lastMinute = 59
)

// Booking is what reminders are computed from.
type Booking struct {
	ID           string
	Conversation string
	Start, End   time.Time
}

// Policy says when reminders go out.
type Policy struct {
	// Before lists how long before the start reminders go out. Nil means
	// DefaultDayBefore and DefaultHoursBefore; an empty, non-nil slice means none.
	// Whole days count on the calendar: "24 hours before" a service at 10:00 is 10:00
	// the day before, even when the clocks change in between (the day is then 23 or 25
	// hours long), because a citizen told "tomorrow at 10" expects it at 10. Other
	// offsets are absolute: "2 hours before" is 120 minutes before, whatever the
	// clocks do.
	Before []time.Duration
	// FollowupAfter is how long after the end the rating request goes out: zero means
	// DefaultFollowupAfter, negative means no follow-up.
	FollowupAfter time.Duration
	// Location is the time zone of the quiet hours and of calendar days; nil means
	// Europe/Rome.
	Location *time.Location
}

// ForBooking returns the reminders of booking b as of now, by due time, quiet hours
// applied. A reminder whose due time has passed at now (after moving it out of the
// quiet hours) is left out: a booking made late gets the reminders still to come, and
// the booking's confirmation stands for the rest. A Before reminder moved back to an
// evening already past goes out at 08:00 instead, if that is before the service: a
// booking made at 22:00 for 09:30 the next morning is reminded at 08:00. Before
// reminders that end up due at the same instant are sent once: the one with the
// shortest offset stays.
func ForBooking(b Booking, p Policy, now time.Time) ([]Reminder, error) {
	if err := b.validate(); err != nil {
		return nil, err
	}
	loc, err := location(p.Location)
	if err != nil {
		return nil, err
	}
	offsets := p.Before
	if offsets == nil {
		offsets = []time.Duration{DefaultDayBefore, DefaultHoursBefore}
	}
	offsets = slices.Sorted(slices.Values(offsets))
	var out []Reminder
	for i, off := range offsets {
		if off <= 0 {
			return nil, fmt.Errorf("reminders: booking %s: offset %v is not positive", b.ID, off)
		}
		if i > 0 && off == offsets[i-1] {
			continue
		}
		due, ok := beforeDue(beforeStart(b.Start, off, loc), b.Start, now, loc)
		if !ok || slices.ContainsFunc(out, func(r Reminder) bool { return r.Due.Equal(due) }) {
			continue
		}
		out = append(out, b.reminder(Before, off, due))
	}
	after := p.FollowupAfter
	if after == 0 {
		after = DefaultFollowupAfter
	}
	if after > 0 {
		if due := OutOfQuietAfter(b.End.Add(after), loc); !due.Before(now) {
			out = append(out, b.reminder(Followup, 0, due))
		}
	}
	slices.SortFunc(out, func(a, b Reminder) int { return a.Due.Compare(b.Due) })
	for _, r := range out {
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("reminders: booking %s: %w", b.ID, err)
		}
	}
	return out, nil
}

func (b Booking) validate() error {
	switch {
	case b.ID == "" || b.Conversation == "":
		return fmt.Errorf("reminders: booking %q without id or conversation", b.ID)
	case b.Start.IsZero() || b.End.Before(b.Start):
		return fmt.Errorf("reminders: booking %s: no start, or an end before it", b.ID)
	}
	return nil
}

func (b Booking) reminder(kind Kind, off time.Duration, due time.Time) Reminder {
	suffix := string(kind)
	if kind == Before {
		suffix += "-" + formatOffset(off)
	}
	return Reminder{ID: b.ID + ":" + suffix, Booking: b.ID, Conversation: b.Conversation,
		Kind: kind, Offset: off, Start: b.Start, Due: due}
}

// beforeDue moves t, when a Before reminder of a service at start would be due, out of
// the quiet hours: back to the evening before them, or, when that has passed at now
// (booked in the evening for the next morning), forward to their end, as long as the
// service starts after it. It reports false when neither is left.
func beforeDue(t, start, now time.Time, loc *time.Location) (time.Time, bool) {
	if due := OutOfQuietBefore(t, loc); !due.Before(now) {
		return due, true
	}
	due := OutOfQuietAfter(t, loc)
	return due, !due.Before(now) && due.Before(start)
}

// beforeStart is off before start: on the calendar for whole days, absolute otherwise.
func beforeStart(start time.Time, off time.Duration, loc *time.Location) time.Time {
	const day = 24 * time.Hour
	if off%day != 0 {
		return start.Add(-off)
	}
	s := start.In(loc)
	// A wall time that does not exist that day (02:30 when the clocks go forward)
	// is normalised by time.Date; it is in the quiet hours anyway, so it moves.
	return time.Date(s.Year(), s.Month(), s.Day()-int(off/day), s.Hour(), s.Minute(), s.Second(), s.Nanosecond(), loc)
}

// Quiet reports whether t falls in the quiet hours in loc.
func Quiet(t time.Time, loc *time.Location) bool {
	h := t.In(loc).Hour()
	return h >= QuietFrom || h < QuietUntil
}

// OutOfQuietBefore returns t, or, when t falls in the quiet hours, the last minute
// before they began: 20:59 that evening (for 21:00–23:59) or the evening before (for
// 00:00–07:59). Hours are wall-clock hours in loc, so daylight saving changes, which
// happen at night, move nothing else.
func OutOfQuietBefore(t time.Time, loc *time.Location) time.Time {
	if !Quiet(t, loc) {
		return t
	}
	l := t.In(loc)
	day := l.Day()
	if l.Hour() < QuietUntil {
		day--
	}
	return time.Date(l.Year(), l.Month(), day, lastHour, lastMinute, 0, 0, loc)
}

// OutOfQuietAfter returns t, or, when t falls in the quiet hours, their end: 08:00 the
// next morning (for 21:00–23:59) or that morning (for 00:00–07:59).
func OutOfQuietAfter(t time.Time, loc *time.Location) time.Time {
	if !Quiet(t, loc) {
		return t
	}
	l := t.In(loc)
	day := l.Day()
	if l.Hour() >= QuietFrom {
		day++
	}
	return time.Date(l.Year(), l.Month(), day, QuietUntil, 0, 0, 0, loc)
}

// formatOffset writes an offset for a reminder's id: "24h", "90m", "45s".
func formatOffset(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

// location returns loc, or Europe/Rome when it is nil.
func location(loc *time.Location) (*time.Location, error) {
	if loc != nil {
		return loc, nil
	}
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return nil, fmt.Errorf("reminders: load Europe/Rome: %w", err)
	}
	return rome, nil
}
