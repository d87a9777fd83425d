package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrClosed is returned by the waiting methods when the test ended before the awaited
// state came.
var ErrClosed = errors.New("telegramtest: server closed")

// Update types, as getUpdates' allowed_updates names them.
const (
	updateMessage          = "message"
	updateCallbackQuery    = "callback_query"
	updatePreCheckoutQuery = "pre_checkout_query"
)

// maxUpdatesLimit is the largest batch getUpdates returns, and its default.
const maxUpdatesLimit = 100

// queuedUpdate is an update waiting to be confirmed by a getUpdates offset.
type queuedUpdate struct {
	id   int
	kind string
	body json.RawMessage
}

// createLocked gives u the next update id and keeps its JSON for Update.
func (s *Server) createLocked(u apiUpdate) (int, json.RawMessage) {
	s.nextUpdateID++
	u.UpdateID = s.nextUpdateID
	body, err := json.Marshal(u)
	if err != nil {
		panic("telegramtest: marshal update: " + err.Error()) // only plain structs: cannot happen
	}
	s.history[u.UpdateID] = body
	return u.UpdateID, body
}

// pushLocked creates u and queues it for getUpdates.
func (s *Server) pushLocked(u apiUpdate, kind string) int {
	id, body := s.createLocked(u)
	s.queue = append(s.queue, queuedUpdate{id: id, kind: kind, body: body})
	s.notifyLocked()
	return id
}

// Update returns the JSON of the update with updateID, exactly as getUpdates delivers it and
// as Telegram would POST it to a webhook, or nil for an unknown id. Confirmed updates
// stay available.
func (s *Server) Update(updateID int) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, ok := s.history[updateID]
	if !ok {
		return nil
	}
	return append([]byte(nil), body...)
}

// PendingUpdates returns how many updates getUpdates has not yet seen confirmed by an
// offset: after a clean shutdown of a poller it should be zero.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// WaitPolling blocks until a getUpdates call is waiting for updates (a long poll with
// an empty queue), so that a test can push an update and know it woke the poll. It
// fails when ctx ends first.
func (s *Server) WaitPolling(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return s.polling > 0 })
}

// getUpdates implements the Bot API's long polling: offset confirms (and forgets) the
// updates before it, limit bounds the batch, timeout is how many seconds to wait for an
// update when none is queued. A newer getUpdates ends a waiting one with 409, as
// Telegram does when two instances of a bot poll.
func (s *Server) getUpdates(ctx context.Context, p params) (any, *apiError) {
	offset, apiErr := p.int("offset")
	if apiErr != nil {
		return nil, apiErr
	}
	limit, apiErr := p.int("limit")
	if apiErr != nil {
		return nil, apiErr
	}
	if limit <= 0 || limit > maxUpdatesLimit {
		limit = maxUpdatesLimit
	}
	timeout, apiErr := p.int("timeout")
	if apiErr != nil {
		return nil, apiErr
	}
	var allowed []string
	if p.has("allowed_updates") {
		if err := json.Unmarshal([]byte(p.str("allowed_updates")), &allowed); err != nil {
			return nil, badRequest("can't parse allowed updates")
		}
	}

	s.mu.Lock()
	if s.webhook.url != "" {
		s.mu.Unlock()
		return nil, errWebhookActive
	}
	if p.has("allowed_updates") {
		s.setAllowedLocked(allowed)
	}
	s.confirmLocked(offset)
	s.pollGen++
	gen := s.pollGen
	s.notifyLocked() // a waiting older poll must notice it lost
	s.mu.Unlock()

	var expired <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(time.Duration(timeout) * time.Second)
		defer timer.Stop()
		expired = timer.C
	}
	waiting := false
	defer func() {
		if waiting {
			s.mu.Lock()
			s.polling--
			s.notifyLocked()
			s.mu.Unlock()
		}
	}()
	for {
		s.mu.Lock()
		if s.pollGen != gen {
			s.mu.Unlock()
			return nil, errPollConflict
		}
		batch, changed := s.batchLocked(int(limit)), s.changed
		if len(batch) == 0 && timeout > 0 && !waiting {
			waiting = true
			s.polling++
			s.notifyLocked()
			changed = s.changed
		}
		s.mu.Unlock()
		if len(batch) > 0 || timeout <= 0 {
			return batch, nil
		}
		select {
		case <-changed:
		case <-expired:
			return []json.RawMessage{}, nil
		case <-ctx.Done():
			return []json.RawMessage{}, nil // nobody reads it
		case <-s.done:
			return []json.RawMessage{}, nil
		}
	}
}

func (s *Server) setAllowedLocked(types []string) {
	if len(types) == 0 {
		s.allowed = nil
		return
	}
	s.allowed = map[string]bool{}
	for _, t := range types {
		s.allowed[t] = true
	}
}

// confirmLocked applies a getUpdates offset: a positive offset forgets the updates
// before it; a negative one keeps only the last -offset updates.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		i := 0
		for i < len(s.queue) && int64(s.queue[i].id) < offset {
			i++
		}
		s.queue = s.queue[i:]
	case offset < 0:
		if keep := int(-offset); keep < len(s.queue) {
			s.queue = s.queue[len(s.queue)-keep:]
		}
	}
}

// batchLocked returns up to limit queued updates of the allowed types, dropping the
// others as Telegram does.
func (s *Server) batchLocked(limit int) []json.RawMessage {
	if s.allowed != nil {
		kept := s.queue[:0]
		for _, u := range s.queue {
			if s.allowed[u.kind] {
				kept = append(kept, u)
			}
		}
		s.queue = kept
	}
	batch := []json.RawMessage{}
	for _, u := range s.queue[:min(limit, len(s.queue))] {
		batch = append(batch, u.body)
	}
	return batch
}
