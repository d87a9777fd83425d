package web

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// AnswerCache keeps the answers to recent messages, shared by every replica, so that a
// retried message gets the same answer wherever it lands; *redis.Cache is one. Values
// are kept in groups, one per session, so that erasing a citizen's data drops every
// answer they were given at once.
type AnswerCache interface {
	// Get returns the value kept under key in group, if any.
	Get(ctx context.Context, group, key string) ([]byte, bool, error)
	// Put keeps value under key in group for ttl.
	Put(ctx context.Context, group, key string, value []byte, ttl time.Duration) error
	// Drop deletes every value of group.
	Drop(ctx context.Context, group string) error
}

// answerFinisher is an AnswerCache that marks an answer final without a round trip of
// its own: the write goes along with its next ones (*redis.Cache is one).
type answerFinisher interface {
	// Finish replaces the value under key in group, if it is still there, keeping its
	// expiry; soon, not before it returns, and a write that fails is lost.
	Finish(group, key string, value []byte)
}

// answerGroup names a session's group in the answer caches: a digest, since the
// session is a credential and a cache's errors may quote what they were given.
func answerGroup(sess string) string {
	sum := sha256.Sum256([]byte("wemibot web answers v1\x00" + sess))
	return hex.EncodeToString(sum[:16])
}

// answers keeps each answer in this process's memory and in the shared cache, sealed
// for its citizen when the server seals.
type answers struct {
	shared AnswerCache
	seal   func(ctx context.Context, subject string, plain []byte) ([]byte, error)
	open   func(ctx context.Context, sealed []byte) ([]byte, error)
	mem    *memoryAnswers
	log    *slog.Logger
}

// subjectOf is whose key seals a session's answers: its conversation's id.
func subjectOf(sess string) string { return "web:" + sess }

// An answer is kept marked pending, before the engine saves the state it goes with,
// or final, once it is saved (see Server.handle). The mark is kept inside the sealed
// bytes.
const (
	answerPending byte = 'P'
	answerFinal   byte = 'F'
)

// get returns the answer to message id of session sess: a final one, or a pending one
// too with pending set; from this process's memory, and from the shared cache too
// with shared set. An answer that no longer opens (its citizen's key was erased) is a
// miss.
func (a *answers) get(ctx context.Context, sess, id string, pending, shared bool) ([]byte, bool) {
	group := answerGroup(sess)
	b, ok := a.mem.get(group, id)
	if !ok && shared && a.shared != nil {
		var err error
		b, ok, err = a.shared.Get(ctx, group, id)
		if err != nil {
			a.log.Warn("web: answer cache unavailable", "err", withoutSession(err, sess))
		}
	}
	if !ok {
		return nil, false
	}
	if a.open != nil {
		plain, err := a.open(ctx, b)
		if err != nil {
			return nil, false
		}
		b = plain
	}
	if len(b) == 0 || b[0] != answerFinal && (!pending || b[0] != answerPending) {
		return nil, false
	}
	return b[1:], true
}

// keepPending keeps marked[1:], the answer to message id of session sess, in the
// shared cache, marked pending in marked[0], before the engine saves the state it
// answers: a replica that dies in between loses no answer. Without a shared cache
// there is no other replica to find it, and nothing is kept.
func (a *answers) keepPending(ctx context.Context, sess, id string, marked []byte) error {
	if a.shared == nil {
		return nil
	}
	marked[0] = answerPending
	kept, err := a.sealed(ctx, sess, marked)
	if err != nil {
		return err
	}
	if err := a.shared.Put(ctx, answerGroup(sess), id, kept, answerTTL); err != nil {
		return fmt.Errorf("answer cache: %s", withoutSession(err, sess))
	}
	return nil
}

