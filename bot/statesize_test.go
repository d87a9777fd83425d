package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/search/searchtest"
)

// memoryStore keeps states in a map, and remembers the size of each one saved. Like
// every Store, it keeps copies: the engine reuses the buffer it commits from.
type memoryStore struct {
	mu     sync.Mutex
	states map[string][]byte
	saved  [][]byte
}

func (s *memoryStore) Begin(_ context.Context, b Begin) (Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Session{Conversation: b.Conversation, UpdateID: b.UpdateID, Token: "t", State: bytes.Clone(s.states[b.Conversation]), Count: 1}, nil
}

func (s *memoryStore) Commit(_ context.Context, sess Session, c Commit) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states[sess.Conversation] = bytes.Clone(c.State)
	s.saved = append(s.saved, bytes.Clone(c.State))
	return nil
}

func (s *memoryStore) Release(context.Context, Session) error { return nil }

func (s *memoryStore) Forget(_ context.Context, conv string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.states, conv)
	return nil
}

// TestJSONStateForRollingUpgrade checks Options.JSONState: states saved in JSON, which
// a release before the compact encoding reads, and read by an engine that saves them
// compact, and back.
func TestJSONStateForRollingUpgrade(t *testing.T) {
	idx := searchtest.Bundled(t)
	store := &memoryStore{states: map[string][]byte{}}
	engine := func(asJSON bool) *Engine {
		e, err := New(Options{Search: idx, Store: store, JSONState: asJSON})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	oldStyle, compact := engine(true), engine(false)
	steps := []struct {
		e    *Engine
		text string
		json bool
	}{
		{oldStyle, "ciao", true},
		{compact, "non so a chi lasciare i bambini", false},
		{oldStyle, "mia mamma non riesce più a cucinare", true},
	}
	for i, s := range steps {
		m := Message{Channel: "test", UserID: "1", UpdateID: fmt.Sprint(i), Text: s.text}
		if _, err := s.e.Handle(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		data := store.states[m.Conversation()]
		if isJSON := data[0] == '{'; isJSON != s.json {
			t.Fatalf("step %d: state saved %q..., JSON %v", i, data[:1], s.json)
		}
		st, ok := decodeState(data)
		var said []string
		for _, r := range st.Recent {
			if r.From == "user" {
				said = append(said, r.Text)
			}
		}
		if !ok || len(said) != i+1 || said[0] != steps[0].text || said[i] != s.text {
			t.Fatalf("step %d: the citizen said %q (ok %v): the conversation did not go on", i, said, ok)
		}
	}
}

// TestStateSize runs the engine benchmark's conversation (greet, search, page, open
// a card, search again, share a location) twice over, and checks that each state
// saved is smaller in the compact encoding than in JSON, and reads back the same.
func TestStateSize(t *testing.T) {
	idx := searchtest.Bundled(t)
	store := &memoryStore{states: map[string][]byte{}}
	e, err := New(Options{Search: idx, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	near := catalogue.Point{Lat: 45.4642, Lon: 9.19}
	work := []Message{{Text: "ciao"}, {Text: "non so a chi lasciare i bambini"}, {Button: "page:1"},
		{Button: "svc:" + idx.Catalogue().Services[3].ID}, {Text: "mia mamma non riesce più a cucinare"}, {Location: &near}}
	for i := range 2 * len(work) {
		m := work[i%len(work)]
		m.Channel, m.UserID, m.UpdateID = "bench", "1", fmt.Sprint(i)
		if _, err := e.Handle(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	compact, asJSON := 0, 0
	for i, data := range store.saved {
		st, ok := decodeState(data)
		if !ok {
			t.Fatalf("state %d does not decode", i)
		}
		old, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) >= len(old) {
			t.Errorf("state %d: %d bytes compact, %d in JSON", i, len(data), len(old))
		}
		compact, asJSON = compact+len(data), asJSON+len(old)
	}
	last := store.saved[len(store.saved)-1]
	t.Logf("%d states: %d bytes on average compact, %d in JSON; the last %d bytes", len(store.saved),
		compact/len(store.saved), asJSON/len(store.saved), len(last))
}
