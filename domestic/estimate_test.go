package domestic_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/domestic"
)

// The worked examples below are computed by hand from data/ccnl.yaml (2026): monthly
// hours are weekly hours x 52 / 12; the INPS employer's share is total - worker of the
// band; Cassa Colf's employer share is 0,04 €/h; the accruals are (pay + board) / 12
// for the tredicesima plus (pay + board) x 13 / 13,5 / 12 for the TFR; each amount is
// rounded to the cent once. Amounts in cents.
func TestEstimateWorkedExamples(t *testing.T) {
	pay := loadPay(t)
	tests := []struct {
		name           string
		role           domestic.Role
		pattern        domestic.Pattern
		hours          int
		selfSufficient bool
		want           domestic.Estimate
		notes          []string // the keys of the notes, in order
	}{
		{
			// Level B, 7,01 €/h. Pay: 701 x 20 x 52/12 = 60753,33 -> 60753.
			// Effective hourly 7,01 x 13/12 = 7,59 <= 9,61: band 1, INPS 1,70 - 0,43 =
			// 1,27 €/h; with Cassa Colf 1,31 €/h: 131 x 20 x 52/12 = 11353,33 -> 11353.
			// Accruals: 60753,33/12 = 5062,78 + 60753,33 x 13/162 = 4875,27 -> 9938.
			name: "colf non convivente 20 h", role: domestic.Colf, pattern: domestic.NonConvivente, hours: 20, selfSufficient: true,
			want:  domestic.Estimate{Level: "B", GrossMonthly: 60753, Contributions: 11353, Accruals: 9938, TotalMonthly: 82044, HoursPerWeek: 20},
			notes: []string{"basis", "hourly", "contributions", "accruals", "holidays", "excluded", "sources"},
		},
		{
			// Level CS, table A: 1.193,84 €. Board in kind: 6,66 x 30 = 199,80 €.
			// 54 h > 24: fixed band, INPS 1,24 - 0,31 = 0,93 €/h, with Cassa Colf 0,97:
			// 97 x 54 x 52/12 = 97 x 234 = 22698. Accruals on 1.393,64 €:
			// 139364/12 = 11613,67 + 139364 x 13/162 = 11183,53 -> 22797.
			name: "badante convivente 54 h, non self-sufficient", role: domestic.Badante, pattern: domestic.Convivente, hours: 54,
			want:  domestic.Estimate{Level: "CS", GrossMonthly: 119384, Contributions: 22698, Accruals: 22797, TotalMonthly: 164879, HoursPerWeek: 54},
			notes: []string{"basis", "live_in", "contributions", "accruals", "holidays", "board_total", "excluded", "more_people", "sources"},
		},
		{
			// Level BS, table A: 1.053,39 €; otherwise as above: accruals on 1.253,19 €:
			// 125319/12 = 10443,25 + 125319 x 13/162 = 10056,46 -> 20500.
			name: "badante convivente 54 h, self-sufficient", role: domestic.Badante, pattern: domestic.Convivente, hours: 54, selfSufficient: true,
			want:  domestic.Estimate{Level: "BS", GrossMonthly: 105339, Contributions: 22698, Accruals: 20500, TotalMonthly: 148537, HoursPerWeek: 54},
			notes: []string{"basis", "live_in", "contributions", "accruals", "holidays", "board_total", "excluded", "sources"},
		},
		{
			// Level BS, 7,45 €/h: 745 x 25 x 52/12 = 80708,33 -> 80708. 25 h > 24:
			// fixed band, 0,97 €/h with Cassa Colf: 97 x 25 x 52/12 = 10508,33 -> 10508.
			// Accruals: 80708,33/12 = 6725,69 + 80708,33 x 13/162 = 6476,59 -> 13202.
			name: "tata non convivente 25 h", role: domestic.Tata, pattern: domestic.NonConvivente, hours: 25, selfSufficient: true,
			want:  domestic.Estimate{Level: "BS", GrossMonthly: 80708, Contributions: 10508, Accruals: 13202, TotalMonthly: 104418, HoursPerWeek: 25},
			notes: []string{"basis", "hourly", "contributions", "accruals", "holidays", "excluded", "under_six", "sources"},
		},
		{
			// Table E: 811,09 €, single level. Lodging in kind: 2,00 x 30 = 60 €.
			// INPS on 54 h at 0,93; Cassa Colf on 6 nights x 5 conventional hours = 30:
			// (93 x 54 + 4 x 30) x 52/12 = 5142 x 52/12 = 22282. Accruals on 871,09 €:
			// 87109/12 = 7259,08 + 87109 x 13/162 = 6990,22 -> 14249.
			name: "presenza notturna 54 h", role: domestic.Badante, pattern: domestic.PresenzaNotturna, hours: 54, selfSufficient: true,
			want:  domestic.Estimate{Level: "unico", GrossMonthly: 81109, Contributions: 22282, Accruals: 14249, TotalMonthly: 117640, HoursPerWeek: 54},
			notes: []string{"basis", "night_presence", "contributions", "contributions_night", "accruals", "holidays", "board_lodging", "excluded", "sources"},
		},
		{
			// Table D, CS: 1.372,91 €, board in kind 199,80 €. INPS on 54 h at 0,93,
			// Cassa Colf on 6 x 8 = 48 h: (5022 + 192) x 52/12 = 22594. Accruals on
			// 1.572,71 €: 157271/12 = 13105,92 + 157271 x 13/162 = 12620,51 -> 25726.
			name: "assistenza notturna 54 h, non self-sufficient", role: domestic.Badante, pattern: domestic.AssistenzaNotturna, hours: 54,
			want:  domestic.Estimate{Level: "CS", GrossMonthly: 137291, Contributions: 22594, Accruals: 25726, TotalMonthly: 185611, HoursPerWeek: 54},
			notes: []string{"basis", "night_care", "contributions", "contributions_night", "accruals", "holidays", "board_total", "excluded", "more_people", "sources"},
		},
		{
			// Table G, CS: 8,91 €/h: 891 x 16 x 52/12 = 61776. Effective hourly
			// 8,91 x 13/12 = 9,65 > 9,61: band 2, INPS 1,92 - 0,48 = 1,44 €/h, with
			// Cassa Colf 1,48: 148 x 16 x 52/12 = 10261,33 -> 10261. Accruals:
			// 61776/12 = 5148 + 61776 x 13/162 = 4957,33 -> 10105.
			name: "weekend badante 16 h, non self-sufficient", role: domestic.Badante, pattern: domestic.Weekend, hours: 16,
			want:  domestic.Estimate{Level: "CS", GrossMonthly: 61776, Contributions: 10261, Accruals: 10105, TotalMonthly: 82142, HoursPerWeek: 16},
			notes: []string{"basis", "hourly", "substitute", "contributions", "accruals", "holidays", "excluded", "more_people", "sources"},
		},
		{
			// Table B, B: 702,25 €, board in kind 199,80 €. 30 h > 24: 0,97 €/h:
			// 97 x 30 x 52/12 = 12610. Accruals on 902,05 €: 90205/12 = 7517,08 +
			// 90205 x 13/162 = 7238,68 -> 14756.
			name: "colf convivenza ridotta 30 h", role: domestic.Colf, pattern: domestic.ConvivenzaRidotta, hours: 30,
			want:  domestic.Estimate{Level: "B", GrossMonthly: 70225, Contributions: 12610, Accruals: 14756, TotalMonthly: 97591, HoursPerWeek: 30},
			notes: []string{"basis", "reduced_live_in", "contributions", "accruals", "holidays", "board_total", "excluded", "sources"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := pay.Estimate(tt.role, tt.pattern, tt.hours, tt.selfSufficient)
			if !ok {
				t.Fatal("ok = false")
			}
			notes := got.Notes
			got.Notes = nil
			if got.TotalMonthly != got.GrossMonthly+got.Contributions+got.Accruals {
				t.Errorf("total %d is not the sum of its parts", got.TotalMonthly)
			}
			if got.Level != tt.want.Level || got.GrossMonthly != tt.want.GrossMonthly || got.Contributions != tt.want.Contributions ||
				got.Accruals != tt.want.Accruals || got.TotalMonthly != tt.want.TotalMonthly || got.HoursPerWeek != tt.want.HoursPerWeek {
				t.Errorf("Estimate = %+v\n            want %+v", got, tt.want)
			}
			if keys := noteKeys(notes); !slices.Equal(keys, tt.notes) {
				t.Fatalf("notes %q\n want %q", keys, tt.notes)
			}
			basis := notes[0]
			if v := noteValue(t, basis, "level"); v.Kind != domestic.KindCode || v.Code != tt.want.Level {
				t.Errorf("basis level %+v, want %q", v, tt.want.Level)
			}
			if v := noteValue(t, basis, "date"); v.Kind != domestic.KindDate || !v.Date.Equal(pay.ValidFrom) {
				t.Errorf("basis date %+v, want %s", v, pay.ValidFrom)
			}
			if v := noteValue(t, basis, "year"); v.Kind != domestic.KindNumber || v.Number != 2026 {
				t.Errorf("basis year %+v, want 2026", v)
			}
			sources := notes[len(notes)-1]
			for _, name := range []string{"pay_source", "contributions_source"} {
				if v := noteValue(t, sources, name); v.Kind != domestic.KindCode || !strings.HasPrefix(v.Code, "https://") {
					t.Errorf("source %s: %+v", name, v)
				}
			}
		})
	}
}

