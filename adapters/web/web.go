// Package web is WeMi Bot's web channel and HTTP front: the web chat page and its JSON
// API, and the operations endpoints (health, readiness, metrics).
package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

//go:embed static
var static embed.FS

// Engine answers messages; *bot.Engine is one. The web chat answers a retried message
// itself, so it keeps each answer before the engine saves the conversation (see
// bot.Engine.HandleKeeping).
type Engine interface {
	HandleKeeping(ctx context.Context, m bot.Message, keep bot.Keeper) ([]bot.Reply, error)
	Texts() *bot.Texts
}

// AnswerCache keeps the answers to recent messages, shared by every replica, so that a
// retried message gets the same answer wherever it lands; *redis.Cache is one.
type AnswerCache interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Options configure the web front.
type Options struct {
	// Answers shares answers between replicas; nil keeps them in this process only.
	Answers AnswerCache
	Logger  *slog.Logger
	// Ready reports whether the bot can serve (store reachable, index loaded); nil:
	// always ready.
	Ready func(ctx context.Context) error
	// Metrics serves /metrics; nil: no metrics endpoint.
	Metrics http.Handler
	// SecureCookie marks the session cookie Secure (behind HTTPS).
	SecureCookie bool
	// FrameAncestors are the origins allowed to frame the chat (the portal that embeds
	// it); none: only the chat's own origin. With any, the session cookie is sent
	// cross-site (SameSite=None; Secure; Partitioned), which needs HTTPS.
	FrameAncestors []string
	// MaxBody bounds a request body; default 16 KiB.
	MaxBody int64
	// PerSession bounds messages per second from one session (burst PerSessionBurst);
	// defaults 2 and 10. The engine also asks a flooding citizen to slow down.
	PerSession      float64
	PerSessionBurst int
	// Mailbox keeps the replies pushed to a session (an operator's, during a handoff,
	// through an Outbox on the same Mailbox) until the page collects them from
	// /api/inbox; shared by every replica. Nil: the inbox is always empty.
	Mailbox Mailbox
}

// Server is the HTTP front. It is an http.Handler; Handle adds routes (a channel's
// webhook).
type Server struct {
	draining atomic.Bool
	engine   Engine
	opts     Options
	log      *slog.Logger
	mux      *http.ServeMux

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	answers  map[string]cachedAnswer // session+message id -> the answer, for retries
}

type cachedAnswer struct {
	body []byte
	at   time.Time
}

// Bounds of the in-memory caches.
const (
	maxLimiters   = 50000
	maxAnswers    = 20000
	answerTTL     = 10 * time.Minute
	sessionCookie = "wemi_session"
	maxMessageID  = 64
)

// New builds the web front for an engine.
func New(engine Engine, opts Options) *Server {
	if opts.MaxBody <= 0 {
		opts.MaxBody = 16 << 10
	}
	if opts.PerSession <= 0 {
		opts.PerSession = 2
	}
	if opts.PerSessionBurst <= 0 {
		opts.PerSessionBurst = 10
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{engine: engine, opts: opts, log: opts.Logger, mux: http.NewServeMux(),
		limiters: map[string]*rate.Limiter{}, answers: map[string]cachedAnswer{}}
	assets, _ := fs.Sub(static, "static")
	s.mux.Handle("GET /static/{file}", s.secure(http.StripPrefix("/static/", http.FileServerFS(assets))))
	s.mux.Handle("GET /{$}", s.secure(http.HandlerFunc(s.page)))
	s.mux.HandleFunc("GET /api/texts", s.texts)
	s.mux.HandleFunc("POST /api/messages", s.message)
	s.mux.HandleFunc("GET /api/inbox", s.inbox)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	s.mux.HandleFunc("GET /readyz", s.ready)
	if opts.Metrics != nil {
		s.mux.Handle("GET /metrics", opts.Metrics)
	}
	return s
}

// Handle adds a route, such as a channel's webhook.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// secure adds the headers every page and asset carries. Only the chat's own origin and
// the configured portal may frame it (no clickjacking of, say, the erasure button).
func (s *Server) secure(h http.Handler) http.Handler {
	ancestors := strings.Join(append([]string{"'self'"}, s.opts.FrameAncestors...), " ")
	csp := "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors " + ancestors
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	s.session(w, r)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, static, "static/index.html")
}

// session returns the request's session id, setting a new cookie when it has none or
// a malformed one. The id is 32 random bytes: unguessable, and the only link between
// a browser and its conversation.
func (s *Server) session(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil && validSession(c.Value) {
		return c.Value
	}
	var b [32]byte
	rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	cookie := &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: s.opts.SecureCookie, SameSite: http.SameSiteLaxMode, MaxAge: 30 * 24 * 3600}
	if len(s.opts.FrameAncestors) > 0 {
		// Framed by the portal on another site: the cookie must be sent cross-site, and
		// is partitioned to that portal (CHIPS), so it tracks nobody elsewhere.
		cookie.SameSite, cookie.Secure, cookie.Partitioned = http.SameSiteNoneMode, true, true
	}
	http.SetCookie(w, cookie)
	return id
}

