package bookings_test

import (
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/bookings"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		text  string
		n     int
		whole bool
		ok    bool
	}{
		{"3", 3, true, true},
		{"3 ore", 3, true, true},
		{"tre ore", 3, true, true},
		{"Tre ore, grazie", 3, true, true},
		{"un'ora e mezza", 1, false, true},
		{"1,5", 1, false, true},
		{"mezz'ora", 0, false, false},
		{"1 seduta", 1, true, true},
		{"una seduta", 1, true, true},
		{"un paio d'ore", 2, true, true},
		{"2 hours", 2, true, true},
		{"two hours", 2, true, true},
		{"an hour and a half", 1, false, true},
		{"dos horas", 2, true, true},
		{"hora y media", 0, false, false},
		{"trois heures", 3, true, true},
		{"deux heures et demie", 2, false, true},
		{"patru ore", 4, true, true},
		{"două ședințe", 2, true, true},
		{"три години", 3, true, true},
		{"півтори години", 0, false, false},
		{"два часа", 2, true, true},
		{"полтора часа", 0, false, false},
		{"ثلاث ساعات", 3, true, true},
		{"ساعتين", 2, true, true},
		{"٤ ساعات", 4, true, true},
		{"三个小时", 3, true, true},
		{"两个小时", 2, true, true},
		{"十二次", 12, true, true},
		{"一个半小时", 1, false, true},
		{"boh", 0, true, false},
		{"", 0, true, false},
		{strings.Repeat("tre ", 100), 0, false, false}, // not an answer: not read
	}
	for _, tc := range tests {
		q, ok := bookings.ParseQuantity(tc.text)
		// A fraction without a number ("mezz'ora") is not found, and still not whole.
		if ok != tc.ok || q.N != tc.n || q.Whole != tc.whole {
			t.Errorf("ParseQuantity(%q) = %+v %v, want %d whole=%v ok=%v", tc.text, q, ok, tc.n, tc.whole, tc.ok)
		}
	}
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"3 ore", "un'ora e mezza", "十二次", "ساعتين", "1,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, ok := bookings.ParseQuantity(s)
		if ok && q.N < 0 {
			t.Errorf("ParseQuantity(%q) = %+v", s, q)
		}
	})
}
