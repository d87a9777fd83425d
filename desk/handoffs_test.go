package desk_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/records"
)

func openStore(t *testing.T) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "desk.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestHandoffLifecycle(t *testing.T) {
	ctx := context.Background()
	hs := desk.NewHandoffs(openStore(t), time.Hour)
	h := desk.Handoff{ID: "h1", Conversation: "telegram:42", Channel: "telegram", Lang: "it", FirstName: "Giulia", Reason: "asked", Opened: t0}
	if err := hs.Open(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := hs.Open(ctx, desk.Handoff{ID: "h1", Conversation: "other:1"}); err != nil {
		t.Fatal(err)
	}
	if got, err := hs.Get(ctx, "h1"); err != nil || got.Conversation != "telegram:42" {
		t.Fatalf("a second Open changed the handoff: %+v %v", got, err)
	}
	if _, err := hs.SetThread(ctx, "h1", "C1/100.1"); err != nil {
		t.Fatal(err)
	}
	if got, err := hs.ByThread(ctx, "C1/100.1"); err != nil || got.ID != "h1" || got.Thread != "C1/100.1" {
		t.Fatalf("ByThread: %+v %v", got, err)
	}
	if _, err := hs.ByThread(ctx, "C1/999.9"); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("unknown thread: %v", err)
	}

	// Two operators press "Prendo io" at once: one gets it, both learn who.
	var wg sync.WaitGroup
	results := make([]bool, 2)
	for i, name := range []string{"Sara", "Marco"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, claimed, err := hs.Claim(ctx, "h1", name, "U"+name, t0.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			results[i] = claimed
			if got.Operator == "" {
				t.Error("claim returned no operator")
			}
		}()
	}
	wg.Wait()
	if results[0] == results[1] {
		t.Errorf("claims: %v, want exactly one", results)
	}

	closed, err := hs.Close(ctx, "h1")
	if err != nil || closed.FirstName != "Giulia" || closed.Operator == "" {
		t.Fatalf("Close: %+v %v", closed, err)
	}
	if _, err := hs.Close(ctx, "h1"); !errors.Is(err, desk.ErrClosed) {
		t.Errorf("second close: %v", err)
	}
	if _, err := hs.ByThread(ctx, "C1/100.1"); !errors.Is(err, desk.ErrClosed) {
		t.Errorf("thread of a closed handoff: %v", err)
	}
	if _, _, err := hs.Claim(ctx, "h1", "Sara", "USara", t0); !errors.Is(err, desk.ErrClosed) {
		t.Errorf("claim of a closed handoff: %v", err)
	}
	// What is left says only that it was closed, and where its thread is.
	left, err := hs.Get(ctx, "h1")
	if !errors.Is(err, desk.ErrClosed) || left.Thread != "C1/100.1" || left.FirstName != "" || left.Conversation != "" || left.Operator != "" {
		t.Errorf("a closed handoff keeps %+v (%v)", left, err)
	}
	// A late event cannot open it again (a ghost card), nor list it as waiting.
	if err := hs.Open(ctx, h); !errors.Is(err, desk.ErrClosed) {
		t.Errorf("reopening a closed handoff: %v", err)
	}
	if w, err := hs.Waiting(ctx); err != nil || len(w) != 0 {
		t.Errorf("waiting after the close: %+v %v", w, err)
	}
}

func TestWaitingOrder(t *testing.T) {
	ctx := context.Background()
	hs := desk.NewHandoffs(openStore(t), time.Hour)
	for _, h := range []desk.Handoff{
		{ID: "late", Conversation: "web:a", Opened: t0.Add(20 * time.Minute)},
		{ID: "early", Conversation: "web:b", Opened: t0},
		{ID: "urgent", Conversation: "web:c", Opened: t0.Add(30 * time.Minute), Priority: true},
	} {
		if err := hs.Open(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	if h, err := hs.Escalate(ctx, "late"); err != nil || !h.Priority {
		t.Fatalf("Escalate: %+v %v", h, err)
	}
	if _, err := hs.Escalate(ctx, "nobody"); !errors.Is(err, desk.ErrClosed) {
		t.Errorf("Escalate of no handoff: %v", err)
	}
	got, err := hs.Waiting(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range got {
		ids = append(ids, h.ID)
	}
	if len(ids) != 3 || ids[0] != "late" || ids[1] != "urgent" || ids[2] != "early" {
		t.Errorf("waiting order %v, want late (escalated), urgent, early", ids)
	}
	if d := got[2].Waited(t0.Add(time.Hour)); d != time.Hour {
		t.Errorf("waited %v", d)
	}
}
