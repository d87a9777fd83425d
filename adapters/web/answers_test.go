package web_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
)

// sealer is a real AES-GCM sealer with a key per subject, as the vault keeps them:
// a sealed value starts with its key's id; erasing a subject deletes its key.
type sealer struct {
	mu   sync.Mutex
	ids  map[string]string      // subject -> key id
	keys map[string]cipher.AEAD // key id -> key
}

func newSealer() *sealer { return &sealer{ids: map[string]string{}, keys: map[string]cipher.AEAD{}} }

const keyIDLen = 16

func (s *sealer) Seal(_ context.Context, subject string, plain []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.ids[subject]
	if !ok {
		raw := make([]byte, 32+keyIDLen)
		rand.Read(raw)
		block, err := aes.NewCipher(raw[:32])
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		id = string(raw[32:])
		s.ids[subject], s.keys[id] = id, aead
	}
	aead := s.keys[id]
	out := append([]byte(id), make([]byte, aead.NonceSize())...)
	rand.Read(out[keyIDLen:])
	return aead.Seal(out, out[keyIDLen:], plain, []byte(id)), nil
}

func (s *sealer) Open(_ context.Context, sealed []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(sealed) < keyIDLen {
		return nil, errors.New("not sealed")
	}
	id := string(sealed[:keyIDLen])
	aead, ok := s.keys[id]
	if !ok || len(sealed) < keyIDLen+aead.NonceSize() {
		return nil, errors.New("key erased")
	}
	nonce := sealed[keyIDLen : keyIDLen+aead.NonceSize()]
	return aead.Open(nil, nonce, sealed[keyIDLen+aead.NonceSize():], []byte(id))
}

// erase deletes a subject's key, as erasure in the vault does.
func (s *sealer) erase(subject string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, s.ids[subject])
	delete(s.ids, subject)
}

// redisValues returns every string value under the cache's keys.
func redisValues(t *testing.T, c *goredis.Client) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	keys, err := c.Keys(ctx, "wemi:cache:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, k := range keys {
		if typ, _ := c.Type(ctx, k).Result(); typ == "string" {
			v, _ := c.Get(ctx, k).Bytes()
			out[k] = v
		}
	}
	return out
}

// Answers are kept sealed, in Redis and in memory; a retry is answered from either
// replica; erasure drops the session's answers everywhere and gives the browser a new
// session, and an answer whose key is gone is a miss.
func TestAnswersSealedAndDroppedOnErasure(t *testing.T) {
	rs := redistest.Start(t)
	client := goredis.NewClient(mustParse(t, rs.URL()))
	t.Cleanup(func() { client.Close() })
	seal := newSealer()
	var handled atomic.Int64
	engine := spyEngine{Engine: newEngine(t, nil), seen: func(bot.Message) { handled.Add(1) }}
	opts := web.Options{Answers: redis.NewCache(client, ""), Seal: seal.Seal, Open: seal.Open,
		SessionKey: []byte("shared by the two replicas, 32 bytes+")}
	a := newServer(t, web.New(engine, opts))
	other := newServer(t, web.New(engine, opts))
	br := newBrowser(t, a.URL)
	sess := br.session()
	br.send(map[string]any{"text": "/start"})
	_, first := br.post(map[string]any{"id": "p1", "text": "babysitter"})
	if !strings.Contains(string(first), "Ho trovato") {
		t.Fatalf("answer: %s", first)
	}
	values := redisValues(t, client)
	if len(values) < 2 {
		t.Fatalf("%d answers in Redis", len(values))
	}
	for k, v := range values {
		if bytes.Contains(v, []byte("Ho trovato")) || bytes.Contains(v, []byte("WeMi")) || strings.Contains(k, sess) {
			t.Errorf("an answer kept in clear under %s: %.60q", k, v)
		}
	}
	n := handled.Load()
	onOther := &browser{t: t, base: other.URL, c: br.c}
	onOther.c.Jar.SetCookies(mustURL(t, other.URL), br.c.Jar.Cookies(mustURL(t, a.URL)))
	if _, again := onOther.post(map[string]any{"id": "p1", "text": "babysitter"}); !bytes.Equal(again, first) || handled.Load() != n {
		t.Fatalf("a retry on the other replica was not answered from the cache: %s", again)
	}

	// Erasure.
	br.send(map[string]any{"text": "/dimenticami"})
	code, raw := br.post(map[string]any{"button": "forgetyes"})
	var erased struct {
		Forgotten bool   `json:"forgotten"`
		Tag       string `json:"tag"`
	}
	if err := json.Unmarshal(raw, &erased); err != nil || code != http.StatusOK || !erased.Forgotten || erased.Tag == "" {
		t.Fatalf("erasure: %d %s", code, raw)
	}
	if fresh := br.session(); fresh == sess {
		t.Error("the browser keeps its old session after erasure")
	}
	if left := redisValues(t, client); len(left) != 0 {
		t.Errorf("%d answers left in Redis after erasure", len(left))
	}
	if keys, _ := client.Keys(context.Background(), "wemi:cache:*").Result(); len(keys) != 0 {
		t.Errorf("cache keys left after erasure: %v", keys)
	}
	// The old cookie and an old message id replay nothing: the message is handled anew.
	oldCookie := &http.Cookie{Name: "wemi_session", Value: sess}
	for base, id := range map[string]string{a.URL: "m1", other.URL: "p1"} {
		n = handled.Load()
		req, _ := http.NewRequest(http.MethodPost, base+"/api/messages", strings.NewReader(`{"id":"`+id+`","text":"babysitter"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(oldCookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if handled.Load() != n+1 {
			t.Errorf("%s replayed the erased answer to %s", base, id)
		}
	}

	// A replica that did not handle the erasure keeps the session's answers in its
	// memory, sealed with a key the vault has erased: they no longer open, and a retry
	// is handled anew.
	b2 := newBrowser(t, a.URL)
	sess2 := b2.session()
	b2.post(map[string]any{"id": "q1", "text": "psicologo"})
	on := &browser{t: t, base: other.URL, c: b2.c}
	on.c.Jar.SetCookies(mustURL(t, other.URL), b2.c.Jar.Cookies(mustURL(t, a.URL)))
	on.send(map[string]any{"text": "/dimenticami"})
	on.send(map[string]any{"button": "forgetyes"})
	seal.erase("web:" + sess2) // what the vault does on erasure
	n = handled.Load()
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/api/messages", strings.NewReader(`{"id":"q1","text":"psicologo"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "wemi_session", Value: sess2})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || handled.Load() != n+1 {
		t.Errorf("an answer that no longer opens was replayed: %d", resp.StatusCode)
	}
}
