// Package stripetest gives tests a real Stripe API double and real webhook events:
// Start runs stripe-mock (Stripe's own server that answers from its OpenAPI
// specification) on a free 127.0.0.1 port, and Sign and Event sign events exactly as
// Stripe signs its webhooks.
package stripetest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// MockModule is the stripe-mock release the tests use, built from the Go module
// proxy when no binary is at hand.
const MockModule = "github.com/stripe/stripe-mock@v0.203.0"

// Mock is a running stripe-mock.
type Mock struct {
	// URL is its API base, http://127.0.0.1:<port>.
	URL string
}

// listeningRE finds the address stripe-mock prints once it listens for HTTP.
var listeningRE = regexp.MustCompile(`Listening for HTTP at address: (127\.0\.0\.1:\d+)`)

// startTimeout bounds stripe-mock's start: it loads its specification (about a second).
const startTimeout = 30 * time.Second

// Start runs stripe-mock for the test, on loopback only, and stops it when the test
// ends. The binary is $WEMI_STRIPE_MOCK, else stripe-mock on PATH, else the one built
// once into the user's cache folder (go install of MockModule, about 30 s the first
// time). A binary that cannot be found nor built fails the test with the reason.
func Start(tb testing.TB) *Mock {
	tb.Helper()
	bin, err := Binary()
	if err != nil {
		tb.Fatalf("stripetest: no stripe-mock: %v", err)
	}
	// Both listeners on loopback with free ports: stripe-mock's HTTPS default would
	// bind every interface on a fixed port.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("stripetest: %v", err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		tb.Fatalf("stripetest: start %s: %v", bin, err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, out) // keep reading, or stripe-mock blocks on a full pipe
	}()
	select {
	case a := <-addr:
		m := &Mock{URL: "http://" + a}
		m.waitReady(tb)
		return m
	case <-time.After(startTimeout):
		tb.Fatalf("stripetest: stripe-mock did not listen within %v", startTimeout)
		return nil
	}
}

// waitReady waits until the API answers (it listens before it routes, briefly).
func (m *Mock) waitReady(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, m.URL+"/v1/balance", nil)
		req.SetBasicAuth("sk_test_stripetest", "")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("stripetest: stripe-mock at %s did not answer within %v", m.URL, startTimeout)
}

// Binary returns the path of a stripe-mock binary, building it when needed (see
// Start). test.sh builds it the same way before the suite, into the same folder, so
// that no test waits for the build.
func Binary() (string, error) {
	if p := os.Getenv("WEMI_STRIPE_MOCK"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("WEMI_STRIPE_MOCK=%s: %w", p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	dir, err := cacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "stripe-mock")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	return bin, build(dir, bin)
}

// cacheDir is the folder of the built binary, per stripe-mock version.
func cacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	version := MockModule[strings.LastIndexByte(MockModule, '@')+1:]
	dir := filepath.Join(base, "wemibot", "stripe-mock-"+version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	return dir, nil
}

// buildTimeout bounds the build: on a loaded 2-core machine it took about 30 s.
const buildTimeout = 5 * time.Minute

// build installs MockModule into dir once: test packages run in parallel, so a lock
// file makes the others wait for the first build instead of starting their own.
func build(dir, bin string) error {
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("lock the stripe-mock build: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock the stripe-mock build: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil {
		return nil // another package built it meanwhile
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("build %s: the go command is not on PATH (or set WEMI_STRIPE_MOCK): %w", MockModule, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "install", MockModule)
	// GOFLAGS from the caller (-mod=vendor, -race) do not apply to another module.
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=", "CGO_ENABLED=0")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go install %s (set WEMI_STRIPE_MOCK to a stripe-mock binary instead): %w\n%s", MockModule, err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("go install %s left no binary in %s: %w", MockModule, dir, err)
	}
	return nil
}
