package replicas

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
)

// serveURLOptions are the client settings the replica tests add to a Redis URL: short
// timeouts, so that a failover shows as a retry rather than a hang.
const serveURLOptions = "&dial_timeout=3s&read_timeout=3s&write_timeout=3s"

// converseAcross runs one web conversation across two replicas, its messages
// alternating between them, each a follow-up of the one before: a search on the
// first replica, the cost of its first result asked on the second, a filter of the
// search on the first again. between, when not nil, runs before the last message. A
// retried message gets the same answer from the other replica.
func converseAcross(t *testing.T, replicas [2]string, between func()) {
	t.Helper()
	c := newChatClient(t, replicas[0])
	found, _ := c.say(t, replicas[0], "m1", "mi serve una badante")
	if !strings.Contains(found.text(), "Ho trovato") || len(found.Replies) == 0 || len(found.Replies[0].Buttons) == 0 {
		t.Fatalf("search on replica 1: %s", found.text())
	}
	first := found.Replies[0].Buttons[0][0].Label
	cost, raw := c.say(t, replicas[1], "m2", "quanto costa il primo?")
	if !strings.Contains(cost.text(), "Quanto costa «"+first+"»") {
		t.Fatalf("follow-up on replica 2 lost the context (the first result was %q): %s", first, cost.text())
	}
	if _, again := c.say(t, replicas[0], "m2", "quanto costa il primo?"); !bytes.Equal(again, raw) {
		t.Errorf("the retried message got another answer from the other replica:\n%s\nthen\n%s", raw, again)
	}
	if between != nil {
		between()
	}
	free, _ := c.say(t, replicas[0], "m3", "solo gratuiti")
	if !strings.Contains(free.text(), "solo gratuiti") {
		t.Fatalf("filter on replica 1 lost the search: %s", free.text())
	}
}

// startPair starts two replicas on redisURL at once and returns their addresses.
func startPair(t *testing.T, redisURL string) (string, string) {
	t.Helper()
	bin := buildWemibot(t)
	// Replicas share the key-encryption key, as the README says they must.
	env := map[string]string{"WEMI_REDIS_URL": redisURL, "WEMI_KEK": "cmVwbGljYXMtdGVzdC1rZXktZW5jcnlwdGlvbi1rZXk="}
	pair := [2]*replicaProcess{newReplica(t, bin, copyEnv(env)), newReplica(t, bin, copyEnv(env))}
	var errs [2]error
	var wg sync.WaitGroup
	for i, r := range pair {
		wg.Go(func() { errs[i] = r.start() })
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		t.Fatal(err)
	}
	return pair[0].address(), pair[1].address()
}

// Two `serve` replicas on a Redis Cluster of three masters carry one conversation.
func TestServeReplicasOnCluster(t *testing.T) {
	t.Parallel()
	cluster := redistest.StartCluster(t)
	url := cluster.URL() + serveURLOptions
	a, b := startPair(t, url)
	converseAcross(t, [2]string{a, b}, nil)
}

// Two `serve` replicas on Sentinel carry one conversation through a failover.
func TestServeReplicasOnSentinel(t *testing.T) {
	t.Parallel()
	sentinel := redistest.StartSentinel(t)
	url := sentinel.URL() + serveURLOptions
	a, b := startPair(t, url)
	before := sentinel.MasterAddr()
	converseAcross(t, [2]string{a, b}, sentinel.Failover)
	if sentinel.MasterAddr() == before {
		t.Fatal("no failover happened")
	}
}
