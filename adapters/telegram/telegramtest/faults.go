package telegramtest

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

type faultKind int

const (
	faultNone      faultKind = iota
	faultFail                // answer an error
	faultDrop                // close the connection before handling the call
	faultDropReply           // handle the call, then close the connection unanswered
)

// outcomeFault replaces the answer of the next left calls of a method.
type outcomeFault struct {
	kind       faultKind
	left       int
	code       int
	retryAfter int
}

// slowFault delays the next left calls of a method.
type slowFault struct {
	left  int
	delay time.Duration
}

// methodFaults are the faults waiting for one method, each list consumed in order.
// Delays combine with outcomes: a call may be both slow and failed.
type methodFaults struct {
	slow     []slowFault
	outcomes []outcomeFault
}

// FailNext makes the next n calls of method (getUpdates included) answer the Bot API
// error code: 429 "Too Many Requests: retry after N" with parameters.retry_after set
// to retryAfter when it is positive, 5xx with the HTTP status text, or any other code.
// Method names are case-insensitive, as in the API. Faults queued for a method apply
// one after the other.
func (s *Server) FailNext(method string, n, code, retryAfter int) {
	if n <= 0 || code < 400 || code > 599 {
		s.tb.Errorf("telegramtest: FailNext(%q, %d, %d, %d): want n > 0 and an error code", method, n, code, retryAfter)
		return
	}
	s.addOutcome(method, outcomeFault{kind: faultFail, left: n, code: code, retryAfter: retryAfter})
}

// DropNext makes the next n calls of method end with the connection closed and no
// answer, before the fake acts on them: the client sees a transport error and nothing
// was sent.
func (s *Server) DropNext(method string, n int) {
	if n <= 0 {
		s.tb.Errorf("telegramtest: DropNext(%q, %d): want n > 0", method, n)
		return
	}
	s.addOutcome(method, outcomeFault{kind: faultDrop, left: n})
}

// DropReplyNext makes the next n calls of method take effect and then end with the
// connection closed: the message was sent (and recorded) but the client never learns
// it, the case that makes naive retries send twice.
func (s *Server) DropReplyNext(method string, n int) {
	if n <= 0 {
		s.tb.Errorf("telegramtest: DropReplyNext(%q, %d): want n > 0", method, n)
		return
	}
	s.addOutcome(method, outcomeFault{kind: faultDropReply, left: n})
}

// SlowNext delays the answer to each of the next n calls of method by d. The delay
// ends early when the client gives up or the test ends.
func (s *Server) SlowNext(method string, n int, d time.Duration) {
	if n <= 0 || d <= 0 {
		s.tb.Errorf("telegramtest: SlowNext(%q, %d, %v): want n > 0 and d > 0", method, n, d)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faultsLocked(method)
	f.slow = append(f.slow, slowFault{left: n, delay: d})
}

// PendingFaults returns how many injected faults (failures, drops and delays) are still
// waiting for calls of method, so a test can check that its faults were all met.
func (s *Server) PendingFaults(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[strings.ToLower(method)]
	if !ok {
		return 0
	}
	n := 0
	for _, o := range f.outcomes {
		n += o.left
	}
	for _, d := range f.slow {
		n += d.left
	}
	return n
}

func (s *Server) addOutcome(method string, o outcomeFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faultsLocked(method)
	f.outcomes = append(f.outcomes, o)
}

func (s *Server) faultsLocked(method string) *methodFaults {
	key := strings.ToLower(method)
	f, ok := s.faults[key]
	if !ok {
		f = &methodFaults{}
		s.faults[key] = f
	}
	return f
}

// takeFaultsLocked consumes the faults that apply to one call of the method key.
func (s *Server) takeFaultsLocked(key string) (time.Duration, outcomeFault) {
	f, ok := s.faults[key]
	if !ok {
		return 0, outcomeFault{}
	}
	var delay time.Duration
	if len(f.slow) > 0 {
		delay = f.slow[0].delay
		if f.slow[0].left--; f.slow[0].left == 0 {
			f.slow = f.slow[1:]
		}
	}
	var outcome outcomeFault
	if len(f.outcomes) > 0 {
		outcome = f.outcomes[0]
		if f.outcomes[0].left--; f.outcomes[0].left == 0 {
			f.outcomes = f.outcomes[1:]
		}
	}
	return delay, outcome
}

// apiError words an injected failure like the real API.
func (o outcomeFault) apiError() *apiError {
	e := &apiError{Code: o.code}
	switch {
	case o.code == http.StatusTooManyRequests:
		e.Description = fmt.Sprintf("Too Many Requests: retry after %d", o.retryAfter)
		e.RetryAfter = o.retryAfter
	case o.code == http.StatusBadRequest:
		e.Description = "Bad Request: injected failure"
	case o.code == http.StatusForbidden:
		e.Description = errBlocked.Description
	case o.code == http.StatusConflict:
		e.Description = errPollConflict.Description
	default:
		e.Description = cmp.Or(http.StatusText(o.code), fmt.Sprintf("Error %d", o.code))
	}
	return e
}

// dropConnection closes the client's connection without an answer. It reads what is
// left of the request first, so the client sees the connection end rather than a
// reset while it is still writing.
func dropConnection(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxRequestBody))
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http closes the connection quietly
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
