package redistest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// clusterMasters is how many masters StartCluster starts: the fewest Redis Cluster
// accepts.
const clusterMasters = 3

// clusterTimeout bounds the wait for a new cluster to agree on its slots.
const clusterTimeout = 30 * time.Second

// Cluster is a Redis Cluster of three masters on 127.0.0.1, owned by one test.
type Cluster struct {
	nodes []*node
}

// StartCluster starts three `redis-server --cluster-enabled yes` masters on free
// loopback ports (each with its bus port, port+10000, free too), joins them with
// `redis-cli --cluster create`, waits until every node says cluster_state:ok, and
// stops them when the test ends. It fails the test when redis-server or redis-cli is
// missing (./test.sh installs them).
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	server := lookPath(tb, "redis-server")
	cli := lookPath(tb, "redis-cli")
	c := &Cluster{}
	for i := range clusterMasters {
		dir := filepath.Join(tb.TempDir(), fmt.Sprintf("node%d", i))
		args := []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes.conf"),
			"--cluster-node-timeout", "2000",
			"--dir", dir,
			"--save", "", "--appendonly", "no",
			"--daemonize", "no", "--loglevel", "warning",
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			tb.Fatalf("redistest: %v", err)
		}
		c.nodes = append(c.nodes, startNode(tb, server, true, args, nil))
	}
	create := []string{"--cluster", "create"}
	for _, n := range c.nodes {
		create = append(create, n.addr())
	}
	create = append(create, "--cluster-replicas", "0", "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, cli, create...).CombinedOutput(); err != nil {
		tb.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, n := range c.nodes {
		if err := waitFor(clusterTimeout, clusterOK(n.addr())); err != nil {
			tb.Fatalf("redistest: cluster node %s not ready: %v", n.addr(), err)
		}
	}
	return c
}

// clusterOK checks that the node at addr says cluster_state:ok and knows every slot.
func clusterOK(addr string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		c := adminClient(addr)
		defer c.Close()
		info, err := c.ClusterInfo(ctx).Result()
		if err != nil {
			return err
		}
		if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_slots_ok:16384") {
			return fmt.Errorf("cluster info: %s", strings.Join(strings.Fields(info)[:2], " "))
		}
		return nil
	}
}

// URL returns the cluster's address in the form adapters/redis.Open takes: the first
// node as host, the others as addr parameters.
func (c *Cluster) URL() string {
	var q []string
	for _, n := range c.nodes[1:] {
		q = append(q, "addr="+n.addr())
	}
	return "redis://" + c.nodes[0].addr() + "?" + strings.Join(q, "&")
}

// Addrs returns the host:port of every master.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		addrs[i] = n.addr()
	}
	return addrs
}

// lookPath finds a Redis binary or fails the test saying how to install it.
func lookPath(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		tb.Fatalf("%s not found on PATH: the Redis tests need a real server; "+
			"./test.sh installs it (or: apt-get install redis-server redis-tools)", name)
	}
	return path
}