// requestSession returns the session of an API request, or answers 401: without the
// session the page set there is no conversation, and the page reloads.
func requestSession(w http.ResponseWriter, r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || !validSession(c.Value) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "no session: reload the page"})
		return "", false
	}
	return c.Value, true
}

func validSession(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

// texts answers the page's own words in a language: a code the bot speaks or the
// browser's language ("es-PE"), else the default. With them come the language's
// writing direction and the session's tag, which names the conversation the page may
// show again from the browser's storage (a digest: the session itself is a
// credential the page never reads).
func (s *Server) texts(w http.ResponseWriter, r *http.Request) {
	lang := i18n.FromHint(r.URL.Query().Get("lang"))
	if lang == "" {
		lang = i18n.Default()
	}
	out := map[string]any{"lang": lang, "dir": dirOf(lang), "texts": s.engine.Texts().Prefixed(lang, "web.")}
	w.Header().Set("Cache-Control", "private, no-store")
	if c, err := r.Cookie(sessionCookie); err == nil && validSession(c.Value) {
		sum := sha256.Sum256([]byte("tag:" + c.Value))
		out["tag"] = hex.EncodeToString(sum[:8])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		http.Error(w, "not ready: shutting down", http.StatusServiceUnavailable)
		return
	}
	if s.opts.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.opts.Ready(ctx); err != nil {
			// The detail is for the logs, not for whoever asks.
			s.log.Warn("not ready", "err", err)
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
	}
	io.WriteString(w, "ready\n")
}

// Drain makes /readyz answer 503, so that a load balancer stops sending requests
// before the server shuts down.
func (s *Server) Drain() { s.draining.Store(true) }

// incoming is the body of POST /api/messages.
type incoming struct {
	ID       string `json:"id"`
	Lang     string `json:"lang"`
	Text     string `json:"text"`
	Button   string `json:"button"`
	Location *struct {
		Lat float64 `json:"lat"`
		Lon float64 `json:"lon"`
	} `json:"location"`
}

// outgoing is the answer to POST /api/messages.
type outgoing struct {
	Lang    string     `json:"lang"`
	Replies []webReply `json:"replies"`
	// Forgotten says the citizen's data was erased: the page drops its copy.
	Forgotten bool `json:"forgotten,omitempty"`
}

type webReply struct {
	Lang     string        `json:"lang"`
	Dir      string        `json:"dir"` // the writing direction of its language: ltr or rtl
	HTML     string        `json:"html"`
	Buttons  [][]webButton `json:"buttons"`
	Location *webLocation  `json:"location"`
	Document *webDocument  `json:"document"`
	Replace  bool          `json:"replace"`
}

type webButton struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

type webLocation struct {
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	Name    string  `json:"name"`
	Address string  `json:"address"`
}

type webDocument struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Data []byte `json:"data_base64"`
}

// message handles one citizen message. The client sends a unique id with each; a
// retry with the same id (after a lost response) gets the same answer, and the engine
// never handles a message twice. A message needs the session the page set: without it
// there is no conversation to continue, and the page reloads.
func (s *Server) message(w http.ResponseWriter, r *http.Request) {
	sess, ok := requestSession(w, r)
	if !ok {
		return
	}
	var in incoming
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBody)
	if err := json.NewDecoder(body).Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "message too long"})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not a message"})
		return
	}
	if in.ID == "" || len(in.ID) > maxMessageID {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "a message needs an id of at most 64 characters"})
		return
	}
	// Handled detached from the request: a client that gives up must not cancel the
	// save of a message it will retry.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), handleTimeout)
	defer cancel()
	if cached, ok := s.cached(ctx, sess, in.ID, false); ok {
		writeRaw(w, cached) // a retry: answered before any limit applies
		return
	}
	if !s.allow(sess) {
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many messages"})
		return
	}
	m := bot.Message{Channel: "web", UserID: sess, UpdateID: in.ID, LangCode: in.Lang, Text: in.Text, Button: in.Button}
	if in.Location != nil {
		m.Location = &catalogue.Point{Lat: in.Location.Lat, Lon: in.Location.Lon}
	}
	answer, ok := s.handle(ctx, sess, in.Lang, m)
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "answer not ready, retry"})
		return
	}
	writeRaw(w, answer)
}

