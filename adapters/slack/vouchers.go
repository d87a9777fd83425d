package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/vouchers"
)

// Vouchers is what /wemi voucher needs of the Comune's vouchers; *vouchers.Store is
// one.
type Vouchers interface {
	Get(ctx context.Context, code string) (vouchers.Voucher, error)
	Cancel(ctx context.Context, code, by string) (vouchers.Voucher, error)
	Restore(ctx context.Context, code, by string) (vouchers.Voucher, error)
}

// Bounds of a voucher's answer.
const (
	maxSpendsShown  = 10
	maxHistoryShown = 8
)

// voucherAnswer answers /wemi voucher CODE (state, balance, spends: never the
// holder), /wemi voucher annulla CODE and /wemi voucher ripristina CODE. The code is
// a bearer secret: it is never logged nor repeated whole.
func (d *Desk) voucherAnswer(ctx context.Context, cmd slackapi.SlashCommand, arg string) string {
	if d.vouchers == nil {
		return d.text("voucher.unavailable")
	}
	words := strings.Fields(plainText(arg))
	op := ""
	if len(words) > 1 {
		switch strings.ToLower(words[0]) {
		case "annulla", "cancel":
			op, words = "cancel", words[1:]
		case "ripristina", "restore":
			op, words = "restore", words[1:]
		}
	}
	code := strings.Join(words, "") // "MI 2026 0001" as typed is one code
	if code == "" {
		return d.text("voucher.usage")
	}
	var v vouchers.Voucher
	var err error
	switch op {
	case "cancel":
		v, err = d.vouchers.Cancel(ctx, code, d.operatorName(ctx, cmd.UserID, cmd.UserName))
	case "restore":
		v, err = d.vouchers.Restore(ctx, code, d.operatorName(ctx, cmd.UserID, cmd.UserName))
	default:
		v, err = d.vouchers.Get(ctx, code)
	}
	switch {
	case errors.Is(err, vouchers.ErrUnknown):
		return d.text("voucher.unknown")
	case errors.Is(err, vouchers.ErrCancelled):
		return d.text("voucher.already_cancelled", "code", v.Masked)
	case errors.Is(err, vouchers.ErrNotCancelled):
		return d.text("voucher.not_cancelled", "code", v.Masked, "state", d.voucherState(v))
	case err != nil:
		d.log.WarnContext(ctx, "slack: /wemi voucher failed", "op", op, "err", err)
		return d.text("command.unavailable")
	}
	text := d.voucherCard(v)
	switch op {
	case "cancel":
		text = d.text("voucher.cancelled", "code", v.Masked) + "\n" + text
	case "restore":
		text = d.text("voucher.restored", "code", v.Masked) + "\n" + text
	}
	return text
}

// voucherState names a voucher's state, noting a validity that is over.
func (d *Desk) voucherState(v vouchers.Voucher) string {
	state := d.texts.textOr("voucher.state."+string(v.State), string(v.State))
	if v.Expired(d.now(), d.loc) {
		state += d.text("voucher.expired")
	}
	return state
}

// voucherCard shows what staff may see of a voucher: programme, state, validity,
// balance, spends by booking and the latest history; never the holder.
func (d *Desk) voucherCard(v vouchers.Voucher) string {
	lines := []string{d.text("voucher.card", "code", v.Masked, "programme", escapeLine(v.Programme),
		"state", d.voucherState(v), "from", dayOf(v.From), "until", dayOf(v.Until),
		"balance", euroText(v.BalanceCents), "amount", euroText(v.AmountCents))}
	if len(v.Spends) == 0 {
		lines = append(lines, d.text("voucher.no_spends"))
	} else {
		lines = append(lines, d.text("voucher.spends"))
	}
	for _, s := range v.Spends[max(0, len(v.Spends)-maxSpendsShown):] {
		key, returned := "voucher.spend", ""
		if !s.Active() {
			key, returned = "voucher.spend_returned", s.Returned.In(d.loc).Format("02/01/2006 15:04")
		}
		lines = append(lines, d.text(key, "booking", s.Booking, "amount", euroText(s.Cents),
			"at", s.At.In(d.loc).Format("02/01/2006 15:04"), "returned", returned))
	}
	lines = append(lines, d.text("voucher.history"))
	for _, e := range v.History[max(0, len(v.History)-maxHistoryShown):] {
		by := ""
		if e.By != "" {
			by = d.text("voucher.by", "name", escapeLine(e.By))
		}
		what := d.texts.textOr("voucher.event."+e.What, e.What)
		if e.Booking != "" {
			what = d.text("voucher.booking_event", "what", what, "amount", euroText(e.Cents), "booking", e.Booking)
		}
		lines = append(lines, d.text("voucher.history_line", "at", e.At.In(d.loc).Format("02/01/2006 15:04"), "what", what, "by", by))
	}
	return strings.Join(lines, "\n")
}

// dayOf writes a YYYY-MM-DD day as Italians do: 31/12/2026.
func dayOf(day string) string {
	y, rest, ok := strings.Cut(day, "-")
	m, dd, ok2 := strings.Cut(rest, "-")
	if !ok || !ok2 {
		return day
	}
	return dd + "/" + m + "/" + y
}

// euroText writes cents as Italians write amounts: "1500,50 €".
func euroText(cents int) string { return fmt.Sprintf("%d,%02d €", cents/100, cents%100) }
