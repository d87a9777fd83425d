package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// benchConversations is how many conversations run at once.
const benchConversations = 64

// mixedWorkload is what one citizen does, round and round: greet, search, page,
// open a card, ask what is near.
func mixedWorkload(cat *catalogue.Catalogue) []bot.Message {
	near := catalogue.Point{Lat: 45.4642, Lon: 9.19}
	return []bot.Message{
		{Text: "ciao"},
		{Text: "non so a chi lasciare i bambini"},
		{Button: "page:1"},
		{Button: "svc:" + cat.Services[3].ID},
		{Text: "mia mamma non riesce più a cucinare"},
		{Location: &near},
	}
}

// runEngineBenchmark sends the mixed workload from benchConversations concurrent
// conversations and reports messages per second and latency percentiles.
func runEngineBenchmark(b *testing.B, store bot.Store, srv *redistest.Server) {
	idx := testIndex(b)
	e, err := bot.New(bot.Options{Search: idx, Store: store, RateLimit: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	work := mixedWorkload(idx.Catalogue())
	var conv atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	b.SetParallelism((benchConversations + 1) / 2) // 2 cores × 32 = 64 goroutines
	var redisBefore redistest.Usage
	if srv != nil {
		redisBefore = srv.Usage()
	}
	b.ResetTimer()
	cpuBefore := processCPU(b)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		id := fmt.Sprint(conv.Add(1))
		var lat []time.Duration
		for i := 0; pb.Next(); i++ {
			m := work[i%len(work)]
			m.Channel, m.UserID, m.UpdateID = "bench", id, fmt.Sprint(i)
			t0 := time.Now()
			replies, err := e.Handle(context.Background(), m)
			lat = append(lat, time.Since(t0))
			if err != nil || len(replies) == 0 {
				b.Errorf("message %d: %d replies, %v", i, len(replies), err)
				return
			}
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	cpu := processCPU(b) - cpuBefore
	b.StopTimer()
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) > 0 {
		n := float64(len(all))
		b.ReportMetric(n/elapsed.Seconds(), "msgs/s")
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(cpu.Microseconds())/n, "cpu-µs/msg")
		if srv != nil {
			used := srv.Usage().Sub(redisBefore)
			b.ReportMetric(float64(used.Commands)/n, "redis-cmds/msg")
			b.ReportMetric(float64(used.CPU.Microseconds())/n, "redis-µs/msg")
		}
	}
}

// processCPU returns the user and system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkEngineBolt(b *testing.B) {
	s, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"), bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	runEngineBenchmark(b, s, nil)
}

// roundTrips counts the commands and pipelines sent to Redis.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (r *roundTrips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error { r.n.Add(1); return next(ctx, cmd) }
}
func (r *roundTrips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error { r.n.Add(1); return next(ctx, cmds) }
}

// benchRedis starts a private redis-server and a client sized for the benchmark.
func benchRedis(b *testing.B) (*goredis.Client, *redistest.Server) {
	b.Helper()
	srv := redistest.Start(b)
	opts, err := goredis.ParseURL(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	opts.PoolSize = benchConversations
	client := goredis.NewClient(opts)
	b.Cleanup(func() { client.Close() })
	return client, srv
}

func BenchmarkEngineRedis(b *testing.B) {
	client, srv := benchRedis(b)
	rt := &roundTrips{}
	client.AddHook(rt)
	runEngineBenchmark(b, redis.New(client, redis.Options{}), srv)
	b.ReportMetric(float64(rt.n.Load())/float64(b.N), "roundtrips/msg")
}

// BenchmarkEngineRedisPaced offers the mixed workload at a steady rate (open loop:
// latency counts from when a message was due, so waiting in line is included) from
// benchConversations conversations, each handling its messages in order, and reports
// the latency percentiles at that rate.
func BenchmarkEngineRedisPaced(b *testing.B) {
	for _, rate := range []int{3000, 5000} {
		b.Run(fmt.Sprintf("%d-per-s", rate), func(b *testing.B) {
			client, _ := benchRedis(b)
			runPaced(b, redis.New(client, redis.Options{}), rate)
		})
	}
}

func runPaced(b *testing.B, store bot.Store, rate int) {
	idx := testIndex(b)
	e, err := bot.New(bot.Options{Search: idx, Store: store, RateLimit: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	work := mixedWorkload(idx.Catalogue())
	type job struct {
		due time.Time
		n   int
	}
	queues := make([]chan job, benchConversations)
	lat := make([][]time.Duration, benchConversations)
	var wg sync.WaitGroup
	for c := range queues {
		queues[c] = make(chan job, 1024)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queues[c] {
				m := work[(j.n/benchConversations)%len(work)]
				m.Channel, m.UserID, m.UpdateID = "paced", fmt.Sprint(c), fmt.Sprint(j.n)
				if _, err := e.Handle(context.Background(), m); err != nil {
					b.Errorf("handle: %v", err)
				}
				lat[c] = append(lat[c], time.Since(j.due))
			}
		}()
	}
	interval := time.Second / time.Duration(rate)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		queues[i%benchConversations] <- job{due: due, n: i}
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}
