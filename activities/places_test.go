package activities_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/activities"
	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/records"
)

var now = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// camp returns an activity of two weekly sessions with capacity places each.
func camp(capacity int) *catalogue.Activity {
	w1 := catalogue.Session{ID: "20270614", First: catalogue.Date{Year: 2027, Month: 6, Day: 14}, Last: catalogue.Date{Year: 2027, Month: 6, Day: 18}}
	w2 := catalogue.Session{ID: "20270621", First: catalogue.Date{Year: 2027, Month: 6, Day: 21}, Last: catalogue.Date{Year: 2027, Month: 6, Day: 25}}
	return &catalogue.Activity{ID: "ce-test", Capacity: capacity, Sessions: []catalogue.Session{w1, w2}}
}

// stores returns the records stores the places are tested on: a bbolt file and a
// real Redis server.
func stores(t *testing.T) map[string]records.Records {
	t.Helper()
	b, err := bolt.Open(filepath.Join(t.TempDir(), "places.db"), bolt.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	srv := redistest.Start(t)
	client := goredis.NewClient(&goredis.Options{Network: "unix", Addr: srv.Socket(), PoolSize: 32,
		DialTimeout: 3 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: 3 * time.Second})
	t.Cleanup(func() { _ = client.Close() })
	return map[string]records.Records{"bolt": b, "redis": redis.New(client, redis.Options{Prefix: "places"})}
}

func TestPlaces(t *testing.T) {
	ctx := context.Background()
	for name, recs := range stores(t) {
		t.Run(name, func(t *testing.T) {
			p := activities.NewPlaces(recs, func() time.Time { return now })
			a := camp(5)
			if n, err := p.Left(ctx, a, "20270614"); err != nil || n != 5 {
				t.Fatalf("Left before any enrolment = %d, %v; want 5", n, err)
			}
			if left, err := p.Take(ctx, a, "20270614", "booking-1", 3); err != nil || left != 2 {
				t.Fatalf("Take 3 = %d, %v; want 2 left", left, err)
			}
			// A retried Take (a redelivered update) takes nothing more.
			if left, err := p.Take(ctx, a, "20270614", "booking-1", 3); err != nil || left != 2 {
				t.Errorf("Take again = %d, %v; want 2 left", left, err)
			}
			left, err := p.Take(ctx, a, "20270614", "booking-2", 3)
			if !errors.Is(err, activities.ErrFull) || left != 2 {
				t.Errorf("Take 3 of 2 left = %d, %v; want ErrFull and 2", left, err)
			}
			if left, err := p.Take(ctx, a, "20270614", "booking-2", 2); err != nil || left != 0 {
				t.Errorf("Take the last 2 = %d, %v; want 0 left", left, err)
			}
			// The other week is counted apart.
			if n, _ := p.Left(ctx, a, "20270621"); n != 5 {
				t.Errorf("the second week has %d left, want 5", n)
			}
			if err := p.Release(ctx, a, "20270614", "booking-1"); err != nil {
				t.Fatal(err)
			}
			if err := p.Release(ctx, a, "20270614", "booking-1"); err != nil {
				t.Errorf("a second Release: %v", err)
			}
			all, err := p.LeftBySession(ctx, a)
			if err != nil || all["20270614"] != 3 || all["20270621"] != 5 {
				t.Errorf("LeftBySession = %v, %v; want 3 and 5", all, err)
			}
			// A capacity lowered on reload below the places held shows none left.
			if n, _ := p.Left(ctx, camp(1), "20270614"); n != 0 {
				t.Errorf("Left with capacity 1 and 2 held = %d, want 0", n)
			}
		})
	}
}

func TestPlacesRefuseBadRequests(t *testing.T) {
	ctx := context.Background()
	recs := stores(t)["bolt"]
	p := activities.NewPlaces(recs, func() time.Time { return now })
	a := camp(5)
	tests := []struct {
		name, session, enrolment string
		n                        int
		want                     error
	}{
		{"unknown session", "20990101", "b", 1, activities.ErrUnknownSession},
		{"no enrolment id", "20270614", "", 1, activities.ErrInvalid},
		{"no places", "20270614", "b", 0, activities.ErrInvalid},
		{"too many", "20270614", "b", activities.MaxPlaces + 1, activities.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := p.Take(ctx, a, tc.session, tc.enrolment, tc.n); !errors.Is(err, tc.want) {
				t.Errorf("Take = %v, want %v", err, tc.want)
			}
		})
	}
	if n, _ := p.Left(ctx, a, "20270614"); n != 5 {
		t.Errorf("refused requests took places: %d left", n)
	}
	// A corrupted record is an error, never a free-for-all.
	if _, err := recs.Update(ctx, "activity-places", "ce-test:20270614", 0, func([]byte) ([]byte, error) { return []byte("{garbage"), nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Take(ctx, a, "20270614", "b", 1); err == nil || errors.Is(err, activities.ErrFull) {
		t.Errorf("Take on a corrupted record = %v, want a decoding error", err)
	}
}

// Many replicas enrolling at once in a session with few places: each place goes to
// exactly one enrolment, on a real Redis server (optimistic transactions) and on
// bbolt.
func TestPlacesNeverTakenTwice(t *testing.T) {
	const capacity, takers = 7, 40
	ctx := context.Background()
	for name, recs := range stores(t) {
		t.Run(name, func(t *testing.T) {
			p := activities.NewPlaces(recs, func() time.Time { return now })
			a := camp(capacity)
			var mu sync.Mutex
			got, full := 0, 0
			var wg sync.WaitGroup
			for i := range takers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// A taker whose store gave up on contention tries again, a bounded
					// number of times, as the chat would on the citizen's next tap.
					for range 5 {
						_, err := p.Take(ctx, a, "20270614", fmt.Sprintf("booking-%02d", i), 1)
						mu.Lock()
						switch {
						case err == nil:
							got++
						case errors.Is(err, activities.ErrFull):
							full++
						}
						mu.Unlock()
						if err == nil || errors.Is(err, activities.ErrFull) {
							return
						}
					}
				}()
			}
			wg.Wait()
			if got != capacity || full != takers-capacity {
				t.Errorf("%d enrolments succeeded and %d were told it is full; want %d and %d", got, full, capacity, takers-capacity)
			}
			if n, err := p.Left(ctx, a, "20270614"); err != nil || n != 0 {
				t.Errorf("Left = %d, %v; want 0", n, err)
			}
		})
	}
}
