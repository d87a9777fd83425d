package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/bot"
)

// previousKeys are the keys the previous layout gave conversation "web:1" under the
// default prefix.
const previousBase = "wemi:{c:web:1}:"

const convKey = previousBase + "conv"

// newStoreOnServer returns a Store with the default prefix on a server of its own.
func newStoreOnServer(t *testing.T) (*redis.Store, *goredis.Client) {
	t.Helper()
	client := newClient(t, redistest.Start(t))
	return redis.New(client, redis.Options{}), client
}

// writePreviousLayout stores a conversation as the previous version did: state, rate
// counter and handled updates u-old (expired) and u-live, with their expiries.
func writePreviousLayout(t *testing.T, client *goredis.Client, lock bool) {
	t.Helper()
	ctx := context.Background()
	nowMs := time.Now().UnixMilli()
	pipe := client.TxPipeline()
	pipe.Set(ctx, previousBase+"state", "old-state", time.Hour)
	pipe.Set(ctx, previousBase+"rate", "4", time.Minute)
	pipe.ZAdd(ctx, previousBase+"seen",
		goredis.Z{Member: "u-old", Score: float64(nowMs - 1000)},
		goredis.Z{Member: "u-live", Score: float64(nowMs + time.Hour.Milliseconds())})
	pipe.PExpire(ctx, previousBase+"seen", time.Hour)
	if lock {
		pipe.Set(ctx, previousBase+"lock", "old-token", time.Minute)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestMigratesPreviousLayout(t *testing.T) {
	store, client := newStoreOnServer(t)
	ctx := context.Background()
	writePreviousLayout(t, client, false)

	dup, err := store.Begin(ctx, begin("web:1", "u-live"))
	if err != nil || !dup.Duplicate {
		t.Fatalf("Begin of an update the previous layout marked handled: %+v, %v; want a duplicate", dup, err)
	}
	wantKeys(t, client, convKey) // moved at once, though the update was a duplicate
	s, err := store.Begin(ctx, begin("web:1", "u-old"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Duplicate || string(s.State) != "old-state" || s.Count != 5 {
		t.Fatalf("Begin after the move: duplicate=%v state=%q count=%d; want the previous state, count 5",
			s.Duplicate, s.State, s.Count)
	}
	if ttl := client.PTTL(ctx, convKey).Val(); ttl < 59*time.Minute || ttl > time.Hour {
		t.Errorf("hash expires in %v, want the previous keys' latest expiry, 1h", ttl)
	}
	if err := store.Commit(ctx, s, save("new-state")); err != nil {
		t.Fatal(err)
	}
	again, err := store.Begin(ctx, begin("web:1", "u-next"))
	if err != nil || string(again.State) != "new-state" || again.Count != 6 {
		t.Fatalf("Begin after Commit: state %q count %d, %v; want new-state, 6", again.State, again.Count, err)
	}
}

func TestPreviousLockHoldsBegin(t *testing.T) {
	store, client := newStoreOnServer(t)
	ctx := context.Background()
	writePreviousLayout(t, client, true)

	if _, err := store.Begin(ctx, begin("web:1", "u-new")); !errors.Is(err, bot.ErrLocked) {
		t.Fatalf("Begin while the previous layout's lock lives: %v, want ErrLocked", err)
	}
	client.Del(ctx, previousBase+"lock") // the previous version's handler is done
	s, err := store.Begin(ctx, begin("web:1", "u-new"))
	if err != nil || string(s.State) != "old-state" {
		t.Fatalf("Begin once the previous lock is gone: state %q, %v; want old-state", s.State, err)
	}
}

func TestForgetErasesPreviousLayout(t *testing.T) {
	store, client := newStoreOnServer(t)
	ctx := context.Background()
	writePreviousLayout(t, client, true)
	if _, err := store.Begin(ctx, begin("web:2", "u1")); err != nil { // another conversation
		t.Fatal(err)
	}
	if err := store.Forget(ctx, "web:1"); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, client, "wemi:{c:web:2}:conv")
}

// hashFields returns the hash of conversation web:1 under the default prefix.
func hashFields(t *testing.T, client *goredis.Client) map[string]string {
	t.Helper()
	fields, err := client.HGetAll(context.Background(), convKey).Result()
	if err != nil {
		t.Fatal(err)
	}
	return fields
}

// TestExpiredMarkersSwept commits many updates whose markers expire at once, into a
// hash small enough for Redis's compact encoding (swept whole at each step) and into
// one holding a large state (a hash table, swept by steps).
func TestExpiredMarkersSwept(t *testing.T) {
	tests := []struct {
		name       string
		state      string
		commits    int
		maxMarkers int
	}{
		{"compact", "x", 100, 33},
		{"hash table", strings.Repeat("s", 512), 2000, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store, client := newStoreOnServer(t)
			handle := func(update string, dedupe time.Duration) {
				t.Helper()
				s, err := store.Begin(context.Background(), begin("web:1", update))
				if err != nil {
					t.Fatal(err)
				}
				c := bot.Commit{State: []byte(tc.state), IdleTTL: time.Hour, DedupeTTL: dedupe}
				if err := store.Commit(context.Background(), s, c); err != nil {
					t.Fatal(err)
				}
			}
			handle("kept", time.Hour)
			for i := range tc.commits {
				handle(strconv.Itoa(i), time.Millisecond)
				time.Sleep(time.Millisecond) // the marker just written expires
			}
			markers := 0
			for field := range hashFields(t, client) {
				if strings.HasPrefix(field, "u:") {
					markers++
				}
			}
			if markers < 1 || markers > tc.maxMarkers {
				t.Errorf("%d handled markers after %d commits, want at most %d", markers, tc.commits+1, tc.maxMarkers)
			}
			t.Logf("%d markers left of %d", markers, tc.commits+1)
			if s, err := store.Begin(context.Background(), begin("web:1", "kept")); err != nil || !s.Duplicate {
				t.Fatalf("the live marker did not survive the sweep: %+v, %v", s, err)
			}
		})
	}
}

func TestExpiredStateDropped(t *testing.T) {
	store, client := newStoreOnServer(t)
	ctx := context.Background()
	s, err := store.Begin(ctx, begin("web:1", "u1"))
	if err != nil {
		t.Fatal(err)
	}
	// The handled marker outlives the state, and so does the hash.
	if err := store.Commit(ctx, s, bot.Commit{State: []byte("x"), IdleTTL: time.Millisecond, DedupeTTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	s, err = store.Begin(ctx, begin("web:1", "u2"))
	if err != nil || s.State != nil {
		t.Fatalf("Begin past IdleTTL: state %q, %v; want none", s.State, err)
	}
	if _, ok := hashFields(t, client)["s"]; ok {
		t.Error("the expired state is still in the hash after Begin")
	}
	if err := store.Release(ctx, s); err != nil {
		t.Fatal(err)
	}
	// The hash lives on for the marker, which still tells a redelivery.
	if ttl := client.PTTL(ctx, convKey).Val(); ttl < 59*time.Minute {
		t.Errorf("hash expires in %v, want the marker's 1h", ttl)
	}
	if dup, err := store.Begin(ctx, begin("web:1", "u1")); err != nil || !dup.Duplicate {
		t.Fatalf("Begin of u1 after its state expired: %+v, %v; want a duplicate", dup, err)
	}
}

func TestHashOutlivesLockAndWindow(t *testing.T) {
	store, client := newStoreOnServer(t)
	ctx := context.Background()
	tests := []struct {
		name        string
		lock, rate  time.Duration
		wantAtLeast time.Duration
	}{
		{"new conversation, long lock", time.Hour, time.Minute, 59 * time.Minute},
		{"long rate window", time.Minute, 2 * time.Hour, 119 * time.Minute},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conversation := fmt.Sprintf("web:%d", i+10)
			b := bot.Begin{Conversation: conversation, UpdateID: "u1", LockTTL: tc.lock, RateWindow: tc.rate}
			if _, err := store.Begin(ctx, b); err != nil {
				t.Fatal(err)
			}
			key := "wemi:{c:" + conversation + "}:conv"
			if ttl := client.PTTL(ctx, key).Val(); ttl < tc.wantAtLeast {
				t.Errorf("hash expires in %v, want at least %v", ttl, tc.wantAtLeast)
			}
		})
	}
}

// TestCommandsPerMessage checks the Redis work of a message: two script runs of a few
// hash commands each, however long the conversation.
func TestCommandsPerMessage(t *testing.T) {
	srv := redistest.Start(t)
	store := redis.New(newClient(t, srv), redis.Options{})
	ctx := context.Background()
	const messages = 200
	var before redistest.Usage
	for i := range messages + 1 {
		if i == 1 { // the first message creates the conversation
			before = srv.Usage()
		}
		s, err := store.Begin(ctx, begin("web:1", strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Commit(ctx, s, save("state")); err != nil {
			t.Fatal(err)
		}
	}
	used := srv.Usage().Sub(before)
	t.Logf("%d commands, %d scripts for %d messages", used.Commands, used.Scripts, messages)
	// EVALSHA, TIME, HMGET, HSET; EVALSHA, TIME, HGET, HSET, PEXPIREAT; a sweep step
	// now and then.
	if perMessage := float64(used.Commands) / messages; perMessage > 9.5 {
		t.Errorf("%.2f Redis commands per message, want at most 9.5", perMessage)
	}
}