// put keeps marked[1:], the final answer to message id of session sess, marked so in
// marked[0], here and in the shared cache, where keepPending kept it before: marked
// must not change afterwards. A cache that can finish it without a round trip does (a
// retry on another replica meanwhile finds the answer pending, and the engine
// confirms it was handled).
func (a *answers) put(ctx context.Context, sess, id string, marked []byte) {
	marked[0] = answerFinal
	kept, err := a.sealed(ctx, sess, marked)
	if err != nil {
		// Not kept in clear: a retry is answered by the engine instead.
		a.log.Warn("web: answer not cached: sealing failed", "err", withoutSession(err, sess))
		return
	}
	group := answerGroup(sess)
	a.mem.put(group, id, kept)
	if f, ok := a.shared.(answerFinisher); ok {
		f.Finish(group, id, kept)
	} else if a.shared != nil {
		if err := a.shared.Put(ctx, group, id, kept, answerTTL); err != nil {
			a.log.Warn("web: answer cache unavailable", "err", withoutSession(err, sess))
		}
	}
}

// sealed is marked (an answer with its mark in front) sealed for its citizen when the
// server seals, else marked itself.
func (a *answers) sealed(ctx context.Context, sess string, marked []byte) ([]byte, error) {
	if a.seal == nil {
		return marked, nil
	}
	sealed, err := a.seal(ctx, subjectOf(sess), marked)
	if err != nil {
		return nil, fmt.Errorf("seal an answer: %s", withoutSession(err, sess))
	}
	return sealed, nil
}

// drop forgets every answer of session sess, here and in the shared cache.
func (a *answers) drop(ctx context.Context, sess string) error {
	group := answerGroup(sess)
	a.mem.drop(group)
	if a.shared == nil {
		return nil
	}
	if err := a.shared.Drop(ctx, group); err != nil {
		return fmt.Errorf("drop answers: %s", withoutSession(err, sess))
	}
	return nil
}

// memoryAnswers is a process's own answer cache: at most max answers, each for ttl.
// Answers are evicted oldest first from a list kept in insertion order, so a put costs
// O(1) however full the cache is.
type memoryAnswers struct {
	mu     sync.Mutex
	max    int
	ttl    time.Duration
	now    func() time.Time
	order  *list.List // of *memAnswer, oldest first
	groups map[string]map[string]*list.Element
}

type memAnswer struct {
	group, id string
	body      []byte
	at        time.Time
}

func newMemoryAnswers(max int, ttl time.Duration, now func() time.Time) *memoryAnswers {
	return &memoryAnswers{max: max, ttl: ttl, now: now, order: list.New(), groups: map[string]map[string]*list.Element{}}
}

func (m *memoryAnswers) get(group, id string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.groups[group][id]
	if !ok {
		return nil, false
	}
	a := e.Value.(*memAnswer)
	if m.now().Sub(a.at) > m.ttl {
		return nil, false
	}
	return a.body, true
}

func (m *memoryAnswers) put(group, id string, body []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e, ok := m.groups[group][id]; ok {
		m.remove(e)
	}
	// The oldest answers are at the front: drop those expired, and more while full.
	for front := m.order.Front(); front != nil; front = m.order.Front() {
		if m.order.Len() < m.max && now.Sub(front.Value.(*memAnswer).at) <= m.ttl {
			break
		}
		m.remove(front)
	}
	g := m.groups[group]
	if g == nil {
		g = map[string]*list.Element{}
		m.groups[group] = g
	}
	g[id] = m.order.PushBack(&memAnswer{group: group, id: id, body: body, at: now})
}

// drop forgets every answer of a group.
func (m *memoryAnswers) drop(group string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.groups[group] {
		m.order.Remove(e)
	}
	delete(m.groups, group)
}

// len is the number of answers held.
func (m *memoryAnswers) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}

func (m *memoryAnswers) remove(e *list.Element) {
	a := m.order.Remove(e).(*memAnswer)
	g := m.groups[a.group]
	delete(g, a.id)
	if len(g) == 0 {
		delete(m.groups, a.group)
	}
}