func TestEstimateLevels(t *testing.T) {
	pay := loadPay(t)
	tests := []struct {
		role           domestic.Role
		pattern        domestic.Pattern
		selfSufficient bool
		level          string
	}{
		// The CCNL profiles: colf B (collaboratore familiare generico polifunzionale),
		// tata BS (baby sitter), badante BS (assistente a persone autosufficienti) or
		// CS (assistente a persone non autosufficienti, non formato).
		{domestic.Colf, domestic.NonConvivente, true, "B"},
		{domestic.Colf, domestic.NonConvivente, false, "B"},
		{domestic.Colf, domestic.Convivente, true, "B"},
		{domestic.Tata, domestic.Convivente, true, "BS"},
		{domestic.Tata, domestic.Weekend, false, "BS"},
		{domestic.Tata, domestic.AssistenzaNotturna, false, "BS"}, // children count as self-sufficient
		{domestic.Tata, domestic.PresenzaNotturna, true, "unico"},
		{domestic.Badante, domestic.NonConvivente, true, "BS"},
		{domestic.Badante, domestic.NonConvivente, false, "CS"},
		{domestic.Badante, domestic.ConvivenzaRidotta, true, "BS"},
		{domestic.Badante, domestic.AssistenzaNotturna, true, "BS"},
		{domestic.Badante, domestic.AssistenzaNotturna, false, "CS"},
		{domestic.Badante, domestic.PresenzaNotturna, false, "unico"},
		{domestic.Badante, domestic.Weekend, true, "BS"},
	}
	for _, tt := range tests {
		hours := pay.Patterns[tt.pattern].Max
		got, ok := pay.Estimate(tt.role, tt.pattern, hours, tt.selfSufficient)
		if !ok || got.Level != tt.level {
			t.Errorf("Estimate(%s, %s, %d, self-sufficient %v): level %q, ok %v; want %q", tt.role, tt.pattern, hours, tt.selfSufficient, got.Level, ok, tt.level)
		}
	}
}

