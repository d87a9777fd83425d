package vouchers

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// field is a column of the Comune's list.
type field int

const (
	fieldCode field = iota
	fieldProgramme
	fieldFrom
	fieldUntil
	fieldValidity // from and until in one cell
	fieldTaxCode
	fieldAmount
	nFields
)

// fieldNames name the fields in errors.
var fieldNames = [nFields]string{"code", "programme", "valid from", "valid until", "validity", "tax code", "amount"}

// headerNames are the header names each field goes by, once folded (headerKey):
// Italian and English, with the words that only qualify them (del, beneficiario,
// holder…) dropped.
var headerNames = map[string]field{
	"codice": fieldCode, "code": fieldCode, "voucher": fieldCode, "codice voucher": fieldCode,
	"voucher code": fieldCode, "codice buono": fieldCode, "buono": fieldCode, "numero voucher": fieldCode,
	"id voucher": fieldCode, "voucher id": fieldCode, "numero buono": fieldCode,

	"programma": fieldProgramme, "programme": fieldProgramme, "program": fieldProgramme, "misura": fieldProgramme,
	"progetto": fieldProgramme, "bando": fieldProgramme, "iniziativa": fieldProgramme,

	"dal": fieldFrom, "valido dal": fieldFrom, "valida dal": fieldFrom, "validita dal": fieldFrom,
	"inizio": fieldFrom, "inizio validita": fieldFrom, "data inizio": fieldFrom, "decorrenza": fieldFrom,
	"from": fieldFrom, "valid from": fieldFrom, "validity from": fieldFrom, "start": fieldFrom, "start date": fieldFrom,

	"al": fieldUntil, "valido al": fieldUntil, "valida al": fieldUntil, "validita al": fieldUntil,
	"fine": fieldUntil, "fine validita": fieldUntil, "data fine": fieldUntil, "scadenza": fieldUntil,
	"data scadenza": fieldUntil, "until": fieldUntil, "valid until": fieldUntil, "validity until": fieldUntil,
	"to": fieldUntil, "valid to": fieldUntil, "end": fieldUntil, "end date": fieldUntil, "expiry": fieldUntil,
	"expires": fieldUntil, "expiry date": fieldUntil,

	"validita": fieldValidity, "validity": fieldValidity, "periodo": fieldValidity,
	"periodo validita": fieldValidity, "validity period": fieldValidity, "valid": fieldValidity,

	"codice fiscale": fieldTaxCode, "codicefiscale": fieldTaxCode, "cf": fieldTaxCode, "c f": fieldTaxCode,
	"tax code": fieldTaxCode, "taxcode": fieldTaxCode, "tax id": fieldTaxCode, "fiscal code": fieldTaxCode,

	"importo": fieldAmount, "valore": fieldAmount, "amount": fieldAmount, "value": fieldAmount,
	"credito": fieldAmount, "importo voucher": fieldAmount, "valore voucher": fieldAmount,
}

// qualifiers are words a header may add that do not change what it names.
var qualifiers = map[string]bool{
	"del": true, "della": true, "dello": true, "di": true, "the": true, "of": true, "s": true,
	"beneficiario": true, "beneficiaria": true, "titolare": true, "intestatario": true, "holder": true,
	"beneficiary": true, "eur": true, "euro": true, "in": true, "voucher's": true,
}

