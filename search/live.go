package search

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/comune-milano/wemibot/catalogue"
)

// Live serves the current index and swaps in a new one atomically: searches in
// flight finish on the index they started with, the next ones use the new one. It is
// how a catalogue is reloaded without downtime.
type Live struct {
	cur atomic.Pointer[Index]
}

// ErrNoIndex is returned by a Live that has no index yet.
var ErrNoIndex = errors.New("search: no index loaded")

// NewLive serves idx.
func NewLive(idx *Index) *Live {
	l := &Live{}
	l.cur.Store(idx)
	return l
}

// Swap makes idx the current index and returns the previous one, which the caller
// closes once searches in flight are done with it.
func (l *Live) Swap(idx *Index) *Index { return l.cur.Swap(idx) }

// Current returns the current index (nil before the first).
func (l *Live) Current() *Index { return l.cur.Load() }

// Search searches the current index.
func (l *Live) Search(ctx context.Context, req catalogue.SearchRequest) (*catalogue.SearchResult, error) {
	idx := l.cur.Load()
	if idx == nil {
		return nil, ErrNoIndex
	}
	return idx.Search(ctx, req)
}

// Catalogue returns the current index's catalogue.
func (l *Live) Catalogue() *catalogue.Catalogue {
	if idx := l.cur.Load(); idx != nil {
		return idx.Catalogue()
	}
	return nil
}
