package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/desk"
)

func TestFigures(t *testing.T) {
	ctx := context.Background()
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	f := desk.NewFigures(openStore(t), rome, nil)
	// 23:30 UTC on the 22nd is already the 23rd in Rome.
	day := time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC)
	for _, fact := range []desk.Fact{
		{Kind: desk.FactConversation}, {Kind: desk.FactConversation},
		{Kind: desk.FactSearch}, {Kind: desk.FactSearch}, {Kind: desk.FactSearch},
		{Kind: desk.FactEmptySearch, Text: "Astronave  Marziana"}, {Kind: desk.FactEmptySearch, Text: "astronave marziana"},
		{Kind: desk.FactEmptySearch, Text: "corso di\tuncinetto\u202e"},
		{Kind: desk.FactHandoff},
		{Kind: desk.FactRating, Value: 5}, {Kind: desk.FactRating, Value: 4},
	} {
		fact.At = day
		f.Count(ctx, fact)
	}
	f.Count(ctx, desk.Fact{Kind: desk.FactSearch, At: day.Add(-time.Hour)}) // the 22nd in Rome

	got, err := f.Day(ctx, time.Date(2026, 11, 23, 12, 0, 0, 0, rome))
	if err != nil {
		t.Fatal(err)
	}
	if got.Conversations != 2 || got.Searches != 3 || got.EmptySearches != 3 || got.Handoffs != 1 || got.Ratings != 2 {
		t.Errorf("figures: %+v", got)
	}
	if avg, ok := got.AverageRating(); !ok || avg != 4.5 {
		t.Errorf("average rating %v %v, want 4.5", avg, ok)
	}
	if len(got.Missed) != 2 || got.Missed[0] != (desk.Missed{Text: "astronave marziana", Count: 2}) || got.Missed[1].Text != "corso di uncinetto" {
		t.Errorf("missed searches: %+v", got.Missed)
	}
	if !got.Date.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, rome)) {
		t.Errorf("date %v", got.Date)
	}
	empty, err := f.Day(ctx, time.Date(2026, 1, 1, 12, 0, 0, 0, rome))
	if err != nil || empty.Searches != 0 || len(empty.Missed) != 0 {
		t.Errorf("a day without figures: %+v %v", empty, err)
	}
	if _, ok := empty.AverageRating(); ok {
		t.Error("an average rating without ratings")
	}
}

// A flood of distinct texts cannot grow a day's list without bound.
func TestMissedTextsBounded(t *testing.T) {
	ctx := context.Background()
	f := desk.NewFigures(openStore(t), time.UTC, nil)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 520 {
		f.Count(ctx, desk.Fact{Kind: desk.FactEmptySearch, At: at, Text: string(rune('a'+i%26)) + string(rune('a'+i/26)) + strings.Repeat("x", 150)})
	}
	got, err := f.Day(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	if got.EmptySearches != 520 || len(got.Missed) != 500 {
		t.Errorf("%d empty searches, %d texts kept", got.EmptySearches, len(got.Missed))
	}
	for _, m := range got.Missed {
		if len([]rune(m.Text)) > 100 {
			t.Fatalf("a text of %d runes kept", len([]rune(m.Text)))
		}
	}
}
