package domestic_test

import (
	"os"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/domestic"
)

func TestLoadPay(t *testing.T) {
	pay := loadPay(t)
	if pay.Year != 2026 || pay.ValidFrom.Year() != pay.Year || pay.Contributions.Year != pay.Year {
		t.Errorf("year %d, valid from %v, contributions %d", pay.Year, pay.ValidFrom, pay.Contributions.Year)
	}
	for _, src := range []string{pay.Source, pay.Contributions.Source} {
		if !strings.HasPrefix(src, "https://") {
			t.Errorf("source %q is not a URL", src)
		}
	}
	for _, name := range []string{"A", "AS", "B", "BS", "C", "CS", "D", "DS"} {
		lv, ok := pay.Levels[name]
		if !ok || lv.LiveInMonthly <= 0 || lv.Hourly <= 0 {
			t.Errorf("level %s: %+v, %v", name, lv, ok)
		}
		// A live-in's month is worth more than the hourly pay of 54 hours a week
		// would suggest at the lowest level only; every level's monthly pay is at
		// least 100 hours of its hourly pay and at most 54 h x 52 / 12.
		if lv.LiveInMonthly < 100*lv.Hourly || lv.LiveInMonthly > 234*lv.Hourly {
			t.Errorf("level %s: monthly %d out of proportion with hourly %d", name, lv.LiveInMonthly, lv.Hourly)
		}
	}
	// Spot checks against the 2026 tables (verbale of 11 February 2026).
	spot := map[string]int{
		"B hourly": pay.Levels["B"].Hourly, "BS hourly": pay.Levels["BS"].Hourly, "CS live-in": pay.Levels["CS"].LiveInMonthly,
		"BS night care": pay.Levels["BS"].NightCareMonthly, "CS substitute": pay.Levels["CS"].SubstituteHourly,
		"DS function allowance": pay.Levels["DS"].FunctionAllowance, "night presence": pay.NightPresenceMonthly,
		"board total": pay.Board.Total,
	}
	want := map[string]int{"B hourly": 701, "BS hourly": 745, "CS live-in": 119384, "BS night care": 121138,
		"CS substitute": 891, "DS function allowance": 20769, "night presence": 81109, "board total": 666}
	for k, v := range want {
		if spot[k] != v {
			t.Errorf("%s = %d, want %d", k, spot[k], v)
		}
	}
	hours := map[domestic.Pattern][2]int{domestic.Convivente: {31, 54}, domestic.ConvivenzaRidotta: {1, 30},
		domestic.NonConvivente: {1, 40}, domestic.Weekend: {1, 16}, domestic.PresenzaNotturna: {9, 54}, domestic.AssistenzaNotturna: {9, 54}}
	for p, r := range hours {
		if got := pay.Patterns[p]; got.Min != r[0] || got.Max != r[1] {
			t.Errorf("pattern %s: %d-%d, want %d-%d", p, got.Min, got.Max, r[0], r[1])
		}
	}
	c := pay.Contributions
	if len(c.Bands) != 3 || c.Bands[0].UpTo != 961 || c.Bands[1].UpTo != 1170 || c.Bands[2].UpTo != 0 ||
		c.Bands[0].WithCUAF != (domestic.Rate{Total: 170, Worker: 43}) || c.LongHours.WithCUAF.Employer() != 93 ||
		c.LongHoursOver != 24 || c.CassaColf.Employer() != 4 {
		t.Errorf("contributions %+v", c)
	}
}

func TestParsePayProblems(t *testing.T) {
	good, err := os.ReadFile("data/ccnl.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := domestic.ParsePay(good); err != nil {
		t.Fatalf("the bundled file: %v", err)
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"a level missing", "  CS: {live_in_monthly: 1193.84,", "  XX: {live_in_monthly: 1193.84,", "level CS missing"},
		{"a zero hourly pay", "hourly: 7.01}", "hourly: 0}", "level B: live_in_monthly and hourly"},
		{"three decimals", "hourly: 7.45,", "hourly: 7.455,", "not an amount in euros"},
		{"a decimal comma", "night_presence_monthly: 811.09", "night_presence_monthly: 811,09", "not an amount in euros"},
		{"a negative amount", "lodging: 2.00", "lodging: -2.00", "not an amount in euros"},
		{"an unknown field", "tfr_divisor: 13.5", "tfr_divisor: 13.5\ntredicesima: 1", "field tredicesima not found"},
		{"no source", `source: "https://www.edotto.com/articolo/personale-domestico-trattamento-economic"`, `source: ""`, "no source"},
		{"a wrong board total", "total: 6.66", "total: 6.67", "board_and_lodging"},
		{"a pattern missing", "  weekend: {min_hours: 1, max_hours: 16}\n", "", "pattern weekend missing"},
		{"hours over 54", "convivente: {min_hours: 31, max_hours: 54}", "convivente: {min_hours: 31, max_hours: 60}", "pattern convivente"},
		{"the contributions of another year", "contributions:\n  year: 2026", "contributions:\n  year: 2025", "contributions: year 2025"},
		{"bands not ascending", "up_to: 11.70,", "up_to: 9.00,", "band 2: up_to"},
		{"a worker's share above the total", "with_cuaf: {total: 1.24, worker: 0.31}", "with_cuaf: {total: 1.24, worker: 1.31}", "long_hours with_cuaf"},
		{"the wrong year", "year: 2026\nvalid_from", "year: 1999\nvalid_from", "year 1999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := string(good)
			if !strings.Contains(data, tt.old) {
				t.Fatalf("the bundled file has no %q", tt.old)
			}
			_, err := domestic.ParsePay([]byte(strings.Replace(data, tt.old, tt.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParsePay = %v, want an error with %q", err, tt.want)
			}
		})
	}
	if _, err := domestic.ParsePay([]byte("levels: [")); err == nil {
		t.Error("broken YAML accepted")
	}
}
