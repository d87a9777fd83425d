package telegram_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/outbox"
)

// outboxKinds opens a durable outbox of each kind: a bbolt file and a real Redis.
func outboxKinds() map[string]func(t *testing.T) outbox.Store {
	return map[string]func(t *testing.T) outbox.Store{
		"bolt": func(t *testing.T) outbox.Store {
			store, err := bolt.Open(filepath.Join(t.TempDir(), "wemi.db"), bolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { store.Close() })
			return store.Outbox()
		},
		"redis": func(t *testing.T) outbox.Store {
			srv := redistest.Start(t)
			client, err := redis.Open(context.Background(), srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { client.Close() })
			return redis.New(client, redis.Options{}).Outbox()
		},
	}
}

// echoEngine answers every text with "re: " and the text, and never drops a
// redelivered update: the outbox alone must keep it from being answered twice.
var echoEngine = scriptedEngine{handle: func(m bot.Message) []bot.Reply {
	return []bot.Reply{{Text: "re: " + m.Text}}
}}

// replica is one running adapter.
type replica struct {
	a    *telegram.Adapter
	stop func() (time.Duration, error) // cancels Run; how long it took to return
}

func runReplica(t *testing.T, opts telegram.Options, engine telegram.Engine) replica {
	t.Helper()
	a, err := telegram.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, engine) }()
	stopped := false
	stop := func() (time.Duration, error) {
		if stopped {
			return 0, nil
		}
		stopped = true
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			return time.Since(start), err
		case <-time.After(20 * time.Second):
			return time.Since(start), fmt.Errorf("Run did not return")
		}
	}
	t.Cleanup(func() { stop() })
	return replica{a: a, stop: stop}
}

// texts returns the texts sent to a chat.
func texts(fake *telegramtest.Server, chat int64) []string {
	var out []string
	for _, s := range fake.Sent(chat) {
		out = append(out, s.Text)
	}
	return out
}

// A chat with a backlog of 16 replies, paced by Telegram's per-chat limit: a stop in
// the middle returns within 10 s without an error, and the next start sends the rest,
// in order, none twice.
func TestBacklogSurvivesAStop(t *testing.T) {
	for kind, open := range outboxKinds() {
		t.Run(kind, func(t *testing.T) {
			fake := telegramtest.New(t, token)
			opts := telegram.Options{Token: token, APIEndpoint: fake.Endpoint(), PollTimeout: time.Second,
				GlobalRate: -1, ChatRate: 4, ChatBurst: 1, Outbox: open(t)}
			const chat, n = 7100, 16
			var want []string
			for i := range n {
				fake.PushMessage(chat, giulia, fmt.Sprint(i))
				want = append(want, fmt.Sprintf("re: %d", i))
			}
			first := runReplica(t, opts, echoEngine)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := fake.WaitSent(ctx, chat, 3); err != nil {
				t.Fatal(err)
			}
			took, err := first.stop()
			if err != nil || took > 10*time.Second {
				t.Fatalf("stop with a backlog: %v after %v; want nil within 10 s", err, took)
			}
			before := len(fake.Sent(chat))
			if before >= n {
				t.Fatalf("all %d replies went out before the stop: no backlog", before)
			}
			if fake.PendingUpdates() != 0 {
				t.Errorf("%d updates left unconfirmed at the stop", fake.PendingUpdates())
			}
			runReplica(t, opts, echoEngine)
			if _, err := fake.WaitSent(ctx, chat, n); err != nil {
				t.Fatalf("after the restart: %v", err)
			}
			time.Sleep(300 * time.Millisecond) // a duplicate, if any, would arrive now
			if got := texts(fake, chat); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("sent %q, want %q", got, want)
			}
			t.Logf("%s: %d of %d replies sent before a stop of %v; the rest after the restart", kind, before, n, took)
		})
	}
}

// A replica that claimed a reply and hung (its call to Telegram never answered, its
// lease never settled) leaves it to another, which sends it once the lease has run
// out: once, since the hung call never reached Telegram.
func TestHungReplicasRepliesGoOutAfterTheLease(t *testing.T) {
	for kind, open := range outboxKinds() {
		t.Run(kind, func(t *testing.T) {
			fake := telegramtest.New(t, token)
			store := open(t)
			const secret = "s3cret-webhook-token-0123456789"
			const lease = time.Second
			opts := telegram.Options{Token: token, APIEndpoint: fake.Endpoint(), PollTimeout: time.Second,
				GlobalRate: -1, ChatRate: -1, Outbox: store, OutboxLease: lease,
				WebhookURL: "https://wemi.example.org/tg", SecretToken: secret}
			hung := opts
			hung.HTTPClient = &http.Client{Timeout: 3 * lease} // gives up on the hung call after the lease
			a := runReplica(t, hung, echoEngine)
			fake.SlowNext("sendMessage", 1, time.Minute)
			const chat = 7200
			_, body := fake.NewMessageUpdate(chat, giulia, "ciao")
			if code := postUntilConnected(t, a.a.Webhook(echoEngine), secret, body); code != http.StatusOK {
				t.Fatalf("webhook answered %d", code)
			}
			runReplica(t, opts, echoEngine)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := fake.WaitSent(ctx, chat, 1); err != nil {
				t.Fatal(err)
			}
			if fake.PendingFaults("sendMessage") != 0 {
				t.Fatal("the hung replica never made its call")
			}
			time.Sleep(4 * lease) // the hung call gives up; a duplicate, if any, would arrive now
			if got := texts(fake, chat); len(got) != 1 || got[0] != "re: ciao" {
				t.Errorf("sent %q, want the reply once", got)
			}
			// Settled: nothing is left for anyone, even once every lease has run out.
			if left, err := store.Claim(context.Background(), time.Now().Add(time.Hour), lease, 10); err != nil || len(left) != 0 {
				t.Errorf("left in the outbox: %v, %+v", err, left)
			}
		})
	}
}

