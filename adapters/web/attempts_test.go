package web_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
)

// recordingCache is an answer cache in memory that records what it is asked, and
// finishes answers as *redis.Cache does (later, in the background: here, at once).
type recordingCache struct {
	mu     sync.Mutex
	values map[string][]byte
	ops    []string
}

func newRecordingCache() *recordingCache { return &recordingCache{values: map[string][]byte{}} }

func (c *recordingCache) record(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops = append(c.ops, op)
}

// took returns the operations recorded since the last call.
func (c *recordingCache) took() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops := c.ops
	c.ops = nil
	return ops
}

func (c *recordingCache) Get(_ context.Context, group, key string) ([]byte, bool, error) {
	c.record("get")
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.values[group+"/"+key]
	return v, ok, nil
}

func (c *recordingCache) Put(_ context.Context, group, key string, v []byte, _ time.Duration) error {
	c.record("put")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.values[group+"/"+key] = v
	return nil
}

func (c *recordingCache) Finish(group, key string, v []byte) {
	c.record("finish")
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.values[group+"/"+key]; ok {
		c.values[group+"/"+key] = v
	}
}

func (c *recordingCache) Drop(_ context.Context, group string) error {
	c.record("drop")
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.values {
		if strings.HasPrefix(k, group+"/") {
			delete(c.values, k)
		}
	}
	return nil
}

// unfinished forgets every Finish: the answers stay pending, as when a replica's
// background write has not reached Redis yet.
type unfinished struct{ *recordingCache }

func (unfinished) Finish(string, string, []byte) {}

// handledCount counts the messages the engine handled (not the copies it refused).
type handledCount struct{ n atomic.Int64 }

func (h *handledCount) Message(string, string)       { h.n.Add(1) }
func (h *handledCount) Searched(time.Duration, bool) {}
func (h *handledCount) Raised(bot.EventKind)         {}

// A first attempt (the page says so) costs the shared answer cache one write, the
// pending answer, and a Finish, which goes along with later writes: no lookup. A copy
// of it all the same (a proxy's retry), on this replica or another, gets the same
// answer, handled once; so does a retry, from the cache.
func TestFirstAttemptSkipsTheLookup(t *testing.T) {
	for _, finishes := range []bool{true, false} {
		t.Run(map[bool]string{true: "finished", false: "still pending"}[finishes], func(t *testing.T) {
			cache := newRecordingCache()
			var shared web.AnswerCache = cache
			if !finishes {
				shared = unfinished{cache}
			}
			handled := &handledCount{}
			engine := newEngine(t, func(o *bot.Options) { o.Observer = handled })
			opts := web.Options{Answers: shared, SessionKey: []byte("shared by the two replicas, 32 bytes+")}
			a, other := newServer(t, web.New(engine, opts)), newServer(t, web.New(engine, opts))
			br := newBrowser(t, a.URL)
			_, first := br.post(map[string]any{"id": "f1", "attempt": 1, "text": "badante"})
			if !strings.Contains(string(first), "Ho trovato") || handled.n.Load() != 1 {
				t.Fatalf("answer: %s", first)
			}
			want := []string{"put", "finish"}
			if !finishes {
				want = []string{"put"}
			}
			if ops := cache.took(); !slices.Equal(ops, want) {
				t.Errorf("a first attempt cost the cache %v, want %v", ops, want)
			}
			onOther := &browser{t: t, base: other.URL, c: br.c}
			onOther.c.Jar.SetCookies(mustURL(t, other.URL), br.c.Jar.Cookies(mustURL(t, a.URL)))
			for _, try := range []struct {
				b       *browser
				attempt int
			}{{br, 1}, {onOther, 1}, {onOther, 2}, {onOther, 0}} {
				code, again := try.b.post(map[string]any{"id": "f1", "attempt": try.attempt, "text": "badante"})
				if code != http.StatusOK || !bytes.Equal(again, first) || handled.n.Load() != 1 {
					t.Errorf("attempt %d on %s: %d %s, %d handled", try.attempt, try.b.base, code, again, handled.n.Load())
				}
			}
		})
	}
}

// A first attempt over the session's limit that copies an answered message (a proxy's
// retry) gets its answer, as a retry does, not 429.
func TestFirstAttemptOverTheLimit(t *testing.T) {
	cache := newRecordingCache()
	engine := newEngine(t, nil)
	key := []byte("shared by the two replicas, 32 bytes+")
	a := newServer(t, web.New(engine, web.Options{Answers: cache, SessionKey: key}))
	other := newServer(t, web.New(engine, web.Options{Answers: cache, SessionKey: key, PerSession: 0.001, PerSessionBurst: 1}))
	br := newBrowser(t, a.URL)
	_, first := br.post(map[string]any{"id": "f1", "attempt": 1, "text": "badante"})
	onOther := &browser{t: t, base: other.URL, c: br.c}
	onOther.c.Jar.SetCookies(mustURL(t, other.URL), br.c.Jar.Cookies(mustURL(t, a.URL)))
	onOther.post(map[string]any{"attempt": 1, "text": "ciao"}) // the burst
	if code, _ := onOther.post(map[string]any{"attempt": 1, "text": "ciao"}); code != http.StatusTooManyRequests {
		t.Fatalf("over the limit: %d", code)
	}
	if code, again := onOther.post(map[string]any{"id": "f1", "attempt": 1, "text": "badante"}); code != http.StatusOK || !bytes.Equal(again, first) {
		t.Errorf("a copy over the limit: %d %s", code, again)
	}
}
