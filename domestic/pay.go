package domestic

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed data/ccnl.yaml
var ccnlYAML []byte

// Pay is the collective agreement data: the CCNL lavoro domestico minimum pay tables
// for one year, the working patterns' hours, and the INPS and Cassa Colf
// contributions, as data/ccnl.yaml records them. Amounts are euro cents.
type Pay struct {
	Year      int
	ValidFrom time.Time
	// Source is where the pay tables come from (a URL or a publication); Sources
	// lists further ones that confirm them.
	Source  string
	Sources []string
	// Levels are the CCNL levels A, AS, B, BS, C, CS, D, DS.
	Levels map[string]Level
	// NightPresenceMonthly is table E: presenza notturna, a single level.
	NightPresenceMonthly int
	Board                Board
	Allowances           Allowances
	// Patterns are the weekly hours each working pattern allows.
	Patterns map[Pattern]HoursRange
	Night    NightRules
	// TFRDivisor divides a year's pay into the TFR it accrues (13.5).
	TFRDivisor    float64
	Contributions Contributions
}

// Level is one CCNL level's minimums, in cents; 0 where the CCNL has no such amount
// for the level.
type Level struct {
	LiveInMonthly        int // table A: conviventi, monthly
	ReducedLiveInMonthly int // table B: conviventi up to 30 hours a week (B, BS, C)
	Hourly               int // table C: non conviventi, hourly
	NightCareMonthly     int // table D: assistenza notturna (BS, CS, DS)
	SubstituteHourly     int // table G: substitutes on a live-in's days off (CS, DS)
	FunctionAllowance    int // indennità di funzione of live-in D and DS, monthly
}

// Board is the conventional value of board and lodging (vitto e alloggio), in cents
// a day, and how many days make a month.
type Board struct {
	Meal, Lodging, Total int
	DaysPerMonth         int
}

// Allowances are the CCNL's variable allowances the estimate leaves out and mentions.
type Allowances struct {
	BabysitterUnderSixMonthly        int // babysitter at BS until the child is 6, live-in
	BabysitterUnderSixReducedMonthly int // the same, live-in up to 30 hours
	BabysitterUnderSixHourly         int // the same, by the hour
	MorePeopleMonthly                int // caring for more than one non-self-sufficient person
	MorePeopleHourly                 int
}

// HoursRange is the weekly hours a pattern allows, both ends included.
type HoursRange struct{ Min, Max int }

// NightRules are the conventions of the night patterns.
type NightRules struct {
	// DeclaredHoursPerNight is how many hours a night is usually declared to INPS.
	DeclaredHoursPerNight int
	// CassaColfHoursPerNight is the conventional hours a night on which Cassa Colf
	// is paid, per night pattern.
	CassaColfHoursPerNight map[Pattern]int
}

// Contributions are the hourly INPS contributions for domestic workers of one year
// (open-ended contracts) and the Cassa Colf contribution.
type Contributions struct {
	Year    int
	Source  string
	Sources []string
	// LongHoursOver is the weekly hours above which LongHours applies whatever the pay.
	LongHoursOver int
	// Bands are by effective hourly pay, ascending; the last has no upper bound.
	Bands     []Band
	LongHours Band
	CassaColf Rate
}

// Band is one INPS band of effective hourly pay.
type Band struct {
	UpTo         int // the highest effective hourly pay in the band, cents; 0: no bound
	Conventional int // the conventional hourly pay contributions are computed on
	WithCUAF     Rate
	WithoutCUAF  Rate
}

// Rate is an hourly contribution, in cents: the whole of it and the worker's share.
type Rate struct{ Total, Worker int }

// Employer is the share the employer bears on top of the gross pay.
func (r Rate) Employer() int { return r.Total - r.Worker }

// levelNames lists the CCNL levels, lowest first.
func levelNames() []string { return []string{"A", "AS", "B", "BS", "C", "CS", "D", "DS"} }

// LoadPay loads the pay data bundled with the program (domestic/data/ccnl.yaml).
func LoadPay() (*Pay, error) { return ParsePay(ccnlYAML) }

// ParsePay reads and checks pay data laid out like data/ccnl.yaml, reporting every
// problem at once.
func ParsePay(data []byte) (*Pay, error) {
	var f payFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("domestic: read pay data: %w", err)
	}
	p := f.pay()
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("domestic: pay data for %d: %w", p.Year, err)
	}
	return p, nil
}

