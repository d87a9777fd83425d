package search

import (
	"hash/maphash"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
)

// analysisMemo remembers, during one offline build, the analysis of field values met
// more than once. Most fields of a large catalogue repeat: the translations and the
// English texts of services that share them, the providers' names, the keyword values
// and the providers' locations. Analysis is deterministic and a field's analyzer is
// the mapping's for its name, so a value analysed once has the same terms in every
// document.
//
// The memoised token frequencies are shared by the documents that hold the value:
// Bleve's segment builder only reads them, except that it merges into the first
// field's frequencies those of later fields of the same name in one document, so a
// field whose name repeats in its document is never memoised (see analysedFields).
//
// A value is kept on its second sighting only, so that values met once (an Italian
// description) cost a hash, not their terms; both the hashes and the kept analyses
// are bounded.
type analysisMemo struct {
	seed     maphash.Seed
	maxSeen  int // memoSeen, but in tests
	maxBytes int // memoBytes, or fewer

	mu    sync.Mutex
	seen  map[uint64]struct{}               // hashes of values met once, up to memoSeen
	kept  map[memoField]map[string]memoised // field -> value -> its analysis
	bytes int                               // an estimate of what kept holds
}

// memoField is a field's name and its type (Bleve's one-letter field type).
type memoField struct {
	name string
	typ  byte
}

// memoised is a value's analysis.
type memoised struct {
	length int
	freqs  index.TokenFrequencies
}

// Bounds of the memo: the hashes of values met once (cleared when full), and the
// estimated bytes of the analyses kept (none added past it).
const (
	memoSeen  = 1 << 18
	memoBytes = 32 << 20
	// memoTermBytes estimates what a term costs in a kept analysis besides its
	// letters: its map entry, its TokenFreq and the slice header.
	memoTermBytes = 96
)

// newAnalysisMemo returns a memo that keeps at most about maxBytes of analyses; none
// (nil) if maxBytes is not positive.
func newAnalysisMemo(maxBytes int) *analysisMemo {
	if maxBytes <= 0 {
		return nil
	}
	return &analysisMemo{seed: maphash.MakeSeed(), maxSeen: memoSeen, maxBytes: maxBytes,
		seen: map[uint64]struct{}{}, kept: map[memoField]map[string]memoised{}}
}

// analyse returns a field's length and token frequencies, analysing its value unless
// the memo has it.
func (m *analysisMemo) analyse(f index.Field) memoised {
	key := memoField{f.Name(), f.EncodedFieldType()}
	value := f.Value()
	m.mu.Lock()
	got, ok := m.kept[key][string(value)]
	m.mu.Unlock()
	if ok {
		return got
	}
	// The analyzers' filters rewrite the value's bytes in place: a value to keep
	// is copied first.
	keep := m.metBefore(key, value)
	var text string
	if keep {
		text = string(value)
	}
	f.Analyze()
	got = memoised{length: f.AnalyzedLength(), freqs: f.AnalyzedTokenFrequencies()}
	if keep {
		m.keep(key, text, got)
	}
	return got
}

// metBefore tells whether a value was met before, and notes it otherwise.
func (m *analysisMemo) metBefore(key memoField, value []byte) bool {
	var h maphash.Hash
	h.SetSeed(m.seed)
	h.WriteString(key.name)
	h.WriteByte(key.typ)
	h.Write(value)
	sum := h.Sum64()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, met := m.seen[sum]; met {
		return true
	}
	if len(m.seen) >= m.maxSeen {
		clear(m.seen)
	}
	m.seen[sum] = struct{}{}
	return false
}

// keep keeps an analysis if the memo has room.
func (m *analysisMemo) keep(key memoField, text string, a memoised) {
	size := len(key.name) + len(text)
	for term := range a.freqs {
		size += len(term) + memoTermBytes
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bytes+size > m.maxBytes {
		return
	}
	values := m.kept[key]
	if values == nil {
		values = map[string]memoised{}
		m.kept[key] = values
	}
	if _, ok := values[text]; !ok {
		values[text] = a
		m.bytes += size
	}
}