func TestEstimateRefused(t *testing.T) {
	pay := loadPay(t)
	tests := []struct {
		name           string
		role           domestic.Role
		pattern        domestic.Pattern
		hours          int
		selfSufficient bool
	}{
		{"convivente over 54 h", domestic.Badante, domestic.Convivente, 55, false},
		{"convivente at 30 h is convivenza ridotta", domestic.Colf, domestic.Convivente, 30, true},
		{"convivenza ridotta over 30 h", domestic.Colf, domestic.ConvivenzaRidotta, 31, true},
		{"convivenza ridotta for level CS", domestic.Badante, domestic.ConvivenzaRidotta, 30, false},
		{"non convivente over 40 h", domestic.Tata, domestic.NonConvivente, 41, true},
		{"no hours", domestic.Tata, domestic.NonConvivente, 0, true},
		{"negative hours", domestic.Colf, domestic.NonConvivente, -5, true},
		{"weekend over 16 h", domestic.Badante, domestic.Weekend, 24, false},
		{"night under one night", domestic.Badante, domestic.PresenzaNotturna, 8, true},
		{"night over 54 h", domestic.Badante, domestic.AssistenzaNotturna, 60, false},
		{"colf at night", domestic.Colf, domestic.PresenzaNotturna, 54, true},
		{"colf night care", domestic.Colf, domestic.AssistenzaNotturna, 54, true},
		{"unknown role", "giardiniere", domestic.NonConvivente, 20, true},
		{"unknown pattern", domestic.Colf, "part_time", 20, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := pay.Estimate(tt.role, tt.pattern, tt.hours, tt.selfSufficient); ok {
				t.Errorf("Estimate = %+v, ok; want not ok", got)
			}
		})
	}
}