// check reports everything wrong with the data.
func (p *Pay) check() error {
	var errs []error
	errs = append(errs, p.checkHeader()...)
	errs = append(errs, p.checkLevels()...)
	errs = append(errs, p.checkAmounts()...)
	errs = append(errs, p.checkPatterns()...)
	errs = append(errs, p.Contributions.check(p.Year)...)
	return errors.Join(errs...)
}

// problems collects what a check finds wrong, in the order it finds it.
type problems []error

func (ps *problems) add(format string, args ...any) {
	*ps = append(*ps, fmt.Errorf(format, args...))
}

// checkHeader checks the year, the date the tables apply from and their source.
func (p *Pay) checkHeader() []error {
	var bad problems
	if p.Year < 2020 || p.Year > 2100 {
		bad.add("year %d is not a plausible year", p.Year)
	}
	if p.ValidFrom.IsZero() || p.ValidFrom.Year() != p.Year {
		bad.add("valid_from %s is not in year %d", p.ValidFrom.Format(time.DateOnly), p.Year)
	}
	if strings.TrimSpace(p.Source) == "" {
		bad.add("no source")
	}
	return bad
}

// checkLevels checks that every CCNL level is there, with the amounts its tables
// give it, and that hourly pay does not fall from one level to the next.
func (p *Pay) checkLevels() []error {
	var bad problems
	for _, name := range levelNames() {
		lv, ok := p.Levels[name]
		if !ok {
			bad.add("level %s missing", name)
			continue
		}
		if lv.LiveInMonthly <= 0 || lv.Hourly <= 0 {
			bad.add("level %s: live_in_monthly and hourly must be positive", name)
		}
	}
	if len(p.Levels) != len(levelNames()) {
		bad.add("levels: %d levels, want exactly %s", len(p.Levels), strings.Join(levelNames(), ", "))
	}
	need := func(name, field string, v int) {
		if v <= 0 {
			bad.add("level %s: %s must be positive", name, field)
		}
	}
	for _, name := range []string{"B", "BS", "C"} {
		need(name, "reduced_live_in_monthly", p.Levels[name].ReducedLiveInMonthly)
	}
	for _, name := range []string{"BS", "CS", "DS"} {
		need(name, "night_care_monthly", p.Levels[name].NightCareMonthly)
	}
	for _, name := range []string{"CS", "DS"} {
		need(name, "substitute_hourly", p.Levels[name].SubstituteHourly)
	}
	for _, name := range []string{"D", "DS"} {
		need(name, "function_allowance", p.Levels[name].FunctionAllowance)
	}
	prev := 0
	for _, name := range levelNames() {
		if h := p.Levels[name].Hourly; h < prev {
			bad.add("level %s: hourly pay below the level under it", name)
		} else {
			prev = h
		}
	}
	return bad
}

// checkAmounts checks the amounts outside the levels: night presence, board and
// lodging, and the allowances.
func (p *Pay) checkAmounts() []error {
	var bad problems
	if p.NightPresenceMonthly <= 0 {
		bad.add("night_presence_monthly must be positive")
	}
	if b := p.Board; b.Meal <= 0 || b.Lodging <= 0 || b.Total != 2*b.Meal+b.Lodging || b.DaysPerMonth < 26 || b.DaysPerMonth > 31 {
		bad.add("board_and_lodging: total must be two meals and lodging, days_per_month 26-31")
	}
	a := p.Allowances
	if a.BabysitterUnderSixMonthly <= 0 || a.BabysitterUnderSixReducedMonthly <= 0 || a.BabysitterUnderSixHourly <= 0 ||
		a.MorePeopleMonthly <= 0 || a.MorePeopleHourly <= 0 {
		bad.add("allowances must all be positive")
	}
	return bad
}

