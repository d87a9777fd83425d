package search

import (
	"encoding/binary"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// Hits of equal score come in the order of their services' ids. Bleve's id sort reads
// the id of every service a query matches, tens of thousands on a large catalogue,
// to break ties among a few. An idOrder knows the order of the ids by Bleve's
// document number instead, so that a tie costs a comparison of two short keys.
//
// Document numbers are stable only in an index of one segment with no deleted
// document and no writes to come: no merge renumbers them. Build writes the on-disk
// index in one segment and never writes to an index afterwards; an index in memory
// of many batches may hold several segments, until Bleve has merged them, and
// sorts by id meanwhile.
type idOrder struct {
	mu sync.Mutex
	// keys are the order keys by document number, orderKeyBytes each, one after the
	// other: they sort as the services' ids do. Read from one text, in the order of the
	// document numbers a query returns, they cost a search little memory traffic.
	keys string
	ids  []string // by document number: the service's id, to check a result; nil: no keys (yet)
	// postings is the table of long postings (boost_postings.go), made with the keys
	// for the same segment and holding the categories'; nil when the index has none.
	postings *postingsTable
}

// orderKeyBytes is the length of an order key: a big-endian rank.
const orderKeyBytes = 4

// sortKeys returns the order keys of the index's documents and their ids, or nil
// ids when its document numbers may still change (then hits are sorted by id).
func (x *Index) sortKeys() (keys string, ids []string) {
	o := x.load()
	defer o.mu.Unlock()
	return o.keys, o.ids
}

// load returns the index's order, locked, read first if need be.
func (x *Index) load() *idOrder {
	o := x.cache.order
	o.mu.Lock()
	// An index of several segments may be merged into one later: asked again while
	// it has no keys.
	if o.ids == nil {
		o.keys, o.ids, o.postings = x.loadIDOrder()
	}
	return o
}

// postingsTable returns the table of long postings, or nil when the index has none
// (or a test asks for Bleve's own queries).
func (x *Index) postingsTable() *postingsTable {
	if x.cache.plainBoosts {
		return nil
	}
	o := x.load()
	defer o.mu.Unlock()
	return o.postings
}

// forgetIDOrder drops the order keys: a result contradicted them.
func (x *Index) forgetIDOrder() {
	o := x.cache.order
	o.mu.Lock()
	defer o.mu.Unlock()
	o.keys, o.ids, o.postings = "", nil, nil
}

// loadIDOrder reads the id of every document of an index of one segment without
// deletions and ranks them, and makes its postings table with the categories'
// postings; for any other index it returns nil.
func (x *Index) loadIDOrder() (keys string, ids []string, postings *postingsTable) {
	adv, err := x.idx.Advanced()
	if err != nil {
		return "", nil, nil
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return "", nil, nil
	}
	r, err := s.Reader()
	if err != nil {
		return "", nil, nil
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || len(snap.Segments()) != 1 {
		return "", nil, nil
	}
	seg := snap.Segments()[0]
	if d := seg.Deleted(); (d != nil && !d.IsEmpty()) || seg.FullSize() >= 1<<(8*orderKeyBytes) {
		return "", nil, nil
	}
	ids = make([]string, seg.FullSize())
	for n := range ids {
		if ids[n], err = snap.ExternalID(index.NewIndexInternalID(nil, uint64(n))); err != nil {
			return "", nil, nil
		}
	}
	byID := make([]int, len(ids))
	for n := range byID {
		byID[n] = n
	}
	slices.SortFunc(byID, func(a, b int) int {
		if ids[a] < ids[b] {
			return -1
		}
		if ids[a] > ids[b] {
			return 1
		}
		return 0
	})
	buf := make([]byte, len(ids)*orderKeyBytes)
	for rank, n := range byID {
		binary.BigEndian.PutUint32(buf[n*orderKeyBytes:], uint32(rank))
	}
	postings = newPostingsTable(seg)
	loadCategoryPostings(postings, snap)
	return string(buf), ids, postings
}

// sortByIDOrder is Bleve's id sort, ascending, read from order keys by document number
// instead of from each document's stored id.
type sortByIDOrder struct{ keys string }

var _ bsearch.SearchSort = (*sortByIDOrder)(nil)

// UpdateVisitor is not called: the sort needs no field.
func (s *sortByIDOrder) UpdateVisitor(string, []byte) {}

// Value returns the order key of the document; every document of the index has one.
func (s *sortByIDOrder) Value(d *bsearch.DocumentMatch) string {
	if n := d.IndexInternalID.Value(); n < uint64(len(s.keys)/orderKeyBytes) {
		return s.keys[n*orderKeyBytes : (n+1)*orderKeyBytes]
	}
	return unknownKey
}

// unknownKey sorts after every order key. No document lacks a key while the keys
// hold; should one, the result is checked and searched again (runInOrder).
const unknownKey = "\xff\xff\xff\xff\xff"

// DecodeValue returns the key itself: no caller reads it.
func (s *sortByIDOrder) DecodeValue(v string) string { return v }

// Descending is false: ids ascend, as with Bleve's id sort.
func (s *sortByIDOrder) Descending() bool { return false }

// RequiresDocID is false: the point of the sort.
func (s *sortByIDOrder) RequiresDocID() bool { return false }

// RequiresScoring is false.
func (s *sortByIDOrder) RequiresScoring() bool { return false }

// RequiresFields is none.
func (s *sortByIDOrder) RequiresFields() []string { return nil }

// Reverse is never called: the search never reverses its order.
func (s *sortByIDOrder) Reverse() {}

// Copy returns the sort: it has no state but its keys, which never change.
func (s *sortByIDOrder) Copy() bsearch.SearchSort { return s }
