package main

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/stripe/stripetest"
)

// redisMonitor records the commands a Redis receives (redis-cli monitor), from the
// clients and from its scripts, between start and stop.
type redisMonitor struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	seen  chan string
}

func startMonitor(tb testing.TB, srv *redistest.Server) *redisMonitor {
	tb.Helper()
	m := &redisMonitor{cmd: exec.Command("redis-cli", "-s", srv.Socket(), "monitor"), seen: make(chan string, 1024)}
	out, err := m.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := m.cmd.Start(); err != nil {
		tb.Fatalf("redis-cli monitor: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			m.mu.Lock()
			m.lines = append(m.lines, sc.Text())
			m.mu.Unlock()
			select {
			case m.seen <- sc.Text():
			default:
			}
		}
	}()
	m.mark(tb, srv, "wemibot-monitor-start")
	return m
}

// mark sends a marker through Redis and waits until the monitor printed it: what came
// before it is in the record.
func (m *redisMonitor) mark(tb testing.TB, srv *redistest.Server, marker string) {
	tb.Helper()
	c := goredis.NewClient(&goredis.Options{Network: "unix", Addr: srv.Socket()})
	defer c.Close()
	deadline := time.After(10 * time.Second)
	for {
		c.Echo(context.Background(), marker)
		select {
		case l := <-m.seen:
			if strings.Contains(l, marker) {
				return
			}
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			tb.Fatalf("redis monitor never showed %s", marker)
		}
	}
}

// stop ends the monitor and returns the commands between its start and stop markers.
func (m *redisMonitor) stop(tb testing.TB, srv *redistest.Server) []string {
	tb.Helper()
	m.mark(tb, srv, "wemibot-monitor-stop")
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	in := false
	for _, l := range m.lines {
		switch {
		case strings.Contains(l, "wemibot-monitor-start"):
			in = true
		case strings.Contains(l, "wemibot-monitor-stop"):
			in = false
		case in:
			out = append(out, l)
		}
	}
	return out
}

// redisCost counts monitored commands: those the clients sent, the round trips they
// took (a MULTI…EXEC block is one: go-redis pipelines it), and those run by scripts.
type redisCost struct {
	commands, roundTrips, scripted int
	byName                         map[string]int
}

func costOf(lines []string) redisCost {
	c := redisCost{byName: map[string]int{}}
	inMulti := false
	for _, l := range lines {
		_, rest, _ := strings.Cut(l, "] ")
		name := strings.Trim(strings.SplitN(rest, " ", 2)[0], `"`)
		if strings.Contains(l, " lua] ") {
			c.scripted++
			continue
		}
		if up := strings.ToUpper(name); up == "HELLO" || up == "ECHO" {
			continue // the monitor's own marker client
		}
		c.commands++
		c.byName[strings.ToUpper(name)]++
		switch strings.ToUpper(name) {
		case "MULTI":
			inMulti = true
			c.roundTrips++
		case "EXEC", "DISCARD":
			inMulti = false
		default:
			if !inMulti {
				c.roundTrips++
			}
		}
	}
	return c
}

func (c redisCost) String() string {
	names := make([]string, 0, len(c.byName))
	for n, k := range c.byName {
		names = append(names, fmt.Sprintf("%s×%d", n, k))
	}
	sort.Strings(names)
	return fmt.Sprintf("%d round trips, %d commands (%s), %d more inside scripts", c.roundTrips, c.commands, strings.Join(names, " "), c.scripted)
}

// BenchmarkWebhookToReceipt measures one paid booking on the real wiring over Redis:
// from the webhook's arrival to the receipt stored in the citizen's inbox (the webhook
// answers once it is), and what that costs Redis, the first delivery and a
// redelivery. The page then shows it at its next poll (every 4 s while visible).
//
//	go test -run '^$' -bench WebhookToReceipt -benchtime 50x ./cmd/wemibot/
func BenchmarkWebhookToReceipt(b *testing.B) {
	srv, mock := redistest.Start(b), stripetest.Start(b)
	p := startPayServer(b, payEnv(b, srv, mock))
	citizen := openChat(b, p.base)
	var first, again redisCost
	var waits []time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		id := p.requestBooking(b, "web:"+citizen.session)
		p.offer(b, id, 4550, time.Now().Add(20*time.Hour))
		time.Sleep(time.Second) // the inbox takes a poll a second
		citizen.inbox()
		body := paid(fmt.Sprintf("evt_bench_%d", i), id, 4550)
		mon := startMonitor(b, srv)
		b.StartTimer()
		start := time.Now()
		if code := stripeDelivers(b, p.base, body, stripetest.Sign(e2eWebhookSecret, body, time.Now())); code != 200 {
			b.Fatalf("status %d", code)
		}
		waits = append(waits, time.Since(start))
		b.StopTimer()
		lines := mon.stop(b, srv)
		c := costOf(lines)
		if i == 0 && testing.Verbose() {
			for _, l := range lines {
				if !strings.Contains(l, " lua] ") {
					b.Log(truncate(l, 160))
				}
			}
		}
		mon = startMonitor(b, srv)
		stripeDelivers(b, p.base, body, stripetest.Sign(e2eWebhookSecret, body, time.Now()))
		r := costOf(mon.stop(b, srv))
		if i == 0 {
			first, again = c, r
		}
		time.Sleep(time.Second)
		if got := citizen.inbox().text(); !strings.Contains(got, "Ricevuta") {
			b.Fatalf("no receipt:\n%s", got)
		}
		b.StartTimer()
	}
	b.StopTimer()
	sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
	b.ReportMetric(float64(waits[len(waits)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(waits[len(waits)*99/100].Microseconds())/1000, "ms-p99")
	b.ReportMetric(float64(first.roundTrips), "redis-rtt/paid")
	b.ReportMetric(float64(again.roundTrips), "redis-rtt/redelivery")
	b.Logf("paid booking: %s", first)
	b.Logf("redelivery: %s", again)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
