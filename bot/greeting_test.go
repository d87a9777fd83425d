package bot_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bot"
)

// ttlStore shows a test how long each saved state is to be kept.
type ttlStore struct {
	bot.Store
	mu      sync.Mutex
	ttls    []time.Duration
	dedupes []time.Duration
}

func (s *ttlStore) Commit(ctx context.Context, sess bot.Session, c bot.Commit) error {
	s.mu.Lock()
	s.ttls = append(s.ttls, c.IdleTTL)
	s.dedupes = append(s.dedupes, c.DedupeTTL)
	s.mu.Unlock()
	return s.Store.Commit(ctx, sess, c)
}

// last returns the IdleTTL and DedupeTTL of the last Commit.
func (s *ttlStore) last() (time.Duration, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ttls[len(s.ttls)-1], s.dedupes[len(s.dedupes)-1]
}

// A conversation that has had nothing but the bare greeting (what the web page sends
// by itself) is kept GreetingTTL; once the citizen says or presses anything it is kept
// IdleTTL, and a later greeting does not shorten it again. The greeting's handled mark
// goes with it.
func TestGreetingOnlyConversationsGoSoon(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		const idle, dedupe, greeting = 30 * 24 * time.Hour, 24 * time.Hour, time.Hour
		ttl := &ttlStore{Store: store}
		h := newHarness(t, ttl, func(o *bot.Options) { o.IdleTTL, o.DedupeTTL = idle, dedupe })
		steps := []struct {
			user string
			m    bot.Message
			want time.Duration
		}{
			{"a", bot.Message{Text: "/start"}, greeting},
			{"a", bot.Message{Text: "/start@WeMiBot "}, greeting}, // the page reloaded: still only greeted
			{"a", bot.Message{Text: "psicologo"}, idle},
			{"a", bot.Message{Text: "/start"}, idle},
			{"b", bot.Message{Text: "/start c_educativo"}, idle}, // a deep link asks for something
			{"c", bot.Message{Button: "cats"}, idle},
			{"d", bot.Message{Text: "/start"}, greeting},
			{"d", bot.Message{Button: "cats"}, idle},
		}
		for i, s := range steps {
			s.m.Channel, s.m.UserID, s.m.UpdateID = "web", s.user, string(rune('a'+i))
			if _, err := h.engine.Handle(context.Background(), s.m); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			wantDedupe := min(s.want, dedupe)
			if got, gotDedupe := ttl.last(); got != s.want || gotDedupe != wantDedupe {
				t.Errorf("step %d (%s %q%s): kept %v, marked %v; want %v, %v", i, s.user, s.m.Text, s.m.Button,
					got, gotDedupe, s.want, wantDedupe)
			}
		}
	})
}
