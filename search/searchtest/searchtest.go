// Package searchtest gives tests one index of the bundled catalogue per test binary:
// building it for every test would only repeat the same work.
package searchtest

import (
	"context"
	"sync"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/search"
)

var (
	once sync.Once
	idx  *search.Index
	err  error
)

// Bundled returns the shared in-memory index of the bundled catalogue. Tests must
// not close it.
func Bundled(tb testing.TB) *search.Index {
	tb.Helper()
	once.Do(func() {
		var cat *catalogue.Catalogue
		if cat, err = catalogue.Bundled(); err != nil {
			return
		}
		idx, err = search.Build(context.Background(), cat, search.Options{})
	})
	if err != nil {
		tb.Fatalf("index the bundled catalogue: %v", err)
	}
	return idx
}

// Edited builds an index of the bundled catalogue after edit has changed it: a test's
// own variant of the data (a title with markup in it, a missing field). Each call
// builds a new index, closed when the test ends.
func Edited(tb testing.TB, edit func(*catalogue.Catalogue)) *search.Index {
	tb.Helper()
	cat, err := catalogue.Bundled()
	if err != nil {
		tb.Fatalf("load the bundled catalogue: %v", err)
	}
	edit(cat)
	idx, err := search.Build(context.Background(), cat, search.Options{})
	if err != nil {
		tb.Fatalf("index the edited catalogue: %v", err)
	}
	tb.Cleanup(func() { idx.Close() })
	return idx
}
