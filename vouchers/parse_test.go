package vouchers_test

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/vouchers"
)

// Valid codici fiscali of made-up people (their check characters are right).
const (
	cfMario  = "RSSMRA85T10A562S"
	cfGiulia = "BNCGLI90A41F205H"
	cfLuigi  = "VRDLGU70M01H501F"
	cfAnna   = "FRRNNA55E62F205C"
	cfOmocod = "CSTPLA80C15F20RI" // a letter in place of a digit (omocodia)
)

func TestValidTaxCode(t *testing.T) {
	tests := []struct {
		cf string
		ok bool
	}{
		{cfMario, true},
		{"MRTMTT25D09F205Z", true}, // the example of the Agenzia delle Entrate's documents
		{strings.ToLower(cfGiulia), true},
		{" BNCGLI 90A41 F205H ", true},
		{cfOmocod, true},
		{"RSSMRA85T10A562T", false}, // wrong check character
		{"RSSMRA85Z10A562S", false}, // no month Z
		{"RSSMRA85T35A562S", false}, // day 35
		{"RSSMRA85T10A56", false},
		{"RSSMRA85T10A562SX", false},
		{"12345678901", false}, // a company's VAT number
		{"", false},
		{"RSSMRA85T10A562!", false},
	}
	for _, tt := range tests {
		t.Run(tt.cf, func(t *testing.T) {
			if got := vouchers.ValidTaxCode(tt.cf); got != tt.ok {
				t.Errorf("ValidTaxCode(%q) = %v, want %v", tt.cf, got, tt.ok)
			}
		})
	}
	if got := vouchers.MaskTaxCode(cfMario); got != "RS*************S" {
		t.Errorf("MaskTaxCode = %q", got)
	}
}

func TestMask(t *testing.T) {
	for code, want := range map[string]string{"MI-2026-0001-ABCD": "…ABCD", "mi20260001abcd": "…ABCD", "AB12": "…", "": "…"} {
		if got := vouchers.Mask(code); got != want {
			t.Errorf("Mask(%q) = %q, want %q", code, got, want)
		}
	}
}

// The Comune's list as spreadsheets write it: one file, every liberty at once.
func TestParseLiberal(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []vouchers.Row
	}{
		{"italian, semicolons, BOM, CRLF",
			"\ufeffCodice;Programma;Valido dal;Valido al;Codice fiscale del beneficiario;Importo (€)\r\n" +
				"MI-2026-0001-AAAA;Buono anziani;01/01/2026;31/12/2026;" + cfMario + ";150,00\r\n",
			[]vouchers.Row{{Line: 2, Code: "MI20260001AAAA", Programme: "Buono anziani", From: "2026-01-01", Until: "2026-12-31", TaxCode: cfMario, AmountCents: 15000}}},
		{"english, commas, columns in another order, quoted amount",
			"amount,holder's tax code,valid until,valid from,programme,voucher code\n" +
				`"1,500.50",` + strings.ToLower(cfGiulia) + ",2026-06-30,2026-01-01,Family support,mi20260002bbbb\n",
			[]vouchers.Row{{Line: 2, Code: "MI20260002BBBB", Programme: "Family support", From: "2026-01-01", Until: "2026-06-30", TaxCode: cfGiulia, AmountCents: 150050}}},
		{"one validity column, euro sign, extra columns ignored",
			"nome;codice;programma;validità;cf;importo\n" +
				"Anna;MI20260003CCCC;Voucher sociale;01/03/2026 - 31/03/2026;" + cfAnna + ";€ 150\n",
			[]vouchers.Row{{Line: 2, Code: "MI20260003CCCC", Programme: "Voucher sociale", From: "2026-03-01", Until: "2026-03-31", TaxCode: cfAnna, AmountCents: 15000}}},
		{"italian thousands, blank lines, a tab separator",
			"codice\tprogramma\tdal\tal\tcodice fiscale\tvalore\n\n" +
				"MI20260004DDDD\tBuono\t2026-01-01\t2026-01-01\t" + cfLuigi + "\t1.500,5 EUR\n\n",
			[]vouchers.Row{{Line: 3, Code: "MI20260004DDDD", Programme: "Buono", From: "2026-01-01", Until: "2026-01-01", TaxCode: cfLuigi, AmountCents: 150050}}},
		{"windows-1252",
			"codice;programma;validit\xe0;cf;importo\n" +
				"MI20260005EEEE;Buono caff\xe8;2026-01-01/2026-12-31;" + cfOmocod + ";\x80 20.5\n",
			[]vouchers.Row{{Line: 2, Code: "MI20260005EEEE", Programme: "Buono caffè", From: "2026-01-01", Until: "2026-12-31", TaxCode: cfOmocod, AmountCents: 2050}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := vouchers.Parse(strings.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Rejected) > 0 {
				t.Errorf("rejected: %+v", p.Rejected)
			}
			if fmt.Sprint(p.Rows) != fmt.Sprint(tt.want) {
				t.Errorf("rows:\n got %+v\nwant %+v", p.Rows, tt.want)
			}
		})
	}
}

