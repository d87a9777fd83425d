package vouchers_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Rome without the system's zoneinfo

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/records"
	"github.com/comune-milano/wemibot/vouchers"
)

// The Store is what the engine spends vouchers through.
var _ bot.Vouchers = (*vouchers.Store)(nil)

// testKey keys the hashes of the tests' stores.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// rome is the Comune's time zone.
var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err)
	}
	return loc
}()

// march10 is a day inside the test vouchers' validity: 10 March 2026, 10:00 in Milan.
var march10 = time.Date(2026, 3, 10, 10, 0, 0, 0, rome)

// The test list: Mario's voucher runs all 2026, Giulia's from April, Luigi's
// ended in February (rejected at import), Anna's runs March only.
const (
	codeMario  = "MI-2026-0001-AAAA"
	codeGiulia = "MI-2026-0002-BBBB"
	codeAnna   = "MI-2026-0004-DDDD"
	listFile   = "codice;programma;valido dal;valido al;codice fiscale;importo\n" +
		codeMario + ";Buono anziani;01/01/2026;31/12/2026;" + cfMario + ";150,00\n" +
		codeGiulia + ";Buono famiglie;01/04/2026;30/06/2026;" + cfGiulia + ";80\n" +
		"MI-2026-0003-CCCC;Buono famiglie;01/01/2026;28/02/2026;" + cfLuigi + ";80\n" +
		codeAnna + ";Buono sociale;01/03/2026;31/03/2026;" + cfAnna + ";€ 40,50\n" +
		"MI-2026-0005-EEEE;Buono sociale;01/03/2026;31/03/2026;RSSMRA85T10A562T;40\n"
)

// openBolt returns a Store on a bbolt file, with its records and clock.
func openBolt(t *testing.T, opts ...vouchers.Option) (*vouchers.Store, *bolt.Store, *clocktest.Clock) {
	t.Helper()
	clock := clocktest.New(march10)
	recs, err := bolt.Open(filepath.Join(t.TempDir(), "vouchers.db"), bolt.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { recs.Close() })
	return newStore(t, recs, clock, opts...), recs, clock
}

