package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/desk"
)

// memRecords is an in-memory desk.Records with optimistic updates, like Redis's: fn
// runs outside the lock, and runs again when the document changed meanwhile.
type memRecords struct {
	// fail, when set, makes Get and Update fail with its error (op is "get" or "update").
	fail func(op string) error
	// between, when set, runs after fn and before the write: another writer's turn.
	between func()

	mu      sync.Mutex
	docs    map[string][]byte
	version map[string]int
	ttls    map[string]time.Duration
	gets    int
	updates int
}

var _ desk.Records = (*memRecords)(nil)

func newMemRecords() *memRecords {
	return &memRecords{docs: map[string][]byte{}, version: map[string]int{}, ttls: map[string]time.Duration{}}
}

func (m *memRecords) Get(_ context.Context, kind, id string) ([]byte, error) {
	if err := m.failure("get"); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gets++
	doc, ok := m.docs[kind+"/"+id]
	if !ok {
		return nil, desk.ErrNotFound
	}
	return bytes.Clone(doc), nil
}

func (m *memRecords) Update(_ context.Context, kind, id string, ttl time.Duration, fn func([]byte) ([]byte, error)) ([]byte, error) {
	if err := desk.ValidateRecord(kind, id); err != nil {
		return nil, err
	}
	if err := m.failure("update"); err != nil {
		return nil, err
	}
	key := kind + "/" + id
	for {
		m.mu.Lock()
		m.updates++
		old, seen := bytes.Clone(m.docs[key]), m.version[key]
		m.mu.Unlock()
		doc, err := fn(old)
		if err != nil {
			return nil, err
		}
		if err := desk.ValidateDoc(doc); err != nil {
			return nil, err
		}
		if m.between != nil {
			between := m.between
			m.between = nil
			between()
		}
		m.mu.Lock()
		if m.version[key] != seen {
			m.mu.Unlock()
			continue // another writer got there first
		}
		m.version[key]++
		if doc == nil {
			delete(m.docs, key)
		} else {
			m.docs[key], m.ttls[key] = bytes.Clone(doc), ttl
		}
		m.mu.Unlock()
		return doc, nil
	}
}

func (m *memRecords) List(context.Context, string) ([][]byte, error) {
	return nil, errors.New("memRecords: List not needed by the mailbox")
}

func (m *memRecords) failure(op string) error {
	if m.fail == nil {
		return nil
	}
	return m.fail(op)
}

func (m *memRecords) counts() (gets, updates int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gets, m.updates
}

// recordStores are the desk.Records the mailbox is tested on: the fake, and the real
// stores once they implement desk.Records (until then their subtests skip).
func recordStores() []struct {
	name string
	open func(t *testing.T) desk.Records
} {
	real := func(t *testing.T, store any) desk.Records {
		t.Helper()
		r, ok := store.(desk.Records)
		if !ok {
			t.Skipf("%T does not implement desk.Records yet", store)
		}
		return r
	}
	return []struct {
		name string
		open func(t *testing.T) desk.Records
	}{
		{"memory", func(*testing.T) desk.Records { return newMemRecords() }},
		{"bolt", func(t *testing.T) desk.Records { return real(t, boltStore(t)) }},
		{"redis", func(t *testing.T) desk.Records {
			c := goredis.NewClient(mustParse(t, redistest.Start(t).URL()))
			t.Cleanup(func() { c.Close() })
			return real(t, redis.New(c, redis.Options{}))
		}},
	}
}

// docLimit is the size of the largest document desk.Records stores.
func docLimit() int {
	fits := func(n int) bool { return desk.ValidateDoc(make([]byte, n)) == nil }
	n := 1 << 10
	for fits(n * 2) {
		n *= 2
	}
	return n + sort.Search(n, func(i int) bool { return !fits(n + i + 1) })
}

// Session ids are 43-character cookies.
func sessionID(n int) string { return fmt.Sprintf("%043d", n) }

func collect(t *testing.T, box web.Mailbox, user string) []string {
	t.Helper()
	got, err := box.Collect(context.Background(), user)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	out := make([]string, len(got))
	for i, g := range got {
		out[i] = string(g)
	}
	return out
}

func deliver(t *testing.T, box web.Mailbox, user string, msgs ...string) {
	t.Helper()
	bs := make([][]byte, len(msgs))
	for i, m := range msgs {
		bs[i] = []byte(m)
	}
	if err := box.Deliver(context.Background(), user, bs...); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
}

