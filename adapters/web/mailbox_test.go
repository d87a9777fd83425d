package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/records"
)

// memRecords is an in-memory records.Records with optimistic updates, like Redis's: fn
// runs outside the lock, and runs again when the document changed meanwhile.
type memRecords struct {
	// fail, when set, makes Get and Update fail with its error (op is "get" or "update").
	fail func(op, kind, id string) error
	// between, when set, runs after fn and before the write: another writer's turn.
	between func()

	mu      sync.Mutex
	docs    map[string][]byte
	version map[string]int
	ttls    map[string]time.Duration
	gets    int
	updates int
}

var _ records.Records = (*memRecords)(nil)

func newMemRecords() *memRecords {
	return &memRecords{docs: map[string][]byte{}, version: map[string]int{}, ttls: map[string]time.Duration{}}
}

func (m *memRecords) Get(_ context.Context, kind, id string) ([]byte, error) {
	if err := m.failure("get", kind, id); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gets++
	doc, ok := m.docs[kind+"/"+id]
	if !ok {
		return nil, records.ErrNotFound
	}
	return bytes.Clone(doc), nil
}

func (m *memRecords) Update(_ context.Context, kind, id string, ttl time.Duration, fn func([]byte) ([]byte, error)) ([]byte, error) {
	if err := records.ValidateRecord(kind, id); err != nil {
		return nil, err
	}
	if err := m.failure("update", kind, id); err != nil {
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
		if err := records.ValidateDoc(doc); err != nil {
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

func (m *memRecords) failure(op, kind, id string) error {
	if m.fail == nil {
		return nil
	}
	return m.fail(op, kind, id)
}

// put stores a document as it is, as an earlier version or a broken writer would.
func (m *memRecords) put(kind, id string, doc []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs[kind+"/"+id] = bytes.Clone(doc)
	m.version[kind+"/"+id]++
}

// expire removes a document, as its TTL would.
func (m *memRecords) expire(kind, id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.docs, kind+"/"+id)
	m.version[kind+"/"+id]++
}

func (m *memRecords) counts() (gets, updates int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gets, m.updates
}

// recordStores are the records.Records the mailbox is tested on: the fake, and both
// real stores.
func recordStores() []struct {
	name string
	open func(t *testing.T) records.Records
} {
	return []struct {
		name string
		open func(t *testing.T) records.Records
	}{
		{"memory", func(*testing.T) records.Records { return newMemRecords() }},
		{"bolt", func(t *testing.T) records.Records { return boltStore(t) }},
		{"redis", func(t *testing.T) records.Records {
			c := goredis.NewClient(mustParse(t, redistest.Start(t).URL()))
			t.Cleanup(func() { c.Close() })
			return redis.New(c, redis.Options{})
		}},
	}
}

// docLimit is the size of the largest document records.Records stores.
func docLimit() int {
	fits := func(n int) bool { return records.ValidateDoc(make([]byte, n)) == nil }
	n := 1 << 10
	for fits(n * 2) {
		n *= 2
	}
	return n + sort.Search(n, func(i int) bool { return !fits(n + i + 1) })
}

// Mailbox ids, as the server names them, are 64-character digests.
func boxID(n int) string { return fmt.Sprintf("%064d", n) }

// pending is what a mailbox returned, in a form easy to compare.
type pending []web.Pending

func (p pending) messages() string {
	var out []string
	for _, m := range p {
		out = append(out, string(m.Message))
	}
	return strings.Join(out, " ")
}

// last is the highest seq returned, with which a page acknowledges them all.
func (p pending) last() uint64 {
	if len(p) == 0 {
		return 0
	}
	return p[len(p)-1].Seq
}

// increasing reports whether the seqs go up, each above floor.
func (p pending) increasing(floor uint64) bool {
	for _, m := range p {
		if m.Seq <= floor {
			return false
		}
		floor = m.Seq
	}
	return true
}

func collect(t *testing.T, box web.Mailbox, id string, after uint64) pending {
	t.Helper()
	got, err := box.Collect(context.Background(), id, after)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return got
}

func deliver(t *testing.T, box web.Mailbox, id string, msgs ...string) {
	t.Helper()
	bs := make([][]byte, len(msgs))
	for i, m := range msgs {
		bs[i] = []byte(m)
	}
	if err := box.Deliver(context.Background(), id, bs...); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
}

func TestMailbox(t *testing.T) {
	for _, store := range recordStores() {
		t.Run(store.name, func(t *testing.T) {
			box := web.NewMailbox(store.open(t), 0)
			alice, bob := boxID(1), boxID(2)
			ctx := context.Background()

			if got := collect(t, box, alice, 0); len(got) != 0 {
				t.Fatalf("a new mailbox holds %q", got.messages())
			}
			deliver(t, box, alice, `{"n": 1}`)
			deliver(t, box, alice, `{"n":2}`, `"three"`)
			deliver(t, box, bob, `{"for":"bob"}`)
			got := collect(t, box, alice, 0)
			if want := `{"n":1} {"n":2} "three"`; got.messages() != want || !got.increasing(0) {
				t.Fatalf("collected %+v, want %s in order, numbered upwards", got, want)
			}
			// Until acknowledged, the messages stay: the response may never have arrived.
			if again := collect(t, box, alice, 0); !slices.EqualFunc(again, got, samePending) {
				t.Fatalf("collected again %+v, want %+v", again, got)
			}
			if rest := collect(t, box, alice, got[0].Seq); !slices.EqualFunc(rest, got[1:], samePending) {
				t.Fatalf("after acknowledging the first: %+v", rest)
			}
			if rest := collect(t, box, alice, got.last()); len(rest) != 0 {
				t.Fatalf("after acknowledging all: %q", rest.messages())
			}
			if rest := collect(t, box, alice, 0); len(rest) != 0 {
				t.Fatalf("acknowledged messages came back: %q", rest.messages())
			}
			// The numbering goes on after the acknowledged ones.
			deliver(t, box, alice, `"four"`)
			if next := collect(t, box, alice, 0); next.messages() != `"four"` || !next.increasing(got.last()) {
				t.Fatalf("after acknowledging: %+v, want a seq above %d", next, got.last())
			}
			if got := collect(t, box, bob, 0); got.messages() != `{"for":"bob"}` {
				t.Fatalf("bob's mailbox: %q", got.messages())
			}

			if err := box.Deliver(ctx, alice, []byte("not json")); err == nil {
				t.Error("a message that is not JSON was accepted")
			}

			// At most MaxPending wait; the oldest go.
			for i := range web.MaxPending + 10 {
				deliver(t, box, alice, fmt.Sprint(i))
			}
			got = collect(t, box, alice, 0)
			if len(got) != web.MaxPending || string(got[0].Message) != "10" ||
				string(got[len(got)-1].Message) != fmt.Sprint(web.MaxPending+9) || !got.increasing(0) {
				t.Fatalf("after %d deliveries: %d pending, from %s to %s", web.MaxPending+10, len(got), got[0].Message, got[len(got)-1].Message)
			}
			collect(t, box, alice, got.last())

			// Large messages: older ones make room for the new, which is never cut.
			limit := docLimit()
			big := func(i int) string { return fmt.Sprintf(`"%d%s"`, i, strings.Repeat("x", limit*2/5)) }
			for i := range 4 {
				deliver(t, box, alice, big(i))
			}
			got = collect(t, box, alice, 0)
			if len(got) == 0 || len(got) == 4 || string(got[len(got)-1].Message) != big(3) {
				t.Fatalf("large messages: %d kept", len(got))
			}
			collect(t, box, alice, got.last())
			deliver(t, box, alice, `"kept"`)
			huge := []byte(`"` + strings.Repeat("x", limit) + `"`)
			if err := box.Deliver(ctx, alice, huge); !errors.Is(err, web.ErrMessageTooLarge) {
				t.Errorf("a message too large for any mailbox: %v", err)
			}
			if got := collect(t, box, alice, 0); got.messages() != `"kept"` {
				t.Errorf("a refused delivery changed the mailbox: %d pending", len(got))
			}
		})
	}
}

func samePending(a, b web.Pending) bool { return a.Seq == b.Seq && bytes.Equal(a.Message, b.Message) }

// A poll, the common case, costs one read and no write when nothing is to be
// acknowledged, whether messages are pending or not.
func TestPollWithNothingToAcknowledgeIsOneRead(t *testing.T) {
	records := newMemRecords()
	box := web.NewMailbox(records, 0)
	read := func(after uint64) {
		t.Helper()
		gets, updates := records.counts()
		collect(t, box, boxID(1), after)
		if g, u := records.counts(); g != gets+1 || u != updates {
			t.Errorf("a poll after %d: %d reads, %d updates", after, g-gets, u-updates)
		}
	}
	read(0) // no mailbox
	deliver(t, box, boxID(1), `"a"`, `"b"`)
	got := collect(t, box, boxID(1), 0)
	read(0)              // pending, nothing acknowledged
	read(got[0].Seq - 1) // the same, with a seq
	collect(t, box, boxID(1), got.last())
	read(got.last()) // all acknowledged: the emptied mailbox stays
}

// Collect's update may run again after another writer's; a message delivered in
// between is neither lost nor acknowledged unseen.
func TestCollectRacingDeliver(t *testing.T) {
	records := newMemRecords()
	box := web.NewMailbox(records, 0)
	id := boxID(1)
	deliver(t, box, id, `"first"`)
	first := collect(t, box, id, 0)
	records.between = func() { deliver(t, box, id, `"second"`) }
	second := collect(t, box, id, first.last())
	if second.messages() != `"second"` || !second.increasing(first.last()) {
		t.Fatalf("acknowledging %+v while %q arrived: %+v", first, "second", second)
	}
	if got := collect(t, box, id, second.last()); len(got) != 0 {
		t.Fatalf("left behind: %q", got.messages())
	}
}

// A mailbox that expired and comes back numbers above the one before: a page still
// holding the old numbers must not acknowledge the new messages unseen.
func TestNumberingOutlivesTheMailbox(t *testing.T) {
	records := newMemRecords()
	box := web.NewMailbox(records, 0)
	id := boxID(1)
	deliver(t, box, id, `"old"`)
	old := collect(t, box, id, 0)
	collect(t, box, id, old.last())
	records.expire("webinbox", id)
	time.Sleep(2 * time.Millisecond) // a new mailbox numbers from the clock's milliseconds
	deliver(t, box, id, `"new"`)
	if got := collect(t, box, id, old.last()); got.messages() != `"new"` || !got.increasing(old.last()) {
		t.Fatalf("a page that had shown %+v, after the mailbox expired: %+v", old, got)
	}
}

// Mailboxes stored by the version before numbering (a JSON list) are read, numbered
// once and for all; an unreadable one is replaced, and reported.
func TestMailboxDocuments(t *testing.T) {
	records := newMemRecords()
	box := web.NewMailbox(records, 0)
	records.put("webinbox", boxID(1), []byte(`[{"html":"a"},"b"]`))
	got := collect(t, box, boxID(1), 0)
	if got.messages() != `{"html":"a"} "b"` || !got.increasing(0) {
		t.Fatalf("a list of messages: %+v", got)
	}
	if again := collect(t, box, boxID(1), 0); !slices.EqualFunc(again, got, samePending) {
		t.Fatalf("numbered differently the second time: %+v, then %+v", got, again)
	}
	deliver(t, box, boxID(1), `"c"`)
	if rest := collect(t, box, boxID(1), got.last()); rest.messages() != `"c"` {
		t.Fatalf("after acknowledging the listed ones: %q", rest.messages())
	}

	records.put("webinbox", boxID(2), []byte(`{"last":`))
	if _, err := box.Collect(context.Background(), boxID(2), 0); err == nil {
		t.Error("an unreadable mailbox was collected without an error")
	}
	if got := collect(t, box, boxID(2), 0); len(got) != 0 {
		t.Errorf("the replaced mailbox holds %q", got.messages())
	}
	records.put("webinbox", boxID(3), []byte(`"neither"`))
	deliver(t, box, boxID(3), `"fresh"`)
	if got := collect(t, box, boxID(3), 0); got.messages() != `"fresh"` {
		t.Errorf("a delivery to an unreadable mailbox: %q", got.messages())
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
			deliver(t, web.NewMailbox(records, tt.ttl), boxID(1), "1")
			if got := records.ttls["webinbox/"+boxID(1)]; got != tt.want {
				t.Errorf("stored for %v, want %v", got, tt.want)
			}
		})
	}
}
