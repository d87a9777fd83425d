package domestic

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Estimate is a monthly cost estimate, in euro cents.
type Estimate struct {
	// Level is the CCNL level used ("B", "BS", "CS"), or "unico" for the single
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
	// Notes are Italian sentences: what is included and excluded, that it is an
	// estimate, the year and the sources.
	Notes []string
}

// weeksPerMonth turns weekly hours into monthly ones: 52 weeks over 12 months, so
// that the paid holidays and public holidays are inside the monthly pay.
const weeksPerMonth = 52.0 / 12

// levelUnico is the Level of presenza notturna, which has a single level.
const levelUnico = "unico"

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
		return levelUnico, true
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

// notes explains an estimate in Italian.
func (p *Pay) notes(role Role, pattern Pattern, hoursPerWeek int, selfSufficient bool, level string, band Band, cassaHours int, substitute bool) []string {
	lv := p.Levels[level]
	levelName := "livello " + level
	if level == levelUnico {
		levelName = "livello unico della presenza notturna"
	}
	notes := []string{fmt.Sprintf("È una stima indicativa, non un preventivo: usa i minimi del CCNL lavoro domestico in vigore dal %s (%s) e i contributi INPS %d. La paga si concorda con chi lavora e può essere più alta.",
		italianDate(p), levelName, p.Contributions.Year)}

	switch pattern {
	case Convivente:
		s := fmt.Sprintf("Paga minima mensile per chi vive con la famiglia (fino a 54 ore a settimana): %s.", euros(lv.LiveInMonthly))
		if lv.FunctionAllowance > 0 {
			s += fmt.Sprintf(" Comprende l'indennità di funzione di %s.", euros(lv.FunctionAllowance))
		}
		notes = append(notes, s)
	case ConvivenzaRidotta:
		notes = append(notes, fmt.Sprintf("Paga minima mensile per chi vive con la famiglia fino a 30 ore a settimana: %s.", euros(lv.ReducedLiveInMonthly)))
	case NonConvivente, Weekend:
		rate := lv.Hourly
		if substitute {
			rate = lv.SubstituteHourly
		}
		notes = append(notes, fmt.Sprintf("Paga minima: %s l'ora per %d ore a settimana, cioè %s ore al mese (52 settimane diviso 12 mesi).",
			euros(rate), hoursPerWeek, decimal(float64(hoursPerWeek)*weeksPerMonth)))
		if substitute {
			notes = append(notes, "Per l'assistenza a una persona non autosufficiente nei giorni di riposo della badante titolare il CCNL prevede una paga oraria propria (tabella G), usata qui.")
		}
	case AssistenzaNotturna:
		notes = append(notes, fmt.Sprintf("Paga minima mensile fissa per l'assistenza notturna (tra le 20 e le 8), qualunque sia l'orario: %s.", euros(lv.NightCareMonthly)))
	case PresenzaNotturna:
		notes = append(notes, fmt.Sprintf("Paga minima mensile fissa per la sola presenza notturna (tra le 21 e le 8), qualunque sia l'orario: %s. Altri compiti chiesti di notte si pagano a parte, a ore.", euros(p.NightPresenceMonthly)))
	}

	contrib := fmt.Sprintf("Contributi a carico della famiglia: INPS %s l'ora (contratto a tempo indeterminato, con la quota CUAF) e Cassa Colf %s l'ora; la parte che spetta a chi lavora è già dentro la paga lorda.",
		euros(band.WithCUAF.Employer()), euros(p.Contributions.CassaColf.Employer()))
	if pattern.night() {
		contrib += fmt.Sprintf(" L'INPS si paga sulle %d ore settimanali indicate, la Cassa Colf su %d ore convenzionali.", hoursPerWeek, cassaHours)
	}
	notes = append(notes, contrib,
		"I ratei comprendono la tredicesima (un dodicesimo della paga dell'anno) e il TFR (la paga dell'anno divisa per "+decimal(p.TFRDivisor)+"), da mettere da parte ogni mese.",
		"Ferie (26 giorni lavorativi all'anno) e festività sono già pagate nella paga mensile, che conta tutte le 52 settimane dell'anno.")

	switch board := p.boardInKind(pattern); {
	case board == p.Board.Total && board > 0:
		notes = append(notes, fmt.Sprintf("Vitto e alloggio si danno in natura e non sono in busta paga, ma il loro valore convenzionale (%s al giorno) conta per tredicesima, TFR e contributi; la spesa per vitto e alloggio non è compresa.", euros(board)))
	case board > 0:
		notes = append(notes, fmt.Sprintf("L'alloggio si dà in natura e non è in busta paga, ma il suo valore convenzionale (%s al giorno) conta per tredicesima, TFR e contributi.", euros(board)))
	}
	notes = append(notes, "Non sono compresi: scatti di anzianità, straordinari, maggiorazioni per lavoro notturno o festivo, la sostituzione durante le ferie, il costo di chi prepara buste paga e contributi, e le agevolazioni fiscali.")

	a := p.Allowances
	switch {
	case role == Tata && level == "BS" && !pattern.night():
		monthly := a.BabysitterUnderSixMonthly
		if pattern == ConvivenzaRidotta {
			monthly = a.BabysitterUnderSixReducedMonthly
		}
		notes = append(notes, fmt.Sprintf("Se il bambino ha meno di 6 anni spetta un'indennità in più, non compresa: %s l'ora, o %s al mese se vive con la famiglia.",
			euros(a.BabysitterUnderSixHourly), euros(monthly)))
	case role == Badante && !selfSufficient && level != levelUnico:
		notes = append(notes, fmt.Sprintf("Se la badante è formata (livello DS) i minimi sono più alti; se assiste più di una persona non autosufficiente spetta un'indennità in più di %s al mese (%s l'ora), non compresa.",
			euros(a.MorePeopleMonthly), euros(a.MorePeopleHourly)))
	}
	return append(notes, "Fonti: "+p.Source+"; "+p.Contributions.Source+".")
}

// cents rounds an amount in cents to a whole cent.
func cents(v float64) int { return int(math.Round(v)) }

// euros formats cents the Italian way: "1.193,84 €".
func euros(c int) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	whole := strconv.Itoa(c / 100)
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	return fmt.Sprintf("%s%s,%02d €", sign, b.String(), c%100)
}

// decimal formats a number with at most two decimals and a decimal comma.
func decimal(v float64) string {
	s := strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	return strings.Replace(s, ".", ",", 1)
}

// italianDate is the pay's start date as "1° gennaio 2026".
func italianDate(p *Pay) string {
	months := []string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
		"settembre", "ottobre", "novembre", "dicembre"}
	d := p.ValidFrom
	day := strconv.Itoa(d.Day())
	if d.Day() == 1 {
		day = "1°"
	}
	return fmt.Sprintf("%s %s %d", day, months[d.Month()-1], d.Year())
}
