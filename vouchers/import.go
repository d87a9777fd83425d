package vouchers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Report says what an import did (or, dry, would do), row by row where it matters.
// It holds no tax code and no whole voucher code.
type Report struct {
	DryRun bool `json:"dry_run"`
	// Rows is how many data rows the file had.
	Rows int `json:"rows"`
	// Imported are the new vouchers, Updated the ones imported before with other
	// data and never spent, Unchanged the ones imported before with the same data.
	Imported  int `json:"imported"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Kept are the rows whose voucher was already spent, with other data in the
	// file: the voucher keeps its balance and its data.
	Kept []Note `json:"kept"`
	// Rejected are the rows refused, with why.
	Rejected []Note `json:"rejected"`
}

// Outcomes of one row's import.
const (
	outcomeImported  = "imported"
	outcomeUpdated   = "updated"
	outcomeUnchanged = "unchanged"
	outcomeKept      = "kept"
)

// Import reads the Comune's list (Parse) and stores its vouchers: new codes become
// importato (attivo when their validity has started), codes imported before with the
// same data are left as they are, so that importing a file twice changes nothing,
// and codes imported before with other data are updated unless something was spent
// from them (then they keep their data and balance, and the row is in Kept). A
// row whose validity is already over is rejected. A cancelled voucher stays
// cancelled. With dryRun nothing is written: the report says what would happen.
//
// The error is Parse's, for the whole file (nothing is imported), or a store
// failure, which stops the import: the report says what was done before, and
// running the import again finishes it.
func (s *Store) Import(ctx context.Context, file io.Reader, by string, dryRun bool) (Report, error) {
	parsed, err := Parse(file)
	if err != nil {
		return Report{DryRun: dryRun}, err
	}
	rep := Report{DryRun: dryRun, Rows: len(parsed.Rows) + len(parsed.Rejected),
		Kept: []Note{}, Rejected: parsed.Rejected}
	today := s.now().In(s.loc).Format(time.DateOnly)
	for _, row := range parsed.Rows {
		if row.Until < today {
			rep.Rejected = append(rep.Rejected, Note{Line: row.Line, Code: Mask(row.Code),
				Reason: "validity already over (" + row.Until + ")"})
			continue
		}
		outcome, err := s.importRow(ctx, row, by, dryRun)
		if err != nil {
			return rep, fmt.Errorf("import vouchers: line %d: %w", row.Line, err)
		}
		switch outcome {
		case outcomeImported:
			rep.Imported++
		case outcomeUpdated:
			rep.Updated++
		case outcomeUnchanged:
			rep.Unchanged++
		case outcomeKept:
			rep.Kept = append(rep.Kept, Note{Line: row.Line, Code: Mask(row.Code),
				Reason: "already spent: the voucher keeps its balance and data, the file's differ"})
		}
	}
	slices.SortStableFunc(rep.Rejected, func(a, b Note) int { return a.Line - b.Line })
	return rep, nil
}

// importRow stores one row, or (dry) says what storing it would do.
func (s *Store) importRow(ctx context.Context, row Row, by string, dryRun bool) (string, error) {
	id := s.idOf(row.Code)
	now := s.now()
	var outcome string
	apply := func(old []byte) ([]byte, error) {
		if old == nil {
			outcome = outcomeImported
			return encode(s.fromRow(row, id, by, now))
		}
		v, err := decode(old)
		if err != nil {
			return nil, err
		}
		holder := s.holderOf(row.TaxCode)
		switch {
		case v.Programme == row.Programme && v.From == row.From && v.Until == row.Until &&
			equalHash(v.Holder, holder) && v.AmountCents == row.AmountCents:
			outcome = outcomeUnchanged
			return nil, errKeep
		case v.Spent():
			outcome = outcomeKept
			return nil, errKeep
		}
		outcome = outcomeUpdated
		v.Programme, v.From, v.Until, v.Holder = row.Programme, row.From, row.Until, holder
		v.AmountCents, v.BalanceCents, v.Updated = row.AmountCents, row.AmountCents, now
		v.record(Event{At: now, What: EventUpdated, By: by, State: v.State})
		v.activate(now, s.loc)
		return encode(v)
	}
	if dryRun {
		doc, err := s.records.Get(ctx, kindVoucher, id)
		if err != nil && !isNotFound(err) {
			return "", err
		}
		_, err = apply(doc)
		if err != nil && !errors.Is(err, errKeep) {
			return "", err
		}
		return outcome, nil
	}
	_, err := s.records.Update(ctx, kindVoucher, id, s.ttlFor(row.Until, now), apply)
	if err != nil && !errors.Is(err, errKeep) {
		return "", err
	}
	return outcome, nil
}

// fromRow makes a new voucher of a row.
func (s *Store) fromRow(row Row, id, by string, now time.Time) Voucher {
	v := Voucher{ID: id, Masked: Mask(row.Code), Programme: row.Programme, From: row.From, Until: row.Until,
		Holder: s.holderOf(row.TaxCode), AmountCents: row.AmountCents, BalanceCents: row.AmountCents,
		State: Imported, Created: now, Updated: now}
	v.record(Event{At: now, What: EventImported, By: by, State: Imported})
	v.activate(now, s.loc)
	return v
}
