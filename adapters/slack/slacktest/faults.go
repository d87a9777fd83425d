package slacktest

import (
	"net/http"
	"strconv"
)

// fault replaces the answer to the next left calls of a method.
type fault struct {
	left       int
	slackError string // answered with HTTP 200 {"ok":false,"error":slackError}
	retryAfter int    // > 0: answered with HTTP 429 and Retry-After instead
}

func (f fault) write(w http.ResponseWriter) {
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}
	writeError(w, f.slackError)
}

// FailNext makes the next n calls of Web API method answer {"ok":false,"error":
// slackError}, as Slack does for channel_not_found, not_in_channel, invalid_blocks and
// the like; slack-go returns it as a slack.SlackErrorResponse. The failed calls take no
// effect. Faults queued for a method apply one after the other.
func (s *Server) FailNext(method string, n int, slackError string) {
	if n <= 0 || slackError == "" {
		s.tb.Errorf("slacktest: FailNext(%q, %d, %q): want n > 0 and an error code", method, n, slackError)
		return
	}
	s.addFault(method, fault{left: n, slackError: slackError})
}

// RateLimitNext makes the next n calls of Web API method answer HTTP 429 with a
// Retry-After header of retryAfterSeconds; slack-go returns *slack.RateLimitedError
// unless its retries are turned on. The limited calls take no effect.
func (s *Server) RateLimitNext(method string, n, retryAfterSeconds int) {
	if n <= 0 || retryAfterSeconds <= 0 {
		s.tb.Errorf("slacktest: RateLimitNext(%q, %d, %d): want n > 0 and a positive Retry-After", method, n, retryAfterSeconds)
		return
	}
	s.addFault(method, fault{left: n, retryAfter: retryAfterSeconds})
}

func (s *Server) addFault(method string, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], f)
}

// begin counts a call of method and takes the fault injected for it, if any.
func (s *Server) begin(method string) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	defer s.notifyLocked()
	queue := s.faults[method]
	if len(queue) == 0 {
		return fault{}, false
	}
	f := queue[0]
	if queue[0].left--; queue[0].left == 0 {
		queue = queue[1:]
	}
	if len(queue) == 0 {
		delete(s.faults, method)
	} else {
		s.faults[method] = queue
	}
	return f, true
}
