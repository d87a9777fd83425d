package bookings_test

import (
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
)

// whenCases are read with now = Thursday 26 November 2026, 10:00 in Rome. want is
// "2006-01-02" or "2006-01-02 15:04", "15:04" for a time without a day (today), ""
// when the text must not parse.
var whenCases = []struct{ text, want string }{
	// Relative days.
	{"oggi", "2026-11-26"},
	{"Today", "2026-11-26"},
	{"domani", "2026-11-27"},
	{"tomorrow", "2026-11-27"},
	{"dopodomani", "2026-11-28"},
	{"the day after tomorrow", "2026-11-28"},
	{"tra 3 giorni", "2026-11-29"},
	{"in 2 days", "2026-11-28"},
	{"tra una settimana", "2026-12-03"},
	{"stasera alle 8", "2026-11-26 20:00"},
	// Weekdays: the next one after today.
	{"sabato", "2026-11-28"},
	{"SABATO", "2026-11-28"},
	{"lunedì", "2026-11-30"},
	{"lunedi", "2026-11-30"},
	{"LUNEDÌ", "2026-11-30"},
	{"lunedì prossimo alle 10", "2026-11-30 10:00"},
	{"il prossimo lunedì", "2026-11-30"},
	{"next monday", "2026-11-30"},
	{"Monday", "2026-11-30"},
	{"giovedì", "2026-12-03"},
	{"thursday", "2026-12-03"},
	{"domenica", "2026-11-29"},
	{"mercoledì ore 15", "2026-12-02 15:00"},
	{"venerdì pomeriggio alle 3", "2026-11-27 15:00"},
	{"lunedi 10am", "2026-11-30 10:00"},
	{"10.30 di lunedì", "2026-11-30 10:30"},
	{"dalle 9 alle 11 di venerdì", "2026-11-27 09:00"},
	{"alle 13 sabato", "2026-11-28 13:00"},
	// Relative days with times.
	{"domani alle 15:30", "2026-11-27 15:30"},
	{"domani alle 10 e mezza", "2026-11-27 10:30"},
	{"domani a mezzogiorno", "2026-11-27 12:00"},
	{"tomorrow at 10am", "2026-11-27 10:00"},
	{"tomorrow at 3pm", "2026-11-27 15:00"},
	{"tomorrow 3 p.m.", "2026-11-27 15:00"},
	// Dates in digits, day before month.
	{"12/3", "2027-03-12"},
	{"12/03", "2027-03-12"},
	{"12-3", "2027-03-12"},
	{"12/3/2027", "2027-03-12"},
	{"12/3/27", "2027-03-12"},
	{"12.03.2027", "2027-03-12"},
	{"2027-03-12", "2027-03-12"},
	{"2026-11-30T10:00", "2026-11-30 10:00"},
	{"5/1", "2027-01-05"},
	{"1/1", "2027-01-01"},
	{"26/11", "2026-11-26"},
	{"25/11", "2027-11-25"},
	{"29/2/2028", "2028-02-29"},
	{"sabato 28/11 alle 9", "2026-11-28 09:00"},
	{"il 4/12 alle 9.15.", "2026-12-04 09:15"},
	// Dates in words.
	{"12 marzo", "2027-03-12"},
	{"12 mar", "2027-03-12"},
	{"12 mar.", "2027-03-12"},
	{"3 December", "2026-12-03"},
	{"December 3rd", "2026-12-03"},
	{"the 3rd of December", "2026-12-03"},
	{"Dec 24 at 6pm", "2026-12-24 18:00"},
	{"30 novembre ore 9", "2026-11-30 09:00"},
	{"h 9 del 1° dicembre", "2026-12-01 09:00"},
	{"giovedì 3 dicembre h9", "2026-12-03 09:00"},
	{"vorrei prenotare per martedì 1 dicembre alle 14", "2026-12-01 14:00"},
	{"12 dicembre 2027 alle 9:15", "2027-12-12 09:15"},
	{"il 12 alle 11", "2026-12-12 11:00"},
	{"the 28th", "2026-11-28"},
	{"il 31", "2026-12-31"},
	// A time alone: today, HasDate false.
	{"alle 10", "10:00"},
	{"10:30", "10:30"},
	{"at 4:45 pm", "16:45"},
	{"12pm", "12:00"},
	{"12am", "00:00"},
	{"all'una", ""},
	// Nothing, or nothing that exists.
	{"31/2", ""},
	{"31/4", ""},
	{"29/2", ""},
	{"32/1", ""},
	{"13/13", ""},
	{"2027-02-30", ""},
	{"domani alle 25", ""},
	{"alle 10:75", ""},
	{"at 13am", ""},
	{"tra 999 giorni", ""},
	{"boh", ""},
	{"", ""},
	{"asdfghjkl 12345", ""},
	{"non lo so, quando volete", ""},
	{"10", ""},
	{strings.Repeat("x", 250) + " domani", ""},
}

