package domestic

import (
	"math"
	"time"
)

// Estimate is a monthly cost estimate, in euro cents.
type Estimate struct {
	// Level is the CCNL level used ("B", "BS", "CS"), or LevelUnico for the single
	// level of presenza notturna.
	Level string
	// GrossMonthly is the worker's minimum gross pay per month, with the indennità
	// di funzione of live-in levels D and DS where due; the worker's share of the
	// contributions is inside it.
	GrossMonthly int
	// Contributions is what the family adds per month to INPS and Cassa Colf on top
	// of the gross pay (the employer's share).
	Contributions int
	// Accruals is the tredicesima and the TFR accrued per month (holidays are paid
	// inside the monthly pay: see Notes).
	Accruals int
	// TotalMonthly is what the family spends per month: GrossMonthly +
	// Contributions + Accruals.
	TotalMonthly int
	HoursPerWeek int
	// Notes explain how the estimate is worked out, in order: its basis, the pay
	// table used, contributions, accruals and holidays, board and lodging, what is
	// left out, the allowances it may miss and the sources.
	Notes []Note
}

// Note is one step of how an estimate is worked out. The domain knows the figures
// and the bot the words: Key names the sentence, Values the figures it quotes.
//
// The keys are basis (date, level, year); one of live_in (pay, max_hours), with
// function_allowance (allowance) where due, reduced_live_in (pay, max_hours), hourly
// (rate, hours, monthly_hours), with substitute at the rate of table G, night_care
// (pay) and night_presence (pay); contributions (inps, cassa_colf), with
// contributions_night (hours, cassa_hours) for the night patterns; accruals
// (divisor); holidays; board_total or board_lodging (daily) for board and lodging
// given in kind; excluded; under_six (hourly, monthly) for a tata or more_people
// (monthly, hourly) for the badante of a non-self-sufficient person; sources
// (pay_source, contributions_source).
type Note struct {
	Key    string
	Values []Value
}

// Value is a named figure of a Note; Kind says which field holds it.
type Value struct {
	Name   string
	Kind   ValueKind
	Cents  int       // KindEuros: an amount in euro cents
	Number float64   // KindNumber: hours, a year, a divisor; not rounded
	Date   time.Time // KindDate
	Code   string    // KindCode: a CCNL level (named "level") or a source
}

// ValueKind is what a Value holds.
type ValueKind int

// The kinds of Value.
const (
	KindEuros ValueKind = iota + 1
	KindNumber
	KindDate
	KindCode
)

// weeksPerMonth turns weekly hours into monthly ones: 52 weeks over 12 months, so
// that the paid holidays and public holidays are inside the monthly pay.
const weeksPerMonth = 52.0 / 12

// LevelUnico is the Level of presenza notturna, which has a single level.
const LevelUnico = "unico"

