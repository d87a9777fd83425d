package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildWemibot builds this command into a temporary folder once per test and returns
// the binary's path; with the race detector when the tests have it.
func buildWemibot(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "wemibot")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	out, err := exec.Command(goTool, append(args, ".")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// replicaProcess is a `wemibot serve` process on a 127.0.0.1 port.
type replicaProcess struct {
	t    *testing.T
	bin  string
	env  []string
	addr string // host:port, kept across restarts

	cmd  *exec.Cmd
	done chan struct{}
	out  *syncBuffer
}

// startReplica runs `bin serve` with env (WEMI_HTTP_ADDR and WEMI_DATA_DIR added) and
// waits until it serves; it is stopped when the test ends.
func startReplica(t *testing.T, bin string, env map[string]string) *replicaProcess {
	t.Helper()
	r := &replicaProcess{t: t, bin: bin, addr: "127.0.0.1:0"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WEMI_") && !strings.HasPrefix(kv, "ZONEINFO=") {
			r.env = append(r.env, kv)
		}
	}
	env["WEMI_DATA_DIR"] = t.TempDir()
	for k, v := range env {
		r.env = append(r.env, k+"="+v)
	}
	r.start()
	t.Cleanup(r.stop)
	return r
}

var bannerRE = regexp.MustCompile(`Web chat: http://([0-9.:]+)/`)

// start runs the process on r.addr and waits for its banner.
func (r *replicaProcess) start() {
	r.t.Helper()
	r.out = &syncBuffer{}
	r.cmd = exec.Command(r.bin, "serve")
	r.cmd.Env = append(append([]string{}, r.env...), "WEMI_HTTP_ADDR="+r.addr)
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start wemibot serve: %v", err)
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(r.cmd, r.done)
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		if m := bannerRE.FindStringSubmatch(r.out.String()); m != nil {
			r.addr = m[1]
			return
		}
		select {
		case <-r.done:
			r.t.Fatalf("wemibot serve exited:\n%s", r.out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	r.t.Fatalf("wemibot serve did not start:\n%s", r.out.String())
}

// kill ends the process at once (SIGKILL), as a crash would.
func (r *replicaProcess) kill() {
	_ = r.cmd.Process.Kill()
	<-r.done
}

// stop ends the process as an orchestrator would (SIGTERM), killing it if it is still
// there after a minute.
func (r *replicaProcess) stop() {
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(waitLimit):
		r.kill()
	}
}

// daytimeZoneinfo returns a folder for the ZONEINFO variable in which Europe/Rome is a
// fixed zone where it is now about noon. Reminders keep quiet hours (21:00–08:00 in
// Rome) also when they are sent, so a test that must see reminders go out whatever
// the hour it runs at gives the processes a Rome where it is day; the quiet hours
// themselves are tested in package reminders.
func daytimeZoneinfo(t *testing.T) string {
	t.Helper()
	now := time.Now().UTC()
	sinceMidnight := now.Sub(now.Truncate(24 * time.Hour))
	offset := int32((12*time.Hour - sinceMidnight) / time.Second)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "Europe"), 0o755); err != nil {
		t.Fatal(err)
	}
	data := fixedTZif(offset)
	loc, err := time.LoadLocationFromTZData("Europe/Rome", data)
	if err != nil {
		t.Fatalf("the daytime zone: %v", err)
	}
	if h := now.In(loc).Hour(); h < 11 || h > 12 {
		t.Fatalf("the daytime zone says %d o'clock", h)
	}
	if err := os.WriteFile(filepath.Join(dir, "Europe", "Rome"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fixedTZif is a version 1 TZif file (RFC 8536) of one zone offset seconds east of
// UTC, with no transitions.
func fixedTZif(offset int32) []byte {
	var b bytes.Buffer
	b.WriteString("TZif")
	b.Write(make([]byte, 16)) // version 1, reserved
	// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
	for _, n := range []uint32{0, 0, 0, 0, 1, 4} {
		_ = binary.Write(&b, binary.BigEndian, n)
	}
	_ = binary.Write(&b, binary.BigEndian, offset)
	b.Write([]byte{0, 0}) // not DST, designation at 0
	b.WriteString("DAY\x00")
	return b.Bytes()
}