// headerKey folds a header: lower case, accents and punctuation dropped, qualifiers
// left out ("Codice fiscale del beneficiario" and "holder's tax code" give
// "codice fiscale" and "tax code"; "Importo (€)" gives "importo").
func headerKey(h string) string {
	folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), h)
	if err != nil {
		folded = h
	}
	words := strings.FieldsFunc(strings.ToLower(folded), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	kept := words[:0]
	for _, w := range words {
		if !qualifiers[w] {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// columns says which column of the file holds each field (-1: none).
type columns [nFields]int

// readHeader reads the first non-blank line as the header and finds the columns.
func readHeader(cr *csv.Reader) (columns, error) {
	var cols columns
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return cols, fmt.Errorf("%w: the file is empty", ErrNoHeader)
		}
		if err != nil {
			return cols, fmt.Errorf("%w: header: %v", ErrNotCSV, err)
		}
		if blank(rec) {
			continue
		}
		return findColumns(rec)
	}
}

// findColumns maps a header to the fields; it fails naming the fields it lacks or
// that two columns claim.
func findColumns(header []string) (columns, error) {
	var cols columns
	for i := range cols {
		cols[i] = -1
	}
	for i, h := range header {
		f, ok := headerNames[headerKey(h)]
		if !ok {
			continue // a column we do not need (a name, a note): ignored, never stored
		}
		if cols[f] >= 0 {
			return cols, fmt.Errorf("%w: two columns are the %s (%d and %d)", ErrNoHeader, fieldNames[f], cols[f]+1, i+1)
		}
		cols[f] = i
	}
	var missing []string
	for _, f := range []field{fieldCode, fieldProgramme, fieldTaxCode, fieldAmount} {
		if cols[f] < 0 {
			missing = append(missing, fieldNames[f])
		}
	}
	if cols[fieldValidity] < 0 && (cols[fieldFrom] < 0 || cols[fieldUntil] < 0) {
		missing = append(missing, "validity (one column, or valid from and valid until)")
	}
	if len(missing) > 0 {
		return cols, fmt.Errorf("%w: missing %s", ErrNoHeader, strings.Join(missing, ", "))
	}
	return cols, nil
}

// row checks one record; it returns a Note instead when the record is rejected.
func (cols columns) row(rec []string, line int) (Row, *Note) {
	cell := func(f field) string {
		if i := cols[f]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	r := Row{Line: line, Code: canonicalCode(cell(fieldCode))}
	reject := func(reason string) (Row, *Note) {
		return Row{}, &Note{Line: line, Code: Mask(r.Code), Reason: reason}
	}
	if need := slices.Max(cols[:]) + 1; len(rec) < need {
		return reject(fmt.Sprintf("%d cells, but the header's columns need %d", len(rec), need))
	}
	for _, c := range rec {
		if len(c) > maxField {
			return reject(fmt.Sprintf("a cell longer than %d characters", maxField))
		}
	}
	if !validCode(r.Code) {
		return reject(fmt.Sprintf("code: %d to %d letters or digits (spaces and hyphens allowed)", minCode, maxCode))
	}
	r.Programme = strings.Join(strings.Fields(cell(fieldProgramme)), " ")
	// utf8.RuneError stands for a byte Windows-1252 does not map (decodeText).
	if r.Programme == "" || utf8.RuneCountInString(r.Programme) > maxProgramme ||
		strings.ContainsRune(r.Programme, utf8.RuneError) {
		return reject(fmt.Sprintf("programme: missing, unreadable or longer than %d characters", maxProgramme))
	}
	var err error
	if r.From, r.Until, err = cols.validity(cell); err != nil {
		return reject(err.Error())
	}
	r.TaxCode = canonicalTaxCode(cell(fieldTaxCode))
	switch {
	case r.TaxCode == "":
		return reject("tax code: missing")
	case !ValidTaxCode(r.TaxCode):
		return reject("tax code " + MaskTaxCode(r.TaxCode) + ": not a valid codice fiscale (shape or check character)")
	}
	if r.AmountCents, err = parseAmount(cell(fieldAmount)); err != nil {
		return reject(err.Error())
	}
	return r, nil
}

// validity reads the first and last days, from one column or two.
func (cols columns) validity(cell func(field) string) (from, until string, err error) {
	if cols[fieldFrom] >= 0 && cols[fieldUntil] >= 0 {
		from, err = parseDate(cell(fieldFrom))
		if err == nil {
			until, err = parseDate(cell(fieldUntil))
		}
	} else {
		dates := datePattern.FindAllString(cell(fieldValidity), 3)
		if len(dates) != 2 {
			return "", "", errors.New("validity: want two dates, such as 01/01/2026 - 31/12/2026")
		}
		from, err = parseDate(dates[0])
		if err == nil {
			until, err = parseDate(dates[1])
		}
	}
	switch {
	case err != nil:
		return "", "", err
	case until < from: // YYYY-MM-DD compares as dates
		return "", "", fmt.Errorf("validity: ends (%s) before it starts (%s)", until, from)
	}
	return from, until, nil
}

// datePattern finds a date in a validity cell.
var datePattern = regexp.MustCompile(`\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}`)

// parseDate reads 2026-01-31 or 31/01/2026 (also with dots or hyphens), checking
// that the day exists, and returns it as YYYY-MM-DD.
func parseDate(s string) (string, error) {
	var y, m, d int
	var err error
	switch {
	case len(s) >= 8 && len(s) <= 10 && strings.Count(s, "-") == 2 && strings.Index(s, "-") == 4:
		y, m, d, err = threeInts(strings.Split(s, "-"), 0, 1, 2)
	case len(s) >= 8 && len(s) <= 10:
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
		y, m, d, err = threeInts(parts, 2, 1, 0)
	default:
		err = errors.New("bad shape")
	}
	if err == nil && (y < 2000 || y > 2100) {
		err = errors.New("year out of range")
	}
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC)
	if err == nil && (t.Year() != y || int(t.Month()) != m || t.Day() != d) {
		err = errors.New("no such day")
	}
	if err != nil {
		// The cell is not echoed: in a shifted row it may hold a tax code.
		return "", fmt.Errorf("date: want 2026-01-31 or 31/01/2026 (%v)", err)
	}
	return t.Format(time.DateOnly), nil
}

// threeInts reads year, month and day from parts at the given places.
func threeInts(parts []string, yi, mi, di int) (y, m, d int, err error) {
	if len(parts) != 3 {
		return 0, 0, 0, errors.New("bad shape")
	}
	var vals [3]int
	for i, p := range []string{parts[yi], parts[mi], parts[di]} {
		if p == "" || len(p) > 4 || strings.Trim(p, "0123456789") != "" {
			return 0, 0, 0, errors.New("bad shape")
		}
		vals[i], _ = strconv.Atoi(p)
	}
	return vals[0], vals[1], vals[2], nil
}

// Amounts as spreadsheets write them: 150 / 150,00 / 150.5 (plain), 1.500,00
// (Italian, with thousands), 1,500.00 (English, with thousands). A separator
// followed by three digits separates thousands.
var (
	plainAmount   = regexp.MustCompile(`^(\d{1,9})(?:[.,](\d{1,2}))?$`)
	italianAmount = regexp.MustCompile(`^(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?$`)
	englishAmount = regexp.MustCompile(`^(\d{1,3}(?:,\d{3})+)(?:\.(\d{1,2}))?$`)
)

// parseAmount reads an amount in euro ("150,00", "150.00", "€ 150", "1.500,00 EUR")
// into cents: positive, at most two decimals, at most maxAmountCents.
func parseAmount(s string) (int, error) {
	t := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '€' {
			return -1
		}
		return r
	}, s)
	t = strings.TrimSuffix(strings.TrimPrefix(strings.ToUpper(t), "EUR"), "EUR")
	var whole, cents string
	if m := plainAmount.FindStringSubmatch(t); m != nil {
		whole, cents = m[1], m[2]
	} else if m := italianAmount.FindStringSubmatch(t); m != nil {
		whole, cents = strings.ReplaceAll(m[1], ".", ""), m[2]
	} else if m := englishAmount.FindStringSubmatch(t); m != nil {
		whole, cents = strings.ReplaceAll(m[1], ",", ""), m[2]
	} else {
		// The cell is not echoed: in a shifted row it may hold a tax code.
		return 0, errors.New("amount: want a positive amount in euro with at most two decimals, such as 150,00")
	}
	cents = (cents + "00")[:2] // "5" is 50 cents, "" none
	w, _ := strconv.Atoi(whole)
	c, _ := strconv.Atoi(cents)
	total := w*100 + c
	switch {
	case total <= 0:
		return 0, errors.New("amount: must be more than zero")
	case total > maxAmountCents:
		return 0, fmt.Errorf("amount: over %d €", maxAmountCents/100)
	}
	return total, nil
}
