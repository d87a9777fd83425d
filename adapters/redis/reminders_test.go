package redis_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/reminders/reminderstest"
)

func TestRemindersContract(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	var n atomic.Int64
	reminderstest.Run(t, func(t *testing.T) reminders.Queue {
		// A fresh prefix per subtest isolates the parallel subtests on one server.
		return redis.New(client, redis.Options{Prefix: fmt.Sprintf("rem%d", n.Add(1))})
	})
}

// TestRemindersUnreadable corrupts reminders in Redis itself.
func TestRemindersUnreadable(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	store := redis.New(client, redis.Options{Prefix: "bot7"})
	reminderstest.Unreadable(t, store, func(t *testing.T, id string) {
		t.Helper()
		if err := client.HSet(context.Background(), "bot7:{rem}:data", id, `{"id":`).Err(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRemindersExactlyOnce runs three dispatchers, each with its own connections as
// three replicas would have, on one Redis; the first crashes mid-way.
func TestRemindersExactlyOnce(t *testing.T) {
	srv := redistest.Start(t)
	var queues [3]reminders.Queue
	for i := range queues {
		queues[i] = redis.New(newClient(t, srv), redis.Options{})
	}
	reminderstest.ExactlyOnce(t, queues, 10000)
}

// TestRemindersKeys checks the queue's keys: all in one hash tag, hence one cluster
// slot, whatever the ids hold; and one round trip per call.
func TestRemindersKeys(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	log := &commandLog{}
	client.AddHook(log)
	store := redis.New(client, redis.Options{Prefix: "bot7"})
	ctx := context.Background()
	t0 := reminderstest.T0
	rs := []reminders.Reminder{
		reminderstest.Reminder("b{1}:a", "b{1}", t0),
		reminderstest.Reminder("b{1}:b", "b{1}", t0),
		reminderstest.Reminder("c}:x", "c}", t0.Add(time.Hour)),
	}
	if err := store.Plan(ctx, rs...); err != nil {
		t.Fatal(err)
	}
	log.take()
	steps := []struct {
		name string
		op   func() error
	}{
		{"Claim and Done", func() error {
			cs, err := store.Claim(ctx, t0, time.Minute, 2)
			if err != nil || len(cs) != 2 {
				return fmt.Errorf("claimed %d, %v", len(cs), err)
			}
			if err := store.Done(ctx, cs[0]); err != nil {
				return err
			}
			return store.Fail(ctx, cs[1], "blocked")
		}},
		{"Pending", func() error { _, err := store.Pending(ctx, "c}"); return err }},
		{"Failed", func() error { _, err := store.Failed(ctx); return err }},
		{"Plan", func() error { return store.Plan(ctx, rs[2]) }},
		{"Cancel", func() error { return store.Cancel(ctx, "nope") }},
		{"CancelBooking", func() error { return store.CancelBooking(ctx, "nope") }},
	}
	for _, step := range steps {
		if err := step.op(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		for _, cmd := range log.take() {
			if cmd != "evalsha" && cmd != "eval" {
				t.Errorf("%s: sent %s, want scripts only", step.name, cmd)
			}
		}
	}
	// The claimed and failed reminder's claim is gone: no token or leased set is left.
	keys := wantKeys(t, client, "bot7:{rem}:due", "bot7:{rem}:failed", "bot7:{rem}:data", "bot7:{rem}:booking")
	for _, key := range keys {
		if !strings.HasPrefix(key, "bot7:{rem}:") {
			t.Errorf("key %q outside the {rem} hash tag", key)
		}
	}
	if ttl := client.PTTL(ctx, "bot7:{rem}:data").Val(); ttl != -1 {
		t.Errorf("reminders expire (PTTL %v): they must stay until done", ttl)
	}
}

// TestRemindersLeaseAcrossClients checks that a reminder claimed through a client that
// is gone (closed) is claimed through another once the lease has run out.
func TestRemindersLeaseAcrossClients(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	gone := newClient(t, srv)
	first := redis.New(gone, redis.Options{})
	t0 := reminderstest.T0
	if err := first.Plan(ctx, reminderstest.Reminder("a", "b", t0)); err != nil {
		t.Fatal(err)
	}
	held, err := first.Claim(ctx, t0, time.Minute, 10)
	if err != nil || len(held) != 1 {
		t.Fatalf("Claim: %v, %v", held, err)
	}
	_ = gone.Close()
	second := redis.New(newClient(t, srv), redis.Options{})
	if cs, err := second.Claim(ctx, t0.Add(59*time.Second), time.Minute, 10); err != nil || len(cs) != 0 {
		t.Fatalf("Claim within the lease: %v, %v", cs, err)
	}
	cs, err := second.Claim(ctx, t0.Add(time.Minute), time.Minute, 10)
	if err != nil || len(cs) != 1 || cs[0].Attempts != 1 {
		t.Fatalf("Claim after the lease: %+v, %v", cs, err)
	}
}

// BenchmarkDispatchRedis measures reminders dispatched per second through Redis by
// dispatchers without a rate limit, to a sender that does nothing: the cost of the
// queue. b.N reminders, all due, are planned first (not timed).
func BenchmarkDispatchRedis(b *testing.B) {
	srv := redistest.Start(b)
	for _, dispatchers := range []int{1, 3} {
		b.Run(fmt.Sprintf("dispatchers=%d", dispatchers), func(b *testing.B) {
			client := newClient(b, srv)
			if err := client.FlushAll(context.Background()).Err(); err != nil {
				b.Fatal(err)
			}
			reminderstest.Fill(b, redis.New(client, redis.Options{}), b.N, 500)
			rec := &reminderstest.Recorder{}
			ds := make([]*reminders.Dispatcher, dispatchers)
			for i := range ds {
				d, err := reminders.NewDispatcher(redis.New(newClient(b, srv), redis.Options{}), rec,
					reminders.Options{Now: func() time.Time { return reminderstest.T0 }, Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				ds[i] = d
			}
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for _, d := range ds {
				wg.Go(func() {
					for range b.N + 1 { // bounded: each tick sends at least one, or stops
						if sent, err := d.Tick(ctx); err != nil || sent == 0 {
							if err != nil {
								b.Error(err)
							}
							return
						}
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if rec.Distinct() != b.N || len(rec.Repeated()) > 0 {
				b.Fatalf("%d of %d reminders sent, %d more than once", rec.Distinct(), b.N, len(rec.Repeated()))
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "reminders/s")
		})
	}
}

// Redis unreachable for a while (the server frozen, its data intact): ticks fail and
// say so, nothing is sent twice or dropped, and once it answers again every reminder
// goes out once.
func TestRemindersWhileRedisIsAway(t *testing.T) {
	srv := redistest.Start(t)
	store := redis.New(newClient(t, srv), redis.Options{})
	reminderstest.Fill(t, store, 50, 50)
	rec := &reminderstest.Recorder{}
	d, err := reminders.NewDispatcher(store, rec, reminders.Options{
		Now: func() time.Time { return reminderstest.T0 }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	sent, err := d.Tick(ctx)
	cancel()
	if err == nil || sent != 0 {
		t.Errorf("a tick with Redis away: sent %d, err %v", sent, err)
	}
	srv.Resume()
	for range 10 { // bounded: each tick sends a batch
		if sent, err := d.Tick(context.Background()); err != nil {
			t.Fatal(err)
		} else if sent == 0 {
			break
		}
	}
	if rec.Distinct() != 50 || len(rec.Repeated()) != 0 {
		t.Errorf("after Redis came back: %d distinct, repeated %v", rec.Distinct(), rec.Repeated())
	}
	if failed, err := store.Failed(context.Background()); err != nil || len(failed) != 0 {
		t.Errorf("dead letters: %v %v", failed, err)
	}
}
