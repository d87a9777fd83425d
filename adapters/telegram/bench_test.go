package telegram_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/bot"
)

// BenchmarkAdapter measures updates per second through the adapter (the fake Bot API,
// the real client, the engine on bbolt), without Telegram's rate limits, and the
// latency from an update's arrival at the fake to the reply's: "burst" pushes all
// updates at once (throughput; latency is mostly waiting in line), "paced" offers
// 200 updates a second (latency).
func BenchmarkAdapter(b *testing.B) {
	b.Run("burst", func(b *testing.B) { benchAdapter(b, 0, false) })
	b.Run("paced-200-per-s", func(b *testing.B) { benchAdapter(b, 200, false) })
	// The same with every reply kept in the bbolt outbox until Telegram has it.
	b.Run("burst-bolt-outbox", func(b *testing.B) { benchAdapter(b, 0, true) })
	b.Run("paced-200-per-s-bolt-outbox", func(b *testing.B) { benchAdapter(b, 200, true) })
}

func benchAdapter(b *testing.B, perSecond int, durable bool) {
	fake := telegramtest.New(b, token)
	store, err := bolt.Open(filepath.Join(b.TempDir(), "wemi.db"), bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	idx := testIndex(b)
	e, err := bot.New(bot.Options{Search: idx, Store: store, RateLimit: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	opts := telegram.Options{Token: token, APIEndpoint: fake.Endpoint(), PollTimeout: time.Second,
		GlobalRate: -1, ChatRate: -1, Workers: 64}
	if durable {
		opts.Outbox = store.Outbox()
	}
	a, err := telegram.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, e) }()
	defer func() { cancel(); <-done }()
	const chats = 64
	pushed := make([][]time.Time, chats)
	// Each of these is answered with exactly one message.
	queries := []string{"psicologo", "/aiuto", "ciao", "/categorie", "corso di italiano"}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if perSecond > 0 {
			if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(perSecond))); d > 0 {
				time.Sleep(d)
			}
		}
		c := i % chats
		pushed[c] = append(pushed[c], time.Now())
		fake.PushMessage(int64(8000+c), telegramtest.User{ID: int64(8000 + c), FirstName: "B"}, queries[i%len(queries)])
	}
	var lat []time.Duration
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	for c := 0; c < chats; c++ {
		if len(pushed[c]) == 0 {
			continue
		}
		sent, err := fake.WaitSent(wctx, int64(8000+c), len(pushed[c]))
		if err != nil {
			b.Fatalf("chat %d: %v (%d of %d sent, %d pending updates)", c, err, len(fake.Sent(int64(8000+c))), len(pushed[c]), fake.PendingUpdates())
		}
		for i, p := range pushed[c] {
			lat = append(lat, sent[i].Time.Sub(p))
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
