// Package replicas tests the wemibot binary as it is deployed: several replicas on
// Redis (one server with an append-only file, a Cluster, Sentinel), under chaos and
// under a steady load. It holds tests only.
package replicas

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/internal/logtest"
)

// TestMain gives the package's tests one folder for the wemibot command, which the
// first test to need it builds (see buildWemibot), and removes it when they are over.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wemibot-replicas-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wemibotBuild.dir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// wemibotBuild is the wemibot command built once for all the package's tests: linking
// it with the race detector takes many seconds of CPU, which every test paid on its
// own, all at the same time.
var wemibotBuild struct {
	dir  string // set by TestMain
	once sync.Once
	bin  string
	err  error
}

// buildWemibot builds the wemibot command, the first time it is called, and returns
// the binary's path; with the race detector when the tests have it. The tests share
// the binary: each runs it with a data folder of its own.
func buildWemibot(t *testing.T) string {
	t.Helper()
	b := &wemibotBuild
	b.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		bin := filepath.Join(b.dir, "wemibot")
		args := []string{"build", "-o", bin}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command(goTool, append(args, "github.com/comune-milano/wemibot/cmd/wemibot")...).CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		b.bin = bin
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.bin
}

// waitLimit bounds the waits for a replica: starting indexes the catalogue, which
// takes well under a second on an idle machine and many with the race detector on a
// loaded one.
const waitLimit = 60 * time.Second

// replicaProcess is a `wemibot serve` process on a 127.0.0.1 port.
type replicaProcess struct {
	t   *testing.T
	bin string
	env []string

	mu   sync.Mutex
	addr string // host:port, kept across restarts
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	out  *logtest.Buffer
}

// newReplica prepares `bin serve` with env (WEMI_HTTP_ADDR and WEMI_DATA_DIR added);
// start runs it, and it is stopped when the test ends.
func newReplica(t *testing.T, bin string, env map[string]string) *replicaProcess {
	t.Helper()
	r := &replicaProcess{t: t, bin: bin, addr: "127.0.0.1:0"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WEMI_") && !strings.HasPrefix(kv, "ZONEINFO=") {
			r.env = append(r.env, kv)
		}
	}
	env["WEMI_DATA_DIR"] = t.TempDir()
	// Every replica of a test shares one key-encryption key, as a deployment must, and
	// trusts the loopback proxy's X-Forwarded-For, as behind a load balancer: each
	// chatClient is a browser at an address of its own (see newChatClient).
	env["WEMI_KEK"] = testKEK
	env["WEMI_TRUSTED_PROXIES"] = "127.0.0.1/32"
	for k, v := range env {
		r.env = append(r.env, k+"="+v)
	}
	t.Cleanup(r.stop)
	return r
}

// testKEK is the replicas' key-encryption key: 32 bytes, in base64.
const testKEK = "d2VtaWJvdC1yZXBsaWNhcy10ZXN0LWtlay0zMmJ5dGU="

var bannerRE = regexp.MustCompile(`Web chat: http://([0-9.:]+)/`)

// start runs the process on r.addr (the first time a free port, then the same) and
// waits until it serves. It may be called from any goroutine.
func (r *replicaProcess) start() error {
	out := &logtest.Buffer{}
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = append(append([]string{}, r.env...), "WEMI_HTTP_ADDR="+r.addr)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start wemibot serve: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	r.mu.Lock()
	r.cmd, r.done, r.out = cmd, done, out
	r.mu.Unlock()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		if m := bannerRE.FindStringSubmatch(out.String()); m != nil {
			r.mu.Lock()
			r.addr = m[1]
			r.mu.Unlock()
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("wemibot serve exited:\n%s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("wemibot serve did not start:\n%s", out.String())
}

// address returns the replica's host:port.
func (r *replicaProcess) address() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addr
}

// kill ends the process at once (SIGKILL), as a crash would.
func (r *replicaProcess) kill() {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Kill()
		<-done
	}
}

// stop ends the process as an orchestrator would (SIGTERM), killing it if it is still
// there after a minute.
func (r *replicaProcess) stop() {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
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
