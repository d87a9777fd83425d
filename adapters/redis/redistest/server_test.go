package redistest_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
)

func TestStopAndRestart(t *testing.T) {
	srv := redistest.Start(t)
	if !strings.HasPrefix(srv.URL(), "unix://") || !strings.HasSuffix(srv.URL(), srv.Socket()) {
		t.Fatalf("URL %q does not name socket %q", srv.URL(), srv.Socket())
	}
	if err := ping(srv.Socket()); err != nil {
		t.Fatalf("fresh server: %v", err)
	}
	srv.Stop()
	if err := ping(srv.Socket()); err == nil {
		t.Fatal("stopped server still answers")
	}
	srv.Stop() // stopping twice is harmless
	srv.Restart()
	if err := ping(srv.Socket()); err != nil {
		t.Fatalf("restarted server: %v", err)
	}
}

func ping(socket string) error {
	conn, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	_, err = bufio.NewReader(conn).ReadString('\n')
	return err
}

func TestPauseAndResume(t *testing.T) {
	srv := redistest.Start(t)
	srv.Pause()
	if err := ping(srv.Socket()); err == nil {
		t.Fatal("a paused server answers")
	}
	srv.Resume()
	if err := ping(srv.Socket()); err != nil {
		t.Fatalf("resumed server: %v", err)
	}
	srv.Pause() // a paused server still stops at the end of the test
}

// A persistent server killed at once keeps every write it acknowledged.
func TestPersistentSurvivesKill(t *testing.T) {
	srv := redistest.StartPersistent(t)
	if err := command(srv.Socket(), "SET k v"); err != "+OK" {
		t.Fatalf("SET: %s", err)
	}
	srv.Kill()
	srv.Restart()
	if got := command(srv.Socket(), "GET k"); got != "$1" {
		t.Fatalf("GET after kill and restart: %q, want the value back", got)
	}
}

// command sends one inline command and returns the first line of the reply.
func command(socket, cmd string) string {
	conn, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return err.Error()
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
		return err.Error()
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err.Error()
	}
	return strings.TrimSpace(line)
}