// Estimate computes the minimum monthly cost for a family employing a worker in role
// with pattern for hoursPerWeek hours; selfSufficient says whether the person cared
// for is autosufficiente, which decides a badante's level (BS if so, CS if not).
//
// ok is false for combinations the CCNL does not provide for: hours outside the
// pattern's range (Pay.Patterns: convivente 31-54, convivenza ridotta up to 30,
// non convivente up to 40, weekend up to 16, night patterns 9-54), a colf at night,
// and convivenza ridotta for the badante of a non-self-sufficient person (level CS
// has no reduced live-in table).
//
// The levels follow the CCNL profiles: colf B (collaboratore familiare generico
// polifunzionale); tata BS (baby sitter, assistente a persone autosufficienti);
// badante BS for a self-sufficient person, CS (assistente a persone non
// autosufficienti, non formato) otherwise. Assistenza notturna is BS for a
// self-sufficient person (children included) and CS otherwise; presenza notturna has
// its own single level. A weekend badante of a non-self-sufficient person is paid at
// the substitute rate of table G.
//
// Monthly hours are weekly hours x 52 / 12. The INPS band follows the effective
// hourly pay with the tredicesima and the value of board and lodging given in kind,
// unless the hours exceed the long-hours threshold; contributions are those of an
// open-ended contract with the CUAF share. The TFR accrues a twelfth of the year's
// pay (tredicesima and board and lodging included) divided by TFRDivisor. Each
// amount is rounded to the cent once, and the total is the sum of the rounded amounts.
func (p *Pay) Estimate(role Role, pattern Pattern, hoursPerWeek int, selfSufficient bool) (Estimate, bool) {
	hours, ok := p.Patterns[pattern]
	if !ok || hoursPerWeek < hours.Min || hoursPerWeek > hours.Max {
		return Estimate{}, false
	}
	level, ok := levelFor(role, pattern, selfSufficient)
	if !ok {
		return Estimate{}, false
	}
	lv := p.Levels[level]
	monthlyHours := float64(hoursPerWeek) * weeksPerMonth
	substitute := pattern == Weekend && role == Badante && !selfSufficient && lv.SubstituteHourly > 0

	var gross float64 // cents, unrounded
	switch pattern {
	case Convivente:
		gross = float64(lv.LiveInMonthly + lv.FunctionAllowance)
	case ConvivenzaRidotta:
		gross = float64(lv.ReducedLiveInMonthly)
	case NonConvivente:
		gross = float64(lv.Hourly) * monthlyHours
	case Weekend:
		rate := lv.Hourly
		if substitute {
			rate = lv.SubstituteHourly
		}
		gross = float64(rate) * monthlyHours
	case AssistenzaNotturna:
		gross = float64(lv.NightCareMonthly)
	case PresenzaNotturna:
		gross = float64(p.NightPresenceMonthly)
	}
	if gross <= 0 {
		return Estimate{}, false // the level has no such table
	}
	board := float64(p.boardInKind(pattern) * p.Board.DaysPerMonth)

	band := p.Contributions.band(hoursPerWeek, (gross+board)*13/12/monthlyHours)
	cassaHours := p.cassaColfHours(pattern, hoursPerWeek)
	contributions := (float64(band.WithCUAF.Employer()*hoursPerWeek) +
		float64(p.Contributions.CassaColf.Employer()*cassaHours)) * weeksPerMonth
	yearly := (gross + board) * 13 // twelve months and the tredicesima
	accruals := (gross+board)/12 + yearly/p.TFRDivisor/12

	e := Estimate{Level: level, GrossMonthly: cents(gross), Contributions: cents(contributions),
		Accruals: cents(accruals), HoursPerWeek: hoursPerWeek}
	e.TotalMonthly = e.GrossMonthly + e.Contributions + e.Accruals
	e.Notes = p.notes(role, pattern, hoursPerWeek, selfSufficient, level, band, cassaHours, substitute)
	return e, true
}

// levelFor maps a role and pattern to the CCNL level (see Estimate).
func levelFor(role Role, pattern Pattern, selfSufficient bool) (string, bool) {
	switch {
	case !role.Valid() || role == Colf && pattern.night():
		return "", false
	case pattern == PresenzaNotturna:
		return LevelUnico, true
	case role == Colf:
		return "B", true // collaboratore familiare generico polifunzionale
	case role == Tata:
		return "BS", true // baby sitter; children count as self-sufficient at night too
	case selfSufficient:
		return "BS", true // assistente a persone autosufficienti
	}
	return "CS", true // assistente a persone non autosufficienti (non formato)
}

// boardInKind is the daily value of the board and lodging a pattern gives in kind:
// all of it to a live-in and to night care (CCNL: breakfast, dinner and lodging), the
// lodging alone to a night presence, nothing to hourly work.
func (p *Pay) boardInKind(pattern Pattern) int {
	switch pattern {
	case Convivente, ConvivenzaRidotta, AssistenzaNotturna:
		return p.Board.Total
	case PresenzaNotturna:
		return p.Board.Lodging
	}
	return 0
}

// band is the INPS band for weekly hours and an effective hourly pay in cents.
func (c Contributions) band(hoursPerWeek int, effectiveHourly float64) Band {
	if hoursPerWeek > c.LongHoursOver {
		return c.LongHours
	}
	eff := cents(effectiveHourly)
	for _, b := range c.Bands {
		if b.UpTo == 0 || eff <= b.UpTo {
			return b
		}
	}
	return c.Bands[len(c.Bands)-1]
}

