package web

import (
	"fmt"
	"testing"
	"time"
)

// The in-memory answers: at most max, the oldest evicted first, none older than ttl,
// and a session's dropped at once.
func TestMemoryAnswers(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	m := newMemoryAnswers(3, 10*time.Minute, func() time.Time { return now })
	for i := range 5 {
		m.put("g", fmt.Sprint(i), []byte{byte(i)})
	}
	if m.len() != 3 {
		t.Fatalf("%d answers held, want 3", m.len())
	}
	for i, want := range []bool{false, false, true, true, true} {
		if _, ok := m.get("g", fmt.Sprint(i)); ok != want {
			t.Errorf("answer %d held: %v, want %v", i, ok, want)
		}
	}
	m.put("g", "4", []byte("again")) // a second put of one id replaces it
	if b, _ := m.get("g", "4"); string(b) != "again" || m.len() != 3 {
		t.Errorf("replaced: %q, %d held", b, m.len())
	}
	now = now.Add(11 * time.Minute)
	if _, ok := m.get("g", "3"); ok {
		t.Error("an expired answer was returned")
	}
	m.put("h", "1", []byte("h1"))
	if m.len() != 1 {
		t.Errorf("expired answers not evicted: %d held", m.len())
	}
	m.put("h", "2", []byte("h2"))
	m.put("i", "1", []byte("i1"))
	m.drop("h")
	if _, ok := m.get("h", "1"); ok || m.len() != 1 {
		t.Errorf("a dropped session's answers remain: %d held", m.len())
	}
	if _, ok := m.get("i", "1"); !ok {
		t.Error("another session's answer was dropped")
	}
}

// BenchmarkAnswerPut caches answers from an empty cache and into a full one: an
// eviction must cost about what an insertion does (it scanned the whole map before).
// Run with -benchtime 20000x: the empty case then never evicts.
func BenchmarkAnswerPut(b *testing.B) {
	for _, full := range []bool{false, true} {
		b.Run(fmt.Sprintf("full=%v", full), func(b *testing.B) {
			m := newMemoryAnswers(maxAnswers, answerTTL, time.Now)
			if full {
				for i := range maxAnswers {
					m.put(fmt.Sprint("s", i%500), fmt.Sprint("warm", i), []byte("answer"))
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.put(fmt.Sprint("s", i%500), fmt.Sprint(i), []byte("answer"))
			}
		})
	}
}
