package vouchers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bounds of an imported file: the Comune's lists hold thousands of vouchers, not
// millions, and an upload must not exhaust memory.
const (
	// MaxFileBytes is the largest file Parse reads.
	MaxFileBytes = 4 << 20
	// MaxRows is the most data rows a file may have.
	MaxRows = 20000
	// maxField bounds one cell, in bytes.
	maxField = 256
	// maxProgramme bounds a programme's name, in characters.
	maxProgramme = 100
	// maxAmountCents bounds one voucher's amount: 100,000 €.
	maxAmountCents = 100_000_00
)

// Errors about a whole file, which Parse returns wrapped; rows with problems are
// rejected one by one instead.
var (
	ErrTooLarge    = errors.New("vouchers: file too large")
	ErrTooManyRows = errors.New("vouchers: too many rows")
	ErrNoHeader    = errors.New("vouchers: no header with the columns needed")
	ErrNotCSV      = errors.New("vouchers: not a CSV file")
)

// Row is one voucher read from the Comune's list, checked.
type Row struct {
	Line        int    // the row's line in the file, counting from 1
	Code        string // canonical: upper case, no spaces or hyphens
	Programme   string
	From, Until string // YYYY-MM-DD
	TaxCode     string // canonical; never stored, only hashed
	AmountCents int
}

// Note says why a row was rejected or kept as it was; it never holds a tax code or a
// whole voucher code.
type Note struct {
	Line   int    `json:"line"`
	Code   string `json:"code,omitempty"` // masked (Mask)
	Reason string `json:"reason"`
}

// Parsed is what Parse read: the rows it accepted and why it rejected the others.
type Parsed struct {
	Rows     []Row
	Rejected []Note
}

// Parse reads the Comune's list: a header naming the columns (code, programme,
// validity as one column or two, holder's tax code, amount; in Italian or English,
// in any order; other columns ignored), then one voucher a line. It takes a UTF-8
// BOM, Windows-1252 text, ";" or "," (or tab) separators, amounts as "150,00",
// "150.00", "€ 150" or "1.500,00", and dates as 2026-01-31 or 31/01/2026. Each row
// is checked (code shape, codice fiscale and its check character, a positive amount
// of at most two decimals, until on or after from, the same code twice); the rows
// that fail are in Rejected with their line and reason. The error is for the file
// as a whole: too large, too many rows, no usable header.
func Parse(r io.Reader) (Parsed, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return Parsed{}, fmt.Errorf("read vouchers file: %w", err)
	}
	if len(data) > MaxFileBytes {
		return Parsed{}, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxFileBytes)
	}
	text := decodeText(data)
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = separator(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cols, err := readHeader(cr)
	if err != nil {
		return Parsed{}, err
	}
	var p Parsed
	seen := map[string]int{} // code -> line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return Parsed{}, fmt.Errorf("%w: %v", ErrNotCSV, err)
			}
			p.Rejected = append(p.Rejected, Note{Line: pe.StartLine, Reason: "unreadable line: " + pe.Err.Error()})
			continue
		}
		if blank(rec) {
			continue
		}
		if len(p.Rows)+len(p.Rejected) >= MaxRows {
			return Parsed{}, fmt.Errorf("%w: over %d", ErrTooManyRows, MaxRows)
		}
		row, note := cols.row(rec, line)
		if note == nil && seen[row.Code] != 0 {
			note = &Note{Line: line, Code: Mask(row.Code), Reason: fmt.Sprintf("the same code as line %d", seen[row.Code])}
		}
		if note != nil {
			p.Rejected = append(p.Rejected, *note)
			continue
		}
		seen[row.Code] = line
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// decodeText returns the file as UTF-8 without a BOM: a file that is not UTF-8 is
// taken as Windows-1252, as spreadsheets in Italy save CSV.
func decodeText(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data)
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/4)
	for _, c := range data {
		switch {
		case c == 0x80:
			b.WriteRune('€')
		case c < 0x80 || c >= 0xa0:
			b.WriteRune(rune(c)) // ASCII, and Latin-1 where Windows-1252 agrees
		default:
			b.WriteRune(utf8.RuneError) // other typographic signs: never needed here
		}
	}
	return b.String()
}

// separator guesses the file's separator from its first line: the most frequent of
// ";", "," and tab outside quotes (a comma by default).
func separator(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	counts := map[rune]int{}
	quoted := false
	for _, r := range first {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ';' || r == ',' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// blank reports whether every cell of a record is empty.
func blank(rec []string) bool {
	return !slices.ContainsFunc(rec, func(s string) bool { return strings.TrimSpace(s) != "" })
}