// cassaColfHours is the weekly hours Cassa Colf is paid on: the hours worked, or for
// the night patterns the conventional hours of the nights the declared hours make
// (never more than the hours themselves).
func (p *Pay) cassaColfHours(pattern Pattern, hoursPerWeek int) int {
	perNight, ok := p.Night.CassaColfHoursPerNight[pattern]
	if !pattern.night() || !ok {
		return hoursPerWeek
	}
	nights := (hoursPerWeek + p.Night.DeclaredHoursPerNight - 1) / p.Night.DeclaredHoursPerNight
	return min(nights*perNight, hoursPerWeek)
}

// notes explains an estimate step by step (see Note for the keys).
func (p *Pay) notes(role Role, pattern Pattern, hoursPerWeek int, selfSufficient bool, level string, band Band, cassaHours int, substitute bool) []Note {
	lv := p.Levels[level]
	notes := []Note{note("basis", dateValue("date", p.ValidFrom), codeValue("level", level),
		numberValue("year", float64(p.Contributions.Year)))}

	switch pattern {
	case Convivente:
		notes = append(notes, note("live_in", euroValue("pay", lv.LiveInMonthly),
			numberValue("max_hours", float64(p.Patterns[pattern].Max))))
		if lv.FunctionAllowance > 0 {
			notes = append(notes, note("function_allowance", euroValue("allowance", lv.FunctionAllowance)))
		}
	case ConvivenzaRidotta:
		notes = append(notes, note("reduced_live_in", euroValue("pay", lv.ReducedLiveInMonthly),
			numberValue("max_hours", float64(p.Patterns[pattern].Max))))
	case NonConvivente, Weekend:
		rate := lv.Hourly
		if substitute {
			rate = lv.SubstituteHourly
		}
		notes = append(notes, note("hourly", euroValue("rate", rate), numberValue("hours", float64(hoursPerWeek)),
			numberValue("monthly_hours", float64(hoursPerWeek)*weeksPerMonth)))
		if substitute {
			notes = append(notes, note("substitute"))
		}
	case AssistenzaNotturna:
		notes = append(notes, note("night_care", euroValue("pay", lv.NightCareMonthly)))
	case PresenzaNotturna:
		notes = append(notes, note("night_presence", euroValue("pay", p.NightPresenceMonthly)))
	}

	notes = append(notes, note("contributions", euroValue("inps", band.WithCUAF.Employer()),
		euroValue("cassa_colf", p.Contributions.CassaColf.Employer())))
	if pattern.night() {
		notes = append(notes, note("contributions_night", numberValue("hours", float64(hoursPerWeek)),
			numberValue("cassa_hours", float64(cassaHours))))
	}
	notes = append(notes, note("accruals", numberValue("divisor", p.TFRDivisor)), note("holidays"))

	switch board := p.boardInKind(pattern); {
	case board == p.Board.Total && board > 0:
		notes = append(notes, note("board_total", euroValue("daily", board)))
	case board > 0:
		notes = append(notes, note("board_lodging", euroValue("daily", board)))
	}
	notes = append(notes, note("excluded"))

	a := p.Allowances
	switch {
	case role == Tata && level == "BS" && !pattern.night():
		monthly := a.BabysitterUnderSixMonthly
		if pattern == ConvivenzaRidotta {
			monthly = a.BabysitterUnderSixReducedMonthly
		}
		notes = append(notes, note("under_six", euroValue("hourly", a.BabysitterUnderSixHourly), euroValue("monthly", monthly)))
	case role == Badante && !selfSufficient && level != LevelUnico:
		notes = append(notes, note("more_people", euroValue("monthly", a.MorePeopleMonthly), euroValue("hourly", a.MorePeopleHourly)))
	}
	return append(notes, note("sources", codeValue("pay_source", p.Source),
		codeValue("contributions_source", p.Contributions.Source)))
}

func note(key string, values ...Value) Note { return Note{Key: key, Values: values} }

func euroValue(name string, cents int) Value { return Value{Name: name, Kind: KindEuros, Cents: cents} }

func numberValue(name string, n float64) Value { return Value{Name: name, Kind: KindNumber, Number: n} }

func dateValue(name string, d time.Time) Value { return Value{Name: name, Kind: KindDate, Date: d} }

func codeValue(name, code string) Value { return Value{Name: name, Kind: KindCode, Code: code} }

// cents rounds an amount in cents to a whole cent.
func cents(v float64) int { return int(math.Round(v)) }
