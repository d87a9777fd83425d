package web

import "sync"

// htmlCache keeps the HTML of the reply texts rendered lately: most replies are the
// translation files' sentences and the catalogue's cards and lists, rendered again and
// again, and rendering (escaping, bold, links) costs more than looking one up. The
// HTML depends on the text alone. It holds at most maxHTMLCacheBytes of texts and
// HTML, and starts empty again when full.
type htmlCache struct {
	mu     sync.Mutex
	bytes  int
	byText map[string]string
}

// Bounds of the HTML cache: a longer text is rendered each time.
const (
	maxHTMLCacheBytes = 4 << 20
	maxCachedText     = 16 << 10
)

func newHTMLCache() *htmlCache { return &htmlCache{byText: map[string]string{}} }

// of returns the HTML of text (see toHTML); a nil cache renders it each time.
func (c *htmlCache) of(text string) string {
	if c == nil || len(text) > maxCachedText {
		return toHTML(text)
	}
	c.mu.Lock()
	h, ok := c.byText[text]
	c.mu.Unlock()
	if ok {
		return h
	}
	h = toHTML(text)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byText[text]; ok {
		return h // rendered meanwhile by another request
	}
	if c.bytes+len(text)+len(h) > maxHTMLCacheBytes {
		clear(c.byText)
		c.bytes = 0
	}
	c.byText[text] = h
	c.bytes += len(text) + len(h)
	return h
}

// forget empties the cache: a citizen's data was erased, and texts quoting it (their
// name, a booking) must not stay in memory.
func (c *htmlCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.byText)
	c.bytes = 0
}
