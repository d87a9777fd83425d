package replicas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/reminders"
)

// Bounds of the chaos test.
const (
	chaosConversations = 200
	chaosWorkers       = 8 // conversations at once
	chaosBookings      = 6 // bookings whose reminder falls due during the test
	// chaosAttempts bounds the tries of one message; chaosMessageTime its total time.
	chaosAttempts    = 100
	chaosMessageTime = 45 * time.Second
)

// apology is what the bot answers when it could not handle a message for a technical
// reason: the page offers to retry it (error.unavailable in the Italian texts).
const apology = "problema tecnico momentaneo"

// The chaos test: two replicas (the real binary) on a Redis with an
// append-only file; 200 web conversations of three messages, each a follow-up of the
// one before, their messages alternating between the replicas; meanwhile one replica
// is killed (SIGKILL) and started again, then Redis is killed and restarted on its
// data. The client behaves like a page behind a load balancer: on an apology, a
// 503 or a 429 it retries the same message id, on a connection failure it tries the
// other replica. Every message must be answered, in context; every retry of an
// answered message must get the same answer, byte for byte; every reminder due
// meanwhile must reach its web inbox exactly once.
func TestChaos(t *testing.T) {
	t.Parallel()
	start := time.Now()
	bin := buildWemibot(t)
	t.Logf("built in %v", time.Since(start).Round(time.Second))
	rs := redistest.StartPersistent(t)
	env := map[string]string{
		"WEMI_REDIS_URL": rs.URL() + "?dial_timeout=1s&read_timeout=2s&write_timeout=2s",
		// Both replicas share the session and key-encryption secrets, as a deployment
		// must once sessions are signed and personal data encrypted.
		"WEMI_SESSION_SECRET": "chaos-test-session-secret-0123456789abcdef",
		"WEMI_KEK":            "Y2hhb3MtdGVzdC1rZXktZW5jcnlwdGlvbi1rZXkhISE=", // 32 bytes
		"ZONEINFO":            daytimeZoneinfo(t),
	}
	replicas := [2]*replicaProcess{newReplica(t, bin, copyEnv(env)), newReplica(t, bin, copyEnv(env))}
	var started [2]error
	var wg sync.WaitGroup
	for i, r := range replicas {
		wg.Go(func() { started[i] = r.start() })
	}
	wg.Wait()
	if err := errors.Join(started[:]...); err != nil {
		t.Fatal(err)
	}
	addrs := []string{replicas[0].address(), replicas[1].address()}
	booked := seedReminders(t, rs, addrs)
	t.Logf("built and started in %v", time.Since(start).Round(time.Second))

	run := &chaosRun{addrs: addrs, clients: make([]*chatClient, chaosConversations), answers: make([][3][]byte, chaosConversations)}
	next := make(chan int)
	for range chaosWorkers {
		wg.Go(func() {
			for k := range next {
				run.converse(k)
			}
		})
	}
	go func() {
		defer close(next)
		for k := range chaosConversations {
			next <- k
		}
	}()
	run.waitDone(50)
	replicas[0].kill()
	t.Logf("replica 1 killed after %d conversations", run.done.Load())
	// Started again in the background: it takes a while to index the catalogue, during
	// which the other replica carries everything.
	restarted := make(chan error, 1)
	go func() { restarted <- replicas[0].start() }()
	run.waitDone(120)
	rs.Kill()
	rs.Restart()
	t.Logf("Redis killed and restarted after %d conversations", run.done.Load())
	wg.Wait()
	if err := <-restarted; err != nil {
		t.Fatalf("replica 1 did not start again: %v", err)
	}
	t.Logf("conversations over in %v", time.Since(start).Round(time.Second))

	run.check(t)
	run.replay(t)
	checkReminders(t, rs, addrs, booked)
	t.Logf("replayed and reminders checked in %v", time.Since(start).Round(time.Second))
	t.Logf("%d conversations, %d messages: %d retries (%d apologies, %d 5xx/429, %d connection failures)",
		chaosConversations, 3*chaosConversations, run.retries.Load(), run.apologies.Load(), run.refusals.Load(), run.switches.Load())
}

func copyEnv(env map[string]string) map[string]string {
	out := make(map[string]string, len(env))
	for k, v := range env {
		out[k] = v
	}
	return out
}

// chaosRun is the client side of the chaos test.
type chaosRun struct {
	addrs   []string
	done    atomic.Int64
	clients []*chatClient // per conversation, its browser
	answers [][3][]byte   // per conversation, the answer to each message
	errs    sync.Map      // conversation -> error

	retries, apologies, refusals, switches atomic.Int64
}