func TestEstimateRanges(t *testing.T) {
	pay := loadPay(t)
	// Every hour count of every pattern's range gives an estimate for a badante of a
	// self-sufficient person (level BS has every table), and the total grows with the
	// hours of the hourly patterns.
	for _, p := range domestic.Patterns() {
		r := pay.Patterns[p]
		prev := 0
		for h := r.Min; h <= r.Max; h++ {
			e, ok := pay.Estimate(domestic.Badante, p, h, true)
			if !ok {
				t.Fatalf("%s %d h: no estimate", p, h)
			}
			if e.TotalMonthly <= 0 || e.TotalMonthly != e.GrossMonthly+e.Contributions+e.Accruals {
				t.Fatalf("%s %d h: %+v", p, h, e)
			}
			if (p == domestic.NonConvivente || p == domestic.Weekend) && e.TotalMonthly <= prev {
				t.Errorf("%s %d h: total %d not above %d", p, h, e.TotalMonthly, prev)
			}
			prev = e.TotalMonthly
		}
	}
}

// The figures the notes quote, checked on the worked examples above.
func TestEstimateNotes(t *testing.T) {
	pay := loadPay(t)
	euros := func(name string, cents int) domestic.Value {
		return domestic.Value{Name: name, Kind: domestic.KindEuros, Cents: cents}
	}
	number := func(name string, n float64) domestic.Value {
		return domestic.Value{Name: name, Kind: domestic.KindNumber, Number: n}
	}
	tests := []struct {
		name           string
		role           domestic.Role
		pattern        domestic.Pattern
		hours          int
		selfSufficient bool
		key            string
		want           []domestic.Value
	}{
		// A tata's allowance for children under 6, by the hour and, hired by the
		// hour, the monthly amount of a live-in.
		{"tata under six", domestic.Tata, domestic.NonConvivente, 10, true, "under_six", []domestic.Value{euros("hourly", 84), euros("monthly", 13854)}},
		{"tata under six, reduced live-in", domestic.Tata, domestic.ConvivenzaRidotta, 30, true, "under_six", []domestic.Value{euros("hourly", 84), euros("monthly", 9706)}},
		{"badante live-in pay", domestic.Badante, domestic.Convivente, 54, false, "live_in", []domestic.Value{euros("pay", 119384), number("max_hours", 54)}},
		{"badante board", domestic.Badante, domestic.Convivente, 54, false, "board_total", []domestic.Value{euros("daily", 666)}},
		{"badante more people", domestic.Badante, domestic.Convivente, 54, false, "more_people", []domestic.Value{euros("monthly", 11966), euros("hourly", 70)}},
		{"fixed band", domestic.Badante, domestic.Convivente, 54, false, "contributions", []domestic.Value{euros("inps", 93), euros("cassa_colf", 4)}},
		{"band 1", domestic.Colf, domestic.NonConvivente, 20, true, "contributions", []domestic.Value{euros("inps", 127), euros("cassa_colf", 4)}},
		{"TFR divisor", domestic.Colf, domestic.NonConvivente, 20, true, "accruals", []domestic.Value{number("divisor", 13.5)}},
		{"substitute rate", domestic.Badante, domestic.Weekend, 16, false, "hourly", []domestic.Value{euros("rate", 891), number("hours", 16), number("monthly_hours", 16*52.0/12)}},
		{"reduced live-in pay", domestic.Colf, domestic.ConvivenzaRidotta, 30, true, "reduced_live_in", []domestic.Value{euros("pay", 70225), number("max_hours", 30)}},
		{"night presence pay", domestic.Badante, domestic.PresenzaNotturna, 54, true, "night_presence", []domestic.Value{euros("pay", 81109)}},
		{"night presence lodging", domestic.Badante, domestic.PresenzaNotturna, 54, true, "board_lodging", []domestic.Value{euros("daily", 200)}},
		{"night presence Cassa Colf", domestic.Badante, domestic.PresenzaNotturna, 54, true, "contributions_night", []domestic.Value{number("hours", 54), number("cassa_hours", 30)}},
		{"night care pay", domestic.Badante, domestic.AssistenzaNotturna, 54, false, "night_care", []domestic.Value{euros("pay", 137291)}},
		{"night care Cassa Colf", domestic.Badante, domestic.AssistenzaNotturna, 54, false, "contributions_night", []domestic.Value{number("hours", 54), number("cassa_hours", 48)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := pay.Estimate(tt.role, tt.pattern, tt.hours, tt.selfSufficient)
			if !ok {
				t.Fatal("no estimate")
			}
			n, ok := findNote(e.Notes, tt.key)
			if !ok {
				t.Fatalf("no note %q in %q", tt.key, noteKeys(e.Notes))
			}
			if !slices.Equal(n.Values, tt.want) {
				t.Errorf("note %s: %+v\n         want %+v", tt.key, n.Values, tt.want)
			}
		})
	}

	// Neither board nor children for a colf by the hour.
	colf, _ := pay.Estimate(domestic.Colf, domestic.NonConvivente, 10, true)
	for _, key := range []string{"board_total", "board_lodging", "under_six", "more_people"} {
		if _, ok := findNote(colf.Notes, key); ok {
			t.Errorf("an hourly colf's notes have %q: %q", key, noteKeys(colf.Notes))
		}
	}
}

