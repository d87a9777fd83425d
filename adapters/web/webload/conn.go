package webload

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
)

// chatConn is one citizen's keep-alive HTTP/1.1 connection to the chat. A request is
// written whole in one write and its answer read by a parser of the few headers that
// matter here, without the net/http client's pool and the two goroutines it runs per
// connection: the load's own CPU, in the process it measures, stays small beside the
// server's.
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
	status, closing, err := c.readAnswer()
	if err != nil || closing {
		c.close() // the server ends the connection: the next message dials again
	}
	if err != nil {
		return err
	}
	if answer := c.body.Bytes(); status != http.StatusOK || !bytes.Contains(answer, []byte(`"html"`)) {
		return fmt.Errorf("answered %d: %.200s", status, answer)
	}
	return nil
}

// readAnswer reads a response into c.body and returns its status and whether the
// server closes the connection after it. The body is read to the length its
// Content-Length says, which the chat sends with every answer.
func (c *chatConn) readAnswer() (status int, closing bool, err error) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	proto, rest, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(" "))
	code, _, _ := bytes.Cut(rest, []byte(" "))
	if status, err = strconv.Atoi(string(code)); err != nil || !bytes.Equal(proto, []byte("HTTP/1.1")) {
		return 0, false, fmt.Errorf("not an HTTP/1.1 status line: %q", line)
	}
	length := -1
	for {
		if line, err = c.r.ReadSlice('\n'); err != nil {
			return 0, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, false, fmt.Errorf("Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, false, fmt.Errorf("answered %d with Transfer-Encoding %q, not a Content-Length", status, value)
		}
	}
	if length < 0 {
		return 0, false, fmt.Errorf("answered %d without a Content-Length", status)
	}
	c.body.Reset()
	c.body.Grow(length)
	if _, err := io.CopyN(&c.body, c.r, int64(length)); err != nil {
		return 0, false, err
	}
	return status, closing, nil
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
