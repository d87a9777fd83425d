package catalogue

import (
	"testing"
	"time"
)

func TestEaster(t *testing.T) {
	// Easter Sundays as published by the Church's tables.
	for year, want := range map[int]string{
		2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28",
		2028: "2028-04-16", 2030: "2030-04-21", 2038: "2038-04-25", 2285: "2285-03-22",
	} {
		m, d := easter(year)
		if got := time.Date(year, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly); got != want {
			t.Errorf("easter(%d) = %s, want %s", year, got, want)
		}
	}
}

func TestHolidayOn(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		day  string
		want string // key, "" for a working day
	}{
		{"2026-12-07", "santambrogio"},
		{"2026-12-08", "immacolata"},
		{"2026-04-06", "pasquetta"},
		{"2027-03-29", "pasquetta"},
		{"2026-10-04", "sanfrancesco"},
		{"2025-10-04", ""},
		{"2026-08-15", "ferragosto"},
		{"2026-06-02", "repubblica"},
		{"2026-12-09", ""},
		{"2026-04-07", ""},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			day, _ := time.ParseInLocation(time.DateOnly, tt.day, rome)
			// Late in the evening, UTC: the day is read in Rome.
			h, ok := HolidayOn(day.Add(23*time.Hour+30*time.Minute).UTC(), rome)
			if got := map[bool]string{true: h.Key}[ok]; got != tt.want {
				t.Errorf("HolidayOn(%s) = %q, want %q", tt.day, got, tt.want)
			}
		})
	}
}

func TestHolidaysInOrder(t *testing.T) {
	hs := Holidays(2026, time.UTC)
	if len(hs) != 14 {
		t.Fatalf("2026 has %d holidays, want 14", len(hs))
	}
	for i := 1; i < len(hs); i++ {
		if !hs[i-1].Date.Before(hs[i].Date) {
			t.Errorf("%s before %s", hs[i-1].Key, hs[i].Key)
		}
	}
}

// HolidayOn agrees with the list Holidays gives, on every day of several years.
func TestHolidayOnAgreesWithHolidays(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	for year := 2024; year <= 2032; year++ {
		want := map[string]string{}
		for _, h := range Holidays(year, rome) {
			want[h.Date.Format(time.DateOnly)] = h.Key
		}
		for day := time.Date(year, 1, 1, 12, 0, 0, 0, rome); day.Year() == year; day = day.AddDate(0, 0, 1) {
			h, ok := HolidayOn(day, rome)
			key := want[day.Format(time.DateOnly)]
			if ok != (key != "") || h.Key != key {
				t.Fatalf("%s: HolidayOn = %q %v, want %q", day.Format(time.DateOnly), h.Key, ok, key)
			}
			if ok && (h.Date.Format(time.DateOnly) != day.Format(time.DateOnly) || h.Date.Hour() != 0) {
				t.Fatalf("%s: holiday dated %v", day.Format(time.DateOnly), h.Date)
			}
		}
	}
}
