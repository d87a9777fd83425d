package bookings_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

var statuses = []bookings.Status{bookings.Requested, bookings.Confirmed, bookings.Refused, bookings.Cancelled, bookings.Done}

func TestTransition(t *testing.T) {
	allowed := map[[2]bookings.Status]bool{
		{bookings.Requested, bookings.Confirmed}: true,
		{bookings.Requested, bookings.Refused}:   true,
		{bookings.Requested, bookings.Cancelled}: true,
		{bookings.Confirmed, bookings.Cancelled}: true,
		{bookings.Confirmed, bookings.Done}:      true,
	}
	created := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	at := created.Add(time.Hour)
	for _, from := range statuses {
		for _, to := range append(statuses, "boh") {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				b := booking("0123456789ab", "telegram:42", created.Add(48*time.Hour), created)
				b.Status = from
				b.Proposed = created.Add(72 * time.Hour)
				before := b
				err := b.Transition(to, "Sara", "agenda piena", at)
				if !allowed[[2]bookings.Status{from, to}] {
					if !errors.Is(err, bookings.ErrTransition) {
						t.Fatalf("err = %v, want ErrTransition", err)
					}
					if !strings.Contains(err.Error(), string(from)) || !strings.Contains(err.Error(), string(to)) {
						t.Errorf("error %q does not name both statuses", err)
					}
					if b.Status != before.Status || len(b.History) != len(before.History) || !b.Updated.Equal(before.Updated) {
						t.Errorf("a refused transition changed the booking: %+v", b)
					}
					if bookings.CanTransition(from, to) {
						t.Error("CanTransition says yes")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bookings.CanTransition(from, to) {
					t.Error("CanTransition says no")
				}
				last := b.History[len(b.History)-1]
				if b.Status != to || !b.Updated.Equal(at) || len(b.History) != 2 ||
					last.Status != to || last.By != "Sara" || !last.At.Equal(at) || last.Reason != "agenda piena" {
					t.Errorf("after the transition: %+v", b)
				}
				if from == bookings.Requested && !b.Proposed.IsZero() {
					t.Error("the proposal survived leaving inoltrata")
				}
				if from == bookings.Confirmed && b.Proposed.IsZero() {
					t.Error("Proposed was cleared outside inoltrata")
				}
				if (to == bookings.Refused || to == bookings.Cancelled) != (b.Reason == "agenda piena") {
					t.Errorf("reason %q after %s", b.Reason, to)
				}
			})
		}
	}
}

func TestTransitionReason(t *testing.T) {
	created := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		to     bookings.Status
		reason string
		want   error
	}{
		{"refusal without reason", bookings.Refused, "", bookings.ErrReasonRequired},
		{"refusal with blanks", bookings.Refused, "  \n\t", bookings.ErrReasonRequired},
		{"refusal with reason", bookings.Refused, "nessun operatore libero", nil},
		{"cancellation without reason", bookings.Cancelled, "", nil},
		{"confirmation without reason", bookings.Confirmed, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := booking("0123456789ab", "web:abc", created.Add(24*time.Hour), created)
			err := b.Transition(tt.to, "Marco", tt.reason, created)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil && b.Status != bookings.Requested {
				t.Errorf("status %s after a failed transition", b.Status)
			}
		})
	}
	t.Run("long reason is cut", func(t *testing.T) {
		b := booking("0123456789ab", "web:abc", created.Add(24*time.Hour), created)
		if err := b.Transition(bookings.Refused, "Marco", strings.Repeat("è", 1000), created); err != nil {
			t.Fatal(err)
		}
		if n := len([]rune(b.Reason)); n != bookings.MaxReason {
			t.Errorf("reason of %d runes", n)
		}
	})
}

func TestActiveAndEnd(t *testing.T) {
	start := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for _, s := range statuses {
		b := bookings.Booking{Status: s}
		want := s == bookings.Requested || s == bookings.Confirmed
		if b.Active() != want {
			t.Errorf("%s: Active() = %v", s, !want)
		}
	}
	tests := []struct {
		unit catalogue.CostUnit
		qty  int
		want time.Duration
	}{
		{"ora", 3, 3 * time.Hour},
		{"ora", 1, time.Hour},
		{"ora", 0, time.Hour},
		{"pasto", 5, time.Hour},
		{"seduta", 2, time.Hour},
		{"", 4, time.Hour},
	}
	for _, tt := range tests {
		b := bookings.Booking{Start: start, Quantity: tt.qty}
		if got := b.End(tt.unit).Sub(start); got != tt.want {
			t.Errorf("End(%q) with %d: %v later, want %v", tt.unit, tt.qty, got, tt.want)
		}
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := bookings.NewID()
		if !bookings.ValidID(id) || seen[id] {
			t.Fatalf("NewID() = %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "0123456789a", "0123456789abc", "0123456789AB", "0123456789ag", "../../etc/pa"} {
		if bookings.ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

func TestValidate(t *testing.T) {
	created := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		change func(*bookings.Booking)
	}{
		{"bad id", func(b *bookings.Booking) { b.ID = "x" }},
		{"no conversation", func(b *bookings.Booking) { b.Conversation = "" }},
		{"no service", func(b *bookings.Booking) { b.Service = "" }},
		{"no start", func(b *bookings.Booking) { b.Start = time.Time{} }},
		{"zero quantity", func(b *bookings.Booking) { b.Quantity = 0 }},
		{"huge quantity", func(b *bookings.Booking) { b.Quantity = bookings.MaxQuantity + 1 }},
		{"for whom", func(b *bookings.Booking) { b.ForWhom = "dog" }},
		{"series", func(b *bookings.Booking) { b.Series = "not-an-id" }},
		{"municipio 0", func(b *bookings.Booking) { b.Municipio = 0 }},
		{"municipio 10", func(b *bookings.Booking) { b.Municipio = 10 }},
		{"long note", func(b *bookings.Booking) { b.Note = strings.Repeat("a", bookings.MaxNote+1) }},
		{"estimate", func(b *bookings.Booking) { b.EstimateCents = -2 }},
		{"status", func(b *bookings.Booking) { b.Status = "boh" }},
		{"no creation", func(b *bookings.Booking) { b.Created = time.Time{} }},
	}
	ok := booking("0123456789ab", "telegram:42", created.Add(time.Hour), created)
	ok.Note = strings.Repeat("à", bookings.MaxNote)
	if err := ok.Validate(); err != nil {
		t.Fatalf("a valid booking: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ok
			tt.change(&b)
			if err := b.Validate(); !errors.Is(err, bookings.ErrInvalid) {
				t.Errorf("Validate() = %v, want ErrInvalid", err)
			}
		})
	}
}
