package lograte_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/internal/lograte"
)

// lines decodes the JSON log lines written so far.
func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestFirstAtOnceThenOneLinePerIntervalWithACount(t *testing.T) {
	var buf bytes.Buffer
	clock := clocktest.New(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	l := lograte.New(slog.New(slog.NewJSONHandler(&buf, nil)), "refused", time.Minute, clock.Now)
	steps := []struct {
		advance time.Duration
		n       int // occurrences at this time
		logged  int // lines in all afterwards
		count   int // count on the last line
	}{
		{0, 1, 1, 1},             // the first, at once
		{time.Second, 500, 1, 1}, // a flood within the minute: counted, not logged
		{time.Minute, 1, 2, 501}, // the minute is over: one line, with the count
		{30 * time.Second, 3, 2, 501},
		{31 * time.Second, 1, 3, 4},
		{time.Hour, 1, 4, 1}, // a quiet hour: the next one is logged at once, alone
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		for range s.n {
			l.Warn("remote", "127.0.0.1")
		}
		got := lines(t, &buf)
		if len(got) != s.logged {
			t.Fatalf("step %d: %d lines, want %d", i, len(got), s.logged)
		}
		last := got[len(got)-1]
		if last["msg"] != "refused" || last["count"] != float64(s.count) || last["remote"] != "127.0.0.1" {
			t.Errorf("step %d: last line %v, want count %d", i, last, s.count)
		}
	}
}

func TestConcurrentWarningsAreAllCounted(t *testing.T) {
	var buf bytes.Buffer
	clock := clocktest.New(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	h := slog.NewJSONHandler(&lockedWriter{mu: &mu, w: &buf}, nil)
	l := lograte.New(slog.New(h), "refused", time.Minute, clock.Now)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				l.Warn()
			}
		})
	}
	wg.Wait()
	clock.Advance(time.Minute)
	l.Warn()
	mu.Lock()
	got := lines(t, &buf)
	mu.Unlock()
	if len(got) != 2 || got[0]["count"] != float64(1) || got[1]["count"] != float64(800) {
		t.Errorf("lines %v, want counts 1 and 800", got)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