// chaosMessages is each conversation: a search, a follow-up on its first result, a
// filter of the search.
var chaosMessages = [3]string{"mi serve una badante", "quanto costa il primo?", "solo gratuiti"}

// converse runs conversation k, its messages alternating between the replicas.
func (r *chaosRun) converse(k int) {
	defer r.done.Add(1)
	c, err := r.open(k)
	if err != nil {
		r.errs.Store(k, err)
		return
	}
	r.clients[k] = c
	for j, text := range chaosMessages {
		raw, err := r.deliver(c, (k+j)%2, fmt.Sprintf("c%d-m%d", k, j), text)
		if err != nil {
			r.errs.Store(k, fmt.Errorf("message %d: %w", j, err))
			return
		}
		r.answers[k][j] = raw
	}
}

// open loads the page for conversation k, from the other replica if the first cannot
// be reached, as a browser of its own address behind the load balancer (see
// newChatClient).
func (r *chaosRun) open(k int) (*chatClient, error) {
	jar, _ := cookiejar.New(nil)
	c := &chatClient{http: &http.Client{Jar: jar, Timeout: 40 * time.Second}}
	from := fmt.Sprintf("10.78.%d.%d", k/250%256, k%250+1)
	var last error
	for attempt := range chaosAttempts {
		req, _ := http.NewRequest(http.MethodGet, "http://"+r.addrs[(k+attempt)%2]+"/", nil)
		req.Header.Set("X-Forwarded-For", from)
		resp, err := c.http.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, nil
			}
			err = fmt.Errorf("page: %s", resp.Status)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return nil, last
}

// deliver sends one message until it is answered: the same id again after an
// apology, a 503 or a 429, on the other replica after a connection failure.
func (r *chaosRun) deliver(c *chatClient, replica int, id, text string) ([]byte, error) {
	deadline := time.Now().Add(chaosMessageTime)
	pause := 50 * time.Millisecond
	var last error
	for attempt := 0; attempt < chaosAttempts && time.Now().Before(deadline); attempt++ {
		if attempt > 0 {
			r.retries.Add(1)
			time.Sleep(pause)
			pause = min(2*pause, time.Second)
		}
		code, raw, err := c.post(r.addrs[replica], id, text, "")
		switch {
		case err != nil:
			r.switches.Add(1)
			replica = 1 - replica
			last = err
		case code == http.StatusOK && bytes.Contains(raw, []byte(apology)):
			r.apologies.Add(1)
			last = fmt.Errorf("apology")
		case code == http.StatusOK:
			return raw, nil
		case code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests || code >= 500:
			r.refusals.Add(1)
			last = fmt.Errorf("%d: %s", code, raw)
		default:
			return nil, fmt.Errorf("answered %d: %s", code, raw)
		}
	}
	return nil, fmt.Errorf("not answered after %d attempts or %v; last: %v", chaosAttempts, chaosMessageTime, last)
}

