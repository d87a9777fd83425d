package redis_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/desk/desktest"
	"github.com/comune-milano/wemibot/records"
)

func TestDeskContract(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	var n atomic.Int64
	desktest.Run(t, func(t *testing.T) (desk.Store, clocktest.Advancer) {
		// A fresh prefix per subtest isolates the parallel subtests on one server.
		prefix := fmt.Sprintf("desk%d", n.Add(1))
		return redis.New(client, redis.Options{Prefix: prefix}), clocktest.Real{}
	})
}

func TestDeskKeys(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	store := redis.New(client, redis.Options{Prefix: "bot7"})
	ctx := context.Background()
	put := func([]byte) ([]byte, error) { return []byte(`{}`), nil }
	if _, err := store.Update(ctx, "hand{off}%", "ids", time.Hour, put); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Update(ctx, "card", "c1", 0, put); err != nil {
		t.Fatal(err)
	}
	if err := store.Add(ctx, desk.Tally{Key: "figures:{1}", Field: "f", N: 1, TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Once(ctx, "remind}", time.Hour); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, client,
		"bot7:{r:hand%7Boff%7D%25}:d:ids", "bot7:{r:hand%7Boff%7D%25}:ids",
		"bot7:{r:card}:d:c1", "bot7:{r:card}:ids",
		"bot7:{t:figures:%7B1%7D}",
		"bot7:{o:remind%7D}",
	)
	// Only records stored with ttl 0 and the id sets have no expiry.
	for key, want := range map[string]bool{
		"bot7:{r:hand%7Boff%7D%25}:d:ids": true, "bot7:{r:card}:d:c1": false,
		"bot7:{t:figures:%7B1%7D}": true, "bot7:{o:remind%7D}": true,
	} {
		if ttl := client.PTTL(ctx, key).Val(); (ttl > 0) != want {
			t.Errorf("key %q: PTTL %v, want expiry %v", key, ttl, want)
		}
	}
}

func TestDeskListPrunesExpiredIDs(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	store := redis.New(client, redis.Options{Prefix: "p"})
	ctx := context.Background()
	put := func([]byte) ([]byte, error) { return []byte(`{}`), nil }
	for _, id := range []string{"a", "b", "c"} {
		if _, err := store.Update(ctx, "card", id, time.Hour, put); err != nil {
			t.Fatal(err)
		}
	}
	// Redis expires the record on its own, leaving its id in the set.
	if err := client.Del(ctx, "p:{r:card}:d:b").Err(); err != nil {
		t.Fatal(err)
	}
	docs, err := store.List(ctx, "card")
	if err != nil || len(docs) != 2 {
		t.Fatalf("List: %d documents, %v; want 2", len(docs), err)
	}
	ids := client.SMembers(ctx, "p:{r:card}:ids").Val()
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"a", "c"}) {
		t.Fatalf("id set %q after List, want [a c]", ids)
	}
}

func TestDeskListBound(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	store := redis.New(client, redis.Options{})
	ctx := context.Background()
	pipe := client.Pipeline()
	for i := range records.MaxList + 10 {
		id := fmt.Sprint(i)
		pipe.Set(ctx, "wemi:{r:card}:d:"+id, "{}", 0)
		pipe.SAdd(ctx, "wemi:{r:card}:ids", id)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	docs, err := store.List(ctx, "card")
	if err != nil || len(docs) != records.MaxList {
		t.Fatalf("List: %d documents, %v; want %d", len(docs), err, records.MaxList)
	}
}

func TestDeskUpdateContention(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	store := redis.New(client, redis.Options{})
	ctx := context.Background()
	// A writer that changes the record under every attempt: Update gives up.
	calls := 0
	_, err := store.Update(ctx, "card", "c", 0, func([]byte) ([]byte, error) {
		calls++
		if err := client.Set(ctx, "wemi:{r:card}:d:c", fmt.Sprint(calls), 0).Err(); err != nil {
			return nil, err
		}
		return []byte(`{"mine":1}`), nil
	})
	if !errors.Is(err, redis.ErrContention) {
		t.Fatalf("Update against a constant writer: got %v, want ErrContention", err)
	}
	if calls != 50 {
		t.Errorf("fn called %d times, want 50", calls)
	}
}

// Records of a kind that is never listed expire; their ids do not pile up in the
// kind's id set, which later writes prune.
func TestDeskIDSetsStayBounded(t *testing.T) {
	srv := redistest.Start(t)
	client := newClient(t, srv)
	s := redis.New(client, redis.Options{Prefix: "bound"})
	ctx := context.Background()
	write := func(id string, ttl time.Duration) {
		t.Helper()
		if _, err := s.Update(ctx, "inbox", id, ttl, func([]byte) ([]byte, error) { return []byte("x"), nil }); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 300 {
		write(fmt.Sprintf("gone%d", i), 50*time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the records expire (Redis's own clock)
	for i := range 600 {
		write(fmt.Sprintf("live%d", i%5), time.Hour)
	}
	n, err := client.SCard(ctx, "bound:{r:inbox}:ids").Result()
	if err != nil {
		t.Fatal(err)
	}
	if n > 150 {
		t.Errorf("the id set holds %d ids for 5 live records after 600 writes", n)
	}
}
