// Package slacktest runs a fake Slack on loopback for tests of the Slack adapter. The
// real slack-go client talks to its Web API through Server.APIURL, and a real
// socketmode.Client connects to its Socket Mode endpoint through apps.connections.open;
// tests push events, interactions and slash commands in, read back what the bot posted,
// updated and showed ephemerally, wait for acknowledgements, and inject the failures the
// real API produces: Slack errors and HTTP 429 with Retry-After.
//
// The package also builds signed Events API requests (event callbacks, interaction and
// slash-command forms) for tests of an HTTP endpoint verified with
// slack.NewSecretsVerifier. It never talks to Slack.
//
// The Web API router is the package's own rather than slack-go's slacktest.NewTestServer:
// that server keeps its websocket hub in package-level state, logs through the standard
// logger, speaks RTM rather than Socket Mode on /ws, and its chat.postMessage neither
// records posts nor gives unique timestamps. Server.Handle adds the methods a test needs
// beyond the built-in ones: auth.test, users.info, chat.postMessage, chat.update,
// chat.postEphemeral, conversations.replies, views.open and apps.connections.open.
package slacktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The identities the fake reports for its workspace, app and bot user.
const (
	TeamID    = "T0WEMI001"
	TeamName  = "WeMi Test"
	AppID     = "A0WEMI001"
	BotUserID = "U0WEMIBOT"
	BotID     = "B0WEMIBOT"
	BotName   = "wemibot"
)

// The tokens the fake accepts unless WithTokens says otherwise.
const (
	DefaultBotToken = "xoxb-1-wemi-test"
	DefaultAppToken = "xapp-1-A0WEMI001-wemi-test"
)

// DefaultPingInterval is how often the fake pings each Socket Mode connection unless
// WithPingInterval says otherwise; socketmode.Client expects a ping within 30 s.
const DefaultPingInterval = time.Second

// maxRequestBody bounds what the fake reads from one Web API request.
const maxRequestBody = 10 << 20

// ErrClosed is returned by the Wait methods when the test ended while they waited.
var ErrClosed = errors.New("slacktest: server closed")

// Option configures a Server.
type Option func(*Server)

// WithTokens sets the bot token (xoxb-) the Web API accepts and the app-level token
// (xapp-) apps.connections.open accepts.
func WithTokens(botToken, appToken string) Option {
	return func(s *Server) { s.botToken, s.appToken = botToken, appToken }
}

// WithUsers adds users that users.info knows, as AddUser does.
func WithUsers(users ...User) Option {
	return func(s *Server) {
		for _, u := range users {
			s.users[u.ID] = u
		}
	}
}

// WithPingInterval sets how often the fake pings Socket Mode connections. Keep it well
// under the client's socketmode.OptionPingInterval, or the client reconnects.
func WithPingInterval(d time.Duration) Option {
	return func(s *Server) { s.pingInterval = d }
}

// Server is a fake Slack Web API and Socket Mode endpoint for one workspace with one
// app. All its methods are safe for concurrent use.
type Server struct {
	tb           testing.TB
	botToken     string
	appToken     string
	pingInterval time.Duration
	httpServer   *httptest.Server
	done         chan struct{} // closed when the test ends
	conns        sync.WaitGroup

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change; see notifyLocked
	calls    map[string]int
	faults   map[string][]fault
	handlers map[string]http.Handler
	builtins map[string]builtin
	users    map[string]User

	lastTS    int64
	channels  map[string]*channel
	posts     []Post
	updates   []Post
	ephemeral []Post
	deleted   []Post
	responses []Response
	views     []View
	lastID    int // counter behind envelope, event, ticket and trigger ids

	tickets     map[string]bool // issued by apps.connections.open, not yet used
	sockets     map[*socket]bool
	connections int
	outbox      []envelope
	acks        []Ack
	pongs       int
}

// New starts a fake Slack on a 127.0.0.1 port and stops it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{
		tb:           tb,
		botToken:     DefaultBotToken,
		appToken:     DefaultAppToken,
		pingInterval: DefaultPingInterval,
		done:         make(chan struct{}),
		changed:      make(chan struct{}),
		calls:        map[string]int{},
		faults:       map[string][]fault{},
		handlers:     map[string]http.Handler{},
		users:        map[string]User{},
		channels:     map[string]*channel{},
		tickets:      map[string]bool{},
		sockets:      map[*socket]bool{},
	}
	s.builtins = s.builtinTable()
	for _, opt := range opts {
		opt(s)
	}
	if !strings.HasPrefix(s.botToken, "xoxb-") || !strings.HasPrefix(s.appToken, "xapp-") {
		tb.Fatalf("slacktest: want an xoxb- bot token and an xapp- app token, got %q and %q", s.botToken, s.appToken)
	}
	if s.pingInterval <= 0 {
		tb.Fatalf("slacktest: ping interval %v is not positive", s.pingInterval)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("slacktest: listen on loopback: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", s.serveSocket)
	mux.HandleFunc("/response/", s.serveResponseURL)
	mux.HandleFunc("/", s.serveAPI)
	// httptest picks 127.0.0.1 or [::1]; the fake promises 127.0.0.1.
	s.httpServer = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	s.httpServer.Start()
	tb.Cleanup(func() {
		// Socket Mode connections are hijacked, so Close does not wait for them; done
		// ends their writers, which close them, which ends their readers.
		close(s.done)
		s.httpServer.Close()
		s.conns.Wait()
	})
	return s
}

