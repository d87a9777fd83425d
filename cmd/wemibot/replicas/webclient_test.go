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

// browsers numbers the chatClients, each a browser at an address of its own.
var browsers atomic.Uint32

// forwarded is a load balancer's hop: it names the browser's address in
// X-Forwarded-For, which the replicas trust from the loopback (see newReplica).
type forwarded struct{ addr string }

func (f forwarded) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.addr)
	return http.DefaultTransport.RoundTrip(r)
}

// newBrowser is a chatClient without a session yet, at an address of its own.
func newBrowser() *chatClient {
	jar, _ := cookiejar.New(nil)
	n := browsers.Add(1)
	from := forwarded{addr: fmt.Sprintf("10.%d.%d.%d", byte(n>>16), byte(n>>8), byte(n))}
	return &chatClient{http: &http.Client{Jar: jar, Timeout: 40 * time.Second, Transport: from}}
}

// newChatClient opens the page on addr, which sets the session cookie.
func newChatClient(t testing.TB, addr string) *chatClient {
	t.Helper()
	c := newBrowser()
	// Over the budget of new sessions the page says when to come back: at most a
	// minute of that.
	for try := 0; ; try++ {
		resp, err := c.http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatalf("open the page: %v", err)
		}
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return c
		case resp.StatusCode == http.StatusTooManyRequests && try < 60:
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			time.Sleep(time.Duration(max(wait, 1)) * time.Second)
		default:
			t.Fatalf("open the page: %s", resp.Status)
		}
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
