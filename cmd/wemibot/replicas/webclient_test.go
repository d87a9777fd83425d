package replicas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// chatClient is one browser of the web chat, talking to several replicas as a load
// balancer would spread its requests: its session cookie goes to every replica (the
// cookie jar ignores ports), each message goes to the replica the caller names.
type chatClient struct {
	http *http.Client
}

// chatAnswer is what POST /api/messages answers, as far as the tests read it.
type chatAnswer struct {
	Replies []struct {
		HTML    string `json:"html"`
		Buttons [][]struct {
			Label string `json:"label"`
			Data  string `json:"data"`
		} `json:"buttons"`
	} `json:"replies"`
}

// text is every reply's HTML, joined.
func (a chatAnswer) text() string {
	var parts []string
	for _, r := range a.Replies {
		parts = append(parts, r.HTML)
	}
	return strings.Join(parts, "\n")
}

// browsers counts the chat clients made, so that each comes from an address of its
// own, as the test's load balancer (WEMI_TRUSTED_PROXIES) says in X-Forwarded-For: the
// budget of new sessions per address applies to each browser as in production.
var browsers atomic.Uint32

// maxPageAttempts bounds the loads of the page while the overall budget of new
// sessions says to wait (429, Retry-After).
const maxPageAttempts = 60

// newChatClient opens the page on addr, which sets the session cookie, as a browser
// of its own address would, waiting as told while the budget of new sessions is spent.
func newChatClient(t testing.TB, addr string) *chatClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &chatClient{http: &http.Client{Jar: jar, Timeout: 40 * time.Second}}
	n := browsers.Add(1)
	from := fmt.Sprintf("10.77.%d.%d", n/250%256, n%250+1)
	for attempt := 1; ; attempt++ {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
		req.Header.Set("X-Forwarded-For", from)
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatalf("open the page: %v", err)
		}
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return c
		case resp.StatusCode != http.StatusTooManyRequests || attempt >= maxPageAttempts:
			t.Fatalf("open the page: %s (attempt %d)", resp.Status, attempt)
		}
		wait, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || wait < 1 {
			wait = 1
		}
		time.Sleep(time.Duration(min(wait, 5)) * time.Second)
	}
}

// post sends message id (a text, or a button's data when button is set) to addr once
// and returns the status and the raw body.
func (c *chatClient) post(addr, id, text, button string) (int, []byte, error) {
	msg := map[string]string{"id": id}
	if button != "" {
		msg["button"] = button
	} else {
		msg["text"] = text
	}
	body, _ := json.Marshal(msg)
	resp, err := c.http.Post("http://"+addr+"/api/messages", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// say sends a message to addr and fails the test unless it is answered.
func (c *chatClient) say(t testing.TB, addr, id, text string) (chatAnswer, []byte) {
	t.Helper()
	code, raw, err := c.post(addr, id, text, "")
	if err != nil || code != http.StatusOK {
		t.Fatalf("message %s to %s: %d %v %s", id, addr, code, err, raw)
	}
	var a chatAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("message %s: answer %q: %v", id, raw, err)
	}
	return a, raw
}

// inbox returns the messages pushed to the session and not yet acknowledged.
func (c *chatClient) inbox(addr string) ([]string, error) {
	resp, err := c.http.Get("http://" + addr + "/api/inbox?after=0")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("inbox: %s", resp.Status)
	}
	var out struct {
		Replies []struct {
			HTML string `json:"html"`
		} `json:"replies"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	var texts []string
	for _, r := range out.Replies {
		texts = append(texts, r.HTML)
	}
	return texts, nil
}
