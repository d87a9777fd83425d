// Package outagetest puts a switchable front on loopback before a fake platform API
// (telegramtest, slacktest), so that tests can take the platform away and bring it
// back at the same address: refusing connections as a host that is down does,
// answering an error status as a failing gateway does, or passing requests through.
package outagetest

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Front is a reverse proxy on a 127.0.0.1 port. All its methods are safe for
// concurrent use.
type Front struct {
	tb     testing.TB
	addr   string
	target *url.URL
	proxy  *httputil.ReverseProxy

	mu       sync.Mutex
	srv      *http.Server // nil while connections are refused
	status   int          // answered to every request when not 0
	requests int          // requests that reached the front
}

// New starts a front for the API at target (a base URL, http://127.0.0.1:port),
// passing requests through, and stops it when the test ends.
func New(tb testing.TB, target string) *Front {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatalf("outagetest: target %q: %v", target, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("outagetest: listen on loopback: %v", err)
	}
	f := &Front{tb: tb, addr: ln.Addr().String(), target: u}
	// Its errors are the test's doing (a client that gave up): not worth a line.
	f.proxy = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u) },
		ErrorLog: log.New(io.Discard, "", 0)}
	f.serve(ln)
	tb.Cleanup(f.Refuse)
	return f
}

// URL is the front's base URL, http://127.0.0.1:port, which the code under test is
// given instead of the target's.
func (f *Front) URL() string { return "http://" + f.addr }

// Refuse closes the port and every connection: new ones are refused until Pass or
// Fail opens it again.
func (f *Front) Refuse() {
	f.mu.Lock()
	srv := f.srv
	f.srv = nil
	f.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// Fail answers every request with status (502, 503...) and an empty JSON object.
func (f *Front) Fail(status int) {
	f.mu.Lock()
	f.status = status
	f.mu.Unlock()
	f.open()
}

// Pass lets requests through to the target.
func (f *Front) Pass() {
	f.mu.Lock()
	f.status = 0
	f.mu.Unlock()
	f.open()
}

// Requests returns how many requests reached the front, whatever it answered.
func (f *Front) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// open listens again at the front's address when it refuses connections. The port
// was the front's, and Go's listeners reuse an address at once.
func (f *Front) open() {
	f.mu.Lock()
	open := f.srv != nil
	f.mu.Unlock()
	if open {
		return
	}
	var ln net.Listener
	var err error
	for try := 0; try < 50; try++ {
		if ln, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		f.tb.Fatalf("outagetest: listen again on %s: %v", f.addr, err)
	}
	f.serve(ln)
}

func (f *Front) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(f.handle), ReadHeaderTimeout: 10 * time.Second}
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
	go srv.Serve(ln)
}

func (f *Front) handle(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	status := f.status
	f.mu.Unlock()
	if status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte("{}"))
		return
	}
	f.proxy.ServeHTTP(w, r)
}
