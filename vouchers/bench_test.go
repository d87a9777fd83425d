package vouchers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/vouchers"
)

// listOf returns a list of n vouchers of 150 €, all Mario's.
func listOf(n int) string {
	var b strings.Builder
	b.WriteString("codice;programma;valido dal;valido al;codice fiscale;importo\n")
	for i := range n {
		fmt.Fprintf(&b, "MI2026%08d;Buono anziani;01/01/2026;31/12/2026;%s;150,00\n", i, cfMario)
	}
	return b.String()
}

// BenchmarkImport imports a list of 1,000 new vouchers per operation (each round with
// a key of its own, so that they are new): go test -run '^$' -bench Import
// -benchtime 3x ./vouchers/
func BenchmarkImport(b *testing.B) {
	list := listOf(1000)
	for name, open := range backends() {
		b.Run(name, func(b *testing.B) {
			recs := open(b)
			for i := range b.N {
				s, err := vouchers.NewStore(recs, fmt.Appendf(nil, "bench-key-%024d", i),
					vouchers.WithClock(clocktest.New(march10).Now), vouchers.WithLocation(rome))
				if err != nil {
					b.Fatal(err)
				}
				rep, err := s.Import(context.Background(), strings.NewReader(list), "bench", false)
				if err != nil || rep.Imported != 1000 {
					b.Fatalf("%+v %v", rep, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*1000), "µs/voucher")
		})
	}
}

// BenchmarkSpend spends 1 cent of one voucher per operation, each for a booking of
// its own (Spend, then Unspend to keep the spends few): go test -run '^$' -bench Spend
// ./vouchers/
func BenchmarkSpend(b *testing.B) {
	for name, open := range backends() {
		b.Run(name, func(b *testing.B) {
			recs := open(b)
			s := newStore(b, recs, clocktest.New(march10))
			if _, err := s.Import(context.Background(), strings.NewReader(listFile), "bench", false); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			for i := range b.N {
				booking := fmt.Sprintf("b%011d", i)
				if _, _, err := s.Spend(ctx, codeMario, cfMario, booking, 1); err != nil {
					b.Fatal(err)
				}
				if err := s.Unspend(ctx, codeMario, booking); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
