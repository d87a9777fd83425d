// Package web is WeMi Bot's web channel and HTTP front: the web chat page and its JSON
// API, and the operations endpoints (health, readiness, metrics).
package web

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
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

// Options configure the web front.
type Options struct {
	// Answers shares answers between replicas; nil keeps them in this process only.
	Answers AnswerCache
	Logger  *slog.Logger
	// Ready reports whether the bot can serve (store reachable, index loaded); nil:
	// always ready. It is a required check named "core" in /readyz.
	Ready func(ctx context.Context) error
	// Checks are the components /readyz reports on, each by name: the store and the
	// index (required), the channels (optional: one that fails degrades the bot but
	// leaves it ready).
	Checks []Check
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

	// SessionKey signs the session ids the page is given (HMAC-SHA256): only ids signed
	// with it name a conversation. Every replica needs the same key, of at least 32
	// random bytes. Nil: a random key of this process, so that sessions end when it
	// stops and are not shared between replicas.
	SessionKey []byte
	// SessionTTL is how long an issued session lasts; default DefaultSessionTTL.
	SessionTTL time.Duration
	// TrustedProxies are the proxies (load balancers) whose X-Forwarded-For names the
	// client, for the budgets of new sessions; none: the direct peer is the client.
	TrustedProxies []netip.Prefix
	// NewSessionsPerAddress bounds the sessions issued per second to one client
	// address (an IPv6 /64), with a burst of NewSessionsPerAddressBurst; defaults 0.2
	// and 30. NewSessionsPerSecond and NewSessionsBurst bound them overall; defaults
	// 20 and 200. Beyond, the page answers 429 with a polite text and Retry-After.
	NewSessionsPerAddress      float64
	NewSessionsPerAddressBurst int
	NewSessionsPerSecond       float64
	NewSessionsBurst           int

	// Seal and Open, when set, keep the cached answers sealed for their citizen, in
	// Answers and in memory: subject is the conversation ("web:" + session), whose key
	// erasure deletes, after which the answers no longer open (a miss). What Seal
	// seals is kept AnswerTTL. Both or none.
	Seal func(ctx context.Context, subject string, plain []byte) ([]byte, error)
	Open func(ctx context.Context, sealed []byte) ([]byte, error)

	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Server is the HTTP front. It is an http.Handler; Handle adds routes (a channel's
// webhook).
type Server struct {
	draining atomic.Bool
	engine   Engine
	opts     Options
	log      *slog.Logger
	mux      *http.ServeMux

	sessions *sessions
	budget   *sessionBudget
	limiters *limiterSet
	answers  *answers // session+message id -> the answer, for retries
	html     *htmlCache
}

// AnswerTTL is how long an answer is cached, for a retry of its message: what
// Options.Seal seals need be readable no longer.
const AnswerTTL = 10 * time.Minute

// Bounds of the in-memory caches.
const (
	maxLimiters  = 50000
	maxAnswers   = 20000
	answerTTL    = AnswerTTL
	maxMessageID = 64
)

// New builds the web front for an engine. It panics when only one of opts.Seal and
// opts.Open is set, a wiring error that would keep answers unreadable or in clear.
func New(engine Engine, opts Options) *Server {
	if (opts.Seal == nil) != (opts.Open == nil) {
		panic("web.New: Seal and Open go together")
	}
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
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{engine: engine, opts: opts, log: opts.Logger, mux: http.NewServeMux(),
		html: newHTMLCache(), sessions: newSessions(opts), budget: newSessionBudget(opts), limiters: newLimiterSet(maxLimiters),
		answers: &answers{shared: opts.Answers, seal: opts.Seal, open: opts.Open, log: opts.Logger,
			mem: newMemoryAnswers(maxAnswers, answerTTL, opts.Now)}}
	assets, _ := fs.Sub(static, "static")
	s.mux.Handle("GET /static/{file}", s.secure(http.StripPrefix("/static/", http.FileServerFS(assets))))
	s.mux.Handle("GET /{$}", s.secure(http.HandlerFunc(s.page)))
	s.mux.HandleFunc("GET /api/texts", s.texts)
	s.mux.HandleFunc("POST /api/messages", s.message)
	s.mux.HandleFunc("GET /api/inbox", s.inbox)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	s.mux.HandleFunc("GET /readyz", s.ready)
	s.mux.Handle("GET "+PaidPath, s.secure(http.HandlerFunc(s.paidPage)))
	s.mux.Handle("GET "+CancelledPath, s.secure(http.HandlerFunc(s.cancelledPage)))
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
	if _, err := s.sessions.fromRequest(r); err != nil {
		// A new browser, or a session made up, tampered with or expired: a new one,
		// within the budgets of new sessions.
		wait, ok := s.budget.take(clientAddress(r, s.opts.TrustedProxies))
		if !ok {
			s.busy(w, r, wait)
			return
		}
		http.SetCookie(w, s.sessions.cookie(s.sessions.issue()))
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, static, "static/index.html")
}

// requestSession returns the session of an API request, or answers 401: without a
// session the page set there is no conversation, and the page reloads (once) to get
// one. A made-up, tampered or expired session names no conversation: nothing is read
// or stored for it.
func (s *Server) requestSession(w http.ResponseWriter, r *http.Request) (string, bool) {
	sess, err := s.sessions.fromRequest(r)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": err.Error() + ": reload the page", "reload": true})
		return "", false
	}
	return sess, true
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
	if sess, err := s.sessions.fromRequest(r); err == nil {
		out["tag"] = sessionTag(sess)
	}
	writeJSON(w, http.StatusOK, out)
}

// sessionTag names a session to the page, which never reads the session itself.
func sessionTag(sess string) string {
	sum := sha256.Sum256([]byte("tag:" + sess))
	return hex.EncodeToString(sum[:8])
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	s.serveReadiness(w, r) // readiness.go
}

// Drain makes /readyz answer 503, so that a load balancer stops sending requests
// before the server shuts down.
func (s *Server) Drain() { s.draining.Store(true) }

// incoming is the body of POST /api/messages.
type incoming struct {
	ID string `json:"id"`
	// Attempt numbers the sendings of one message: 1 is the page's first, which no
	// answer can be kept for yet; 0, unknown (a page from before attempts were sent).
	Attempt  int    `json:"attempt"`
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
	// Forgotten says the citizen's data was erased: the page drops its copy. The
	// answer sets a new session cookie, whose tag is Tag.
	Forgotten bool   `json:"forgotten,omitempty"`
	Tag       string `json:"tag,omitempty"`
}

// message handles one citizen message. The client sends a unique id with each; a
// retry with the same id (after a lost response) gets the same answer, and the engine
// never handles a message twice. A message needs the session the page set: without it
// there is no conversation to continue, and the page reloads.
func (s *Server) message(w http.ResponseWriter, r *http.Request) {
	if !isJSON(r.Header.Get("Content-Type")) {
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "a message is sent as application/json"})
		return
	}
	sess, ok := s.requestSession(w, r)
	if !ok {
		return
	}
	in, ok := s.decodeMessage(w, r)
	if !ok {
		return
	}
	// Handled detached from the request: a client that gives up must not cancel the
	// save of a message it will retry.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), handleTimeout)
	defer cancel()
	// A first attempt looks in the shared cache only when over the limit: should it be
	// a copy after all (a proxy's retry), the engine knows it handled it.
	lookUp := in.Attempt != 1
	if cached, ok := s.answers.get(ctx, sess, in.ID, false, lookUp); ok {
		writeRaw(w, cached) // a retry: answered before any limit applies
		return
	}
	if !s.allow(sess) {
		s.overLimit(ctx, w, sess, in.ID, lookUp)
		return
	}
	m := bot.Message{Channel: "web", UserID: sess, UpdateID: in.ID, LangCode: in.Lang, Text: in.Text, Button: in.Button}
	if in.Location != nil {
		m.Location = &catalogue.Point{Lat: in.Location.Lat, Lon: in.Location.Lon}
	}
	answer, ok := s.handle(ctx, w, sess, in.Lang, m)
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "answer not ready, retry"})
		return
	}
	writeRaw(w, answer)
}

