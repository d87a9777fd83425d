package bookings_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/records"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// openStore returns a Store on a bbolt file in a temporary folder, and its clock.
func openStore(t *testing.T, ttl time.Duration) (*bookings.Store, *bolt.Store, *clocktest.Clock) {
	t.Helper()
	c := clocktest.New(t0)
	records, err := bolt.Open(filepath.Join(t.TempDir(), "bookings.db"), bolt.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { records.Close() })
	return bookings.NewStore(records, ttl), records, c
}

// id returns the n-th test booking id.
func id(n int) string { return fmt.Sprintf("%012x", n) }

func TestStoreCreateGetUpdate(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, 90*24*time.Hour)
	b := booking(id(1), "telegram:42", t0.Add(96*time.Hour), t0)
	b.Note = "citofono «Rossi»; 2° piano"
	if err := s.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, id(1))
	if err != nil {
		t.Fatal(err)
	}
	if got.Note != b.Note || !got.Start.Equal(b.Start) || got.Status != bookings.Requested || len(got.History) != 1 {
		t.Errorf("Get = %+v", got)
	}

	t.Run("create errors", func(t *testing.T) { checkCreateErrors(ctx, t, s, b) })
	t.Run("get errors", func(t *testing.T) { checkGetErrors(ctx, t, s) })
	t.Run("update", func(t *testing.T) { checkUpdate(ctx, t, s, b) })
}

// checkCreateErrors checks the creates the store refuses, or takes as a retry,
// once s holds b.
func checkCreateErrors(ctx context.Context, t *testing.T, s *bookings.Store, b bookings.Booking) {
	if err := s.Create(ctx, b); err != nil {
		t.Errorf("a retried Create: %v", err)
	}
	other := b
	other.Conversation = "web:someone-else"
	if err := s.Create(ctx, other); !errors.Is(err, bookings.ErrExists) {
		t.Errorf("another conversation's id: %v", err)
	}
	confirmed := booking(id(2), "telegram:42", t0.Add(time.Hour), t0)
	confirmed.Status = bookings.Confirmed
	if err := s.Create(ctx, confirmed); !errors.Is(err, bookings.ErrInvalid) {
		t.Errorf("Create of a confirmed booking: %v", err)
	}
	invalid := booking(id(3), "telegram:42", t0.Add(time.Hour), t0)
	invalid.Municipio = 12
	if err := s.Create(ctx, invalid); !errors.Is(err, bookings.ErrInvalid) {
		t.Errorf("Create of an invalid booking: %v", err)
	}
	if list, _ := s.ByConversation(ctx, "web:someone-else"); len(list) != 0 {
		t.Errorf("the other conversation sees %d bookings", len(list))
	}
}

// checkGetErrors checks the reads that miss.
func checkGetErrors(ctx context.Context, t *testing.T, s *bookings.Store) {
	for _, missing := range []string{id(99), "", "not-an-id", "../../x"} {
		if _, err := s.Get(ctx, missing); !errors.Is(err, bookings.ErrNotFound) {
			t.Errorf("Get(%q): %v", missing, err)
		}
	}
}

// checkUpdate takes b, stored as booking 1 and requested, through the updates the
// store allows and those it refuses.
func checkUpdate(ctx context.Context, t *testing.T, s *bookings.Store, b bookings.Booking) {
	proposed := t0.Add(120 * time.Hour)
	got, err := s.Update(ctx, id(1), func(b *bookings.Booking) error {
		b.Proposed, b.Card = proposed, "C1/1700000000.1"
		return nil
	})
	if err != nil || !got.Proposed.Equal(proposed) || got.Card != "C1/1700000000.1" {
		t.Fatalf("Update = %+v, %v", got, err)
	}
	got, err = s.Update(ctx, id(1), func(b *bookings.Booking) error {
		return b.Transition(bookings.Refused, "Sara", "nessun operatore quel giorno", t0.Add(time.Hour))
	})
	if err != nil || got.Status != bookings.Refused || !got.Proposed.IsZero() || len(got.History) != 2 {
		t.Fatalf("refuse: %+v, %v", got, err)
	}
	// A change the lifecycle refuses leaves the booking, and says how it is.
	got, err = s.Update(ctx, id(1), func(b *bookings.Booking) error {
		b.Note = "changed"
		return b.Transition(bookings.Confirmed, "Marco", "", t0.Add(2*time.Hour))
	})
	if !errors.Is(err, bookings.ErrTransition) || got.Status != bookings.Refused || got.Note != b.Note {
		t.Errorf("refused change: %+v, %v", got, err)
	}
	if stored, _ := s.Get(ctx, id(1)); stored.Note != b.Note || stored.Status != bookings.Refused {
		t.Errorf("a failed Update was stored: %+v", stored)
	}
	if _, err := s.Update(ctx, id(1), func(b *bookings.Booking) error { b.Conversation = "web:thief"; return nil }); !errors.Is(err, bookings.ErrInvalid) {
		t.Errorf("changing the conversation: %v", err)
	}
	if _, err := s.Update(ctx, id(1), func(b *bookings.Booking) error { b.Quantity = 0; return nil }); !errors.Is(err, bookings.ErrInvalid) {
		t.Errorf("an invalid change: %v", err)
	}
	if _, err := s.Update(ctx, id(98), func(*bookings.Booking) error { return nil }); !errors.Is(err, bookings.ErrNotFound) {
		t.Errorf("Update of no booking: %v", err)
	}
}

