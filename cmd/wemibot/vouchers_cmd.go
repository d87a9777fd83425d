package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/vouchers"
)

// vouchersBy is who the history of a voucher says changed it from the command line.
const vouchersBy = "cli"

// vouchers runs "wemibot vouchers import FILE [--dry-run]", "show CODE", "cancel
// CODE" and "restore CODE" on the configured store.
func (c *cli) vouchers(ctx context.Context, args []string) error {
	fs := c.flagSet("vouchers", mainUsage)
	dryRun := fs.Bool("dry-run", false, "say what an import would do, changing nothing")
	pos, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || !strings.Contains(" import show cancel restore ", " "+pos[0]+" ") {
		return fmt.Errorf("%w: vouchers: want 'vouchers import FILE [--dry-run]', 'vouchers show CODE', 'vouchers cancel CODE' or 'vouchers restore CODE'", errUsage)
	}
	if *dryRun && pos[0] != "import" {
		return fmt.Errorf("%w: vouchers: --dry-run goes with import only", errUsage)
	}
	var file *os.File
	if pos[0] == "import" {
		// The file first: a wrong path needs no store.
		if file, err = os.Open(pos[1]); err != nil {
			return fmt.Errorf("vouchers import: %w", err)
		}
		defer file.Close()
	}
	store, _, err := c.openStores(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	vs, err := openVouchers(ctx, store)
	if err != nil {
		return err
	}
	switch pos[0] {
	case "import":
		return c.importVouchers(ctx, vs, file, *dryRun)
	case "show":
		v, err := vs.Get(ctx, pos[1])
		if err != nil {
			return voucherError("vouchers show", err)
		}
		writeVoucher(c.stdout, v, vs.Location(), time.Now())
	case "cancel":
		v, err := vs.Cancel(ctx, pos[1], vouchersBy)
		if err != nil {
			return voucherError("vouchers cancel", err)
		}
		fmt.Fprintf(c.stdout, "Voucher %s cancelled: it cannot be spent until it is restored.\n", v.Masked)
	case "restore":
		v, err := vs.Restore(ctx, pos[1], vouchersBy)
		if err != nil {
			return voucherError("vouchers restore", err)
		}
		fmt.Fprintf(c.stdout, "Voucher %s restored: %s again.\n", v.Masked, v.State)
	}
	return nil
}

// importVouchers imports a file and prints the report.
func (c *cli) importVouchers(ctx context.Context, vs *vouchers.Store, file io.Reader, dryRun bool) error {
	rep, err := vs.Import(ctx, file, vouchersBy, dryRun)
	if rep.Rows > 0 || err == nil {
		writeReport(c.stdout, rep)
	}
	if err != nil {
		return fmt.Errorf("vouchers import: %w", err)
	}
	return nil
}

// voucherError words the staff's usual mistakes; the code is never repeated, as it
// is a bearer secret.
func voucherError(op string, err error) error {
	switch {
	case errors.Is(err, vouchers.ErrUnknown):
		return fmt.Errorf("%s: no voucher has this code", op)
	case errors.Is(err, vouchers.ErrCancelled):
		return fmt.Errorf("%s: the voucher is already cancelled", op)
	case errors.Is(err, vouchers.ErrNotCancelled):
		return fmt.Errorf("%s: the voucher is not cancelled", op)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// writeReport prints an import's report.
func writeReport(w io.Writer, rep vouchers.Report) {
	if rep.DryRun {
		fmt.Fprintln(w, "Dry run: nothing was changed. The import would give:")
	}
	fmt.Fprintf(w, "%d rows: %d imported, %d updated, %d unchanged, %d kept as they were (already spent), %d rejected.\n",
		rep.Rows, rep.Imported, rep.Updated, rep.Unchanged, len(rep.Kept), len(rep.Rejected))
	for _, n := range rep.Kept {
		fmt.Fprintf(w, "  line %d: %s kept: %s\n", n.Line, n.Code, n.Reason)
	}
	for _, n := range rep.Rejected {
		fmt.Fprintf(w, "  line %d: %s rejected: %s\n", n.Line, n.Code, n.Reason)
	}
}

// writeVoucher prints what staff may see of a voucher: no tax code, the code masked.
func writeVoucher(w io.Writer, v vouchers.Voucher, loc *time.Location, now time.Time) {
	state := string(v.State)
	if v.Expired(now, loc) {
		state += " (validity over)"
	}
	fmt.Fprintf(w, "Voucher %s · %s\n", v.Masked, v.Programme)
	fmt.Fprintf(w, "State: %s\nValid: %s to %s\n", state, v.From, v.Until)
	fmt.Fprintf(w, "Balance: %s of %s\n", euro(v.BalanceCents), euro(v.AmountCents))
	if len(v.Spends) == 0 {
		fmt.Fprintln(w, "Spends: none")
	} else {
		fmt.Fprintln(w, "Spends:")
	}
	for _, s := range v.Spends {
		returned := ""
		if !s.Active() {
			returned = ", given back " + s.Returned.In(loc).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "  booking %s: %s on %s%s\n", s.Booking, euro(s.Cents), s.At.In(loc).Format("2006-01-02 15:04"), returned)
	}
	fmt.Fprintln(w, "History:")
	for _, e := range v.History {
		line := fmt.Sprintf("  %s %s", e.At.In(loc).Format("2006-01-02 15:04"), e.What)
		if e.Booking != "" {
			line += fmt.Sprintf(" %s (booking %s)", euro(e.Cents), e.Booking)
		}
		if e.By != "" {
			line += " by " + e.By
		}
		fmt.Fprintln(w, line)
	}
}

// euro writes cents as the Comune writes amounts: "150,00 €".
func euro(cents int) string {
	return fmt.Sprintf("%d,%02d €", cents/100, cents%100)
}
