package slack_test

import (
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/slack"
	"github.com/comune-milano/wemibot/vouchers"
)

// The voucher's holder: a made-up codice fiscale with the right check character.
const voucherHolder = "RSSMRA85T10A562S"

// /wemi voucher shows a voucher (never its holder nor its whole code), and cancels
// and restores it in the operator's name.
func TestWemiVoucher(t *testing.T) {
	var vs *vouchers.Store
	e := newEnv(t, func(o *envOptions) {
		o.desk = func(opts *slack.Options) {
			var err error
			vs, err = vouchers.NewStore(opts.Records, []byte("0123456789abcdef0123456789abcdef"),
				vouchers.WithClock(opts.Now), vouchers.WithLocation(rome))
			if err != nil {
				t.Fatal(err)
			}
			opts.Vouchers = vs
		}
	})
	ctx := testContext(t)
	list := "codice;programma;valido dal;valido al;codice fiscale;importo\n" +
		"MI-2026-0001-AAAA;Buono anziani <b>;01/01/2026;31/12/2026;" + voucherHolder + ";150,00\n"
	if _, err := vs.Import(ctx, strings.NewReader(list), "import", false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := vs.Spend(ctx, "MI-2026-0001-AAAA", voucherHolder, "0123456789ab", 4050); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		text string
		want []string
	}{
		{"show", "voucher mi 2026 0001 aaaa", []string{"*Voucher …AAAA* · Buono anziani &lt;b&gt;", "Stato: *attivo*",
			"Validità: dal 01/01/2026 al 31/12/2026", "Saldo: *109,50 €* su 150,00 €",
			"• prenotazione 0123456789ab: 40,50 € il 02/03/2026 10:00", "importato da import", "usati 40,50 € (prenotazione 0123456789ab)"}},
		{"cancel", "voucher annulla MI-2026-0001-AAAA", []string{"🚫 Voucher …AAAA annullato", "Stato: *annullato*", "annullato da Giulia"}},
		{"cancel twice", "voucher annulla MI-2026-0001-AAAA", []string{"è già annullato"}},
		{"restore", "buono ripristina MI-2026-0001-AAAA", []string{"✅ Voucher …AAAA ripristinato", "Stato: *attivo*", "ripristinato da Giulia"}},
		{"restore twice", "voucher ripristina MI-2026-0001-AAAA", []string{"non è annullato (è attivo)"}},
		{"unknown", "voucher MI-2026-9999-ZZZZ", []string{"Nessun voucher ha questo codice"}},
		{"no code", "voucher", []string{"Scrivi il codice del voucher"}},
		{"help", "aiuto", []string{"/wemi voucher <codice>"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.ack(ctx, e.srv.PushSlashCommand("/wemi", tt.text, giulia.ID, operators))
			got := e.waitEphemeral(ctx, i+1)
			for _, w := range tt.want {
				if !strings.Contains(got.Text, w) {
					t.Errorf("answer does not contain %q:\n%s", w, got.Text)
				}
			}
			if strings.Contains(got.Text, voucherHolder) || strings.Contains(got.Text, "MI20260001AAAA") ||
				strings.Contains(got.Text, "MI-2026-0001") {
				t.Errorf("the answer holds a secret:\n%s", got.Text)
			}
		})
	}
	if logs := e.logs.String(); strings.Contains(logs, "AAAA") || strings.Contains(logs, voucherHolder) {
		t.Errorf("logs:\n%s", logs)
	}
}

// Without vouchers, and outside the operators' channel, /wemi voucher shows nothing.
func TestWemiVoucherUnavailable(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	e.ack(ctx, e.srv.PushSlashCommand("/wemi", "voucher MI-2026-0001-AAAA", giulia.ID, operators))
	if got := e.waitEphemeral(ctx, 1); !strings.Contains(got.Text, "non sono disponibili") {
		t.Errorf("without vouchers: %s", got.Text)
	}
	e.ack(ctx, e.srv.PushSlashCommand("/wemi", "voucher MI-2026-0001-AAAA", giulia.ID, "D0GIULIA"))
	if got := e.waitEphemeral(ctx, 2); !strings.Contains(got.Text, "solo nel canale degli operatori") {
		t.Errorf("elsewhere: %s", got.Text)
	}
}
