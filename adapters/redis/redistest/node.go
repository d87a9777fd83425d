package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/internal/logtest"
	goredis "github.com/redis/go-redis/v9"
)

// portAttempts bounds how often a node retries on a port another process took between
// the check that it was free and the server binding it.
const portAttempts = 10

// node is a redis-server (or a sentinel) on a 127.0.0.1 TCP port, owned by one test.
type node struct {
	port   int
	binary string
	args   []string // what to run after the binary, "--port N" left out

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  *logtest.Buffer
}

// addr is the node's host:port.
func (n *node) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.port)) }

// startNode starts binary with args on a free port (and, with bus, a free port+10000
// for Redis Cluster's bus), retrying on collisions, and stops it when the test ends.
// config, when not nil, writes a configuration file for each attempt's port, passed
// first (sentinels need their own writable configuration file).
func startNode(tb testing.TB, binary string, bus bool, args []string, config func(port int) (string, error)) *node {
	tb.Helper()
	var last error
	for range portAttempts {
		port, err := freePort(bus)
		if err != nil {
			last = err
			continue
		}
		all := args
		if config != nil {
			file, err := config(port)
			if err != nil {
				tb.Fatalf("redistest: %v", err)
			}
			all = append([]string{file}, args...)
		}
		n := &node{port: port, binary: binary, args: all}
		if last = n.start(); last == nil {
			tb.Cleanup(n.stop)
			return n
		}
	}
	tb.Fatalf("redistest: no node started after %d attempts: %v", portAttempts, last)
	return nil
}

// freePort returns a TCP port free on 127.0.0.1 now, and with bus port+10000 too.
func freePort(bus bool) (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	if !bus {
		return port, nil
	}
	if port+10000 > 65535 {
		return 0, fmt.Errorf("port %d has no cluster bus port", port)
	}
	lb, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
	if err != nil {
		return 0, fmt.Errorf("cluster bus port of %d: %w", port, err)
	}
	lb.Close()
	return port, nil
}

// start runs the node and waits until it answers PING.
func (n *node) start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := &logtest.Buffer{}
	args := append(append([]string{}, n.args...), "--port", strconv.Itoa(n.port), "--bind", "127.0.0.1")
	cmd := exec.Command(n.binary, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", n.binary, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	if err := waitPing(n.addr(), done); err != nil {
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("%w; output:\n%s", err, out.String())
	}
	n.cmd, n.done, n.out = cmd, done, out
	return nil
}

// stop ends the node (SIGTERM, then SIGKILL after stopTimeout); stopping a stopped
// node does nothing.
func (n *node) stop() { n.halt(syscall.SIGTERM) }

// kill ends the node at once, as a crash would.
func (n *node) kill() { n.halt(syscall.SIGKILL) }

func (n *node) halt(sig syscall.Signal) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGCONT)
	_ = n.cmd.Process.Signal(sig)
	select {
	case <-n.done:
	case <-time.After(stopTimeout):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
	n.cmd = nil
}

// waitPing polls addr with PING until it answers, the process exits, or readyTimeout.
func waitPing(addr string, exited <-chan struct{}) error {
	c := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: time.Second})
	defer c.Close()
	deadline := time.Now().Add(readyTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("the server exited before answering PING")
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		last = c.Ping(ctx).Err()
		cancel()
		if last == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("no answer to PING within %v: %w", readyTimeout, last)
}

// adminClient returns a client of one node for the harness's own commands.
func adminClient(addr string) *goredis.Client {
	return goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 2 * time.Second,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, PoolSize: 2})
}

// waitFor polls cond every 50 ms until it holds or limit passes; it returns cond's
// last error.
func waitFor(limit time.Duration, cond func(ctx context.Context) error) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := cond(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
