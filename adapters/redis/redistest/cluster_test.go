package redistest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
)

// The cluster spreads keys over its three masters, and a client reaches every slot.
func TestStartCluster(t *testing.T) {
	t.Parallel()
	c := redistest.StartCluster(t)
	opts, err := goredis.ParseClusterURL(c.URL())
	if err != nil {
		t.Fatal(err)
	}
	client := goredis.NewClusterClient(opts)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range 100 {
		if err := client.Set(ctx, fmt.Sprint("k", i), i, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex // ForEachMaster calls in parallel
	masters := map[string]int64{}
	err = client.ForEachMaster(ctx, func(ctx context.Context, m *goredis.Client) error {
		n, err := m.DBSize(ctx).Result()
		mu.Lock()
		defer mu.Unlock()
		masters[m.Options().Addr] = n
		return err
	})
	if err != nil || len(masters) != 3 {
		t.Fatalf("masters %v, %v", masters, err)
	}
	for addr, n := range masters {
		if n == 0 {
			t.Errorf("master %s holds no key of 100: %v", addr, masters)
		}
	}
}

// A failover promotes the replica; a client of the sentinels follows, and nothing
// written before it is lost. Twice, so the old master became a working replica.
func TestSentinelFailover(t *testing.T) {
	t.Parallel()
	s := redistest.StartSentinel(t)
	opts, err := goredis.ParseFailoverURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	client := goredis.NewFailoverClient(opts)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for round := range 2 {
		before := s.MasterAddr()
		if err := client.Incr(ctx, "n").Err(); err != nil {
			t.Fatal(err)
		}
		s.Failover()
		if after := s.MasterAddr(); after == before {
			t.Fatalf("round %d: master still %s", round, after)
		}
		n, err := client.Incr(ctx, "n").Result()
		if err != nil || n != int64(2*round+2) {
			t.Fatalf("round %d: INCR after the failover = %d, %v", round, n, err)
		}
	}
}
