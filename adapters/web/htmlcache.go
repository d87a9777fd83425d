package web

import (
	"hash/maphash"
	"sync"
)

// htmlCache keeps the HTML of the reply texts rendered lately: most replies are the
// translation files' sentences and the catalogue's cards and lists, rendered again and
// again, and rendering (escaping, bold, links) costs more than looking one up. The
// HTML depends on the text alone.
//
// Only a text shown in two conversations is kept: a text quoting a citizen (their
// name, a booking) is shown in theirs only, so it is rendered each time and never
// stays in memory. Of a text seen once, the cache remembers a hash of it and of its
// conversation, not the text. It holds at most maxHTMLCacheBytes of texts and HTML
// and maxFirstSightings hashes, and starts empty again when either is full.
type htmlCache struct {
	mu     sync.Mutex
	bytes  int
	byText map[string]string
	first  map[uint64]uint64 // hash of a text seen in one conversation only -> hash of that conversation
	seed   maphash.Seed
}

// Bounds of the HTML cache: a longer text is rendered each time.
const (
	maxHTMLCacheBytes = 4 << 20
	maxCachedText     = 16 << 10
	maxFirstSightings = 1 << 16
)

func newHTMLCache() *htmlCache {
	return &htmlCache{byText: map[string]string{}, first: map[uint64]uint64{}, seed: maphash.MakeSeed()}
}

// of returns the HTML of text (see toHTML), shown in the conversation of session sess;
// a nil cache renders it each time.
func (c *htmlCache) of(text, sess string) string {
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
	textHash, convHash := maphash.String(c.seed, text), maphash.String(c.seed, sess)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byText[text]; ok {
		return h // rendered meanwhile by another request
	}
	if conv, ok := c.first[textHash]; !ok || conv == convHash {
		if !ok && len(c.first) >= maxFirstSightings {
			clear(c.first)
		}
		c.first[textHash] = convHash
		return h
	}
	delete(c.first, textHash)
	if c.bytes+len(text)+len(h) > maxHTMLCacheBytes {
		clear(c.byText)
		c.bytes = 0
	}
	c.byText[text] = h
	c.bytes += len(text) + len(h)
	return h
}

// forget empties the cache: a citizen's data was erased. The cache keeps only texts
// shown in more than one conversation, so this is a second line of defence.
func (c *htmlCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.byText)
	clear(c.first)
	c.bytes = 0
}
