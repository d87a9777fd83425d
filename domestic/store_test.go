package domestic_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/records"
)

const day = 24 * time.Hour

func TestStoreRequests(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, 60*day, 30*day)
	r := request(id(1), "telegram:42", t0)
	r.Status = "" // counts as inviata
	if err := s.CreateRequest(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRequest(ctx, id(1))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domestic.RequestSent || got.CareFor != r.CareFor || !got.Start.Equal(r.Start) || len(got.Languages) != 2 {
		t.Errorf("GetRequest = %+v", got)
	}

	t.Run("create errors", func(t *testing.T) { checkRequestCreateErrors(ctx, t, s, r) })
	t.Run("get errors", func(t *testing.T) { checkRequestGetErrors(ctx, t, s) })
	t.Run("update", func(t *testing.T) { checkRequestUpdate(ctx, t, s) })
}

// checkRequestCreateErrors checks the creates the store refuses, or takes as a retry,
// once s holds r.
func checkRequestCreateErrors(ctx context.Context, t *testing.T, s *domestic.Store, r domestic.Request) {
	if err := s.CreateRequest(ctx, r); err != nil {
		t.Errorf("a retried create: %v", err)
	}
	other := request(id(1), "web:someone-else", t0)
	if err := s.CreateRequest(ctx, other); !errors.Is(err, domestic.ErrExists) {
		t.Errorf("another conversation's id: %v", err)
	}
	busy := request(id(2), "telegram:42", t0)
	busy.Status = domestic.RequestInProgress
	if err := s.CreateRequest(ctx, busy); !errors.Is(err, domestic.ErrInvalid) {
		t.Errorf("creating a request in progress: %v", err)
	}
	invalid := request(id(3), "telegram:42", t0)
	invalid.Contact = "domani"
	if err := s.CreateRequest(ctx, invalid); !errors.Is(err, domestic.ErrInvalid) {
		t.Errorf("creating an invalid request: %v", err)
	}
	if reqs, _, _ := s.ByConversation(ctx, "web:someone-else"); len(reqs) != 0 {
		t.Errorf("the other conversation sees %v", requestIDs(reqs))
	}
}

// checkRequestGetErrors checks the reads that miss, once s holds request 1.
func checkRequestGetErrors(ctx context.Context, t *testing.T, s *domestic.Store) {
	for _, missing := range []string{id(99), "", "not-an-id", "../../x"} {
		if _, err := s.GetRequest(ctx, missing); !errors.Is(err, domestic.ErrNotFound) {
			t.Errorf("GetRequest(%q): %v", missing, err)
		}
	}
	if _, err := s.GetApplication(ctx, id(1)); !errors.Is(err, domestic.ErrNotFound) {
		t.Errorf("a request's id as an application: %v", err)
	}
}