// checkPatterns checks the working patterns' hours, the night conventions and the
// TFR divisor.
func (p *Pay) checkPatterns() []error {
	var bad problems
	for _, pat := range Patterns() {
		r, ok := p.Patterns[pat]
		if !ok {
			bad.add("pattern %s missing", pat)
			continue
		}
		if r.Min < 1 || r.Max < r.Min || r.Max > MaxHoursPerWeek {
			bad.add("pattern %s: hours %d-%d not within 1-%d", pat, r.Min, r.Max, MaxHoursPerWeek)
		}
	}
	if len(p.Patterns) != len(Patterns()) {
		bad.add("patterns: %d patterns, want the %d of Patterns()", len(p.Patterns), len(Patterns()))
	}
	if p.Night.DeclaredHoursPerNight < 1 || p.Night.DeclaredHoursPerNight > 12 {
		bad.add("night: declared_hours_per_night %d not within 1-12", p.Night.DeclaredHoursPerNight)
	}
	for _, pat := range []Pattern{PresenzaNotturna, AssistenzaNotturna} {
		if h := p.Night.CassaColfHoursPerNight[pat]; h < 1 || h > 12 {
			bad.add("night: cassa_colf_hours_per_night for %s: %d not within 1-12", pat, h)
		}
	}
	if p.TFRDivisor < 12 || p.TFRDivisor > 15 {
		bad.add("tfr_divisor %v is not plausible", p.TFRDivisor)
	}
	return bad
}

func (c Contributions) check(year int) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("contributions: "+format, args...)) }
	if c.Year != year {
		bad("year %d is not the pay's year %d", c.Year, year)
	}
	if strings.TrimSpace(c.Source) == "" {
		bad("no source")
	}
	if c.LongHoursOver < 1 || c.LongHoursOver >= MaxHoursPerWeek {
		bad("long_hours_over %d is not plausible", c.LongHoursOver)
	}
	rate := func(where string, r Rate) {
		if r.Total <= 0 || r.Worker <= 0 || r.Worker >= r.Total {
			bad("%s: total and worker must be positive, worker below total", where)
		}
	}
	if len(c.Bands) == 0 {
		bad("no bands")
	}
	prev := 0
	for i, b := range c.Bands {
		last := i == len(c.Bands)-1
		switch {
		case last && b.UpTo != 0:
			bad("the last band must have no up_to")
		case !last && b.UpTo <= prev:
			bad("band %d: up_to must be positive and ascending", i+1)
		}
		prev = b.UpTo
		if b.Conventional <= 0 {
			bad("band %d: conventional must be positive", i+1)
		}
		rate(fmt.Sprintf("band %d with_cuaf", i+1), b.WithCUAF)
		rate(fmt.Sprintf("band %d without_cuaf", i+1), b.WithoutCUAF)
	}
	if c.LongHours.UpTo != 0 || c.LongHours.Conventional <= 0 {
		bad("long_hours: a conventional pay and no up_to")
	}
	rate("long_hours with_cuaf", c.LongHours.WithCUAF)
	rate("long_hours without_cuaf", c.LongHours.WithoutCUAF)
	rate("cassa_colf", c.CassaColf)
	return errs
}

// payFile is data/ccnl.yaml as written.
type payFile struct {
	Year      int       `yaml:"year"`
	ValidFrom time.Time `yaml:"valid_from"`
	Source    string    `yaml:"source"`
	Sources   []string  `yaml:"sources"`
	Levels    map[string]struct {
		LiveInMonthly        euro `yaml:"live_in_monthly"`
		ReducedLiveInMonthly euro `yaml:"reduced_live_in_monthly"`
		Hourly               euro `yaml:"hourly"`
		NightCareMonthly     euro `yaml:"night_care_monthly"`
		SubstituteHourly     euro `yaml:"substitute_hourly"`
		FunctionAllowance    euro `yaml:"function_allowance"`
	} `yaml:"levels"`
	NightPresenceMonthly euro `yaml:"night_presence_monthly"`
	Board                struct {
		Meal         euro `yaml:"meal"`
		Lodging      euro `yaml:"lodging"`
		Total        euro `yaml:"total"`
		DaysPerMonth int  `yaml:"days_per_month"`
	} `yaml:"board_and_lodging"`
	Allowances struct {
		BabysitterMonthly        euro `yaml:"babysitter_under_six_monthly"`
		BabysitterReducedMonthly euro `yaml:"babysitter_under_six_reduced_monthly"`
		BabysitterHourly         euro `yaml:"babysitter_under_six_hourly"`
		MorePeopleMonthly        euro `yaml:"more_people_monthly"`
		MorePeopleHourly         euro `yaml:"more_people_hourly"`
	} `yaml:"allowances"`
	Patterns map[Pattern]struct {
		Min int `yaml:"min_hours"`
		Max int `yaml:"max_hours"`
	} `yaml:"patterns"`
	Night struct {
		DeclaredHoursPerNight int             `yaml:"declared_hours_per_night"`
		CassaColf             map[Pattern]int `yaml:"cassa_colf_hours_per_night"`
	} `yaml:"night"`
	TFRDivisor    float64 `yaml:"tfr_divisor"`
	Contributions struct {
		Year          int        `yaml:"year"`
		Source        string     `yaml:"source"`
		Sources       []string   `yaml:"sources"`
		LongHoursOver int        `yaml:"long_hours_over"`
		Bands         []bandFile `yaml:"bands"`
		LongHours     bandFile   `yaml:"long_hours"`
		CassaColf     rateFile   `yaml:"cassa_colf"`
	} `yaml:"contributions"`
}

