package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
)

// Response is a message the bot sent to a response_url of an interaction or slash
// command the fake built.
type Response struct {
	Path            string // /response/<n>, telling which interaction or command it answers
	Text            string
	ResponseType    string // "ephemeral" (Slack's default) or "in_channel"
	ReplaceOriginal bool
	DeleteOriginal  bool
	ThreadTS        string
	Blocks          json.RawMessage // nil when there were none
	Body            json.RawMessage // the whole request body
}

func (s *Server) responseURLLocked(n int) string {
	return s.httpServer.URL + "/response/" + strconv.Itoa(n)
}

// serveResponseURL records a message posted to a response_url and answers as Slack
// does: application/json {"ok":true}.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST a message", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return
	}
	var msg struct {
		Text            string          `json:"text"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal json.RawMessage `json:"replace_original"` // a bool, or a "true" string
		DeleteOriginal  json.RawMessage `json:"delete_original"`
		ThreadTS        string          `json:"thread_ts"`
		Blocks          json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid_payload"})
		return
	}
	if string(msg.Blocks) == "null" {
		msg.Blocks = nil
	}
	s.mu.Lock()
	s.responses = append(s.responses, Response{
		Path: r.URL.Path, Text: msg.Text, ResponseType: msg.ResponseType,
		ReplaceOriginal: truthy(msg.ReplaceOriginal), DeleteOriginal: truthy(msg.DeleteOriginal),
		ThreadTS: msg.ThreadTS, Blocks: msg.Blocks, Body: body,
	})
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func truthy(raw json.RawMessage) bool {
	return string(raw) == "true" || string(raw) == `"true"`
}

// Responses returns, in order, every message posted to the fake's response URLs.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.responses)
	for i := range out {
		out[i].Blocks = slices.Clone(out[i].Blocks)
		out[i].Body = slices.Clone(out[i].Body)
	}
	return out
}

// WaitResponses blocks until at least n messages were posted to the fake's response
// URLs and returns them all, like WaitPosts.
func (s *Server) WaitResponses(ctx context.Context, n int) ([]Response, error) {
	err := s.waitFor(ctx, func() bool { return len(s.responses) >= n })
	got := s.Responses()
	if err != nil {
		return got, fmt.Errorf("wait for %d response_url messages, got %d: %w", n, len(got), err)
	}
	return got, nil
}
