package bookings_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
)

func TestCalendar(t *testing.T) {
	loc := rome(t)
	tests := []struct {
		year  int
		month time.Month
		want  string // one line a week, Monday first, "--" for days outside the month
	}{
		{2027, time.February, `
01 02 03 04 05 06 07
08 09 10 11 12 13 14
15 16 17 18 19 20 21
22 23 24 25 26 27 28`},
		{2026, time.November, `
-- -- -- -- -- -- 01
02 03 04 05 06 07 08
09 10 11 12 13 14 15
16 17 18 19 20 21 22
23 24 25 26 27 28 29
30 -- -- -- -- -- --`},
		{2026, time.March, `
-- -- -- -- -- -- 01
02 03 04 05 06 07 08
09 10 11 12 13 14 15
16 17 18 19 20 21 22
23 24 25 26 27 28 29
30 31 -- -- -- -- --`},
		{2028, time.February, `
-- 01 02 03 04 05 06
07 08 09 10 11 12 13
14 15 16 17 18 19 20
21 22 23 24 25 26 27
28 29 -- -- -- -- --`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d-%02d", tt.year, tt.month), func(t *testing.T) {
			weeks := bookings.Calendar(tt.year, tt.month, loc)
			var b strings.Builder
			for _, w := range weeks {
				b.WriteByte('\n')
				for i, d := range w {
					if i > 0 {
						b.WriteByte(' ')
					}
					if d.IsZero() {
						b.WriteString("--")
						continue
					}
					if d.Location() != loc || d.Hour() != 0 || d.Minute() != 0 || d.Month() != tt.month {
						t.Errorf("day %v is not a midnight of the month in Rome", d)
					}
					if want := time.Weekday((i + 1) % 7); d.Weekday() != want {
						t.Errorf("%v in the %v column", d, want)
					}
					fmt.Fprintf(&b, "%02d", d.Day())
				}
			}
			if b.String() != tt.want {
				t.Errorf("Calendar:%s\nwant:%s", b.String(), tt.want)
			}
		})
	}
}
