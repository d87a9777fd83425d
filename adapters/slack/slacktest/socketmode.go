package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// writeTimeout bounds one websocket write, so a client that stopped reading cannot
// hold a writer forever.
const writeTimeout = 5 * time.Second

// Ack is a Socket Mode acknowledgement the client sent.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // the response payload; nil for a bare acknowledgement
}

// envelope is a Socket Mode message waiting for a connection to carry it.
type envelope struct {
	id   string
	wire []byte
}

// socket is one Socket Mode connection. Only its writer goroutine writes to conn.
type socket struct {
	conn *websocket.Conn

	// Guarded by Server.mu.
	control  [][]byte // messages for this connection only, sent before any envelope
	draining bool     // a disconnect was queued: take no more envelopes
}

// openConnection answers apps.connections.open with a single-use websocket URL.
func (s *Server) openConnection(url.Values) (map[string]any, string) {
	ticket := "ticket-" + strconv.Itoa(s.nextIDLocked())
	s.tickets[ticket] = true
	wsURL := "ws" + strings.TrimPrefix(s.httpServer.URL, "http") + "/ws?ticket=" + ticket
	return map[string]any{"url": wsURL}, ""
}

// checkOrigin accepts the Origin socketmode.Client sends, https://api.slack.com, which
// the upgrader's default check refuses for not being this host.
func checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin == "" || origin == "https://api.slack.com" || origin == "http://"+r.Host
}

// serveSocket speaks Socket Mode on one connection opened with a ticket from
// apps.connections.open: hello, then the queued envelopes, with pings in between; it
// records the acknowledgements it reads.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket]
	delete(s.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	s.conns.Add(1)
	defer s.conns.Done()
	upgrader := websocket.Upgrader{CheckOrigin: checkOrigin}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade already answered the client
	}
	sock := &socket{conn: conn}
	conn.SetPongHandler(func(string) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.pongs++
		s.notifyLocked()
		return nil
	})
	s.mu.Lock()
	s.sockets[sock] = true
	s.connections++
	open := len(s.sockets)
	s.notifyLocked()
	s.mu.Unlock()

	readerDone := make(chan struct{})
	s.conns.Go(func() { s.writeLoop(sock, open, readerDone) })
	s.readLoop(sock)
	close(readerDone)

	s.mu.Lock()
	delete(s.sockets, sock)
	s.notifyLocked()
	s.mu.Unlock()
}

// readLoop records acknowledgements until the connection fails or closes.
func (s *Server) readLoop(sock *socket) {
	for {
		_, data, err := sock.conn.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			s.tb.Errorf("slacktest: Socket Mode client sent %q, not an acknowledgement", data)
			continue
		}
		if string(ack.Payload) == "null" {
			ack.Payload = nil
		}
		s.mu.Lock()
		s.acks = append(s.acks, Ack{EnvelopeID: ack.EnvelopeID, Payload: ack.Payload})
		s.notifyLocked()
		s.mu.Unlock()
	}
}

// writeLoop is the connection's only writer: hello, a ping every pingInterval, and
// every message queued for it or for any connection, until the reader ends or the test
// does.
func (s *Server) writeLoop(sock *socket, open int, readerDone <-chan struct{}) {
	defer sock.conn.Close()
	hello, _ := json.Marshal(map[string]any{
		"type": "hello", "num_connections": open,
		"connection_info": map[string]any{"app_id": AppID},
		"debug_info": map[string]any{
			"host": "applink-wemi-test", "build_number": 1, "approximate_connection_time": 18060,
		},
	})
	if s.write(sock, websocket.TextMessage, hello) != nil || s.write(sock, websocket.PingMessage, nil) != nil {
		return
	}
	ping := time.NewTicker(s.pingInterval)
	defer ping.Stop()
	for {
		s.mu.Lock()
		msg, env, ok := s.nextMessageLocked(sock)
		changed := s.changed
		s.mu.Unlock()
		if ok {
			if err := s.write(sock, websocket.TextMessage, msg); err != nil {
				if env != nil {
					s.requeue(*env)
				}
				return
			}
			continue
		}
		select {
		case <-changed:
		case <-ping.C:
			if s.write(sock, websocket.PingMessage, nil) != nil {
				return
			}
		case <-readerDone:
			return
		case <-s.done:
			return
		}
	}
}