// Every row that fails a check is rejected with its line and reason, and the report
// never holds a tax code or a whole code.
func TestParseStrict(t *testing.T) {
	const header = "codice;programma;dal;al;codice fiscale;importo\n"
	tests := []struct {
		name, row, reason string
	}{
		{"wrong check character", "MI20260001AAAA;Buono;01/01/2026;31/12/2026;RSSMRA85T10A562T;150", "tax code RS*************T: not a valid codice fiscale"},
		{"no tax code", "MI20260001AAAA;Buono;01/01/2026;31/12/2026;;150", "tax code: missing"},
		{"short code", "AB12;Buono;01/01/2026;31/12/2026;" + cfMario + ";150", "code: 8 to 32"},
		{"code with symbols", "MI2026*0001;Buono;01/01/2026;31/12/2026;" + cfMario + ";150", "code: 8 to 32"},
		{"no programme", "MI20260001AAAA;;01/01/2026;31/12/2026;" + cfMario + ";150", "programme"},
		{"three decimals", "MI20260001AAAA;Buono;01/01/2026;31/12/2026;" + cfMario + ";150,005", "amount"},
		{"zero", "MI20260001AAAA;Buono;01/01/2026;31/12/2026;" + cfMario + ";0,00", "more than zero"},
		{"negative", "MI20260001AAAA;Buono;01/01/2026;31/12/2026;" + cfMario + ";-150", "amount"},
		{"huge", "MI20260001AAAA;Buono;01/01/2026;31/12/2026;" + cfMario + ";1.000.000,00", "over"},
		{"words", "MI20260001AAAA;Buono;01/01/2026;31/12/2026;" + cfMario + ";centocinquanta", "amount"},
		{"until before from", "MI20260001AAAA;Buono;31/12/2026;01/01/2026;" + cfMario + ";150", "before it starts"},
		{"no such day", "MI20260001AAAA;Buono;30/02/2026;31/12/2026;" + cfMario + ";150", "no such day"},
		{"american date", "MI20260001AAAA;Buono;12/31/2026;31/12/2026;" + cfMario + ";150", "date"},
		{"shifted row", "MI20260001AAAA;Buono;01/01/2026;31/12/2026;150;" + cfMario, "tax code"},
		{"huge cell", "MI20260001AAAA;" + strings.Repeat("x", 300) + ";01/01/2026;31/12/2026;" + cfMario + ";150", "longer than"},
		{"short row", "MI20260001AAAA;Buono", "2 cells, but the header's columns need 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := vouchers.Parse(strings.NewReader(header + tt.row + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Rows) != 0 || len(p.Rejected) != 1 {
				t.Fatalf("rows %+v, rejected %+v", p.Rows, p.Rejected)
			}
			n := p.Rejected[0]
			if n.Line != 2 || !strings.Contains(n.Reason, tt.reason) {
				t.Errorf("rejected %+v, want line 2 and %q", n, tt.reason)
			}
			checkNoSecrets(t, fmt.Sprint(p.Rejected))
		})
	}
}