// waitDone waits until n conversations are over, or a bound.
func (r *chaosRun) waitDone(n int64) {
	deadline := time.Now().Add(2 * time.Minute)
	for r.done.Load() < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

// check says whether every conversation was answered, each message in the context of
// the ones before.
func (r *chaosRun) check(t *testing.T) {
	t.Helper()
	r.errs.Range(func(k, err any) bool {
		t.Errorf("conversation %d: %v", k, err)
		return true
	})
	for k, a := range r.answers {
		if a[2] == nil {
			continue // reported above
		}
		found, cost, free := decode(t, a[0]), decode(t, a[1]), decode(t, a[2])
		if !strings.Contains(found.text(), "Ho trovato") || len(found.Replies[0].Buttons) == 0 {
			t.Errorf("conversation %d: search answered %q", k, found.text())
			continue
		}
		first := found.Replies[0].Buttons[0][0].Label
		if !strings.Contains(cost.text(), "Quanto costa «"+first+"»") {
			t.Errorf("conversation %d: the follow-up lost its context (first result %q): %q", k, first, cost.text())
		}
		if !strings.Contains(free.text(), "solo gratuiti") {
			t.Errorf("conversation %d: the filter lost the search: %q", k, free.text())
		}
	}
}

// replay sends every message again, with its id and session, to the replica that did
// not get it first: each must get the answer it got, byte for byte.
func (r *chaosRun) replay(t *testing.T) {
	t.Helper()
	var mismatches, failures atomic.Int64
	var wg sync.WaitGroup
	next := make(chan int)
	for range chaosWorkers {
		wg.Go(func() {
			for k := range next {
				for j, text := range chaosMessages {
					if r.answers[k][j] == nil {
						continue // not answered: reported by check
					}
					code, raw, err := r.clients[k].post(r.addrs[(k+j+1)%2], fmt.Sprintf("c%d-m%d", k, j), text, "")
					switch {
					case err != nil || code != http.StatusOK:
						failures.Add(1)
					case !bytes.Equal(raw, r.answers[k][j]):
						mismatches.Add(1)
					}
				}
			}
		})
	}
	for k := range chaosConversations {
		next <- k
	}
	close(next)
	wg.Wait()
	if n, f := mismatches.Load(), failures.Load(); n > 0 || f > 0 {
		t.Errorf("retried messages: %d got another answer, %d got none", n, f)
	}
}

func decode(t *testing.T, raw []byte) chatAnswer {
	t.Helper()
	var a chatAnswer
	if err := json.Unmarshal(raw, &a); err != nil || len(a.Replies) == 0 {
		t.Fatalf("answer %q: %v", raw, err)
	}
	return a
}

// seedReminders makes chaosBookings confirmed bookings, each of its own web session,
// with a reminder falling due every few seconds during the test, and returns the
// clients of those sessions by booking id.
func seedReminders(t *testing.T, rs *redistest.Server, addrs []string) map[string]*chatClient {
	t.Helper()
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	client := testRedis(t, rs)
	store := redis.New(client, redis.Options{})
	bs := bookings.NewStore(store, 90*24*time.Hour)
	ctx := context.Background()
	now := time.Now()
	booked := map[string]*chatClient{}
	for i := range chaosBookings {
		c := newChatClient(t, addrs[i%2])
		b := bookings.Booking{ID: bookings.NewID(), Conversation: "web:" + sessionOf(t, c, addrs[i%2]), Lang: "it",
			Service: cat.Services[i].ID, Start: now.Add(3 * time.Hour).Truncate(time.Minute), Quantity: 1,
			ForWhom: bookings.ForSelf, Municipio: 1, EstimateCents: -1, Created: now, Updated: now}
		if err := bs.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
		if _, err := bs.Update(ctx, b.ID, func(b *bookings.Booking) error {
			return b.Transition(bookings.Confirmed, "wemi", "", now)
		}); err != nil {
			t.Fatal(err)
		}
		r := reminders.Reminder{ID: b.ID + ":before-3h", Booking: b.ID, Conversation: b.Conversation, Kind: reminders.Before,
			Offset: 3 * time.Hour, Start: b.Start, Due: now.Add(time.Duration(1+3*i) * time.Second)}
		if err := store.Plan(ctx, r); err != nil {
			t.Fatal(err)
		}
		booked[b.ID] = c
	}
	return booked
}

// checkReminders waits until each booking's reminder reached its session's inbox, and
// checks it arrived once and left nothing queued or failed.
func checkReminders(t *testing.T, rs *redistest.Server, addrs []string, booked map[string]*chatClient) {
	t.Helper()
	count := func(c *chatClient) int {
		var texts []string
		var err error
		for i := range 2 { // either replica will do
			if texts, err = c.inbox(addrs[i]); err == nil {
				break
			}
		}
		n := 0
		for _, text := range texts {
			if strings.Contains(text, "Promemoria") {
				n++
			}
		}
		return n
	}
	// The last reminder fell due a few seconds into the test; replicas tick every 10 s.
	deadline := time.Now().Add(45 * time.Second)
	for id, c := range booked {
		for count(c) == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Second) // the inbox allows a poll a second
		}
		if n := count(c); n != 1 {
			t.Errorf("booking %s: its reminder reached the inbox %d times, want once", id, n)
		}
	}
	store := redis.New(testRedis(t, rs), redis.Options{})
	ctx := context.Background()
	for id := range booked {
		if p, err := store.Pending(ctx, id); err != nil || len(p) > 0 {
			t.Errorf("booking %s: reminders still queued: %+v %v", id, p, err)
		}
	}
	if failed, err := store.Failed(ctx); err != nil || len(failed) > 0 {
		t.Errorf("failed reminders: %+v %v", failed, err)
	}
}

// testRedis is the test's own client of rs.
func testRedis(t *testing.T, rs *redistest.Server) *goredis.Client {
	t.Helper()
	opts, err := goredis.ParseURL(rs.URL())
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// sessionOf returns the session cookie c holds for addr.
func sessionOf(t *testing.T, c *chatClient, addr string) string {
	t.Helper()
	for _, ck := range c.http.Jar.Cookies(&url.URL{Scheme: "http", Host: addr, Path: "/"}) {
		if ck.Name == "wemi_session" || strings.HasSuffix(ck.Name, "wemi_session") {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}