// URL returns the server's base URL, http://127.0.0.1:port, without a trailing slash.
func (s *Server) URL() string {
	return s.httpServer.URL
}

// APIURL returns the URL slack.OptionAPIURL expects: URL with a trailing slash.
func (s *Server) APIURL() string {
	return s.httpServer.URL + "/"
}

// BotToken returns the bot token the Web API accepts.
func (s *Server) BotToken() string { return s.botToken }

// AppToken returns the app-level token apps.connections.open accepts.
func (s *Server) AppToken() string { return s.appToken }

// Handle makes the fake answer Web API method with h, replacing a built-in method of
// that name. h runs after the call is counted, injected faults are applied and the bot
// token is checked; r.Form holds the parameters and r.Body can be read again.
func (s *Server) Handle(method string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[method] = h
}

// Calls returns how many requests for Web API method the fake received, whatever their
// outcome: refused, failed or rate limited by injection, or answered.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// builtin is a Web API method the fake implements. It runs with s.mu held and returns
// the fields of an ok answer or a Slack error code.
type builtin func(p url.Values) (map[string]any, string)

func (s *Server) builtinTable() map[string]builtin {
	return map[string]builtin{
		"auth.test":             s.authTest,
		"users.info":            s.usersInfo,
		"chat.postMessage":      s.postMessage,
		"chat.update":           s.update,
		"chat.postEphemeral":    s.postEphemeral,
		"chat.delete":           s.deleteMessage,
		"conversations.replies": s.replies,
		"views.open":            s.viewsOpen,
		"apps.connections.open": s.openConnection,
	}
}

// serveAPI answers one Web API request at /<method>, by GET or POST, with parameters in
// the query string, a form or a JSON object, and the token in the form or as a bearer.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api"), "/")
	if method == "" || strings.Contains(method, "/") {
		http.NotFound(w, r)
		return
	}
	if f, ok := s.begin(method); ok {
		f.write(w)
		return
	}
	body, p, err := readParams(r)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	token := p.Get("token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = bearer
	}
	p.Del("token")
	if code := s.checkToken(method, token); code != "" {
		writeError(w, code)
		return
	}
	s.mu.Lock()
	h, custom := s.handlers[method]
	s.mu.Unlock()
	if custom {
		r.Form = p
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
		return
	}
	handle, ok := s.builtins[method]
	if !ok {
		writeError(w, "unknown_method")
		return
	}
	s.mu.Lock()
	fields, code := handle(p)
	if code == "" {
		s.notifyLocked()
	}
	s.mu.Unlock()
	if code != "" {
		writeError(w, code)
		return
	}
	fields["ok"] = true
	writeJSON(w, http.StatusOK, fields)
}

// checkToken returns the Slack error for a call of method with token, or "".
func (s *Server) checkToken(method, token string) string {
	appMethod := strings.HasPrefix(method, "apps.connections.")
	switch {
	case token == "":
		return "not_authed"
	case token == s.appToken && appMethod, token == s.botToken && !appMethod:
		return ""
	case token == s.appToken, token == s.botToken:
		return "not_allowed_token_type"
	default:
		return "invalid_auth"
	}
}

// readParams returns the request body and the call's parameters. A JSON object's
// non-string values are kept as JSON text, as a form carries blocks.
func readParams(r *http.Request) ([]byte, url.Values, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return nil, nil, fmt.Errorf("read body: %w", err)
	}
	p := r.URL.Query()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var obj map[string]json.RawMessage
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &obj); err != nil {
				return nil, nil, fmt.Errorf("decode JSON body: %w", err)
			}
		}
		for k, raw := range obj {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				p.Set(k, str)
			} else {
				p.Set(k, string(raw))
			}
		}
		return body, p, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, nil, fmt.Errorf("decode form: %w", err)
	}
	for k, vs := range form {
		p[k] = vs
	}
	return body, p, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": code})
}

// notifyLocked wakes everyone waiting for the state to change: the Wait methods and the
// Socket Mode writers.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor blocks until cond, evaluated with s.mu held, is true; it gives up when ctx
// ends or the test is over.
func (s *Server) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok, changed := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}

// WaitFor blocks until cond is true, evaluating it again after every change the fake
// sees: a call answered, an acknowledgement, a connection. cond may call the Server's
// methods. It returns ctx.Err() when ctx ends first.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}

// nextIDLocked returns a number no other id of this server has used.
func (s *Server) nextIDLocked() int {
	s.lastID++
	return s.lastID
}