func TestMailbox(t *testing.T) {
	for _, store := range recordStores() {
		t.Run(store.name, func(t *testing.T) {
			box := web.NewMailbox(store.open(t), 0)
			alice, bob := sessionID(1), sessionID(2)
			ctx := context.Background()

			if got := collect(t, box, alice); len(got) != 0 {
				t.Fatalf("a new mailbox holds %q", got)
			}
			deliver(t, box, alice, `{"n": 1}`)
			deliver(t, box, alice, `{"n":2}`, `"three"`)
			deliver(t, box, bob, `{"for":"bob"}`)
			if got, want := collect(t, box, alice), []string{`{"n":1}`, `{"n":2}`, `"three"`}; strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("collected %q, want %q in order", got, want)
			}
			if got := collect(t, box, alice); len(got) != 0 {
				t.Fatalf("collected twice: %q", got)
			}
			if got := collect(t, box, bob); len(got) != 1 || got[0] != `{"for":"bob"}` {
				t.Fatalf("bob's mailbox: %q", got)
			}

			if err := box.Deliver(ctx, alice, []byte("not json")); err == nil {
				t.Error("a message that is not JSON was accepted")
			}

			// At most MaxPending wait; the oldest go.
			for i := range web.MaxPending + 10 {
				deliver(t, box, alice, fmt.Sprint(i))
			}
			got := collect(t, box, alice)
			if len(got) != web.MaxPending || got[0] != "10" || got[len(got)-1] != fmt.Sprint(web.MaxPending+9) {
				t.Fatalf("after %d deliveries: %d pending, from %s to %s", web.MaxPending+10, len(got), got[0], got[len(got)-1])
			}

			// Large messages: older ones make room for the new, which is never cut.
			limit := docLimit()
			big := func(i int) string { return fmt.Sprintf(`"%d%s"`, i, strings.Repeat("x", limit*2/5)) }
			for i := range 4 {
				deliver(t, box, alice, big(i))
			}
			if got := collect(t, box, alice); len(got) == 0 || len(got) == 4 || got[len(got)-1] != big(3) {
				t.Fatalf("large messages: %d kept", len(got))
			}
			deliver(t, box, alice, `"kept"`)
			huge := []byte(`"` + strings.Repeat("x", limit) + `"`)
			if err := box.Deliver(ctx, alice, huge); !errors.Is(err, web.ErrMessageTooLarge) {
				t.Errorf("a message too large for any mailbox: %v", err)
			}
			if got := collect(t, box, alice); len(got) != 1 || got[0] != `"kept"` {
				t.Errorf("a refused delivery changed the mailbox: %d pending", len(got))
			}
		})
	}
}

// An empty mailbox, the common case of every poll, costs one read and no write.
func TestEmptyMailboxIsOneRead(t *testing.T) {
	records := newMemRecords()
	box := web.NewMailbox(records, 0)
	collect(t, box, sessionID(1))
	if gets, updates := records.counts(); gets != 1 || updates != 0 {
		t.Errorf("an empty poll: %d reads, %d updates", gets, updates)
	}
}

// Collect's update may run again after another writer's; what it returns is what it
// deleted, so a message delivered in between is neither lost nor returned twice.
func TestCollectRacingDeliver(t *testing.T) {
	records := newMemRecords()
	box := web.NewMailbox(records, 0)
	user := sessionID(1)
	deliver(t, box, user, `"first"`)
	records.between = func() { deliver(t, box, user, `"second"`) }
	if got := collect(t, box, user); strings.Join(got, " ") != `"first" "second"` {
		t.Fatalf("collected %q", got)
	}
	if got := collect(t, box, user); len(got) != 0 {
		t.Fatalf("left behind: %q", got)
	}
}

func TestMailboxTTL(t *testing.T) {
	tests := []struct {
		ttl, want time.Duration
	}{
		{0, web.DefaultMailboxTTL},
		{time.Hour, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.ttl.String(), func(t *testing.T) {
			records := newMemRecords()
			deliver(t, web.NewMailbox(records, tt.ttl), sessionID(1), "1")
			if got := records.ttls["webinbox/"+sessionID(1)]; got != tt.want {
				t.Errorf("stored for %v, want %v", got, tt.want)
			}
		})
	}
}
