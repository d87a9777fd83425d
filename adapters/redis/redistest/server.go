// Package redistest runs a private redis-server for tests: on a unix socket in a
// temporary folder, without persistence, stopped when the test ends. It never talks to a
// Redis it did not start.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/internal/logtest"
)

// readyTimeout bounds how long Start and Restart wait for the server to answer PING.
const readyTimeout = 10 * time.Second

// stopTimeout bounds how long Stop waits for a graceful shutdown before killing.
const stopTimeout = 5 * time.Second

// maxSocketPath keeps the socket path under the kernel's limit (108 bytes on Linux,
// 104 on macOS) with room to spare.
const maxSocketPath = 100

// Server is a redis-server process owned by one test.
type Server struct {
	tb     testing.TB
	binary string
	dir    string
	socket string
	// persistent servers keep an append-only file, fsynced at every write.
	persistent bool

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Start starts a redis-server listening only on a unix socket in a temporary folder and
// stops it when the test ends. It fails the test when redis-server is not installed or
// does not answer PING in time.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return startServer(tb, false)
}

// StartPersistent is Start with an append-only file in the server's folder, fsynced
// before each write is acknowledged (appendfsync always): Restart, even after Kill,
// brings back every write the server acknowledged, as a production Redis with AOF
// would.
func StartPersistent(tb testing.TB) *Server {
	tb.Helper()
	return startServer(tb, true)
}

func startServer(tb testing.TB, persistent bool) *Server {
	tb.Helper()
	binary, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server not found on PATH: the Redis tests need a real server; " +
			"./test.sh installs it (or: apt-get install redis-server)")
	}
	dir := tb.TempDir()
	if len(filepath.Join(dir, "redis.sock")) > maxSocketPath {
		// Long test names make long temporary folders; unix socket paths are short.
		dir, err = os.MkdirTemp("", "redistest")
		if err != nil {
			tb.Fatalf("redistest: temporary folder: %v", err)
		}
		tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	}
	s := &Server{tb: tb, binary: binary, dir: dir, socket: filepath.Join(dir, "redis.sock"), persistent: persistent}
	tb.Cleanup(s.Stop)
	if err := s.start(); err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	return s
}

// URL returns the server's address as a unix:// URL for goredis.ParseURL.
func (s *Server) URL() string {
	return "unix://" + s.socket
}

// Socket returns the path of the server's unix socket.
func (s *Server) Socket() string {
	return s.socket
}

// Stop shuts the server down and waits for it to exit. Stopping a stopped server does
// nothing.
func (s *Server) Stop() { s.halt(syscall.SIGTERM) }

// Kill ends the server at once (SIGKILL), as a crash would: a persistent server
// keeps what it acknowledged; another loses everything.
func (s *Server) Kill() { s.halt(syscall.SIGKILL) }

func (s *Server) halt(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused server must run to stop
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Pause freezes the server (SIGSTOP): it keeps its data but answers nothing, like a
// Redis that is unreachable for a while; Resume lets it go on.
func (s *Server) Pause() { s.signal(syscall.SIGSTOP) }

// Resume lets a paused server go on (SIGCONT).
func (s *Server) Resume() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(sig)
	}
}

// Restart stops the server if it runs and starts a new one on the same socket, so
// clients configured with URL reconnect to it: empty, or for a persistent server with
// the data of its append-only file.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.tb.Fatalf("redistest: restart: %v", err)
	}
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &logtest.Buffer{}
	aof := []string{"--appendonly", "no"}
	if s.persistent {
		aof = []string{"--appendonly", "yes", "--appendfsync", "always"}
	}
	args := append([]string{
		"--port", "0",
		"--unixsocket", s.socket,
		"--unixsocketperm", "700",
		"--dir", s.dir,
		"--save", "",
		"--daemonize", "no",
		"--loglevel", "warning",
	}, aof...)
	cmd := exec.Command(s.binary, args...)
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.binary, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	if err := waitReady(s.socket, done); err != nil {
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("%w; server output:\n%s", err, out.String())
	}
	s.cmd, s.done = cmd, done
	return nil
}

// waitReady polls the socket with PING until the server answers PONG, exits, or
// readyTimeout passes.
func waitReady(socket string, exited <-chan struct{}) error {
	deadline := time.Now().Add(readyTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("redis-server exited before answering PING")
		default:
		}
		if last = ping(socket); last == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("redis-server did not answer PING within %v: %w", readyTimeout, last)
}

func ping(socket string) error {
	conn, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("unexpected PING reply %q", line)
	}
	return nil
}