// handle has the engine answer m and returns the answer's body; false when m was
// handled before and its answer is not found (yet).
//
// A retry must get the answer the first copy got, also when the replica that handled
// it died. So the answer is kept in the shared cache marked pending before the engine
// saves the state, and marked final once it is saved. A retry takes the final
// answer at once; finding none, it has the engine say whether the message was
// handled: if so (ErrDuplicate) the pending answer is the one that went with the
// saved state; if not, the message is handled anew and its answer replaces the
// pending one. A pending answer alone is never trusted: its replica may have died
// before saving the state, which the next message needs.
func (s *Server) handle(ctx context.Context, sess, lang string, m bot.Message) ([]byte, bool) {
	var kept []byte
	keep := func(ctx context.Context, replies []bot.Reply) error {
		b := s.answer(lang, replies)
		if s.opts.Answers != nil {
			if err := s.opts.Answers.Put(ctx, answerKey(sess, m.UpdateID), append([]byte{answerPending}, b...), answerTTL); err != nil {
				return fmt.Errorf("keep the answer: %s", withoutSession(err, sess))
			}
		}
		kept = b
		return nil
	}
	replies, err := s.engine.HandleKeeping(ctx, m, keep)
	switch {
	case errors.Is(err, bot.ErrDuplicate):
		// Answered here or on another replica, or being answered: its answer, final
		// or pending, rather than nothing.
		return s.awaitAnswer(ctx, sess, m.UpdateID)
	case err == nil && kept != nil:
		s.remember(ctx, sess, m.UpdateID, kept)
		return kept, true // byte for byte what a retry gets
	case err != nil && !errors.Is(err, bot.ErrUnavailable):
		s.log.Error("web: handle message failed", "err", withoutSession(err, sess))
	}
	return s.answer(lang, replies), true
}

// answer is the body answering a message with replies.
func (s *Server) answer(lang string, replies []bot.Reply) []byte {
	b, _ := json.Marshal(outgoing{Lang: replyLang(lang, replies), Replies: render(replies), Forgotten: forgotten(replies)})
	return b
}

// handleTimeout bounds the handling of one message, detached from its request.
const handleTimeout = 30 * time.Second

// awaitAnswer waits, briefly, for the answer to a message handled or being handled by
// another request: the final answer, or the pending one (see handle).
func (s *Server) awaitAnswer(ctx context.Context, sess, id string) ([]byte, bool) {
	deadline := time.Now().Add(10 * time.Second)
	for wait := 20 * time.Millisecond; time.Now().Before(deadline); wait = min(wait*2, 500*time.Millisecond) {
		// The message was handled: a pending answer is the one that went with it.
		if b, ok := s.cached(ctx, sess, id, true); ok {
			return b, true
		}
		select {
		case <-ctx.Done():
			return nil, false
		case <-time.After(wait):
		}
	}
	return nil, false
}

func writeRaw(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// linkRE finds what a citizen on a phone wants to tap: web addresses, e-mail
// addresses, phone numbers (+39 ..., 02 ..., the emergency numbers 112 and 1522).
var linkRE = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)]|[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-z]{2,}|\+39[ 0-9]{6,14}[0-9]|\b0[0-9]{1,3}(?: [0-9]{2,4}){2,3}\b|\b(?:112|1522)\b`)

// allow applies the per-session rate limit of messages.
func (s *Server) allow(sess string) bool {
	return s.allowKey(sess, rate.Limit(s.opts.PerSession), s.opts.PerSessionBurst)
}

// allowKey applies the rate limit of key, creating its limiter at limit and burst.
func (s *Server) allowKey(key string, limit rate.Limit, burst int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.limiters[key]
	if !ok {
		if len(s.limiters) >= maxLimiters {
			for k, v := range s.limiters {
				if v.Tokens() >= float64(v.Burst()) {
					delete(s.limiters, k)
				}
			}
		}
		l = rate.NewLimiter(limit, burst)
		s.limiters[key] = l
	}
	return l.Allow()
}

// withoutSession is err's text for the logs, with the session left out: the session
// is a credential (the HttpOnly cookie), and an error from below (the engine, a store,
// the answer cache) may quote the ids it was given.
func withoutSession(err error, sess string) string {
	return strings.ReplaceAll(err.Error(), sess, "<session>")
}

// answerKey names the answer to message id of session sess, in the answer caches.
func answerKey(sess, id string) string { return sess + "|" + id }

// In the shared cache an answer is marked pending, kept before the state was saved,
// or final, cached after (see handle).
const (
	answerPending byte = 'P'
	answerFinal   byte = 'F'
)

// cached returns the answer to message id of session sess, if it is cached: final
// answers only, or pending ones too with pending set.
func (s *Server) cached(ctx context.Context, sess, id string, pending bool) ([]byte, bool) {
	key := answerKey(sess, id)
	if s.opts.Answers != nil {
		b, ok, err := s.opts.Answers.Get(ctx, key)
		if err != nil {
			s.log.Warn("web: answer cache unavailable", "err", withoutSession(err, sess))
		}
		if ok && len(b) > 0 && (b[0] == answerFinal || (pending && b[0] == answerPending)) {
			return b[1:], true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.answers[key]
	if !ok || time.Since(a.at) > answerTTL {
		return nil, false
	}
	return a.body, true
}

// remember caches body, the answer to message id of session sess.
func (s *Server) remember(ctx context.Context, sess, id string, body []byte) {
	key := answerKey(sess, id)
	if s.opts.Answers != nil {
		if err := s.opts.Answers.Put(ctx, key, append([]byte{answerFinal}, body...), answerTTL); err != nil {
			s.log.Warn("web: answer cache unavailable", "err", withoutSession(err, sess))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.answers) >= maxAnswers {
		for k, a := range s.answers {
			if time.Since(a.at) > answerTTL || len(s.answers) >= maxAnswers {
				delete(s.answers, k)
			}
		}
	}
	s.answers[key] = cachedAnswer{body: body, at: time.Now()}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
