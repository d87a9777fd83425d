package redis_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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