// overLimit answers a message over its session's limit: 429, unless it is a copy of
// a message answered before, which gets that answer. The shared cache is looked in
// unless it was (lookedUp false: a first attempt).
func (s *Server) overLimit(ctx context.Context, w http.ResponseWriter, sess, id string, lookedUp bool) {
	if !lookedUp {
		if cached, ok := s.answers.get(ctx, sess, id, false, true); ok {
			writeRaw(w, cached)
			return
		}
	}
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many messages"})
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
//
// That costs the shared cache one round trip per message: the pending answer. The
// final mark goes along with the cache's next writes (answerFinisher), and a first
// attempt is not looked for (see message).
//
// An answer that says the citizen's data was erased is not kept: it gives the browser
// a new session instead (see forget).
func (s *Server) handle(ctx context.Context, w http.ResponseWriter, sess, lang string, m bot.Message) ([]byte, bool) {
	var kept []byte
	keep := func(ctx context.Context, replies []bot.Reply) error {
		b := s.markedAnswer(sess, lang, replies, "")
		if err := s.answers.keepPending(ctx, sess, m.UpdateID, b); err != nil {
			return fmt.Errorf("keep the answer: %w", err)
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
		s.answers.put(ctx, sess, m.UpdateID, kept)
		return kept[1:], true // byte for byte what a retry gets
	case err != nil && !errors.Is(err, bot.ErrUnavailable):
		s.log.Error("web: handle message failed", "err", withoutSession(err, sess))
	}
	tag := ""
	if forgotten(replies) {
		tag = s.forget(ctx, w, sess)
	}
	return s.answer(sess, lang, replies, tag), true
}

// answer is the body answering a message of session sess with replies; tag names the
// new session given to the browser, if any.
func (s *Server) answer(sess, lang string, replies []bot.Reply, tag string) []byte {
	return s.markedAnswer(sess, lang, replies, tag)[1:]
}

// markedAnswer is answer after a byte for the answer cache's mark (see answers), so
// that the cache keeps it without a copy.
func (s *Server) markedAnswer(sess, lang string, replies []bot.Reply, tag string) []byte {
	out := outgoing{Lang: replyLang(lang, replies), Replies: render(replies, s.html, sess), Forgotten: forgotten(replies), Tag: tag}
	return appendAnswer(append(make([]byte, 0, answerSizeHint(out)), 0), out)
}

// isJSON reports whether a Content-Type is application/json: a form or text/plain
// body, which a page on another site can send without asking, is refused.
func isJSON(contentType string) bool {
	if contentType == "application/json" {
		return true // the page's: parsed without building a map of parameters
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// decodeMessage reads the body of POST /api/messages, or answers why it cannot.
func (s *Server) decodeMessage(w http.ResponseWriter, r *http.Request) (incoming, bool) {
	var in incoming
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBody)
	if err := json.NewDecoder(body).Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "message too long"})
			return in, false
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not a message"})
		return in, false
	}
	if in.ID == "" || len(in.ID) > maxMessageID {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "a message needs an id of at most 64 characters"})
		return in, false
	}
	return in, true
}