func newStore(t testing.TB, recs records.Records, clock *clocktest.Clock, opts ...vouchers.Option) *vouchers.Store {
	t.Helper()
	s, err := vouchers.NewStore(recs, testKey, append([]vouchers.Option{vouchers.WithClock(clock.Now), vouchers.WithLocation(rome)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// importList imports listFile and fails the test on an error.
func importList(t *testing.T, s *vouchers.Store) vouchers.Report {
	t.Helper()
	rep, err := s.Import(context.Background(), strings.NewReader(listFile), "import", false)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestImportReport(t *testing.T) {
	ctx := context.Background()
	s, recs, _ := openBolt(t)

	dry, err := s.Import(ctx, strings.NewReader(listFile), "import", true)
	if err != nil {
		t.Fatal(err)
	}
	if !dry.DryRun || dry.Imported != 3 || dry.Rows != 5 || len(dry.Rejected) != 2 {
		t.Fatalf("dry run: %+v", dry)
	}
	if _, err := s.Get(ctx, codeMario); !errors.Is(err, vouchers.ErrUnknown) {
		t.Fatalf("a dry run stored a voucher: %v", err)
	}

	rep := importList(t, s)
	want := "{false 5 3 0 0 [] [{4 …CCCC validity already over (2026-02-28)} " +
		"{6 …EEEE tax code RS*************T: not a valid codice fiscale (shape or check character)}]}"
	if got := fmt.Sprint(rep); got != want {
		t.Errorf("report:\n got %s\nwant %s", got, want)
	}
	checkNoSecrets(t, fmt.Sprint(rep))

	again := importList(t, s)
	if again.Imported != 0 || again.Unchanged != 3 || again.Updated != 0 {
		t.Errorf("the same file again: %+v", again)
	}
	checkStoredInClear(t, recs)

	// New data for a voucher never spent updates it; for a spent one, it is kept.
	if _, _, err := s.Spend(ctx, codeMario, cfMario, "b00000000001", 5000); err != nil {
		t.Fatal(err)
	}
	changed := strings.ReplaceAll(strings.ReplaceAll(listFile, ";150,00", ";200,00"), ";80\n", ";90\n")
	rep, err = s.Import(ctx, strings.NewReader(changed), "import", false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Updated != 1 || rep.Unchanged != 1 || len(rep.Kept) != 1 || rep.Kept[0].Line != 2 || rep.Kept[0].Code != "…AAAA" {
		t.Errorf("changed file: %+v", rep)
	}
	mario, _ := s.Get(ctx, codeMario)
	giulia, _ := s.Get(ctx, codeGiulia)
	if mario.AmountCents != 15000 || mario.BalanceCents != 10000 || giulia.AmountCents != 9000 || giulia.BalanceCents != 9000 {
		t.Errorf("after the changed file: Mario %d/%d, Giulia %d/%d", mario.BalanceCents, mario.AmountCents,
			giulia.BalanceCents, giulia.AmountCents)
	}
}

// checkStoredInClear checks that the records hold neither a tax code nor a code.
func checkStoredInClear(t *testing.T, recs records.Records) {
	t.Helper()
	docs, err := recs.List(context.Background(), "voucher")
	if err != nil || len(docs) == 0 {
		t.Fatalf("list: %d, %v", len(docs), err)
	}
	all := bytes.Join(docs, []byte("\n"))
	for _, secret := range []string{cfMario, cfGiulia, cfAnna, "MI20260001AAAA", "MI-2026-0001"} {
		if bytes.Contains(all, []byte(secret)) {
			t.Errorf("the store holds %q", secret)
		}
	}
}

func TestStates(t *testing.T) {
	ctx := context.Background()
	s, _, clock := openBolt(t)
	importList(t, s)

	mario, _ := s.Get(ctx, codeMario)
	giulia, _ := s.Get(ctx, codeGiulia)
	if mario.State != vouchers.Active || giulia.State != vouchers.Imported {
		t.Fatalf("at import: Mario %s, Giulia %s", mario.State, giulia.State)
	}
	if _, _, err := s.Spend(ctx, codeGiulia, cfGiulia, "b00000000001", 100); !errors.Is(err, vouchers.ErrNotYetValid) {
		t.Errorf("before validity: %v", err)
	}

	// Cancelled before its validity starts, restored after: it comes back active.
	if v, err := s.Cancel(ctx, codeGiulia, "Giulia"); err != nil || v.State != vouchers.Cancelled || v.Before != vouchers.Imported {
		t.Fatalf("cancel: %+v, %v", v, err)
	}
	if _, err := s.Cancel(ctx, codeGiulia, "Giulia"); !errors.Is(err, vouchers.ErrCancelled) {
		t.Errorf("cancel twice: %v", err)
	}
	clock.Set(time.Date(2026, 4, 1, 0, 0, 0, 0, rome))
	if _, _, err := s.Spend(ctx, codeGiulia, cfGiulia, "b00000000001", 100); !errors.Is(err, vouchers.ErrCancelled) {
		t.Errorf("cancelled: %v", err)
	}
	v, err := s.Restore(ctx, codeGiulia, "Marco")
	if err != nil || v.State != vouchers.Active {
		t.Fatalf("restore: %+v, %v", v, err)
	}
	if _, err := s.Restore(ctx, codeGiulia, "Marco"); !errors.Is(err, vouchers.ErrNotCancelled) {
		t.Errorf("restore twice: %v", err)
	}
	var events []string
	for _, e := range v.History {
		events = append(events, e.What+"/"+string(e.State)+"/"+e.By)
	}
	if got := strings.Join(events, " "); got != "importato/importato/import annullato/annullato/Giulia ripristinato/importato/Marco attivato/attivo/" {
		t.Errorf("history: %s", got)
	}

	// Validity ends at the end of its last day, in Milan.
	clock.Set(time.Date(2026, 6, 30, 23, 59, 0, 0, rome))
	if _, _, err := s.Spend(ctx, codeGiulia, cfGiulia, "b00000000002", 100); err != nil {
		t.Errorf("on the last day: %v", err)
	}
	clock.Set(time.Date(2026, 7, 1, 0, 0, 0, 0, rome))
	if _, _, err := s.Spend(ctx, codeGiulia, cfGiulia, "b00000000003", 100); !errors.Is(err, vouchers.ErrExpired) {
		t.Errorf("the day after: %v", err)
	}
	for _, op := range []func(context.Context, string, string) (vouchers.Voucher, error){s.Cancel, s.Restore} {
		if _, err := op(ctx, "MI-2026-9999-ZZZZ", "Giulia"); !errors.Is(err, vouchers.ErrUnknown) {
			t.Errorf("unknown code: %v", err)
		}
	}
}

func TestSpend(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openBolt(t)
	importList(t, s)

	// Anna's 40,50 €: 30 for one booking, the rest for another, then nothing.
	spent, masked, err := s.Spend(ctx, "mi 2026 0004 dddd", strings.ToLower(cfAnna), "b00000000001", 3000)
	if err != nil || spent != 3000 || masked != "…DDDD" {
		t.Fatalf("spend: %d %q %v", spent, masked, err)
	}
	if spent, _, err := s.Spend(ctx, codeAnna, cfAnna, "b00000000001", 9999); err != nil || spent != 3000 {
		t.Errorf("the same booking again: %d, %v (want the same 3000)", spent, err)
	}
	if spent, _, err := s.Spend(ctx, codeAnna, cfAnna, "b00000000002", 3000); err != nil || spent != 1050 {
		t.Errorf("the rest: %d, %v (want 1050)", spent, err)
	}
	if _, _, err := s.Spend(ctx, codeAnna, cfAnna, "b00000000003", 100); !errors.Is(err, vouchers.ErrSpent) {
		t.Errorf("nothing left: %v", err)
	}

	// Unspend gives a booking's spend back once; the booking may spend again.
	for range 2 {
		if err := s.Unspend(ctx, codeAnna, "b00000000001"); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := s.Get(ctx, codeAnna); v.BalanceCents != 3000 {
		t.Errorf("after Unspend twice: balance %d, want 3000", v.BalanceCents)
	}
	if spent, _, err := s.Spend(ctx, codeAnna, cfAnna, "b00000000001", 2000); err != nil || spent != 2000 {
		t.Errorf("spend again after Unspend: %d, %v", spent, err)
	}
	if err := s.Unspend(ctx, codeAnna, "b00000000099"); err != nil {
		t.Errorf("unspend of a booking that spent nothing: %v", err)
	}
	if err := s.Unspend(ctx, "MI-2026-9999-ZZZZ", "b00000000001"); !errors.Is(err, vouchers.ErrUnknown) {
		t.Errorf("unspend of an unknown code: %v", err)
	}
	v, _ := s.Get(ctx, codeAnna)
	if v.BalanceCents != 1000 || len(v.Spends) != 3 {
		t.Errorf("at the end: balance %d, spends %+v", v.BalanceCents, v.Spends)
	}

	tests := []struct {
		name, code, cf, booking string
		cents                   int
		want                    error
	}{
		{"unknown", "MI-2026-9999-ZZZZ", cfMario, "b00000000010", 100, vouchers.ErrUnknown},
		{"not a code", "x", cfMario, "b00000000011", 100, vouchers.ErrUnknown},
		{"wrong holder", codeMario, cfGiulia, "b00000000012", 100, vouchers.ErrHolder},
		{"not a tax code", codeMario, "nope", "b00000000013", 100, vouchers.ErrHolder},
		{"zero", codeMario, cfMario, "b00000000014", 0, vouchers.ErrInvalid},
		{"no booking", codeMario, cfMario, "", 100, vouchers.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := s.Spend(ctx, tt.code, tt.cf, tt.booking, tt.cents); !errors.Is(err, tt.want) {
				t.Errorf("Spend = %v, want %v", err, tt.want)
			}
		})
	}
}

// Guessing: failed attempts lock the code, and the booking, for the lockout.
func TestSpendLockout(t *testing.T) {
	ctx := context.Background()
	s, _, clock := openBolt(t, vouchers.WithAttempts(3, time.Hour))
	importList(t, s)

	for i := range 3 {
		if _, _, err := s.Spend(ctx, codeMario, cfGiulia, fmt.Sprintf("b0000000010%d", i), 100); !errors.Is(err, vouchers.ErrHolder) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, _, err := s.Spend(ctx, codeMario, cfMario, "b00000000001", 100); !errors.Is(err, vouchers.ErrLocked) {
		t.Errorf("the holder, after 3 wrong guesses on the code: %v", err)
	}
	// One booking guessing codes that do not exist.
	for i := range 3 {
		if _, _, err := s.Spend(ctx, fmt.Sprintf("MI-2026-9999-%04d", i), cfAnna, "b00000000200", 100); !errors.Is(err, vouchers.ErrUnknown) {
			t.Fatalf("unknown %d: %v", i, err)
		}
	}
	if _, _, err := s.Spend(ctx, codeAnna, cfAnna, "b00000000200", 100); !errors.Is(err, vouchers.ErrLocked) {
		t.Errorf("the booking, after 3 unknown codes: %v", err)
	}
	if _, _, err := s.Spend(ctx, codeAnna, cfAnna, "b00000000201", 100); err != nil {
		t.Errorf("another booking, on a code never guessed: %v", err)
	}
	clock.Advance(time.Hour + time.Second)
	if _, _, err := s.Spend(ctx, codeMario, cfMario, "b00000000001", 100); err != nil {
		t.Errorf("after the lockout: %v", err)
	}
}

// The store down: Spend says so and nothing is taken.
func TestSpendStoreDown(t *testing.T) {
	ctx := context.Background()
	s, recs, _ := openBolt(t)
	importList(t, s)
	recs.Close()
	if _, _, err := s.Spend(ctx, codeMario, cfMario, "b00000000001", 100); err == nil ||
		errors.Is(err, vouchers.ErrUnknown) || strings.Contains(err.Error(), "MI20260001AAAA") {
		t.Errorf("Spend on a closed store: %v", err)
	}
	if _, err := s.Import(ctx, strings.NewReader(listFile), "import", false); err == nil {
		t.Error("Import on a closed store succeeded")
	}
}

func TestNewStoreKey(t *testing.T) {
	if _, err := vouchers.NewStore(nil, []byte("short")); err == nil {
		t.Error("a 5-byte key was taken")
	}
}
