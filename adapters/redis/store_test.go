package redis_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/bot/storetest"
	"github.com/comune-milano/wemibot/clocktest"
)

func TestStoreContract(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) (bot.Store, clocktest.Advancer) {
		// A fresh prefix per subtest isolates the parallel subtests on one server.
		prefix := fmt.Sprintf("test%d", n.Add(1))
		return redis.New(client, redis.Options{Prefix: prefix}), clocktest.Real{}
	})
}

// newClient connects to srv with short timeouts and no retries, so a stopped server
// shows at once.
func newClient(t testing.TB, srv *redistest.Server) *goredis.Client {
	t.Helper()
	client := goredis.NewClient(&goredis.Options{
		Network:       "unix",
		Addr:          srv.Socket(),
		DialTimeout:   3 * time.Second, // a stopped server has no socket: dialling fails at once
		DialerRetries: 1,
		ReadTimeout:   3 * time.Second,
		WriteTimeout:  3 * time.Second,
		MaxRetries:    -1,
	})
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// commandLog records the commands a client sends: one entry per round trip.
type commandLog struct {
	mu    sync.Mutex
	names []string
}

func (l *commandLog) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (l *commandLog) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		l.add(cmd.Name())
		return next(ctx, cmd)
	}
}

func (l *commandLog) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		l.add(fmt.Sprintf("pipeline(%d)", len(cmds)))
		return next(ctx, cmds)
	}
}

func (l *commandLog) add(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.names = append(l.names, name)
}

// take returns the commands recorded since the last call.
func (l *commandLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	names := l.names
	l.names = nil
	return names
}

func begin(conversation, update string) bot.Begin {
	return bot.Begin{Conversation: conversation, UpdateID: update, LockTTL: time.Minute, RateWindow: time.Minute}
}

func save(state string) bot.Commit {
	return bot.Commit{State: []byte(state), IdleTTL: time.Hour, DedupeTTL: time.Hour}
}

func TestRoundTrips(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	log := &commandLog{}
	client.AddHook(log)
	store := redis.New(client, redis.Options{})
	ctx := context.Background()

	// Warm up: a new connection says HELLO, and the first run of each script may need
	// EVALSHA then EVAL.
	s, err := store.Begin(ctx, begin("warm", "u1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Commit(ctx, s, save("x")); err != nil {
		t.Fatal(err)
	}
	s, _ = store.Begin(ctx, begin("warm", "u2"))
	_ = store.Release(ctx, s)
	log.take()

	var session bot.Session
	tests := []struct {
		name string
		op   func() error
		want []string
	}{
		{"Begin", func() (err error) { session, err = store.Begin(ctx, begin("c", "u1")); return err }, []string{"evalsha"}},
		{"Commit", func() error { return store.Commit(ctx, session, save("state")) }, []string{"evalsha"}},
		{"Begin duplicate", func() error { _, err := store.Begin(ctx, begin("c", "u1")); return err }, []string{"evalsha"}},
		{"Begin again", func() (err error) { session, err = store.Begin(ctx, begin("c", "u2")); return err }, []string{"evalsha"}},
		{"Begin locked", func() error {
			_, err := store.Begin(ctx, begin("c", "u3"))
			if !errors.Is(err, bot.ErrLocked) {
				return fmt.Errorf("got %v, want ErrLocked", err)
			}
			return nil
		}, []string{"evalsha"}},
		{"Release", func() error { return store.Release(ctx, session) }, []string{"evalsha"}},
		{"Forget", func() error { return store.Forget(ctx, "c") }, []string{"del"}},
	}
	for _, tc := range tests { // in order: each step builds on the previous ones
		if err := tc.op(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := log.take(); !slices.Equal(got, tc.want) {
			t.Errorf("%s sent %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestScriptCacheFlushed(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	store := redis.New(client, redis.Options{})
	ctx := context.Background()
	for i := range 3 {
		if err := client.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		s, err := store.Begin(ctx, begin("c", fmt.Sprint(i)))
		if err != nil {
			t.Fatalf("Begin after SCRIPT FLUSH: %v", err)
		}
		if err := client.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if err := store.Commit(ctx, s, save("x")); err != nil {
			t.Fatalf("Commit after SCRIPT FLUSH: %v", err)
		}
	}
}

func TestKeysShareHashTag(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	store := redis.New(client, redis.Options{Prefix: "bot7"})
	ctx := context.Background()
	const conversation = "telegram:1}2{x%"
	const tag = "c:telegram:1%7D2%7Bx%25"

	s, err := store.Begin(ctx, begin(conversation, "u:1}"))
	if err != nil {
		t.Fatal(err)
	}
	conv := "bot7:{" + tag + "}:conv"
	wantKeys(t, client, conv)
	if err := store.Commit(ctx, s, save("x")); err != nil {
		t.Fatal(err)
	}
	keys := wantKeys(t, client, conv)
	for _, key := range keys {
		start := strings.IndexByte(key, '{')
		end := start + strings.IndexByte(key[start:], '}')
		if got := key[start+1 : end]; got != tag {
			t.Errorf("key %q hashes on %q, want %q", key, got, tag)
		}
		// Every key expires by itself: nothing stays behind forever.
		if ttl := client.PTTL(ctx, key).Val(); ttl <= 0 {
			t.Errorf("key %q has no expiry (PTTL %v)", key, ttl)
		}
	}
	if err := store.Forget(ctx, conversation); err != nil {
		t.Fatal(err)
	}
	// Erasure leaves nothing, not even which updates were handled.
	wantKeys(t, client)
}

// wantKeys checks the server holds exactly want and returns them.
func wantKeys(t *testing.T, client *goredis.Client, want ...string) []string {
	t.Helper()
	got, err := client.Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("keys %q, want %q", got, want)
	}
	return got
}

func TestDefaultPrefix(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	store := redis.New(client, redis.Options{})
	if _, err := store.Begin(context.Background(), begin("web:1", "")); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, client, "wemi:{c:web:1}:conv")
}

func TestPrefixWithBracesPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted a prefix with a brace")
		}
	}()
	redis.New(nil, redis.Options{Prefix: "we{mi}"})
}

