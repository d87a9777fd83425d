package main

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/internal/lograte"
	"github.com/comune-milano/wemibot/search"
)

// oldIndexGrace is how long a replaced index stays open for searches in flight.
const oldIndexGrace = 30 * time.Second

// catalogueReloader loads, validates and indexes the catalogue aside, then swaps it in;
// a bad catalogue leaves the old one serving.
type catalogueReloader struct {
	c       *cli
	live    *search.Live
	log     *slog.Logger
	metrics *web.Metrics
	mu      sync.Mutex      // one reload at a time
	old     []*search.Index // replaced indexes not closed yet
}

// close closes the current index and every replaced one still open.
func (r *catalogueReloader) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, idx := range append(r.old, r.live.Current()) {
		if idx != nil {
			idx.Close()
		}
	}
	r.old = nil
}

func (r *catalogueReloader) reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	cat, err := r.c.loadCatalogue()
	if err == nil {
		logWarnings(r.log, cat)
		var idx *search.Index
		if idx, err = r.c.buildIndex(ctx, cat); err == nil {
			old := r.live.Swap(idx)
			r.old = append(r.old, old)
			// Searches in flight on the old index finish within their deadline.
			grace := max(oldIndexGrace, 2*r.c.cfg.SearchTimeout)
			time.AfterFunc(grace, func() {
				r.mu.Lock()
				defer r.mu.Unlock()
				for i, o := range r.old {
					if o == old {
						r.old = append(r.old[:i], r.old[i+1:]...)
						old.Close()
						break
					}
				}
			})
			r.metrics.Reloaded(true)
			r.log.Info("catalogue reloaded", "services", len(cat.Services), "took", time.Since(start).Round(time.Millisecond))
			return nil
		}
	}
	r.metrics.Reloaded(false)
	r.log.Error("catalogue reload refused: the old catalogue keeps serving", "err", err)
	return err
}

// ServeHTTP reloads on POST /admin/reload and says how it went.
func (r *catalogueReloader) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if err := r.reload(req.Context()); err != nil {
		http.Error(w, "reload refused, the old catalogue keeps serving:\n"+err.Error(), http.StatusUnprocessableEntity)
		return
	}
	fmt.Fprintf(w, "catalogue reloaded: %d services\n", len(r.live.Catalogue().Services))
}

// refusedAdminEvery bounds the warnings about refused admin requests: the first is
// logged at once, then at most one line, with a count, per interval.
const refusedAdminEvery = time.Minute

// adminOnly requires the admin token as a bearer token. A refused request is logged,
// without the token it carried, at most once a minute with a count.
func adminOnly(token string, h http.Handler, log *slog.Logger, now func() time.Time) http.Handler {
	refused := lograte.New(log, "admin request refused: missing or wrong token", refusedAdminEvery, now)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization")
		if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+token)) != 1 {
			reason := "wrong token"
			if got == "" {
				reason = "no token"
			}
			refused.Warn("path", r.URL.Path, "reason", reason)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
