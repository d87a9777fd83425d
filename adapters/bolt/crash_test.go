package bolt_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/clocktest"
)

// crashEnv names the file the crashing child writes to; set, the test is the child.
const crashEnv = "WEMI_BOLT_CRASH_FILE"

const (
	crashConversations = 16
	crashAcks          = 400 // the child dies once it has acknowledged this many Commits
)

// TestCrashKeepsAcknowledgedCommits runs a child process that commits in many
// conversations at once and kills itself (SIGKILL, no Close) while Commits are under
// way; every Commit it saw return must be in the file, with its handled marker and
// its rate count.
func TestCrashKeepsAcknowledgedCommits(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "wemi.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsAcknowledgedCommits$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.Output()
	if err == nil {
		t.Fatalf("the child did not crash:\n%s", out)
	}
	acked := map[string]int{}
	scanner := bufio.NewScanner(bytes.NewReader(out))
	for scanner.Scan() {
		var conv string
		var n int
		if _, err := fmt.Sscan(scanner.Text(), &conv, &n); err == nil {
			acked[conv] = max(acked[conv], n)
		}
	}
	if len(acked) == 0 {
		t.Fatalf("the child acknowledged nothing: %v\n%s", err, out)
	}
	store := open(t, path, clocktest.New(time.Now()))
	ctx := context.Background()
	for conv, n := range acked {
		if s, err := store.Begin(ctx, crashBegin(conv, n)); err != nil || !s.Duplicate {
			t.Errorf("%s: update %d was acknowledged, but not marked as handled: %+v, %v", conv, n, s, err)
		}
		s, err := store.Begin(ctx, crashBegin(conv, -1))
		if err != nil {
			t.Fatal(err)
		}
		saved, _ := strconv.Atoi(string(s.State))
		if saved < n || s.Count <= n {
			t.Errorf("%s: state %q, count %d after reopening; acknowledged %d", conv, s.State, s.Count, n)
		}
	}
}

func crashBegin(conv string, n int) bot.Begin {
	return bot.Begin{Conversation: conv, UpdateID: strconv.Itoa(n), LockTTL: time.Minute, RateWindow: time.Hour}
}

// crashChild commits in crashConversations conversations until crashAcks Commits
// have returned, printing each, then kills its own process.
func crashChild(path string) {
	store, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	var mu sync.Mutex
	acks := 0
	var wg sync.WaitGroup
	for c := range crashConversations {
		conv := fmt.Sprintf("crash:%d", c)
		wg.Go(func() {
			for n := 1; ; n++ {
				s, err := store.Begin(ctx, crashBegin(conv, n))
				if err == nil {
					err = store.Commit(ctx, s, bot.Commit{State: []byte(strconv.Itoa(n)), IdleTTL: time.Hour, DedupeTTL: time.Hour})
				}
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Printf("%s %d\n", conv, n)
				acks++
				if acks == crashAcks {
					_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
