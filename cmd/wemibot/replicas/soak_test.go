package replicas

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
)

// Bounds of the soak test.
const (
	defaultSoakDuration = time.Minute // WEMI_SOAK_DURATION overrides it (30m outside CI)
	minSoakDuration     = 30 * time.Second
	soakSessions        = 400 // the pool of web sessions the load cycles through
	soakWorkers         = 4   // messages in flight at once
	// soakSessionGap spaces one session's messages, within the bot's limits of one
	// message a second per conversation (and two per web session).
	soakSessionGap = 1100 * time.Millisecond
	// The first and the last window of the soak are compared: its first and last
	// minute, or thirds when it is shorter than three minutes (see soakWindow).
	maxSoakWindow = time.Minute
	// A regression is the last window's p99 over soakSlowdown times the first's, plus
	// soakSlack, so that a first window of a few milliseconds does not make noise one.
	soakSlowdown = 3
	soakSlack    = 25 * time.Millisecond
)

// soakMessages is what each session says, in turn, again and again.
var soakMessages = []string{"mi serve una badante", "quanto costa il primo?", "solo gratuiti", "corsi di italiano per stranieri"}

// The soak test: the web chat (the real binary) on Redis, under a steady load from a
// bounded pool of sessions, each within the bot's per-conversation limits, for
// WEMI_SOAK_DURATION (1 minute by default). It reports messages per second and p99
// latency in the first and the last window (minute, or third of a shorter soak), the
// replica's RSS and Redis's memory per conversation, in the log and in soak.txt in
// the test's folder. It fails on an error answer or a slowdown: the last window's p99
// over three times the first's (plus 25 ms), or a third of its throughput.
func TestSoak(t *testing.T) {
	t.Parallel()
	duration := defaultSoakDuration
	if v := os.Getenv("WEMI_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < minSoakDuration {
			t.Fatalf("WEMI_SOAK_DURATION=%q: want a duration of at least %v", v, minSoakDuration)
		}
		duration = d
	}
	bin := buildWemibot(t)
	rs := redistest.Start(t)
	replica := newReplica(t, bin, map[string]string{"WEMI_REDIS_URL": rs.URL(),
		"WEMI_SESSION_SECRET": "soak-test-session-secret-0123456789abcdef"})
	if err := replica.start(); err != nil {
		t.Fatal(err)
	}
	redis := testRedis(t, rs)
	baseline := usedMemory(t, redis.Info(context.Background(), "memory").Val())

	opening := time.Now()
	load := &soakLoad{addr: replica.address(), clients: make([]*chatClient, soakSessions)}
	for i := range load.clients {
		load.clients[i] = newChatClient(t, load.addr)
	}
	t.Logf("%d sessions opened in %v", soakSessions, time.Since(opening).Round(time.Second))
	// The clock starts once every session is open (opening them waits out the budget
	// of new sessions), so that the first window measures the load only.
	load.start = time.Now()
	load.run(duration)

	used := usedMemory(t, redis.Info(context.Background(), "memory").Val())
	window := soakWindow(duration)
	first, last := load.window(0, window), load.window(duration-window, window)
	report := fmt.Sprintf("soak %v: %d messages, %d errors; first %v %.1f msg/s p99 %v; last %v %.1f msg/s p99 %v; "+
		"RSS %d MiB; Redis %d KiB per conversation (%d conversations)",
		duration, load.total.Load(), load.errors.Load(), window, first.rate, first.p99, window, last.rate, last.p99,
		rss(t, replica)>>20, (used-baseline)/soakSessions>>10, soakSessions)
	t.Log(report)
	if err := os.WriteFile(filepath.Join(t.TempDir(), "soak.txt"), []byte(report+"\n"), 0o644); err != nil {
		t.Error(err)
	}
	if n := load.errors.Load(); n > 0 {
		t.Errorf("%d messages not answered: %s", n, load.firstError())
	}
	if last.p99 > soakSlowdown*first.p99+soakSlack {
		t.Errorf("p99 in the last %v %v, over %d× the first %v's %v", window, last.p99, soakSlowdown, window, first.p99)
	}
	if last.rate < first.rate/soakSlowdown {
		t.Errorf("%.1f messages a second in the last %v, under a third of the first %v's %.1f", last.rate, window, window, first.rate)
	}
}