func TestParseDuplicateCode(t *testing.T) {
	file := "codice,programma,dal,al,cf,importo\n" +
		"MI-2026-0001-AAAA,Buono,2026-01-01,2026-12-31," + cfMario + ",150\n" +
		"mi20260001aaaa,Buono,2026-01-01,2026-12-31," + cfGiulia + ",100\n"
	p, err := vouchers.Parse(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 1 || len(p.Rejected) != 1 || p.Rejected[0].Line != 3 ||
		p.Rejected[0].Reason != "the same code as line 2" || p.Rejected[0].Code != "…AAAA" {
		t.Errorf("rows %+v, rejected %+v", p.Rows, p.Rejected)
	}
}

// Problems of the whole file refuse it whole.
func TestParseFile(t *testing.T) {
	row := "MI20260001AAAA;Buono;01/01/2026;31/12/2026;" + cfMario + ";150\n"
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("codice;programma;dal;al;cf;importo\n")
		for i := range n {
			fmt.Fprintf(&b, "MI2026%08d;Buono;01/01/2026;31/12/2026;%s;150\n", i, cfMario)
		}
		return b.String()
	}
	tests := []struct {
		name string
		file string
		want error
		text string
	}{
		{"empty", "", vouchers.ErrNoHeader, "empty"},
		{"blank lines", "\n\n\r\n", vouchers.ErrNoHeader, "empty"},
		{"no header", row, vouchers.ErrNoHeader, "missing"},
		{"missing the amount", "codice;programma;dal;al;cf\n" + row, vouchers.ErrNoHeader, "missing amount"},
		{"missing until", "codice;programma;dal;cf;importo\n" + row, vouchers.ErrNoHeader, "validity"},
		{"two code columns", "codice;voucher;programma;validità;cf;importo\n", vouchers.ErrNoHeader, "two columns are the code"},
		{"too large", strings.Repeat("x", vouchers.MaxFileBytes+1), vouchers.ErrTooLarge, ""},
		{"too many rows", many(vouchers.MaxRows + 1), vouchers.ErrTooManyRows, ""},
		{"binary", "\x00\x01\x02\xff\xfe", vouchers.ErrNoHeader, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vouchers.Parse(strings.NewReader(tt.file))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("Parse = %v, want %v (%q)", err, tt.want, tt.text)
			}
		})
	}
	if p, err := vouchers.Parse(strings.NewReader(many(vouchers.MaxRows))); err != nil || len(p.Rows) != vouchers.MaxRows {
		t.Errorf("a file of MaxRows: %d rows, %v", len(p.Rows), err)
	}
}

// taxCodeLike finds anything shaped like a codice fiscale.
var taxCodeLike = regexp.MustCompile(`(?i)[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]`)

// checkNoSecrets fails when a report holds a tax code or a whole voucher code.
func checkNoSecrets(t *testing.T, report string) {
	t.Helper()
	if taxCodeLike.MatchString(report) || strings.Contains(report, "MI20260001AAAA") {
		t.Errorf("the report holds a secret: %s", report)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("codice;programma;dal;al;cf;importo\nMI20260001AAAA;Buono;01/01/2026;31/12/2026;" + cfMario + ";150,00\n"))
	f.Add([]byte("\ufeffcode,programme,validity,tax code,amount\n\"MI-2026\",x,\"2026-01-01 - 2026-02-01\"," + cfGiulia + ",\"1,5\"\n"))
	f.Add([]byte("codice;programma;validità;cf;importo\n;;;;\n\"unterminated\n"))
	f.Add([]byte("a\x00b;\xff\xfe;\r\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := vouchers.Parse(bytes.NewReader(data))
		if err != nil {
			if len(p.Rows) > 0 || len(p.Rejected) > 0 {
				t.Fatalf("an error with rows: %v", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		for _, r := range p.Rows {
			if !vouchers.ValidTaxCode(r.TaxCode) || r.AmountCents <= 0 || r.Until < r.From || r.Line < 2 || r.Line > lines ||
				len(r.Code) < 8 || r.Programme == "" {
				t.Fatalf("accepted a bad row %+v", r)
			}
		}
		for _, n := range p.Rejected {
			if n.Line < 1 || n.Line > lines || n.Reason == "" || taxCodeLike.MatchString(n.Reason+n.Code) {
				t.Fatalf("bad rejection %+v", n)
			}
		}
	})
}