func TestStoreConcurrentDecisions(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, time.Hour)
	if err := s.Create(ctx, booking(id(7), "telegram:42", t0.Add(48*time.Hour), t0)); err != nil {
		t.Fatal(err)
	}
	// Two operators decide at once: one confirms, one refuses. Only one wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, to := range []bookings.Status{bookings.Confirmed, bookings.Refused} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Update(ctx, id(7), func(b *bookings.Booking) error {
				return b.Transition(to, "op", "motivo", t0)
			})
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("errors %v: want exactly one decision", errs)
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, bookings.ErrTransition) {
			t.Errorf("the loser got %v, want ErrTransition", err)
		}
	}
	if b, _ := s.Get(ctx, id(7)); len(b.History) != 2 {
		t.Errorf("history %+v", b.History)
	}
}

func TestStoreByConversation(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, 90*24*time.Hour)
	for _, n := range []int{2, 0, 3, 1} {
		if err := s.Create(ctx, booking(id(n), "telegram:42", t0.Add(72*time.Hour), t0.Add(time.Duration(n)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	// Two bookings created at the same instant: the later Create comes first.
	if err := s.Create(ctx, booking(id(9), "telegram:42", t0.Add(72*time.Hour), t0.Add(3*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, booking(id(10), "web:other", t0.Add(72*time.Hour), t0.Add(9*time.Hour))); err != nil {
		t.Fatal(err)
	}
	list, err := s.ByConversation(ctx, "telegram:42")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{id(9), id(3), id(2), id(1), id(0)}
	if got := ids(list); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ByConversation = %v, want %v", got, want)
	}
	if list, err := s.ByConversation(ctx, "telegram:nobody"); err != nil || len(list) != 0 {
		t.Errorf("an unknown conversation: %v, %v", list, err)
	}
	all, err := s.All(ctx)
	if err != nil || len(all) != 6 {
		t.Errorf("All: %d bookings, %v", len(all), err)
	}
}

func TestStoreBound(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, 90*24*time.Hour)
	const conv = "telegram:42"
	for n := range bookings.MaxPerConversation {
		if err := s.Create(ctx, booking(id(n), conv, t0.Add(72*time.Hour), t0.Add(time.Duration(n)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	next := func(n int) bookings.Booking {
		return booking(id(n), conv, t0.Add(72*time.Hour), t0.Add(time.Duration(n)*time.Minute))
	}
	if err := s.Create(ctx, next(100)); !errors.Is(err, bookings.ErrTooMany) {
		t.Fatalf("a 51st active booking: %v", err)
	}
	// Once some can no longer happen, the oldest of those make room.
	for _, n := range []int{5, 3, 40} {
		if _, err := s.Update(ctx, id(n), func(b *bookings.Booking) error {
			return b.Transition(bookings.Cancelled, "citizen", "", t0)
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i, n := range []int{100, 101, 102} {
		if err := s.Create(ctx, next(n)); err != nil {
			t.Fatalf("create %d: %v", n, err)
		}
		dropped := []int{3, 5, 40}[i]
		if _, err := s.Get(ctx, id(dropped)); !errors.Is(err, bookings.ErrNotFound) {
			t.Errorf("after create %d, booking %d is still kept: %v", n, dropped, err)
		}
		list, err := s.ByConversation(ctx, conv)
		if err != nil || len(list) != bookings.MaxPerConversation || list[0].ID != id(n) {
			t.Fatalf("after create %d: %d bookings, first %v, %v", n, len(list), ids(list[:1]), err)
		}
	}
	if err := s.Create(ctx, next(103)); !errors.Is(err, bookings.ErrTooMany) {
		t.Errorf("all active again: %v", err)
	}
}

func TestStoreForget(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, 90*24*time.Hour)
	for n := range 4 {
		if err := s.Create(ctx, booking(id(n), "telegram:42", t0.Add(72*time.Hour), t0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Create(ctx, booking(id(10), "web:other", t0.Add(72*time.Hour), t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, id(2), func(b *bookings.Booking) error {
		return b.Transition(bookings.Confirmed, "Sara", "", t0)
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(ctx, "telegram:42"); err != nil {
		t.Fatal(err)
	}
	for n := range 4 {
		if _, err := s.Get(ctx, id(n)); !errors.Is(err, bookings.ErrNotFound) {
			t.Errorf("booking %d survived Forget: %v", n, err)
		}
	}
	if list, err := s.ByConversation(ctx, "telegram:42"); err != nil || len(list) != 0 {
		t.Errorf("after Forget: %v, %v", ids(list), err)
	}
	if list, err := s.ByConversation(ctx, "web:other"); err != nil || len(list) != 1 {
		t.Errorf("Forget took another conversation's booking: %v, %v", ids(list), err)
	}
	for _, conv := range []string{"telegram:42", "telegram:nobody", ""} {
		if err := s.Forget(ctx, conv); err != nil {
			t.Errorf("Forget(%q) again: %v", conv, err)
		}
	}
	// The conversation may book again afterwards.
	if err := s.Create(ctx, booking(id(20), "telegram:42", t0.Add(72*time.Hour), t0)); err != nil {
		t.Fatal(err)
	}
}

func TestStoreExpiry(t *testing.T) {
	ctx := context.Background()
	s, _, c := openStore(t, time.Hour)
	// Two bookings of the past (a service already over): kept one ttl from a change.
	if err := s.Create(ctx, booking(id(1), "telegram:42", t0.Add(-72*time.Hour), t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, booking(id(2), "telegram:42", t0.Add(-72*time.Hour), t0)); err != nil {
		t.Fatal(err)
	}
	// A change keeps the booking, and its conversation's index, another ttl.
	c.Advance(50 * time.Minute)
	if _, err := s.Update(ctx, id(1), func(b *bookings.Booking) error {
		b.Note, b.Updated = "changed", c.Now()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c.Advance(40 * time.Minute)
	list, err := s.ByConversation(ctx, "telegram:42")
	if err != nil || fmt.Sprint(ids(list)) != fmt.Sprint([]string{id(1)}) {
		t.Errorf("90 minutes on: %v, %v; want only the changed booking", ids(list), err)
	}
	c.Advance(time.Hour)
	if _, err := s.Get(ctx, id(1)); !errors.Is(err, bookings.ErrNotFound) {
		t.Errorf("an expired booking: %v", err)
	}
}

// A booking made months ahead outlives the retention period until its service, and
// is kept one retention period after it.
func TestStoreKeepsBookingsUntilTheirService(t *testing.T) {
	ctx := context.Background()
	s, _, c := openStore(t, 24*time.Hour)
	if err := s.Create(ctx, booking(id(1), "telegram:42", t0.Add(100*24*time.Hour), t0)); err != nil {
		t.Fatal(err)
	}
	c.Advance(99 * 24 * time.Hour)
	if list, err := s.ByConversation(ctx, "telegram:42"); err != nil || len(list) != 1 {
		t.Fatalf("99 days on, before its service: %v, %v", ids(list), err)
	}
	c.Advance(2 * 24 * time.Hour)
	if _, err := s.Get(ctx, id(1)); !errors.Is(err, bookings.ErrNotFound) {
		t.Errorf("a day after its service plus a day's retention: %v", err)
	}
}

func TestStoreFailingRecords(t *testing.T) {
	ctx := context.Background()
	s, records, _ := openStore(t, time.Hour)
	if err := s.Create(ctx, booking(id(1), "telegram:42", t0.Add(72*time.Hour), t0)); err != nil {
		t.Fatal(err)
	}
	records.Close()
	if _, err := s.Get(ctx, id(1)); err == nil || errors.Is(err, bookings.ErrNotFound) {
		t.Errorf("Get on a closed store: %v, want a failure that is not ErrNotFound", err)
	}
	if _, err := s.ByConversation(ctx, "telegram:42"); err == nil {
		t.Error("ByConversation on a closed store succeeded")
	}
	if err := s.Forget(ctx, "telegram:42"); err == nil {
		t.Error("Forget on a closed store succeeded")
	}
}

func ids(list []bookings.Booking) []string {
	var out []string
	for _, b := range list {
		out = append(out, b.ID)
	}
	return out
}

// readOnly is records that fail the test on any write.
type readOnly struct {
	records.Records
	t *testing.T
}

func (r readOnly) Update(_ context.Context, kind, id string, _ time.Duration, _ func([]byte) ([]byte, error)) ([]byte, error) {
	r.t.Errorf("Update(%q, %q) while only reading", kind, id)
	return nil, errors.New("read only")
}

// Reads, misses included, never write: a miss on Redis or bbolt costs one read.
func TestStoreReadsDoNotWrite(t *testing.T) {
	ctx := context.Background()
	s, recs, _ := openStore(t, time.Hour)
	if err := s.Create(ctx, booking(id(1), "telegram:42", t0.Add(72*time.Hour), t0)); err != nil {
		t.Fatal(err)
	}
	reader := bookings.NewStore(readOnly{recs, t}, time.Hour)
	if _, err := reader.Get(ctx, id(1)); err != nil {
		t.Errorf("Get of a booking: %v", err)
	}
	if _, err := reader.Get(ctx, id(2)); !errors.Is(err, bookings.ErrNotFound) {
		t.Errorf("Get of a missing booking: %v, want ErrNotFound", err)
	}
	for conv, want := range map[string]int{"telegram:42": 1, "telegram:7": 0} {
		if list, err := reader.ByConversation(ctx, conv); err != nil || len(list) != want {
			t.Errorf("ByConversation(%q) = %v, %v; want %d bookings", conv, ids(list), err, want)
		}
	}
}
