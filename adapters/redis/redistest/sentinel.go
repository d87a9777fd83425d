package redistest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// MasterName is the name the sentinels of StartSentinel monitor the master under.
const MasterName = "wemi"

// sentinelTimeout bounds the waits for the sentinels to agree and for a failover.
const sentinelTimeout = 30 * time.Second

// Sentinel is a master, a replica and three sentinels on 127.0.0.1, owned by one test.
type Sentinel struct {
	tb        testing.TB
	mu        sync.Mutex
	master    *node
	replica   *node
	sentinels []*node
}

// StartSentinel starts a master, a replica of it and three sentinels monitoring them
// (`redis-server --sentinel`, quorum 2, down after 1 s, failover timeout 5 s), waits
// until every sentinel knows the replica and the two other sentinels, and stops them
// all when the test ends.
func StartSentinel(tb testing.TB) *Sentinel {
	tb.Helper()
	server := lookPath(tb, "redis-server")
	s := &Sentinel{tb: tb}
	data := func(name string, extra ...string) *node {
		dir := filepath.Join(tb.TempDir(), name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			tb.Fatalf("redistest: %v", err)
		}
		args := append([]string{"--dir", dir, "--save", "", "--appendonly", "no",
			"--repl-diskless-sync-delay", "0", "--daemonize", "no", "--loglevel", "warning"}, extra...)
		return startNode(tb, server, false, args, nil)
	}
	s.master = data("master")
	s.replica = data("replica", "--replicaof", "127.0.0.1", strconv.Itoa(s.master.port))
	if err := waitFor(sentinelTimeout, linkUp(s.replica.addr())); err != nil {
		tb.Fatalf("redistest: replica not in sync: %v", err)
	}
	dir := tb.TempDir()
	for i := range 3 {
		config := func(port int) (string, error) {
			file := filepath.Join(dir, fmt.Sprintf("sentinel%d-%d.conf", i, port))
			conf := fmt.Sprintf("dir %s\nsentinel monitor %s 127.0.0.1 %d 2\n"+
				"sentinel down-after-milliseconds %[2]s 1000\nsentinel failover-timeout %[2]s 5000\n"+
				"sentinel parallel-syncs %[2]s 1\n", dir, MasterName, s.master.port)
			return file, os.WriteFile(file, []byte(conf), 0o600)
		}
		s.sentinels = append(s.sentinels, startNode(tb, server, false, []string{"--sentinel", "--loglevel", "warning"}, config))
	}
	if err := s.waitAgreed(s.master.addr(), s.replica.addr()); err != nil {
		tb.Fatalf("redistest: sentinels not ready: %v", err)
	}
	return s
}

// URL returns the sentinels' address in the form adapters/redis.Open takes: the first
// sentinel as host, the others as addr parameters, and master_name.
func (s *Sentinel) URL() string {
	q := []string{"master_name=" + MasterName}
	for _, n := range s.sentinels[1:] {
		q = append(q, "addr="+n.addr())
	}
	return "redis://" + s.sentinels[0].addr() + "?" + strings.Join(q, "&")
}

// MasterAddr returns the host:port of the current master.
func (s *Sentinel) MasterAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.master.addr()
}