// checkRequestUpdate takes request 1, sent, through the updates the store allows and
// those it refuses, to matched.
func checkRequestUpdate(ctx context.Context, t *testing.T, s *domestic.Store) {
	got, err := s.UpdateRequest(ctx, id(1), func(r *domestic.Request) error {
		r.Card = "C1/1700000000.1"
		return r.Transition(domestic.RequestInProgress, "Stiamo cercando", t0.Add(time.Hour))
	})
	if err != nil || got.Status != domestic.RequestInProgress || got.Card != "C1/1700000000.1" || got.Note != "Stiamo cercando" {
		t.Fatalf("UpdateRequest = %+v, %v", got, err)
	}
	// A change the lifecycle refuses leaves the request, and says how it is.
	got, err = s.UpdateRequest(ctx, id(1), func(r *domestic.Request) error {
		r.Note = "changed"
		return r.Transition(domestic.RequestSent, "", t0)
	})
	if !errors.Is(err, domestic.ErrTransition) || got.Status != domestic.RequestInProgress || got.Note != "Stiamo cercando" {
		t.Errorf("a refused change: %+v, %v", got, err)
	}
	if stored, _ := s.GetRequest(ctx, id(1)); stored.Note != "Stiamo cercando" {
		t.Errorf("a failed update was stored: %+v", stored)
	}
	// fn's own errors come back wrapped, so a caller can tell them apart.
	if _, err := s.UpdateRequest(ctx, id(1), func(*domestic.Request) error { return domestic.ErrNotFound }); !errors.Is(err, domestic.ErrNotFound) {
		t.Errorf("fn's error: %v", err)
	}
	if _, err := s.UpdateRequest(ctx, id(1), func(r *domestic.Request) error { r.Conversation = "web:thief"; return nil }); !errors.Is(err, domestic.ErrInvalid) {
		t.Errorf("changing the conversation: %v", err)
	}
	if _, err := s.UpdateRequest(ctx, id(1), func(r *domestic.Request) error { r.Municipio = 0; return nil }); !errors.Is(err, domestic.ErrInvalid) {
		t.Errorf("an invalid change: %v", err)
	}
	if _, err := s.UpdateRequest(ctx, id(98), func(*domestic.Request) error { return nil }); !errors.Is(err, domestic.ErrNotFound) {
		t.Errorf("updating no request: %v", err)
	}
	got, err = s.UpdateRequest(ctx, id(1), func(r *domestic.Request) error {
		return r.Transition(domestic.RequestMatched, "Vi contatterà Ana", t0.Add(2*time.Hour))
	})
	if err != nil || got.Status != domestic.RequestMatched || !got.Closed.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("closing: %+v, %v", got, err)
	}
}

func TestStoreApplications(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, 60*day, 30*day)
	a := application(id(1), "web:7", t0)
	if err := s.CreateApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	noConsent := application(id(2), "web:7", t0)
	noConsent.Consent = time.Time{}
	if err := s.CreateApplication(ctx, noConsent); !errors.Is(err, domestic.ErrNoConsent) {
		t.Errorf("an application without consent: %v", err)
	}
	if _, err := s.GetApplication(ctx, id(2)); !errors.Is(err, domestic.ErrNotFound) {
		t.Errorf("the application without consent was stored: %v", err)
	}
	got, err := s.GetApplication(ctx, id(1))
	if err != nil || !got.Consent.Equal(a.Consent) || len(got.Municipi) != 2 || got.Certificates[1] != "primo_soccorso" || !got.LiveIn {
		t.Fatalf("GetApplication = %+v, %v", got, err)
	}
	// fn changes a copy: the slices of the record returned before stay as they were.
	got, err = s.UpdateApplication(ctx, id(1), func(a *domestic.Application) error {
		a.Municipi[0] = 9
		return a.Transition(domestic.ApplicationReviewing, "", t0.Add(time.Hour))
	})
	if err != nil || got.Status != domestic.ApplicationReviewing || got.Municipi[0] != 9 {
		t.Fatalf("UpdateApplication = %+v, %v", got, err)
	}
	if _, err := s.UpdateApplication(ctx, id(1), func(a *domestic.Application) error { a.Consent = time.Time{}; return nil }); !errors.Is(err, domestic.ErrNoConsent) {
		t.Errorf("withdrawing the consent by update: %v", err)
	}
	got, err = s.UpdateApplication(ctx, id(1), func(a *domestic.Application) error {
		return a.Transition(domestic.ApplicationAccepted, "Benvenuta!", t0.Add(2*time.Hour))
	})
	if err != nil || got.Status != domestic.ApplicationAccepted || got.Closed.IsZero() {
		t.Errorf("accepting: %+v, %v", got, err)
	}
	all, err := s.AllApplications(ctx)
	if err != nil || len(all) != 1 {
		t.Errorf("AllApplications: %d, %v", len(all), err)
	}
}

