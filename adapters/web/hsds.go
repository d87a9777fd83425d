package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
)

// HSDSSource is what the HSDS API reads: the current catalogue and the search the
// chat uses (search.Live, so that a reload is seen at once).
type HSDSSource interface {
	Catalogue() *catalogue.Catalogue
	Search(ctx context.Context, req catalogue.SearchRequest) (*catalogue.SearchResult, error)
}

// HSDSOptions configure the HSDS API.
type HSDSOptions struct {
	Logger *slog.Logger
	// MaxAge is how long clients and proxies may keep an answer (Cache-Control);
	// default 5 minutes. The ETag tells them whether it changed after that.
	MaxAge time.Duration
}

// The HSDS API's paging.
const (
	// HSDSDefaultPerPage is the page size when per_page is not given.
	HSDSDefaultPerPage = 50
	// HSDSMaxPerPage is the largest page: a larger per_page is a 400.
	HSDSMaxPerPage = 100
	// hsdsMaxSearchHits bounds the services a search= selects (pages of the
	// index's largest page).
	hsdsMaxSearchHits = 1000
)

// HSDSPrefix is where the API is mounted.
const HSDSPrefix = "/hsds"

// HSDS is Open Referral's HSDS 3.0 API over the catalogue, read only: the services,
// organizations, taxonomies and services at locations, in HSDS's Page envelope,
// with CORS, ETags and cache headers. Mount it at HSDSPrefix and HSDSPrefix + "/".
type HSDS struct {
	src    HSDSSource
	log    *slog.Logger
	maxAge time.Duration

	mu   sync.Mutex // one export at a time, after a reload
	view atomic.Pointer[hsdsView]
}

// NewHSDS builds the API over a source.
func NewHSDS(src HSDSSource, opts HSDSOptions) *HSDS {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = 5 * time.Minute
	}
	return &HSDS{src: src, log: opts.Logger, maxAge: opts.MaxAge}
}

// current returns the view of the source's current catalogue, exporting it once per
// catalogue.
func (h *HSDS) current() (*hsdsView, error) {
	cat := h.src.Catalogue()
	if cat == nil {
		return nil, errors.New("no catalogue loaded")
	}
	if v := h.view.Load(); v != nil && v.cat == cat {
		return v, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if v := h.view.Load(); v != nil && v.cat == cat {
		return v, nil // another request exported it meanwhile
	}
	v, err := newHSDSView(cat)
	if err != nil {
		return nil, err
	}
	h.view.Store(v)
	return v, nil
}

// hsdsError is an answer other than 200: its status and a sentence for the client.
type hsdsError struct {
	status int
	msg    string
}

func (e *hsdsError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &hsdsError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &hsdsError{status: http.StatusNotFound, msg: fmt.Sprintf(format, args...)}
}

const hsdsMethods = "GET, HEAD, OPTIONS"

// ServeHTTP implements http.Handler.
func (h *HSDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Access-Control-Expose-Headers", "ETag")
	hd.Set("X-Content-Type-Options", "nosniff")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		// A CORS preflight, or a client asking what the API allows.
		hd.Set("Allow", hsdsMethods)
		hd.Set("Access-Control-Allow-Methods", hsdsMethods)
		hd.Set("Access-Control-Allow-Headers", "Accept, If-None-Match, Content-Type")
		hd.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		hd.Set("Allow", hsdsMethods)
		h.fail(w, r, &hsdsError{status: http.StatusMethodNotAllowed, msg: "the HSDS API is read only: " + hsdsMethods})
		return
	}
	v, err := h.current()
	if err != nil {
		h.log.Error("hsds: the catalogue cannot be served", "err", err)
		h.fail(w, r, &hsdsError{status: http.StatusServiceUnavailable, msg: "the catalogue is not available right now"})
		return
	}
	etag := hsdsETag(v.version, r)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		hd.Set("ETag", etag)
		hd.Set("Cache-Control", h.cacheControl())
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, err := h.route(r, v)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd.Set("ETag", etag)
	hd.Set("Cache-Control", h.cacheControl())
	h.write(w, r, http.StatusOK, body)
}

func (h *HSDS) cacheControl() string {
	return "public, max-age=" + strconv.Itoa(int(h.maxAge/time.Second))
}

// hsdsETag is a strong ETag of the catalogue's version and the request: the path and
// its parameters in a canonical order.
func hsdsETag(version string, r *http.Request) string {
	q := r.URL.Query()
	for _, vs := range q {
		sort.Strings(vs)
	}
	sum := sha256.Sum256([]byte(version + "\n" + r.URL.Path + "?" + q.Encode()))
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// etagMatches reads If-None-Match: a list of ETags, or "*". The weak comparison
// applies, as RFC 9110 says for If-None-Match.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// fail answers an error as JSON; only a 5xx is logged, without the query.
func (h *HSDS) fail(w http.ResponseWriter, r *http.Request, err error) {
	var he *hsdsError
	if !errors.As(err, &he) {
		h.log.Error("hsds: request failed", "path", r.URL.Path, "err", err)
		he = &hsdsError{status: http.StatusInternalServerError, msg: "the request could not be answered; try again later"}
	}
	w.Header().Set("Cache-Control", "no-store")
	h.write(w, r, he.status, map[string]any{"status": he.status, "error": http.StatusText(he.status), "message": he.msg})
}

func (h *HSDS) write(w http.ResponseWriter, r *http.Request, status int, body any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		h.log.Error("hsds: encode the answer", "path", r.URL.Path, "err", err)
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString(`{"status":500,"error":"Internal Server Error","message":"the answer could not be written"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(b.Bytes())
	}
}

// route answers one GET.
func (h *HSDS) route(r *http.Request, v *hsdsView) (any, error) {
	rest, ok := strings.CutPrefix(r.URL.Path, HSDSPrefix)
	if !ok {
		return nil, notFound("not an HSDS path")
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	q := r.URL.Query()
	switch {
	case rest == "" || rest == "/":
		return hsdsInfo(), nil
	case len(parts) == 1:
		return h.list(r.Context(), parts[0], q, v)
	case len(parts) == 2:
		id, err := url.PathUnescape(parts[1])
		if err != nil {
			return nil, badRequest("the id in the path is not valid")
		}
		return h.one(parts[0], id, v)
	}
	return nil, notFound("no such HSDS resource: %s", r.URL.Path)
}

// hsdsInfo is the API's version information (HSDS's GET /).
func hsdsInfo() map[string]string {
	return map[string]string{
		"version":     hsds.Version,
		"openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
	}
}
