package web

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// readyTimeout bounds /readyz: a probe that has not answered by then counts as failed.
const readyTimeout = 2 * time.Second

// Readiness statuses, as /readyz reports them.
const (
	StatusReady    = "ready"    // every check passes
	StatusDegraded = "degraded" // an optional check fails (a channel): the bot serves
	StatusUnready  = "unready"  // a required check fails (the store, the index), or draining
)

// Check is one component of the bot's readiness: the store, the catalogue index, a
// channel.
type Check struct {
	// Name is the component as /readyz names it: "store", "index", "telegram"...
	Name string
	// Required makes the bot unready (503) when the check fails; a check that is not
	// required (a channel, which fails alone) only makes it degraded (200).
	Required bool
	// Probe returns nil when the component is fine. A *CheckError's Reason is shown
	// in /readyz; any other error shows as "unavailable" and goes to the log only.
	Probe func(ctx context.Context) error
}

// CheckError is a failed check with a reason fit for /readyz: short, generic, with no
// secret and no personal data. Err, the detail, goes to the log only.
type CheckError struct {
	Reason string
	Err    error
}

func (e *CheckError) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

func (e *CheckError) Unwrap() error { return e.Err }

// readiness is the body of /readyz.
type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// checks are the configured checks, with the legacy Options.Ready as a required one.
func (s *Server) checks() []Check {
	checks := s.opts.Checks
	if s.opts.Ready != nil {
		checks = append([]Check{{Name: "core", Required: true, Probe: s.opts.Ready}}, checks...)
	}
	return checks
}

// serveReadiness answers /readyz: 200 while the required checks pass (the status
// "degraded" names the optional ones that fail), 503 when one fails or the server is
// draining. The probes run at once, within readyTimeout.
func (s *Server) serveReadiness(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, readiness{Status: StatusUnready, Checks: map[string]string{"server": "shutting down"}})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	report := s.probe(ctx, s.checks())
	code := http.StatusOK
	if report.Status == StatusUnready {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, report)
}

// probe runs the checks in parallel and waits for them until ctx ends; those that
// have not answered by then count as failed.
func (s *Server) probe(ctx context.Context, checks []Check) readiness {
	type result struct {
		i   int
		err error
	}
	results := make(chan result, len(checks)) // buffered: a late probe never blocks
	for i, c := range checks {
		go func() { results <- result{i, c.Probe(ctx)} }()
	}
	errs := make([]error, len(checks))
	for i := range errs {
		errs[i] = &CheckError{Reason: "no answer within 2 s"}
	}
	for range checks {
		select {
		case res := <-results:
			errs[res.i] = res.err
		case <-ctx.Done():
			return s.report(checks, errs)
		}
	}
	return s.report(checks, errs)
}

// report words the checks' outcomes.
func (s *Server) report(checks []Check, errs []error) readiness {
	out := readiness{Status: StatusReady, Checks: make(map[string]string, len(checks))}
	for i, c := range checks {
		err := errs[i]
		if err == nil {
			out.Checks[c.Name] = "ok"
			continue
		}
		var ce *CheckError
		reason := "unavailable"
		if errors.As(err, &ce) {
			reason = ce.Reason
		}
		out.Checks[c.Name] = reason
		switch {
		case c.Required:
			out.Status = StatusUnready
			// The detail is for the logs, not for whoever asks.
			s.log.Warn("not ready", "check", c.Name, "err", err)
		case out.Status == StatusReady:
			out.Status = StatusDegraded
		}
	}
	return out
}
