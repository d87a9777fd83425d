package vouchers_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/records"
	"github.com/comune-milano/wemibot/vouchers"
)

// spenders is how many bookings spend one voucher at the same time.
const spenders = 50

// backends are the stores the vouchers run on: the embedded bbolt file and a real
// Redis started for the test.
func backends() map[string]func(t testing.TB) records.Records {
	return map[string]func(t testing.TB) records.Records{
		"bbolt": func(t testing.TB) records.Records {
			s, err := bolt.Open(filepath.Join(t.TempDir(), "vouchers.db"), bolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"redis": func(t testing.TB) records.Records {
			srv := redistest.Start(t)
			opts, err := goredis.ParseURL(srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			opts.PoolSize = spenders
			client := goredis.NewClient(opts)
			t.Cleanup(func() { client.Close() })
			return redis.New(client, redis.Options{})
		},
	}
}

// Fifty bookings spend one voucher at once, each through a Store of its own (as
// replicas would): the balance never goes below zero, what they took adds up to what
// was there, each booking that took something is on the voucher once, and asking
// again gives each booking what it took, not more.
func TestConcurrentSpend(t *testing.T) {
	// Mario's 150 €: fifty bookings of 7 € each (21 paid in full, one gets 1 €), or
	// of 3 € each (all paid, the balance exactly spent).
	tests := []struct {
		each, paid int
	}{{700, 22}, {300, 50}}
	for name, open := range backends() {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%d", name, tt.each), func(t *testing.T) { concurrentSpend(t, open(t), tt.each, tt.paid) })
		}
	}
}

// concurrentSpend has fifty bookings spend each cents of Mario's voucher at once;
// wantPaid of them should get something.
func concurrentSpend(t *testing.T, recs records.Records, each, wantPaid int) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	clock := clocktest.New(march10)
	if _, err := newStore(t, recs, clock).Import(ctx, strings.NewReader(listFile), "import", false); err != nil {
		t.Fatal(err)
	}
	spent := make([]int, spenders)
	errs := make([]error, spenders)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range spenders {
		replica := newStore(t, recs, clock)
		wg.Go(func() {
			<-start
			spent[i], _, errs[i] = replica.Spend(ctx, codeMario, cfMario, fmt.Sprintf("b%011d", i), each)
		})
	}
	close(start)
	wg.Wait()
	total, paid := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			total += spent[i]
			paid++
		case !errors.Is(err, vouchers.ErrSpent):
			t.Errorf("booking %d: %v", i, err)
		}
	}
	v, err := newStore(t, recs, clock).Get(ctx, codeMario)
	if err != nil {
		t.Fatal(err)
	}
	if total != 15000 || v.BalanceCents != 0 || paid != wantPaid || len(v.Spends) != wantPaid {
		t.Errorf("took %d in %d spends (%d on the voucher), balance %d; want 15000 in %d, balance 0",
			total, paid, len(v.Spends), v.BalanceCents, wantPaid)
	}
	checkSpends(ctx, t, newStore(t, recs, clock), v, spent)
}

// checkSpends checks that the voucher lists each booking once with what it took, and
// that each booking asking again gets the same.
func checkSpends(ctx context.Context, t *testing.T, s *vouchers.Store, v vouchers.Voucher, spent []int) {
	t.Helper()
	seen := map[string]bool{}
	for _, sp := range v.Spends {
		var i int
		if _, err := fmt.Sscanf(sp.Booking, "b%011d", &i); err != nil || seen[sp.Booking] || spent[i] != sp.Cents {
			t.Errorf("spend %+v (seen before %v, took %d)", sp, seen[sp.Booking], spent[i])
		}
		seen[sp.Booking] = true
		again, _, err := s.Spend(ctx, codeMario, cfMario, sp.Booking, 99999)
		if err != nil || again != sp.Cents {
			t.Errorf("booking %s again: %d, %v; want %d", sp.Booking, again, err, sp.Cents)
		}
	}
}

// Ten replicas giving the same booking's spend back at once give it back once.
func TestConcurrentUnspend(t *testing.T) {
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			recs := open(t)
			clock := clocktest.New(march10)
			s := newStore(t, recs, clock)
			if _, err := s.Import(ctx, strings.NewReader(listFile), "import", false); err != nil {
				t.Fatal(err)
			}
			for _, b := range []string{"b00000000001", "b00000000002"} {
				if _, _, err := s.Spend(ctx, codeMario, cfMario, b, 6000); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for range 10 {
				replica := newStore(t, recs, clock)
				wg.Go(func() {
					if err := replica.Unspend(ctx, codeMario, "b00000000001"); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			v, err := s.Get(ctx, codeMario)
			if err != nil {
				t.Fatal(err)
			}
			returned := 0
			for _, e := range v.History {
				if e.What == vouchers.EventReturned {
					returned++
				}
			}
			if v.BalanceCents != 9000 || returned != 1 {
				t.Errorf("balance %d, given back %d times; want 9000, once", v.BalanceCents, returned)
			}
		})
	}
}