func TestParseWhen(t *testing.T) {
	loc := rome(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	if len(whenCases) < 40 {
		t.Fatalf("only %d cases", len(whenCases))
	}
	for _, tt := range whenCases {
		t.Run(tt.text, func(t *testing.T) {
			w, ok := bookings.ParseWhen(tt.text, now, loc)
			got := ""
			if ok {
				got = format(w)
				checkWhen(t, w, now, loc)
			}
			if got != tt.want {
				t.Errorf("ParseWhen(%q) = %q (%+v), want %q", tt.text, got, w, tt.want)
			}
		})
	}
}

// format writes a When as the cases do.
func format(w bookings.When) string {
	var parts []string
	if w.HasDate {
		parts = append(parts, w.Day.Format("2006-01-02"))
	}
	if w.HasTime {
		parts = append(parts, time.Date(2000, 1, 1, w.Minute/60, w.Minute%60, 0, 0, time.UTC).Format("15:04"))
	}
	return strings.Join(parts, " ")
}

// checkWhen checks what holds of every When ParseWhen returns.
func checkWhen(t testing.TB, w bookings.When, now time.Time, loc *time.Location) {
	t.Helper()
	if w.Day.Location() != loc || w.Day.Hour() != 0 || w.Day.Minute() != 0 || w.Day.Second() != 0 {
		t.Errorf("Day %v is not a midnight in Rome", w.Day)
	}
	if !w.HasDate && !w.Day.Equal(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)) {
		t.Errorf("no date said, but Day is %v", w.Day)
	}
	if !w.HasDate && !w.HasTime {
		t.Error("ok with neither a date nor a time")
	}
	if w.Minute < 0 || w.Minute >= 24*60 || !w.HasTime && w.Minute != 0 {
		t.Errorf("Minute %d (HasTime %v)", w.Minute, w.HasTime)
	}
}

func TestWhenAt(t *testing.T) {
	loc := rome(t)
	tests := []struct {
		w    bookings.When
		want string
	}{
		{bookings.When{Day: time.Date(2026, 11, 30, 0, 0, 0, 0, loc), HasDate: true, HasTime: true, Minute: 630}, "2026-11-30 10:30 +0100"},
		{bookings.When{Day: time.Date(2026, 11, 30, 0, 0, 0, 0, loc), HasDate: true}, "2026-11-30 00:00 +0100"},
		{bookings.When{Day: time.Date(2026, 3, 29, 0, 0, 0, 0, loc), HasDate: true, HasTime: true, Minute: 600}, "2026-03-29 10:00 +0200"},
		{bookings.When{Day: time.Date(2026, 3, 29, 0, 0, 0, 0, loc), HasDate: true, HasTime: true, Minute: 150}, "2026-03-29 03:30 +0200"},
	}
	for _, tt := range tests {
		if got := tt.w.At(loc).Format("2006-01-02 15:04 -0700"); got != tt.want {
			t.Errorf("At = %s, want %s", got, tt.want)
		}
	}
}

func FuzzParseWhen(f *testing.F) {
	for _, c := range whenCases {
		f.Add(c.text)
	}
	f.Add("alle 10 e tre quarti del 29/02/2028")
	f.Add("\xff\xfe 12/3 \x00 alle 9")
	loc := rome(f)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, text string) {
		w, ok := bookings.ParseWhen(text, now, loc)
		if ok {
			checkWhen(t, w, now, loc)
		} else if w != (bookings.When{}) {
			t.Errorf("not ok, but %+v", w)
		}
	})
}

// Dates and times in the other languages the bot speaks, through their words in
// data/when/.
func TestParseWhenInOtherLanguages(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Rome")
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, loc) // a Wednesday
	tomorrow := time.Date(2026, 12, 3, 0, 0, 0, 0, loc)
	saturday := time.Date(2026, 12, 5, 0, 0, 0, 0, loc)
	for _, c := range []struct {
		text   string
		day    time.Time
		minute int // -1: no time
	}{
		{"el sábado a las 10", saturday, 10 * 60},
		{"mañana a las 3 de la tarde", tomorrow, 15 * 60},
		{"manana a las 10 y media", tomorrow, 10*60 + 30},
		{"demain à 15h30", tomorrow, 15*60 + 30},
		{"samedi vers 10", saturday, 10 * 60},
		{"mâine la ora 10", tomorrow, 10 * 60},
		{"sambata", saturday, -1},
		{"в субботу в 10", saturday, 10 * 60},
		{"завтра в 7 вечера", tomorrow, 19 * 60},
		{"завтра о 9", tomorrow, 9 * 60},
		{"в суботу", saturday, -1},
		{"بكره الساعه 5 مساء", tomorrow, 17 * 60},
		{"السبت", saturday, -1},
		{"明天下午3点", tomorrow, 15 * 60},
		{"周六上午10点半", saturday, 10*60 + 30},
		{"через 3 дня", time.Date(2026, 12, 5, 0, 0, 0, 0, loc), -1},
	} {
		w, ok := bookings.ParseWhen(c.text, now, loc)
		switch {
		case !ok:
			t.Errorf("%q: not understood", c.text)
		case !w.HasDate || !w.Day.Equal(c.day):
			t.Errorf("%q: day %v (has date %v), want %v", c.text, w.Day, w.HasDate, c.day)
		case c.minute < 0 && w.HasTime, c.minute >= 0 && (!w.HasTime || w.Minute != c.minute):
			t.Errorf("%q: time %v %d, want %d", c.text, w.HasTime, w.Minute, c.minute)
		}
	}
}

// The words of every language load, and no phrase means two things.
func TestWhenWordsLoad(t *testing.T) {
	if _, ok := bookings.ParseWhen("завтра", time.Now(), time.UTC); !ok {
		t.Fatal("the words of the other languages did not load")
	}
}
