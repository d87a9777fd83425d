package webload

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
)

// chatConn is one citizen's keep-alive HTTP/1.1 connection to the chat. A request is
// written whole in one write and its answer read with net/http's response parser
// alone, without the client's pool and the two goroutines it runs per connection:
// the load's own CPU, in the process it measures, stays small beside the server's.
type chatConn struct {
	host string // host:port
	conn net.Conn
	r    *bufio.Reader
	req  []byte
	body bytes.Buffer
}

// newChatConn returns a connection to the chat at base ("http://host:port"), dialled
// at its first request.
func newChatConn(base string) (*chatConn, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("webload: %s: only http is spoken", base)
	}
	return &chatConn{host: u.Host}, nil
}

// post sends one message (body, as encodedMessage.body writes it) from the session of
// cookie and checks that it was answered: 200 with an answer that holds a reply.
func (c *chatConn) post(cookie string, body []byte) error {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.host)
		if err != nil {
			return err
		}
		c.conn, c.r = conn, bufio.NewReaderSize(conn, 16<<10)
	}
	c.req = append(c.req[:0], "POST /api/messages HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, c.host...)
	c.req = append(c.req, "\r\nContent-Type: application/json\r\nCookie: "...)
	c.req = append(c.req, cookie...)
	c.req = append(c.req, "\r\nContent-Length: "...)
	c.req = strconv.AppendInt(c.req, int64(len(body)), 10)
	c.req = append(c.req, "\r\n\r\n"...)
	c.req = append(c.req, body...)
	if _, err := c.conn.Write(c.req); err != nil {
		c.close()
		return err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.close()
		return err
	}
	c.body.Reset()
	_, err = c.body.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.close() // the server ends the connection: the next message dials again
	}
	if err != nil {
		return err
	}
	if answer := c.body.Bytes(); resp.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte(`"html"`)) {
		return fmt.Errorf("answered %d: %.200s", resp.StatusCode, answer)
	}
	return nil
}

func (c *chatConn) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.r = nil, nil
	}
}

// encodedMessage is the page's POST /api/messages body for a message, a first
// attempt, encoded once: only the id changes from one sending to the next.
type encodedMessage struct {
	rest []byte // the body after its id, from the comma on
}

func encodeMessage(m Message) encodedMessage {
	body := map[string]any{"lang": "it", "attempt": 1}
	switch {
	case m.Location != nil:
		body["location"] = m.Location
	case m.Button != "":
		body["button"] = m.Button
	default:
		body["text"] = m.Text
	}
	b, _ := json.Marshal(body)
	b[0] = ',' // {"attempt":1,...} follows the id
	return encodedMessage{rest: b}
}

// body appends to dst the body of the message with id "<session>-<n>".
func (e encodedMessage) body(dst []byte, session int64, n int) []byte {
	dst = append(dst, `{"id":"`...)
	dst = strconv.AppendInt(dst, session, 10)
	dst = append(dst, '-')
	dst = strconv.AppendInt(dst, int64(n), 10)
	dst = append(dst, '"')
	return append(dst, e.rest...)
}
