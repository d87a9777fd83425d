// Package webload drives a web chat over HTTP from many citizens at once, each with
// the session its page was given, for the benchmarks of the web chat and of the whole
// server.
package webload

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
)

// Message is what a citizen sends: a text, a button's data or a location.
type Message struct {
	Text     string
	Button   string
	Location *Point
}

// Point is a shared location.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Mixed is what one citizen does, round and round, as in the engine's benchmark:
// greet, search, page, open a card (service), ask what is near.
func Mixed(service string) []Message {
	return []Message{
		{Text: "ciao"},
		{Text: "non so a chi lasciare i bambini"},
		{Button: "page:1"},
		{Button: "svc:" + service},
		{Text: "mia mamma non riesce più a cucinare"},
		{Location: &Point{Lat: 45.4642, Lon: 9.19}},
	}
}

// Options say how Run loads a web chat.
type Options struct {
	// Base is the chat's address, "http://127.0.0.1:port".
	Base string
	// Sessions is how many citizens send messages at once, each from its own session.
	Sessions int
	// Work is what each citizen sends, round and round.
	Work []Message
	// PerSession bounds the messages sent from one session, after which its citizen
	// leaves and a new one comes: under the limits of a server's (0: no bound).
	PerSession int
	// Open, if set, opens a session and returns its cookie ("name=value"); nil: a GET
	// of the page, as a browser does.
	Open func() string
	// Started, if set, is called once every session is open, just before the
	// measured messages are sent: where a caller reads its counters.
	Started func()
}

// Run opens opts.Sessions pages, then sends b.N messages of opts.Work from them at
// once over HTTP, as the page does, and reports msgs/s, the latency percentiles and
// the CPU time per message of this process (the server's, when it runs here). It
// returns the number of messages answered.
func Run(b *testing.B, opts Options) int {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: opts.Sessions}}
	defer client.CloseIdleConnections()
	if opts.Open == nil {
		opts.Open = func() string { return openPage(b, client, opts.Base) }
	}
	// RunParallel starts parallelism × GOMAXPROCS goroutines, each a citizen at a time.
	parallelism := max(opts.Sessions/runtime.GOMAXPROCS(0), 1)
	sessions := parallelism * runtime.GOMAXPROCS(0)
	if opts.PerSession > 0 {
		sessions += (b.N + opts.PerSession - 1) / opts.PerSession
	}
	cookies := make(chan string, sessions)
	for range sessions {
		cookies <- opts.Open()
	}
	work := make([]encodedMessage, len(opts.Work))
	for i, m := range opts.Work {
		work[i] = encodeMessage(m)
	}
	var mu sync.Mutex
	var all []time.Duration
	var next atomic.Int64
	b.SetParallelism(parallelism)
	if opts.Started != nil {
		opts.Started()
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpuBefore := processCPU(b)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		cookie := <-cookies
		id := next.Add(1)
		conn, err := newChatConn(opts.Base)
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.close()
		var lat []time.Duration
		var body []byte
		for i := 0; pb.Next(); i++ {
			if opts.PerSession > 0 && i > 0 && i%opts.PerSession == 0 {
				cookie = <-cookies
			}
			body = work[i%len(work)].body(body[:0], id, i)
			t0 := time.Now()
			if err := conn.post(cookie, body); err != nil {
				b.Errorf("message %d of session %d: %v", i, id, err)
				return
			}
			lat = append(lat, time.Since(t0))
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	cpu := processCPU(b) - cpuBefore
	b.StopTimer()
	report(b, all, elapsed, cpu)
	return len(all)
}

// report reports msgs/s, p50, p99 and cpu-µs/msg.
func report(b *testing.B, all []time.Duration, elapsed, cpu time.Duration) {
	if len(all) == 0 {
		return
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	n := float64(len(all))
	b.ReportMetric(n/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/n, "cpu-µs/msg")
}

// openPage loads the chat page, as a browser does, and returns the session cookie
// it sets ("name=value").
func openPage(b *testing.B, client *http.Client, base string) string {
	b.Helper()
	resp, err := client.Get(base + "/")
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		return c.Name + "=" + c.Value
	}
	b.Fatalf("GET /: %d without a session cookie", resp.StatusCode)
	return ""
}

// processCPU returns the user and system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// RoundTrips counts the commands and pipelines a Redis client sends: add it to the
// client with AddHook.
type RoundTrips struct{ n atomic.Int64 }

// N is the number of round trips counted.
func (r *RoundTrips) N() int64 { return r.n.Load() }

// DialHook implements goredis.Hook.
func (r *RoundTrips) DialHook(next goredis.DialHook) goredis.DialHook { return next }

// ProcessHook implements goredis.Hook.
func (r *RoundTrips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error { r.n.Add(1); return next(ctx, cmd) }
}

// ProcessPipelineHook implements goredis.Hook.
func (r *RoundTrips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error { r.n.Add(1); return next(ctx, cmds) }
}

// ReportRedis reports the work a Redis did for n messages (used: the difference of
// two redistest.Usage readings) and the round trips sent to it, per message.
func ReportRedis(b *testing.B, used redistest.Usage, n int, roundTrips int64) {
	if n == 0 {
		return
	}
	b.ReportMetric(float64(used.Commands)/float64(n), "redis-cmds/msg")
	b.ReportMetric(float64(used.CPU.Microseconds())/float64(n), "redis-µs/msg")
	b.ReportMetric(float64(roundTrips)/float64(n), "roundtrips/msg")
}
