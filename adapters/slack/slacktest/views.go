package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"unicode/utf8"
)

// Limits Slack enforces on a modal in views.open.
const (
	maxViewTitleRunes = 24 // title, submit and close texts
	maxViewBlocks     = 100
)

// View is a modal the bot opened with views.open.
type View struct {
	ID              string // the id the fake gave it, "V…"
	TriggerID       string // the trigger_id it was opened with
	CallbackID      string
	PrivateMetadata string
	Title           string
	Blocks          json.RawMessage // the view's blocks as sent
	Raw             json.RawMessage // the whole view parameter as sent
}

// VisibleText returns the title and every "text" string inside Blocks, one a line.
func (v View) VisibleText() string {
	p := Post{Text: v.Title, Blocks: v.Blocks}
	return p.VisibleText()
}

// BlockIDs returns the block_id of every block of the view that has one, in order.
func (v View) BlockIDs() []string {
	var blocks []struct {
		BlockID string `json:"block_id"`
	}
	_ = json.Unmarshal(v.Blocks, &blocks)
	var ids []string
	for _, b := range blocks {
		if b.BlockID != "" {
			ids = append(ids, b.BlockID)
		}
	}
	return ids
}

func (v View) clone() View {
	v.Blocks, v.Raw = slices.Clone(v.Blocks), slices.Clone(v.Raw)
	return v
}

// viewsOpen answers views.open: it checks the trigger_id is there and the modal keeps
// Slack's limits, records it and answers with the view as Slack would.
func (s *Server) viewsOpen(p url.Values) (map[string]any, string) {
	trigger, raw := p.Get("trigger_id"), p.Get("view")
	if trigger == "" || raw == "" {
		return nil, "invalid_arguments"
	}
	type text struct {
		Text string `json:"text"`
	}
	var v struct {
		Type            string                       `json:"type"`
		Title           *text                        `json:"title"`
		Submit          *text                        `json:"submit"`
		Close           *text                        `json:"close"`
		CallbackID      string                       `json:"callback_id"`
		PrivateMetadata string                       `json:"private_metadata"`
		Blocks          []map[string]json.RawMessage `json:"blocks"`
	}
	if json.Unmarshal([]byte(raw), &v) != nil || v.Type != "modal" || v.Title == nil ||
		len(v.Blocks) == 0 || len(v.Blocks) > maxViewBlocks || len(v.PrivateMetadata) > 3000 {
		return nil, "invalid_arguments"
	}
	for _, t := range []*text{v.Title, v.Submit, v.Close} {
		if t != nil && utf8.RuneCountInString(t.Text) > maxViewTitleRunes {
			return nil, "invalid_arguments"
		}
	}
	var blocks json.RawMessage
	if obj := map[string]json.RawMessage{}; json.Unmarshal([]byte(raw), &obj) == nil {
		blocks = obj["blocks"]
	}
	view := View{ID: fmt.Sprintf("V%010d", s.nextIDLocked()), TriggerID: trigger, CallbackID: v.CallbackID,
		PrivateMetadata: v.PrivateMetadata, Title: v.Title.Text, Blocks: slices.Clone(blocks), Raw: json.RawMessage(raw)}
	s.views = append(s.views, view)
	var shown map[string]any
	_ = json.Unmarshal([]byte(raw), &shown)
	shown["id"], shown["team_id"], shown["app_id"], shown["bot_id"] = view.ID, TeamID, AppID, BotID
	shown["state"], shown["hash"] = map[string]any{"values": map[string]any{}}, "1700000000."+view.ID
	return map[string]any{"view": shown}, ""
}

// Views returns, in order, every modal the fake opened.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, len(s.views))
	for i, v := range s.views {
		out[i] = v.clone()
	}
	return out
}

// WaitViews blocks until the fake opened at least n modals and returns them all, like
// WaitPosts.
func (s *Server) WaitViews(ctx context.Context, n int) ([]View, error) {
	err := s.waitFor(ctx, func() bool { return len(s.views) >= n })
	got := s.Views()
	if err != nil {
		return got, fmt.Errorf("wait for %d views, got %d: %w", n, len(got), err)
	}
	return got, nil
}

// ViewSubmission returns the view_submission payload Slack sends when userID submits
// the modal v with the input values given by block_id and action_id, each as Slack
// puts it in view.state.values: {"type": "plain_text_input", "value": "…"},
// {"type": "datepicker", "selected_date": "2026-03-07"}, {"type": "timepicker",
// "selected_time": "10:00"}. Push it with PushInteractionJSON.
func (s *Server) ViewSubmission(userID string, v View, values map[string]map[string]any) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nextIDLocked()
	var view map[string]any
	if json.Unmarshal(v.Raw, &view) != nil {
		view = map[string]any{"type": "modal"}
	}
	if values == nil {
		values = map[string]map[string]any{}
	}
	view["id"], view["team_id"], view["app_id"], view["bot_id"] = v.ID, TeamID, AppID, BotID
	view["state"], view["hash"] = map[string]any{"values": values}, "1700000000."+v.ID
	return mustJSON(map[string]any{
		"type": "view_submission", "token": VerificationToken, "api_app_id": AppID,
		"team":       map[string]any{"id": TeamID, "domain": "wemi-test"},
		"user":       map[string]any{"id": userID, "username": s.userNameLocked(userID), "name": s.userNameLocked(userID), "team_id": TeamID},
		"trigger_id": fmt.Sprintf("%d.%d.wemitrigger", n, n), "view": view, "response_urls": []any{},
		"is_enterprise_install": false,
	})
}