// soakWindow is the length of the soak's first and last windows, which are compared:
// a minute, or a third of a soak shorter than three minutes, so that the two never
// overlap and a third, in between, separates them.
func soakWindow(duration time.Duration) time.Duration {
	return min(maxSoakWindow, duration/3)
}

// soakLoad is the client side of the soak: workers sending messages in a closed loop.
type soakLoad struct {
	addr    string
	start   time.Time
	clients []*chatClient

	total, errors atomic.Int64
	mu            sync.Mutex
	samples       []soakSample
	firstErr      string
}

type soakSample struct {
	at      time.Duration // since start, when the answer came
	latency time.Duration
}

// run sends messages until duration has passed: worker w's n-th message goes to
// session (n*soakWorkers+w) mod soakSessions, so every session is used in turn, by
// one worker only, at most once every soakSessionGap.
func (l *soakLoad) run(duration time.Duration) {
	var wg sync.WaitGroup
	for w := range soakWorkers {
		wg.Go(func() {
			ready := make([]time.Time, soakSessions)
			for n := 0; time.Since(l.start) < duration; n++ {
				i := (n*soakWorkers + w) % soakSessions
				turn := (n*soakWorkers + w) / soakSessions
				time.Sleep(time.Until(ready[i]))
				ready[i] = time.Now().Add(soakSessionGap)
				l.send(i, turn)
			}
		})
	}
	wg.Wait()
}

// send sends session i's message of the given turn and records how long it took.
func (l *soakLoad) send(i, turn int) {
	text := soakMessages[turn%len(soakMessages)]
	began := time.Now()
	code, raw, err := l.clients[i].post(l.addr, fmt.Sprintf("s%d-%d", i, turn), text, "")
	took := time.Since(began)
	l.total.Add(1)
	if err != nil || code != http.StatusOK || bytes.Contains(raw, []byte(apology)) {
		l.errors.Add(1)
		l.mu.Lock()
		if l.firstErr == "" {
			l.firstErr = fmt.Sprintf("%d %v %.200s", code, err, raw)
		}
		l.mu.Unlock()
		return
	}
	l.mu.Lock()
	l.samples = append(l.samples, soakSample{at: time.Since(l.start), latency: took})
	l.mu.Unlock()
}

func (l *soakLoad) firstError() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.firstErr
}

// soakFigures are one window's.
type soakFigures struct {
	rate float64       // answers a second
	p99  time.Duration // of their latencies
}

// window returns the figures of the answers that came in [from, from+length).
func (l *soakLoad) window(from, length time.Duration) soakFigures {
	l.mu.Lock()
	defer l.mu.Unlock()
	var lat []time.Duration
	for _, s := range l.samples {
		if s.at >= from && s.at < from+length {
			lat = append(lat, s.latency)
		}
	}
	if len(lat) == 0 {
		return soakFigures{}
	}
	slices.Sort(lat)
	return soakFigures{rate: float64(len(lat)) / length.Seconds(), p99: lat[(len(lat)*99)/100]}
}

// usedMemory reads used_memory from the text of INFO memory.
func usedMemory(t *testing.T, info string) int64 {
	t.Helper()
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no used_memory in INFO memory: %q", info)
	return 0
}

// rss reads the replica's resident set size from /proc, in bytes.
func rss(t *testing.T, r *replicaProcess) int64 {
	t.Helper()
	r.mu.Lock()
	pid := r.cmd.Process.Pid
	r.mu.Unlock()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("RSS: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("RSS: %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("RSS: no VmRSS in /proc status")
	return 0
}