// forget drops what the web front keeps of an erased conversation — its answers, here
// and in the shared cache, and its pushed replies — and gives the browser a new
// session, whose tag it returns: the old one names nothing any more.
func (s *Server) forget(ctx context.Context, w http.ResponseWriter, sess string) string {
	if err := s.answers.drop(ctx, sess); err != nil {
		s.log.Warn("web: erased conversation's answers not dropped", "err", err)
	}
	if s.opts.Mailbox != nil {
		if _, err := s.opts.Mailbox.Collect(ctx, mailboxID(sess), math.MaxUint64); err != nil {
			s.log.Warn("web: erased conversation's pushed replies not dropped", "err", withoutSession(err, sess))
		}
	}
	s.html.forget()
	fresh := s.sessions.issue()
	http.SetCookie(w, s.sessions.cookie(fresh))
	return sessionTag(fresh)
}

// handleTimeout bounds the handling of one message, detached from its request.
const handleTimeout = 30 * time.Second

// awaitAnswer waits, briefly, for the answer to a message handled or being handled by
// another request: the final answer, or the pending one (see handle).
func (s *Server) awaitAnswer(ctx context.Context, sess, id string) ([]byte, bool) {
	deadline := time.Now().Add(10 * time.Second)
	for wait := 20 * time.Millisecond; time.Now().Before(deadline); wait = min(wait*2, 500*time.Millisecond) {
		// The message was handled: a pending answer is the one that went with it.
		if b, ok := s.answers.get(ctx, sess, id, true, true); ok {
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
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b))) // sent whole rather than in chunks
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
	return s.limiters.get(key, limit, burst).Allow()
}

// withoutSession is err's text for the logs, with the session left out: the session
// is a credential (the HttpOnly cookie), and an error from below (the engine, a store,
// the answer cache) may quote the ids it was given.
func withoutSession(err error, sess string) string {
	return strings.ReplaceAll(err.Error(), sess, "<session>")
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