// The indennità di funzione is a note of its own where a live-in level has it.
func TestEstimateNotesFunctionAllowance(t *testing.T) {
	pay := loadPay(t)
	cs := pay.Levels["CS"]
	cs.FunctionAllowance = 20769
	pay.Levels["CS"] = cs
	e, ok := pay.Estimate(domestic.Badante, domestic.Convivente, 54, false)
	if !ok {
		t.Fatal("no estimate")
	}
	want := []string{"basis", "live_in", "function_allowance", "contributions"}
	if keys := noteKeys(e.Notes); len(keys) < len(want) || !slices.Equal(keys[:len(want)], want) {
		t.Fatalf("notes %q, want them to start with %q", keys, want)
	}
	if v := noteValue(t, e.Notes[2], "allowance"); v.Cents != 20769 {
		t.Errorf("allowance %+v", v)
	}
	if e.GrossMonthly != 119384+20769 {
		t.Errorf("gross %d does not include the allowance", e.GrossMonthly)
	}
}

func noteKeys(notes []domestic.Note) []string {
	keys := make([]string, len(notes))
	for i, n := range notes {
		keys[i] = n.Key
	}
	return keys
}

func findNote(notes []domestic.Note, key string) (domestic.Note, bool) {
	for _, n := range notes {
		if n.Key == key {
			return n, true
		}
	}
	return domestic.Note{}, false
}

// noteValue is the value called name of a note.
func noteValue(t *testing.T, n domestic.Note, name string) domestic.Value {
	t.Helper()
	for _, v := range n.Values {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("note %s has no value %q: %+v", n.Key, name, n.Values)
	return domestic.Value{}
}
