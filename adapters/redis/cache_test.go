package redis_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
)

// A group's values are dropped together, and only they; the group's index holds no
// more than its live values.
func TestCacheGroups(t *testing.T) {
	ctx := context.Background()
	client := newClient(t, redistest.Start(t))
	c := redis.NewCache(client, "")
	for i := range 3 {
		for _, g := range []string{"a", "b"} {
			if err := c.Put(ctx, g, fmt.Sprint(i), []byte(g+fmt.Sprint(i)), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
	}
	if v, ok, err := c.Get(ctx, "a", "1"); err != nil || !ok || string(v) != "a1" {
		t.Fatalf("get: %q %v %v", v, ok, err)
	}
	if err := c.Drop(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, ok, _ := c.Get(ctx, "a", fmt.Sprint(i)); ok {
			t.Errorf("a/%d left after Drop", i)
		}
		if _, ok, _ := c.Get(ctx, "b", fmt.Sprint(i)); !ok {
			t.Errorf("b/%d dropped with a", i)
		}
	}
	if n, _ := client.DBSize(ctx).Result(); n != 4 { // b's three values and its index
		t.Errorf("%d keys left, want 4", n)
	}
	if err := c.Drop(ctx, "never used"); err != nil {
		t.Errorf("drop of an empty group: %v", err)
	}
	// Values expired by now leave the index at the next Put.
	for i := range 50 {
		c.Put(ctx, "short", fmt.Sprint(i), []byte("v"), time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond)
	c.Put(ctx, "short", "last", []byte("v"), time.Minute)
	keys, _ := client.Keys(ctx, "wemi:cache:*index").Result()
	for _, k := range keys {
		if n, _ := client.ZCard(ctx, k).Result(); n > 3 {
			t.Errorf("index %s holds %d keys", k, n)
		}
	}
}

// Finish replaces a value that is still there, keeping its expiry, and never brings
// back one dropped or expired; its writes go along with the next Get or Put, or by
// themselves soon after.
func TestCacheFinish(t *testing.T) {
	ctx := context.Background()
	client := newClient(t, redistest.Start(t))
	c := redis.NewCache(client, "")
	for _, k := range []string{"a", "b", "dropped"} {
		if err := c.Put(ctx, "g", k, []byte("pending "+k), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Put(ctx, "other", "x", []byte("pending x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	c.Finish("g", "a", []byte("final a"))
	if v, ok, err := c.Get(ctx, "g", "a"); err != nil || !ok || string(v) != "final a" {
		t.Errorf("Get after Finish: %q %v %v", v, ok, err)
	}
	c.Finish("g", "never put", []byte("final"))
	c.Finish("other", "x", []byte("final x"))
	if err := c.Drop(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	c.Finish("g", "b", []byte("final b"))
	if err := c.Put(ctx, "g", "c", []byte("pending c"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := c.Get(ctx, "g", "b"); string(v) != "final b" {
		t.Errorf("a value finished before a Put: %q", v)
	}
	for _, gk := range [][2]string{{"g", "never put"}, {"other", "x"}} {
		if _, ok, _ := c.Get(ctx, gk[0], gk[1]); ok {
			t.Errorf("Finish brought back %s/%s", gk[0], gk[1])
		}
	}
	keys, _ := client.Keys(ctx, "wemi:cache:*").Result()
	for _, k := range keys {
		if ttl, _ := client.PTTL(ctx, k).Result(); ttl <= 0 {
			t.Errorf("%s kept without expiry (%v)", k, ttl)
		}
	}

	// Alone, a Finish is sent soon by itself.
	c.Finish("g", "c", []byte("final c"))
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		v, _ := client.Keys(ctx, "wemi:cache:*").Result()
		if got := finishedValues(t, client, v); got["final c"] {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("a lone Finish was never sent")
		}
	}
}

// finishedValues is the set of the string values under keys.
func finishedValues(t *testing.T, client *goredis.Client, keys []string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, k := range keys {
		if v, err := client.Get(context.Background(), k).Result(); err == nil {
			out[v] = true
		}
	}
	return out
}

// Many Finish calls at once, from many goroutines, are all sent, however many wait
// at a time, on one server and on a cluster (the groups on many slots); values
// dropped meanwhile stay dropped.
func TestCacheFinishConcurrent(t *testing.T) {
	t.Run("single", func(t *testing.T) {
		finishConcurrently(t, redis.NewCache(newClient(t, redistest.Start(t)), ""))
	})
	t.Run("cluster", func(t *testing.T) {
		finishConcurrently(t, redis.NewCache(openURL(t, redistest.StartCluster(t).URL()), ""))
	})
}

func finishConcurrently(t *testing.T, c *redis.Cache) {
	ctx := context.Background()
	const groups, perGroup = 20, 40 // more than wait at once
	var wg sync.WaitGroup
	for g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			group := fmt.Sprint("g", g)
			for k := range perGroup {
				key := fmt.Sprint(k)
				if err := c.Put(ctx, group, key, []byte("pending"), time.Minute); err != nil {
					t.Error(err)
					return
				}
				c.Finish(group, key, []byte("final "+group+"/"+key))
			}
			if g%2 == 1 {
				if err := c.Drop(ctx, group); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for g := range groups {
		group := fmt.Sprint("g", g)
		for k := range perGroup {
			key := fmt.Sprint(k)
			v, ok, err := c.Get(ctx, group, key)
			switch {
			case err != nil:
				t.Fatal(err)
			case g%2 == 1 && ok:
				t.Errorf("%s/%s back after Drop: %q", group, key, v)
			case g%2 == 0 && string(v) != "final "+group+"/"+key:
				t.Errorf("%s/%s: %q", group, key, v)
			}
		}
	}
}

// Put loads its script again when Redis lost it (a restart, SCRIPT FLUSH).
func TestCachePutAfterScriptFlush(t *testing.T) {
	ctx := context.Background()
	client := newClient(t, redistest.Start(t))
	c := redis.NewCache(client, "")
	if err := c.Put(ctx, "g", "1", []byte("v1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(ctx, "g", "2", []byte("v2"), time.Minute); err != nil {
		t.Fatalf("Put after SCRIPT FLUSH: %v", err)
	}
	if v, ok, _ := c.Get(ctx, "g", "2"); !ok || string(v) != "v2" {
		t.Errorf("got %q %v", v, ok)
	}
}