// nextMessageLocked takes the next message for sock: its own first, then the oldest
// queued envelope unless sock is draining.
func (s *Server) nextMessageLocked(sock *socket) ([]byte, *envelope, bool) {
	if len(sock.control) > 0 {
		msg := sock.control[0]
		sock.control = sock.control[1:]
		return msg, nil, true
	}
	if sock.draining || len(s.outbox) == 0 {
		return nil, nil, false
	}
	env := s.outbox[0]
	s.outbox = s.outbox[1:]
	return env.wire, &env, true
}

// requeue puts back an envelope a failed write did not deliver, for the next
// connection.
func (s *Server) requeue(env envelope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outbox = slices.Insert(s.outbox, 0, env)
	s.notifyLocked()
}

func (s *Server) write(sock *socket, kind int, data []byte) error {
	deadline := time.Now().Add(writeTimeout)
	if kind == websocket.PingMessage {
		return sock.conn.WriteControl(kind, data, deadline)
	}
	if err := sock.conn.SetWriteDeadline(deadline); err != nil {
		return err
	}
	return sock.conn.WriteMessage(kind, data)
}

// enqueueLocked queues an envelope of kind for the next connection that can carry it
// and returns its envelope_id.
func (s *Server) enqueueLocked(kind string, payload json.RawMessage, acceptsResponse bool) string {
	n := s.nextIDLocked()
	id := fmt.Sprintf("%08x-5e4d-4b1e-9a3c-%012x", n, n)
	wire, _ := json.Marshal(map[string]any{
		"type": kind, "envelope_id": id, "payload": payload,
		"accepts_response_payload": acceptsResponse, "retry_attempt": 0, "retry_reason": "",
	})
	s.outbox = append(s.outbox, envelope{id: id, wire: wire})
	s.notifyLocked()
	return id
}

// Disconnect sends every open Socket Mode connection a disconnect message with reason
// (Slack sends "warning", "refresh_requested" or "link_disabled"), as Slack does before
// it rotates a connection; the client is expected to open a new one. Envelopes still
// queued go to the new connection.
func (s *Server) Disconnect(reason string) {
	msg, _ := json.Marshal(map[string]any{
		"type": "disconnect", "reason": reason,
		"debug_info": map[string]any{"host": "applink-wemi-test"},
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	for sock := range s.sockets {
		sock.control = append(sock.control, msg)
		sock.draining = true
	}
	s.notifyLocked()
}

// DropConnections closes every open Socket Mode connection without a word, as a network
// failure would.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sock := range s.sockets {
		_ = sock.conn.Close() // safe alongside the writer: it only makes its writes fail
	}
}

// Connections returns how many Socket Mode connections the fake accepted since it
// started; more than one means the client reconnected.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// Acks returns, in order, the envelope ids the Socket Mode clients acknowledged,
// repeats included.
func (s *Server) Acks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, len(s.acks))
	for i, a := range s.acks {
		ids[i] = a.EnvelopeID
	}
	return ids
}

// WaitAck blocks until envelopeID is acknowledged and returns the first
// acknowledgement, with its response payload if any. When ctx ends first it returns an
// error wrapping ctx.Err().
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (Ack, error) {
	var ack Ack
	err := s.waitFor(ctx, func() bool {
		i := slices.IndexFunc(s.acks, func(a Ack) bool { return a.EnvelopeID == envelopeID })
		if i < 0 {
			return false
		}
		ack = s.acks[i]
		ack.Payload = slices.Clone(ack.Payload)
		return true
	})
	if err != nil {
		return Ack{}, fmt.Errorf("wait for the acknowledgement of envelope %s: %w", envelopeID, err)
	}
	return ack, nil
}