// Failover makes the replica the master and the old master its replica, losing no
// write: it pauses writes on the master (CLIENT PAUSE WRITE), waits until the replica
// has every one, asks a sentinel for the failover (SENTINEL FAILOVER), waits until the
// three sentinels name the new master, turns the old master into its replica and lets
// the paused clients go on: their writes then fail with READONLY, which go-redis
// retries on the new master. A command in flight on a connection the client closes at
// the switch fails, as it would in production. Failover fails the test if the new
// master is not in place within 30 s.
func (s *Sentinel) Failover() {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), sentinelTimeout)
	defer cancel()
	old := adminClient(s.master.addr())
	defer old.Close()
	if err := old.Do(ctx, "CLIENT", "PAUSE", strconv.Itoa(int(sentinelTimeout/time.Millisecond)), "WRITE").Err(); err != nil {
		s.tb.Fatalf("redistest: pause the master: %v", err)
	}
	defer old.Do(context.Background(), "CLIENT", "UNPAUSE")
	if err := waitFor(sentinelTimeout, caughtUp(s.master.addr(), s.replica.addr())); err != nil {
		s.tb.Fatalf("redistest: the replica did not catch up: %v", err)
	}
	sc := goredis.NewSentinelClient(&goredis.Options{Addr: s.sentinels[0].addr(), MaxRetries: -1})
	defer sc.Close()
	if err := sc.Failover(ctx, MasterName).Err(); err != nil {
		s.tb.Fatalf("redistest: SENTINEL FAILOVER: %v", err)
	}
	if err := waitFor(sentinelTimeout, s.named(s.replica.addr())); err != nil {
		s.tb.Fatalf("redistest: failover: %v", err)
	}
	if err := old.Do(ctx, "REPLICAOF", "127.0.0.1", strconv.Itoa(s.replica.port)).Err(); err != nil {
		s.tb.Fatalf("redistest: make the old master a replica: %v", err)
	}
	s.master, s.replica = s.replica, s.master
	if err := old.Do(ctx, "CLIENT", "UNPAUSE").Err(); err != nil {
		s.tb.Fatalf("redistest: unpause the old master: %v", err)
	}
	// Ready for the next failover: the new replica in sync and known to the sentinels.
	if err := waitFor(sentinelTimeout, linkUp(s.replica.addr())); err != nil {
		s.tb.Fatalf("redistest: the old master does not replicate: %v", err)
	}
	if err := s.waitAgreed(s.master.addr(), s.replica.addr()); err != nil {
		s.tb.Fatalf("redistest: sentinels after the failover: %v", err)
	}
}

// waitAgreed waits until every sentinel names master, reaches the quorum and sees
// replica up.
func (s *Sentinel) waitAgreed(master, replica string) error {
	return waitFor(sentinelTimeout, func(ctx context.Context) error {
		if err := s.named(master)(ctx); err != nil {
			return err
		}
		for _, n := range s.sentinels {
			sc := goredis.NewSentinelClient(&goredis.Options{Addr: n.addr(), MaxRetries: -1})
			err := sentinelReady(ctx, sc, replica)
			sc.Close()
			if err != nil {
				return fmt.Errorf("sentinel %s: %w", n.addr(), err)
			}
		}
		return nil
	})
}

// sentinelReady checks that sc reaches the quorum and sees replica up.
func sentinelReady(ctx context.Context, sc *goredis.SentinelClient, replica string) error {
	if err := sc.CkQuorum(ctx, MasterName).Err(); err != nil {
		return err
	}
	replicas, err := sc.Replicas(ctx, MasterName).Result()
	if err != nil {
		return err
	}
	for _, r := range replicas {
		if r["ip"]+":"+r["port"] == replica && r["flags"] == "slave" && r["master-link-status"] == "ok" {
			return nil
		}
	}
	return fmt.Errorf("replica %s not seen up", replica)
}

// named checks that every sentinel names addr as the master.
func (s *Sentinel) named(addr string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		for _, n := range s.sentinels {
			sc := goredis.NewSentinelClient(&goredis.Options{Addr: n.addr(), MaxRetries: -1})
			got, err := sc.GetMasterAddrByName(ctx, MasterName).Result()
			sc.Close()
			if err != nil {
				return err
			}
			if len(got) != 2 || got[0]+":"+got[1] != addr {
				return fmt.Errorf("sentinel %s names %v, want %s", n.addr(), got, addr)
			}
		}
		return nil
	}
}

// linkUp checks that the replica at addr is in sync with its master.
func linkUp(addr string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		info, err := replication(ctx, addr)
		if err != nil {
			return err
		}
		if info["role"] != "slave" || info["master_link_status"] != "up" || info["master_sync_in_progress"] != "0" {
			return fmt.Errorf("replica %s: role %s, link %s", addr, info["role"], info["master_link_status"])
		}
		return nil
	}
}

// caughtUp checks that the replica has applied everything the master wrote.
func caughtUp(master, replica string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		m, err := replication(ctx, master)
		if err != nil {
			return err
		}
		r, err := replication(ctx, replica)
		if err != nil {
			return err
		}
		if m["master_repl_offset"] != r["slave_repl_offset"] {
			return fmt.Errorf("master at offset %s, replica at %s", m["master_repl_offset"], r["slave_repl_offset"])
		}
		return nil
	}
}

// replication returns the fields of INFO replication of the server at addr.
func replication(ctx context.Context, addr string) (map[string]string, error) {
	c := adminClient(addr)
	defer c.Close()
	text, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	for _, line := range strings.Split(text, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = v
		}
	}
	return fields, nil
}
