package desk

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"
)

// FactKind names what a Fact counts.
type FactKind string

// The facts the engine counts.
const (
	FactConversation FactKind = "conversations" // a conversation's first message of the day
	FactSearch       FactKind = "searches"
	FactEmptySearch  FactKind = "empty_searches" // a search that found nothing; Text is what was searched
	FactHandoff      FactKind = "handoffs"
	FactRating       FactKind = "ratings" // Value is the score, 1-5
)

// Fact is one thing counted: the engine reports them, Figures counts them.
type Fact struct {
	Kind  FactKind
	At    time.Time
	Text  string
	Value int
}

// Figures counts each day's conversations, searches, searches that found nothing
// (with their texts), handoffs and ratings, in Tallies shared by the replicas. It is
// the engine's bot.Figures.
type Figures struct {
	tallies Tallies
	loc     *time.Location
	log     *slog.Logger
}

// How long a day's figures are kept, and how many distinct texts of searches that
// found nothing one day keeps.
const (
	FiguresTTL     = 8 * 24 * time.Hour
	maxMissedTexts = 500
	maxMissedRunes = 100
)

// NewFigures returns Figures kept in tallies, with days in loc (Europe/Rome); a nil
// logger discards.
func NewFigures(tallies Tallies, loc *time.Location, log *slog.Logger) *Figures {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Figures{tallies: tallies, loc: loc, log: log}
}

// countTimeout bounds one count: figures must never hold a conversation up.
const countTimeout = 500 * time.Millisecond

// Count records a fact. Errors are logged, never returned: a conversation does not
// fail because a figure could not be counted.
func (f *Figures) Count(ctx context.Context, fact Fact) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), countTimeout)
	defer cancel()
	day := f.dayKey(fact.At)
	add := func(t Tally) {
		if err := f.tallies.Add(ctx, t); err != nil {
			f.log.WarnContext(ctx, "count a figure failed", "figure", fact.Kind, "err", err)
		}
	}
	add(Tally{Key: "figures:" + day, Field: string(fact.Kind), N: 1, TTL: FiguresTTL})
	switch fact.Kind {
	case FactRating:
		add(Tally{Key: "figures:" + day, Field: "rating_sum", N: int64(fact.Value), TTL: FiguresTTL})
	case FactEmptySearch:
		if text := normalizeMissed(fact.Text); text != "" {
			add(Tally{Key: "missed:" + day, Field: text, N: 1, TTL: FiguresTTL, MaxFields: maxMissedTexts})
		}
	}
}

// normalizeMissed makes the texts of failed searches comparable: lower case, single
// spaces, no control characters, bounded.
func normalizeMissed(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return unicode.ToLower(r)
	}, strings.ToValidUTF8(s, ""))
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxMissedRunes {
		s = string(r[:maxMissedRunes])
	}
	return s
}

// Day is one day's figures.
type Day struct {
	Date          time.Time // midnight, in the desk's time zone
	Conversations int64
	Searches      int64
	EmptySearches int64
	Handoffs      int64
	Ratings       int64
	RatingSum     int64
	// Missed are the texts of searches that found nothing, most frequent first.
	Missed []Missed
}

// Missed is the text of searches that found nothing, and how many times it was searched.
type Missed struct {
	Text  string
	Count int64
}

// AverageRating returns the day's average rating, ok false without ratings.
func (d Day) AverageRating() (avg float64, ok bool) {
	if d.Ratings == 0 {
		return 0, false
	}
	return float64(d.RatingSum) / float64(d.Ratings), true
}

// Day returns the figures of the day at.
func (f *Figures) Day(ctx context.Context, at time.Time) (Day, error) {
	key := f.dayKey(at)
	counts, err := f.tallies.Counts(ctx, "figures:"+key)
	if err != nil {
		return Day{}, fmt.Errorf("read figures of %s: %w", key, err)
	}
	missed, err := f.tallies.Counts(ctx, "missed:"+key)
	if err != nil {
		return Day{}, fmt.Errorf("read missed searches of %s: %w", key, err)
	}
	y, m, d := at.In(f.loc).Date()
	day := Day{Date: time.Date(y, m, d, 0, 0, 0, 0, f.loc),
		Conversations: counts[string(FactConversation)], Searches: counts[string(FactSearch)],
		EmptySearches: counts[string(FactEmptySearch)], Handoffs: counts[string(FactHandoff)],
		Ratings: counts[string(FactRating)], RatingSum: counts["rating_sum"]}
	for text, n := range missed {
		day.Missed = append(day.Missed, Missed{Text: text, Count: n})
	}
	slices.SortFunc(day.Missed, func(a, b Missed) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Text, b.Text))
	})
	return day, nil
}

func (f *Figures) dayKey(at time.Time) string { return at.In(f.loc).Format(time.DateOnly) }
