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