func TestStoreConcurrentDecisions(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, 60*day, 30*day)
	if err := s.CreateRequest(ctx, request(id(7), "telegram:42", t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateRequest(ctx, id(7), func(r *domestic.Request) error {
		return r.Transition(domestic.RequestInProgress, "", t0)
	}); err != nil {
		t.Fatal(err)
	}
	// Two operators decide at once: one closes with a match, one without. Only one wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, to := range []domestic.RequestStatus{domestic.RequestMatched, domestic.RequestUnmatched} {
		wg.Go(func() {
			_, errs[i] = s.UpdateRequest(ctx, id(7), func(r *domestic.Request) error {
				return r.Transition(to, "", t0.Add(time.Hour))
			})
		})
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("errors %v: want exactly one decision", errs)
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, domestic.ErrTransition) {
			t.Errorf("the loser got %v, want ErrTransition", err)
		}
	}
}

func TestStoreByConversation(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, 60*day, 30*day)
	for _, n := range []int{2, 0, 3, 1} {
		if err := s.CreateRequest(ctx, request(id(n), "telegram:42", t0.Add(time.Duration(n)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	// Two created at the same instant: the later create comes first.
	if err := s.CreateRequest(ctx, request(id(9), "telegram:42", t0.Add(3*time.Hour))); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{20, 21} {
		if err := s.CreateApplication(ctx, application(id(n), "telegram:42", t0.Add(time.Duration(n)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateRequest(ctx, request(id(10), "web:other", t0.Add(9*time.Hour))); err != nil {
		t.Fatal(err)
	}
	reqs, apps, err := s.ByConversation(ctx, "telegram:42")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(requestIDs(reqs)), fmt.Sprint([]string{id(9), id(3), id(2), id(1), id(0)}); got != want {
		t.Errorf("requests %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(applicationIDs(apps)), fmt.Sprint([]string{id(21), id(20)}); got != want {
		t.Errorf("applications %s, want %s", got, want)
	}
	if reqs, apps, err := s.ByConversation(ctx, "telegram:nobody"); err != nil || len(reqs)+len(apps) != 0 {
		t.Errorf("an unknown conversation: %v, %v, %v", reqs, apps, err)
	}
	all, err := s.AllRequests(ctx)
	if err != nil || len(all) != 6 || all[0].ID != id(0) {
		t.Errorf("AllRequests: %v, %v", requestIDs(all), err)
	}
}

func TestStoreRetention(t *testing.T) {
	ctx := context.Background()
	const openTTL, retention = 60 * day, 30 * day
	s, _, c := openStore(t, openTTL, retention)
	for n := range 3 {
		if err := s.CreateRequest(ctx, request(id(n), "telegram:42", t0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateApplication(ctx, application(id(10), "telegram:42", t0)); err != nil {
		t.Fatal(err)
	}
	// Day 50: a change keeps an open record another openTTL.
	c.Advance(50 * day)
	if _, err := s.UpdateRequest(ctx, id(0), func(r *domestic.Request) error {
		return r.Transition(domestic.RequestInProgress, "", c.Now())
	}); err != nil {
		t.Fatal(err)
	}
	// Day 55: request 1 closes.
	c.Advance(5 * day)
	closedAt := c.Now()
	if _, err := s.UpdateRequest(ctx, id(1), func(r *domestic.Request) error {
		return r.Transition(domestic.RequestWithdrawn, "", closedAt)
	}); err != nil {
		t.Fatal(err)
	}
	// Day 61: the untouched open records expired after openTTL; the others live.
	c.Advance(6 * day)
	live := func() string {
		reqs, apps, err := s.ByConversation(ctx, "telegram:42")
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(requestIDs(reqs), applicationIDs(apps))
	}
	if got, want := live(), fmt.Sprint([]string{id(1), id(0)}, []string(nil)); got != want {
		t.Errorf("day 61: %s, want %s", got, want)
	}
	// Day 80: a later write to the closed request does not extend its retention,
	// which runs from when it closed.
	c.Advance(19 * day)
	if _, err := s.UpdateRequest(ctx, id(1), func(r *domestic.Request) error { r.Card = "C1/2"; return nil }); err != nil {
		t.Fatal(err)
	}
	c.Advance(retention - 25*day - time.Minute) // just before closedAt + retention
	if _, err := s.GetRequest(ctx, id(1)); err != nil {
		t.Errorf("just before the retention ends: %v", err)
	}
	c.Advance(2 * time.Minute)
	if _, err := s.GetRequest(ctx, id(1)); !errors.Is(err, domestic.ErrNotFound) {
		t.Errorf("after the retention: %v", err)
	}
	// Day 85: request 0 closes, and is gone retention later; the index goes last.
	if _, err := s.UpdateRequest(ctx, id(0), func(r *domestic.Request) error {
		return r.Transition(domestic.RequestUnmatched, "", c.Now())
	}); err != nil {
		t.Fatal(err)
	}
	c.Advance(retention + time.Second)
	if got, want := live(), fmt.Sprint([]string(nil), []string(nil)); got != want {
		t.Errorf("after every retention: %s", got)
	}
	// The conversation may send a new request.
	if err := s.CreateRequest(ctx, request(id(5), "telegram:42", c.Now())); err != nil {
		t.Fatal(err)
	}
}

func TestStoreBound(t *testing.T) {
	ctx := context.Background()
	const retention = 30 * day
	s, _, c := openStore(t, 365*day, retention)
	const conv = "telegram:42"
	for n := range domestic.MaxPerConversation {
		if err := s.CreateRequest(ctx, request(id(n), conv, t0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateRequest(ctx, request(id(100), conv, t0)); !errors.Is(err, domestic.ErrTooMany) {
		t.Fatalf("one request too many: %v", err)
	}
	// Applications are counted apart.
	if err := s.CreateApplication(ctx, application(id(200), conv, t0)); err != nil {
		t.Fatal(err)
	}
	// Once some have gone, they make room.
	for _, n := range []int{4, 11} {
		if _, err := s.UpdateRequest(ctx, id(n), func(r *domestic.Request) error {
			return r.Transition(domestic.RequestWithdrawn, "", c.Now())
		}); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(retention + time.Second)
	for _, n := range []int{100, 101} {
		if err := s.CreateRequest(ctx, request(id(n), conv, c.Now())); err != nil {
			t.Errorf("create %d: %v", n, err)
		}
	}
	if err := s.CreateRequest(ctx, request(id(102), conv, c.Now())); !errors.Is(err, domestic.ErrTooMany) {
		t.Errorf("full again: %v", err)
	}
	reqs, _, err := s.ByConversation(ctx, conv)
	if err != nil || len(reqs) != domestic.MaxPerConversation {
		t.Errorf("%d requests, %v", len(reqs), err)
	}
}

func TestStoreForget(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, 60*day, 30*day)
	for n := range 3 {
		if err := s.CreateRequest(ctx, request(id(n), "telegram:42", t0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateApplication(ctx, application(id(10), "telegram:42", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRequest(ctx, request(id(20), "web:other", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateApplication(ctx, application(id(21), "web:other", t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateRequest(ctx, id(2), func(r *domestic.Request) error {
		return r.Transition(domestic.RequestWithdrawn, "", t0)
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(ctx, "telegram:42"); err != nil {
		t.Fatal(err)
	}
	for n := range 3 {
		if _, err := s.GetRequest(ctx, id(n)); !errors.Is(err, domestic.ErrNotFound) {
			t.Errorf("request %d survived Forget: %v", n, err)
		}
	}
	if _, err := s.GetApplication(ctx, id(10)); !errors.Is(err, domestic.ErrNotFound) {
		t.Errorf("the application survived Forget: %v", err)
	}
	if reqs, apps, err := s.ByConversation(ctx, "telegram:42"); err != nil || len(reqs)+len(apps) != 0 {
		t.Errorf("after Forget: %v %v, %v", requestIDs(reqs), applicationIDs(apps), err)
	}
	if reqs, apps, err := s.ByConversation(ctx, "web:other"); err != nil || len(reqs) != 1 || len(apps) != 1 {
		t.Errorf("Forget took another conversation's records: %v %v, %v", requestIDs(reqs), applicationIDs(apps), err)
	}
	for _, conv := range []string{"telegram:42", "telegram:nobody", ""} {
		if err := s.Forget(ctx, conv); err != nil {
			t.Errorf("Forget(%q) again: %v", conv, err)
		}
	}
	if err := s.CreateRequest(ctx, request(id(30), "telegram:42", t0)); err != nil {
		t.Errorf("a new request after Forget: %v", err)
	}
}

func TestStoreDelete(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openStore(t, 60*day, 30*day)
	for n := range 2 {
		if err := s.CreateRequest(ctx, request(id(n), "telegram:42", t0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateApplication(ctx, application(id(10), "telegram:42", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "web:thief", id(0)); !errors.Is(err, domestic.ErrNotFound) {
		t.Errorf("another conversation's delete: %v", err)
	}
	for _, n := range []int{0, 10} {
		if err := s.Delete(ctx, "telegram:42", id(n)); err != nil {
			t.Errorf("Delete %d: %v", n, err)
		}
	}
	reqs, apps, err := s.ByConversation(ctx, "telegram:42")
	if err != nil || fmt.Sprint(requestIDs(reqs)) != fmt.Sprint([]string{id(1)}) || len(apps) != 0 {
		t.Errorf("after Delete: %v %v, %v", requestIDs(reqs), applicationIDs(apps), err)
	}
	for _, missing := range []string{id(0), id(99), "nope"} {
		if err := s.Delete(ctx, "telegram:42", missing); !errors.Is(err, domestic.ErrNotFound) {
			t.Errorf("Delete(%q): %v", missing, err)
		}
	}
}

func TestStoreFailingRecords(t *testing.T) {
	ctx := context.Background()
	s, records, _ := openStore(t, 60*day, 30*day)
	if err := s.CreateRequest(ctx, request(id(1), "telegram:42", t0)); err != nil {
		t.Fatal(err)
	}
	records.Close()
	if _, err := s.GetRequest(ctx, id(1)); err == nil || errors.Is(err, domestic.ErrNotFound) {
		t.Errorf("GetRequest on a closed store: %v, want a failure that is not ErrNotFound", err)
	}
	if _, _, err := s.ByConversation(ctx, "telegram:42"); err == nil {
		t.Error("ByConversation on a closed store succeeded")
	}
	if err := s.Forget(ctx, "telegram:42"); err == nil {
		t.Error("Forget on a closed store succeeded")
	}
	if err := s.CreateApplication(ctx, application(id(2), "telegram:42", t0)); err == nil {
		t.Error("CreateApplication on a closed store succeeded")
	}
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
	s, recs, _ := openStore(t, 60*day, 30*day)
	if err := s.CreateRequest(ctx, request(id(1), "telegram:42", t0)); err != nil {
		t.Fatal(err)
	}
	reader := domestic.NewStore(readOnly{recs, t}, 60*day, 30*day)
	if _, err := reader.GetRequest(ctx, id(1)); err != nil {
		t.Errorf("GetRequest of a request: %v", err)
	}
	if _, err := reader.GetApplication(ctx, id(1)); !errors.Is(err, domestic.ErrNotFound) {
		t.Errorf("GetApplication of a missing application: %v, want ErrNotFound", err)
	}
	for conv, want := range map[string]int{"telegram:42": 1, "telegram:7": 0} {
		if reqs, apps, err := reader.ByConversation(ctx, conv); err != nil || len(reqs) != want || len(apps) != 0 {
			t.Errorf("ByConversation(%q) = %v, %v, %v; want %d requests", conv, requestIDs(reqs), applicationIDs(apps), err, want)
		}
	}
}