func TestRedisGoneAndBack(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	store := redis.New(client, redis.Options{})
	ctx := context.Background()
	s, err := store.Begin(ctx, begin("c", "u1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Commit(ctx, s, save("before")); err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	for _, call := range []string{"Begin", "Commit", "Release", "Forget"} {
		t.Run(call, func(t *testing.T) {
			// The client's own short timeouts must answer, not this outer bound:
			// a store call never hangs on a Redis that went away.
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			var err error
			switch call {
			case "Begin":
				_, err = store.Begin(ctx, begin("c", "u2"))
			case "Commit":
				err = store.Commit(ctx, bot.Session{Conversation: "c", UpdateID: "u2", Token: "t"}, save("x"))
			case "Release":
				err = store.Release(ctx, bot.Session{Conversation: "c", Token: "t"})
			case "Forget":
				err = store.Forget(ctx, "c")
			}
			if err == nil || errors.Is(err, bot.ErrLocked) || errors.Is(err, bot.ErrLockLost) {
				t.Fatalf("%s with Redis down: got %v, want a connection error", call, err)
			}
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
				t.Errorf("%s with Redis down hung until the outer deadline: %v", call, err)
			}
		})
	}

	srv.Restart() // an empty server: nothing was persisted
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := store.Begin(ctx, begin("c", "u3"))
		if err == nil {
			if s.State != nil || s.Count != 1 {
				t.Fatalf("after restart: state %q count %d, want a new conversation", s.State, s.Count)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Begin still failing 5s after Redis came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func BenchmarkBeginCommit(b *testing.B) {
	benchmarkOnServer(b, 1, 512, time.Minute)
}

// BenchmarkBeginCommitEngineLike runs the engine's load on the store alone: 64
// conversations, a 2 KB state, handled updates remembered 24 hours.
func BenchmarkBeginCommitEngineLike(b *testing.B) {
	benchmarkOnServer(b, 32, 2048, 24*time.Hour)
}

// benchmarkOnServer runs benchmarkBeginCommit on a server of its own and reports the
// server's commands and CPU per message.
func benchmarkOnServer(b *testing.B, parallelism, stateSize int, dedupe time.Duration) {
	srv := redistest.Start(b)
	client := goredis.NewClient(&goredis.Options{Network: "unix", Addr: srv.Socket(), PoolSize: 2 * parallelism * runtime.GOMAXPROCS(0)})
	b.Cleanup(func() { _ = client.Close() })
	store := redis.New(client, redis.Options{})
	b.SetParallelism(parallelism)
	before := srv.Usage()
	benchmarkBeginCommit(b, store, stateSize, dedupe)
	used := srv.Usage().Sub(before)
	b.ReportMetric(float64(used.Commands)/float64(b.N), "redis-cmds/op")
	b.ReportMetric(float64(used.CPU.Microseconds())/float64(b.N), "redis-µs/op")
	b.ReportMetric(float64(used.UserCPU.Microseconds())/float64(b.N), "redis-user-µs/op")
	b.ReportMetric(float64(used.ScriptTime.Microseconds())/float64(b.N), "redis-script-µs/op")
}

func benchmarkBeginCommit(b *testing.B, store bot.Store, stateSize int, dedupe time.Duration) {
	ctx := context.Background()
	state := []byte(strings.Repeat("s", stateSize))
	var workers atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		conversation := fmt.Sprintf("bench:%d", workers.Add(1))
		for i := 0; pb.Next(); i++ {
			s, err := store.Begin(ctx, begin(conversation, fmt.Sprint(i)))
			if err != nil {
				b.Error(err)
				return
			}
			if err := store.Commit(ctx, s, bot.Commit{State: state, IdleTTL: 30 * 24 * time.Hour, DedupeTTL: dedupe}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
