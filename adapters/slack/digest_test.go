package slack_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/comune-milano/wemibot/desk"
)

// Two replicas run the digest for the same day: it is posted once, with the open
// handoffs, yesterday's figures and yesterday's searches that found nothing.
func TestDigestPostedOnce(t *testing.T) {
	first := newEnv(t)
	second := newEnv(t, func(o *envOptions) { o.shared = first })
	ctx := testContext(t)
	sunday := time.Date(2026, time.March, 1, 15, 0, 0, 0, rome)
	for _, f := range []desk.Fact{
		{Kind: desk.FactConversation}, {Kind: desk.FactConversation}, {Kind: desk.FactConversation},
		{Kind: desk.FactSearch}, {Kind: desk.FactSearch}, {Kind: desk.FactSearch}, {Kind: desk.FactSearch},
		{Kind: desk.FactEmptySearch, Text: "Badante notturna"}, {Kind: desk.FactEmptySearch, Text: "badante  notturna"},
		{Kind: desk.FactEmptySearch, Text: "corso di <b>uncinetto</b>"},
		{Kind: desk.FactHandoff}, {Kind: desk.FactHandoff},
		{Kind: desk.FactRating, Value: 4}, {Kind: desk.FactRating, Value: 5},
	} {
		f.At = sunday
		first.figures.Count(ctx, f)
	}
	// Today's figures are not yesterday's.
	first.figures.Count(ctx, desk.Fact{Kind: desk.FactEmptySearch, Text: "oggi", At: monday10})
	if err := first.handoffs.Open(ctx, desk.Handoff{ID: "h1", Conversation: "web:a", Channel: "web", FirstName: "Anna",
		Opened: sunday.Add(2 * time.Hour), Priority: true}); err != nil {
		t.Fatal(err)
	}

	at := time.Date(2026, time.March, 2, 8, 0, 0, 0, rome)
	var wg sync.WaitGroup
	var mu sync.Mutex
	posted := 0
	for _, e := range []*env{first, second, first, second} {
		wg.Go(func() {
			ok, err := e.desk.Digest(ctx, at)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				posted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if posted != 1 {
		t.Fatalf("the digest was posted %d times, want once", posted)
	}
	posts := first.srv.Posts(operators)
	if len(posts) != 1 {
		t.Fatalf("%d posts in the channel, want 1", len(posts))
	}
	text := posts[0].Text
	for _, want := range []string{
		"Riepilogo WeMi del 02/03/2026",
		"Richieste aperte: 1", ":rotating_light: Anna (Chat del sito), in attesa da 17 h 0 min", // the desk's clock: Monday 10:00
		"*Ieri* (01/03/2026)", "Conversazioni: 3", "Ricerche: 4, di cui senza risultati: 3", "Richieste di un operatore: 2",
		"Giudizio medio: 4,5 su 5 (2 giudizi)",
		"«badante notturna» ×2", "«corso di &lt;b&gt;uncinetto&lt;/b&gt;» ×1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the digest does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "oggi") {
		t.Errorf("the digest shows today's searches:\n%s", text)
	}
	// The next day is another digest.
	if ok, err := second.desk.Digest(ctx, at.Add(24*time.Hour)); !ok || err != nil {
		t.Errorf("next day's digest: %v, %v", ok, err)
	}
}

// A digest that could not be posted gives its claim back: the next attempt posts it.
func TestDigestRetriedAfterAFailure(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	at := time.Date(2026, time.March, 2, 8, 0, 0, 0, rome)
	e.srv.FailNext("chat.postMessage", 1, "not_in_channel")
	if ok, err := e.desk.Digest(ctx, at); ok || err == nil {
		t.Fatalf("a failed post: %v, %v", ok, err)
	}
	if ok, err := e.desk.Digest(ctx, at); !ok || err != nil {
		t.Fatalf("the retry: %v, %v", ok, err)
	}
	if ok, _ := e.desk.Digest(ctx, at); ok {
		t.Error("posted twice")
	}
}

// AddTo runs the digest at 08:00 in Milan whatever the cron's own time zone.
func TestDigestAddTo(t *testing.T) {
	e := newEnv(t, func(o *envOptions) { o.noRun = true })
	for _, loc := range []*time.Location{time.UTC, mustLoad("America/New_York")} {
		c := cron.New(cron.WithLocation(loc))
		id, err := e.desk.AddTo(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct{ from, want time.Time }{
			{monday10, time.Date(2026, time.March, 3, 8, 0, 0, 0, rome)},
			{time.Date(2026, time.March, 3, 7, 59, 0, 0, rome), time.Date(2026, time.March, 3, 8, 0, 0, 0, rome)},
			// The night daylight saving time starts.
			{time.Date(2026, time.March, 28, 9, 0, 0, 0, rome), time.Date(2026, time.March, 29, 8, 0, 0, 0, rome)},
		}
		for _, tt := range tests {
			if got := c.Entry(id).Schedule.Next(tt.from); !got.Equal(tt.want) {
				t.Errorf("cron in %s: next digest after %v is %v, want %v", loc, tt.from, got.In(rome), tt.want)
			}
		}
	}
}
