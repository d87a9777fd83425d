package bot_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/clocktest"
)

// BenchmarkPaymentReceivedRedis measures what a paid booking costs once its
// provider's webhook arrives: Redis round trips (the booking's atomic update, the
// reminders replaced, the staff event's own reads left to the desk) and how long the
// citizen waits from the notice to the receipt reaching the channel's Pusher.
func BenchmarkPaymentReceivedRedis(b *testing.B) {
	client, _ := benchRedis(b)
	rt := &roundTrips{}
	client.AddHook(rt)
	store := redis.New(client, redis.Options{})
	clock := clocktest.New(monday10(b))
	bs := bookings.NewStore(store, 90*24*time.Hour)
	box := &inbox{}
	p := &payments{}
	e, err := bot.New(bot.Options{Search: testIndex(b), Store: store, Staff: &staffDesk{}, Now: clock.Now,
		Pushers: map[string]bot.Pusher{"test": box}, Bookings: bs, Reminders: store,
		Payments: bot.Payments{Checkout: p, Refunder: p}})
	if err != nil {
		b.Fatal(err)
	}
	s := bookableService(b)
	ctx := context.Background()
	var trips int64
	lat := make([]time.Duration, 0, b.N)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		id := bookings.NewID()
		now := clock.Now()
		bk := bookings.Booking{ID: id, Conversation: fmt.Sprintf("test:b%d", i), Lang: "it", Service: s.ID,
			Start: now.Add(48 * time.Hour), Quantity: 2, ForWhom: bookings.ForSelf, Municipio: s.Municipi[0],
			EstimateCents: 4550, Status: bookings.Requested, Created: now, Updated: now}
		if err := bs.Create(ctx, bk); err != nil {
			b.Fatal(err)
		}
		if _, err := e.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingOffer, Booking: id, PriceCents: 4550,
			Expires: now.Add(24 * time.Hour)}); err != nil {
			b.Fatal(err)
		}
		before := rt.n.Load()
		b.StartTimer()
		t0 := time.Now()
		if _, err := e.PaymentReceived(ctx, notice(id, 4550, "evt_"+id)); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		trips += rt.n.Load() - before
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if n := len(lat); n > 0 {
		b.ReportMetric(float64(trips)/float64(n), "roundtrips/payment")
		b.ReportMetric(float64(lat[n/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[n*99/100].Microseconds())/1000, "p99-ms")
	}
}
