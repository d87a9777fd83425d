package outagetest_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/comune-milano/wemibot/internal/outagetest"
)

// The front passes requests through, refuses connections, fails with a status, and
// passes again, at the same address.
func TestFrontGoesDownAndComesBack(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "from the target "+r.URL.Path)
	}))
	defer target.Close()
	f := outagetest.New(t, target.URL)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() (int, string, error) {
		resp, err := client.Get(f.URL() + "/x")
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	if code, body, err := get(); err != nil || code != 200 || body != "from the target /x" {
		t.Fatalf("passing: %d %q %v", code, body, err)
	}
	f.Refuse()
	if _, _, err := get(); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("refusing: %v, want connection refused", err)
	}
	f.Fail(http.StatusBadGateway)
	if code, _, err := get(); err != nil || code != http.StatusBadGateway {
		t.Errorf("failing: %d %v", code, err)
	}
	f.Pass()
	if code, body, err := get(); err != nil || code != 200 || body != "from the target /x" {
		t.Errorf("passing again: %d %q %v", code, body, err)
	}
	if n := f.Requests(); n != 3 {
		t.Errorf("%d requests reached the front, want 3", n)
	}
}
