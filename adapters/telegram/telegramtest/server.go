// Package telegramtest runs a fake Telegram Bot API server on loopback for tests. The
// real tgbotapi client talks to it through Server.Endpoint; tests push user updates in,
// read back what the bot sent, and inject the failures the real API produces: 429 with
// retry_after, 5xx, slow answers and dropped connections.
//
// The fake follows the Bot API reference (https://core.telegram.org/bots/api) for the
// methods a chatbot needs and refuses what the real API refuses: empty or over-long
// texts, callback_data over 64 bytes, unknown chats, malformed HTML. It never talks to
// Telegram.
package telegramtest

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BotUsername is the username getMe reports for the fake's bot.
const BotUsername = "WeMiTestBot"

// maxRequestBody bounds what the fake reads from one request: the Bot API's limit for
// uploads is 50 MB.
const maxRequestBody = 50 << 20

// handler answers one Bot API method from its parameters.
type handler func(ctx context.Context, p params) (any, *apiError)

// method is a Bot API method the fake knows, under its canonical name.
type method struct {
	name   string
	handle handler
}

// Server is a fake Bot API for one bot token. All its methods are safe for concurrent
// use.
type Server struct {
	tb         testing.TB
	token      string
	bot        apiBotUser
	httpServer *httptest.Server
	methods    map[string]method // keyed by lower-case name: the API ignores case
	done       chan struct{}     // closed when the test ends, releasing waiting handlers

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change; see notifyLocked
	calls   map[string]int
	faults  map[string]*methodFaults
	chats   map[int64]*chat

	nextUpdateID int
	queue        []queuedUpdate
	history      map[int]json.RawMessage
	allowed      map[string]bool // update types getUpdates delivers; nil means all
	pollGen      int             // bumped by each getUpdates, to end older long polls
	polling      int             // getUpdates calls waiting for updates

	nextCallback int64
	callbacks    map[string]bool // callback query id → answered
	answered     []string
	nextFile     int

	nextPreCheckout int64
	preCheckouts    map[string]*preCheckout // query id → its state
	preAnswers      []PreCheckoutAnswer

	commands  map[commandKey][]BotCommand
	webhook   webhook
	sendTimes []time.Time
}

// New starts a fake Bot API answering for token on a 127.0.0.1 port and stops it when
// the test ends. The bot's id is the numeric prefix of token (before the colon), as in
// real tokens.
func New(tb testing.TB, token string) *Server {
	tb.Helper()
	if token == "" || strings.ContainsAny(token, "/?#%") {
		tb.Fatalf("telegramtest: token %q cannot appear in a Bot API path", token)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("telegramtest: listen on loopback: %v", err)
	}
	s := &Server{
		tb:        tb,
		token:     token,
		bot:       botUser(token),
		done:      make(chan struct{}),
		changed:   make(chan struct{}),
		calls:     map[string]int{},
		faults:    map[string]*methodFaults{},
		chats:     map[int64]*chat{},
		history:   map[int]json.RawMessage{},
		callbacks: map[string]bool{},
		commands:  map[commandKey][]BotCommand{},

		preCheckouts: map[string]*preCheckout{},
	}
	s.methods = s.methodTable()
	// httptest picks 127.0.0.1 or [::1]; the fake promises 127.0.0.1.
	s.httpServer = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s}}
	s.httpServer.Start()
	tb.Cleanup(func() {
		// Long polls and slow answers wait on done; without it Close would block until
		// their timeouts ran out.
		close(s.done)
		s.httpServer.Close()
	})
	return s
}

func botUser(token string) apiBotUser {
	id, err := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	if err != nil || id <= 0 {
		id = 1
	}
	return apiBotUser{apiUser: apiUser{ID: id, IsBot: true, FirstName: "WeMi", Username: BotUsername}}
}

func (s *Server) methodTable() map[string]method {
	table := []method{
		{"getMe", s.getMe},
		{"getUpdates", s.getUpdates},
		{"sendMessage", s.sendMessage},
		{"sendLocation", s.sendLocation},
		{"sendDocument", s.sendDocument},
		{"sendChatAction", s.sendChatAction},
		{"editMessageText", s.editMessageText},
		{"editMessageReplyMarkup", s.editMessageReplyMarkup},
		{"answerCallbackQuery", s.answerCallbackQuery},
		{"setMyCommands", s.setMyCommands},
		{"getMyCommands", s.getMyCommands},
		{"deleteMyCommands", s.deleteMyCommands},
		{"setWebhook", s.setWebhook},
		{"deleteWebhook", s.deleteWebhook},
		{"getWebhookInfo", s.getWebhookInfo},
		{"sendInvoice", s.sendInvoice},
		{"answerPreCheckoutQuery", s.answerPreCheckoutQuery},
	}
	m := make(map[string]method, len(table))
	for _, meth := range table {
		m[strings.ToLower(meth.name)] = meth
	}
	return m
}

// Endpoint returns the endpoint format tgbotapi.NewBotAPIWithAPIEndpoint expects:
// the server's base URL followed by /bot%s/%s.
func (s *Server) Endpoint() string {
	return s.httpServer.URL + "/bot%s/%s"
}

// URL returns the server's base URL, http://127.0.0.1:port.
func (s *Server) URL() string {
	return s.httpServer.URL
}

// ServeHTTP answers one Bot API request at /bot<token>/<method>, by GET or POST, with
// parameters in the query string, a form, a multipart form or a JSON object.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, name, ok := splitPath(r.URL.Path)
	if !ok {
		writeError(w, errNotFound)
		return
	}
	if token != s.token {
		writeError(w, errUnauthorized)
		return
	}
	key := strings.ToLower(name)
	delay, outcome := s.begin(key)
	if delay > 0 && !s.pause(r.Context(), delay) {
		return // the client left or the test ended; nobody reads an answer
	}
	switch outcome.kind {
	case faultDrop:
		dropConnection(w, r)
		return
	case faultFail:
		writeError(w, outcome.apiError())
		return
	}
	meth, ok := s.methods[key]
	if !ok {
		writeError(w, errNotFound)
		return
	}
	p, err := parseParams(w, r)
	if err != nil {
		writeError(w, badRequest("%v", err))
		return
	}
	result, apiErr := meth.handle(r.Context(), p)
	if outcome.kind == faultDropReply {
		dropConnection(w, r)
		return
	}
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeResult(w, result)
}

// splitPath splits /bot<token>/<method>.
func splitPath(path string) (token, method string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/bot")
	if !ok {
		return "", "", false
	}
	token, method, ok = strings.Cut(rest, "/")
	if !ok || token == "" || method == "" || strings.Contains(method, "/") {
		return "", "", false
	}
	return token, method, true
}

// begin counts a call and takes the faults injected for it.
func (s *Server) begin(key string) (time.Duration, outcomeFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[key]++
	return s.takeFaultsLocked(key)
}

// pause waits d and reports whether the request should still be answered.
func (s *Server) pause(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// notifyLocked wakes everyone waiting for the state to change: long polls, WaitSent.
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

func (s *Server) getMe(context.Context, params) (any, *apiError) {
	return s.bot, nil
}