// postUntilConnected posts a webhook update to h, again while it answers 503 (not
// connected to Telegram yet), for up to 10 s, and returns the status.
func postUntilConnected(t *testing.T, h http.Handler, secret string, body []byte) int {
	t.Helper()
	code := 0
	for range 500 {
		if code = postUpdate(t, h, secret, body); code != http.StatusServiceUnavailable {
			return code
		}
		time.Sleep(20 * time.Millisecond)
	}
	return code
}

// postUpdate posts a webhook update to h and returns the status.
func postUpdate(t *testing.T, h http.Handler, secret string, body []byte) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// watchedOutbox is a real outbox that notes the keys it has stored.
type watchedOutbox struct {
	outbox.Store
	mu     sync.Mutex
	stored []string
}

func (w *watchedOutbox) Put(ctx context.Context, now time.Time, items ...outbox.Item) (int, error) {
	n, err := w.Store.Put(ctx, now, items...)
	if err == nil {
		w.mu.Lock()
		for _, it := range items {
			w.stored = append(w.stored, it.Key+"@"+it.Lane)
		}
		w.mu.Unlock()
	}
	return n, err
}

func (w *watchedOutbox) keys() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.stored)
}

// The webhook answers 200 only once the outbox holds the update's replies, under the
// update's keys; an update delivered twice is queued, and sent, once.
func TestWebhookConfirmsOnlyStoredReplies(t *testing.T) {
	for kind, open := range outboxKinds() {
		t.Run(kind, func(t *testing.T) {
			fake := telegramtest.New(t, token)
			store := &watchedOutbox{Store: open(t)}
			const secret = "s3cret-webhook-token-0123456789"
			opts := telegram.Options{Token: token, APIEndpoint: fake.Endpoint(), PollTimeout: time.Second,
				GlobalRate: -1, ChatRate: -1, Outbox: store, WebhookURL: "https://wemi.example.org/tg", SecretToken: secret}
			two := scriptedEngine{handle: func(m bot.Message) []bot.Reply {
				return []bot.Reply{{Text: "uno"}, {Text: "due"}}
			}}
			r := runReplica(t, opts, two)
			const chat = 7300
			id, body := fake.NewMessageUpdate(chat, giulia, "ciao")
			if code := postUntilConnected(t, r.a.Webhook(two), secret, body); code != http.StatusOK {
				t.Fatalf("webhook answered %d", code)
			}
			want := fmt.Sprintf("tg:%d:0@telegram:%d tg:%d:1@telegram:%d", id, chat, id, chat)
			if got := strings.Join(store.keys(), " "); got != want {
				t.Fatalf("stored at the 200: %q, want %q", got, want)
			}
			if code := postUpdate(t, r.a.Webhook(two), secret, body); code != http.StatusOK { // Telegram redelivers
				t.Fatalf("redelivery answered %d", code)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := fake.WaitSent(ctx, chat, 2); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			if got := texts(fake, chat); strings.Join(got, "|") != "uno|due" {
				t.Errorf("sent %q, want uno|due once", got)
			}
		})
	}
}

// Telegram's overall limit of 30 messages a second holds in every one-second window
// of what the fake Bot API receives, not only on average.
func TestGlobalLimitHoldsInEverySecond(t *testing.T) {
	fake := telegramtest.New(t, token)
	opts := telegram.Options{Token: token, APIEndpoint: fake.Endpoint(), PollTimeout: time.Second,
		GlobalRate: 30, ChatRate: -1, Workers: 64}
	const chats = 75
	for c := range int64(chats) {
		fake.PushMessage(7400+c, telegramtest.User{ID: 7400 + c, FirstName: "L"}, "x")
	}
	runReplica(t, opts, echoEngine)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for c := range int64(chats) {
		if _, err := fake.WaitSent(ctx, 7400+c, 1); err != nil {
			t.Fatal(err)
		}
	}
	all := fake.AllSendTimes()
	worst := 0
	for i := range all {
		n := 0
		for j := i; j < len(all) && all[j].Sub(all[i]) < time.Second; j++ {
			n++
		}
		worst = max(worst, n)
	}
	if worst > 30 {
		t.Errorf("%d messages within one second, want at most 30", worst)
	}
	if worst < 20 {
		t.Errorf("at most %d messages in any second: the limit wastes Telegram's allowance", worst)
	}
	t.Logf("%d messages; at most %d in any one-second window", len(all), worst)
}