type bandFile struct {
	UpTo         euro     `yaml:"up_to"`
	Conventional euro     `yaml:"conventional"`
	WithCUAF     rateFile `yaml:"with_cuaf"`
	WithoutCUAF  rateFile `yaml:"without_cuaf"`
}

type rateFile struct {
	Total  euro `yaml:"total"`
	Worker euro `yaml:"worker"`
}

func (b bandFile) band() Band {
	return Band{UpTo: int(b.UpTo), Conventional: int(b.Conventional), WithCUAF: b.WithCUAF.rate(), WithoutCUAF: b.WithoutCUAF.rate()}
}

func (r rateFile) rate() Rate { return Rate{Total: int(r.Total), Worker: int(r.Worker)} }

func (f *payFile) pay() *Pay {
	p := &Pay{Year: f.Year, ValidFrom: f.ValidFrom, Source: strings.TrimSpace(f.Source), Sources: f.Sources,
		Levels: map[string]Level{}, NightPresenceMonthly: int(f.NightPresenceMonthly),
		Board: Board{Meal: int(f.Board.Meal), Lodging: int(f.Board.Lodging), Total: int(f.Board.Total), DaysPerMonth: f.Board.DaysPerMonth},
		Allowances: Allowances{
			BabysitterUnderSixMonthly: int(f.Allowances.BabysitterMonthly), BabysitterUnderSixReducedMonthly: int(f.Allowances.BabysitterReducedMonthly),
			BabysitterUnderSixHourly: int(f.Allowances.BabysitterHourly), MorePeopleMonthly: int(f.Allowances.MorePeopleMonthly),
			MorePeopleHourly: int(f.Allowances.MorePeopleHourly)},
		Patterns:   map[Pattern]HoursRange{},
		Night:      NightRules{DeclaredHoursPerNight: f.Night.DeclaredHoursPerNight, CassaColfHoursPerNight: f.Night.CassaColf},
		TFRDivisor: f.TFRDivisor,
	}
	for name, l := range f.Levels {
		p.Levels[name] = Level{LiveInMonthly: int(l.LiveInMonthly), ReducedLiveInMonthly: int(l.ReducedLiveInMonthly),
			Hourly: int(l.Hourly), NightCareMonthly: int(l.NightCareMonthly), SubstituteHourly: int(l.SubstituteHourly),
			FunctionAllowance: int(l.FunctionAllowance)}
	}
	for pat, r := range f.Patterns {
		p.Patterns[pat] = HoursRange{Min: r.Min, Max: r.Max}
	}
	c := f.Contributions
	p.Contributions = Contributions{Year: c.Year, Source: strings.TrimSpace(c.Source), Sources: c.Sources,
		LongHoursOver: c.LongHoursOver, LongHours: c.LongHours.band(), CassaColf: c.CassaColf.rate()}
	for _, b := range c.Bands {
		p.Contributions.Bands = append(p.Contributions.Bands, b.band())
	}
	return p
}

// euro is an amount written in euros with a dot and at most two decimals ("1193.84"),
// read exactly into cents: no binary floating point on the way.
type euro int

// UnmarshalYAML implements yaml.Unmarshaler.
func (e *euro) UnmarshalYAML(n *yaml.Node) error {
	cents, err := parseEuro(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return fmt.Errorf("line %d: %q is not an amount in euros like 1193.84", n.Line, n.Value)
	}
	*e = euro(cents)
	return nil
}

// parseEuro reads "1193.84", "7.5" or "12" into cents.
func parseEuro(s string) (int, error) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 7 || len(frac) > 2 || dot && frac == "" || strings.ContainsAny(whole+frac, "+-_ ") {
		return 0, errors.New("not an amount")
	}
	w, err := strconv.Atoi(whole)
	if err != nil {
		return 0, err
	}
	f := 0
	if frac != "" {
		if f, err = strconv.Atoi(frac); err != nil {
			return 0, err
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, nil
}
