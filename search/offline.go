package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/util"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// An on-disk index is written offline, with Bleve's scorch builder: the services are
// analysed in chunks by every core, each segment of segmentDocs services is written
// to disk once, and the segments are merged into one at the end. Indexing them
// through a live index instead made every batch wait for its segment to be
// persisted, checked each batch's ids against every earlier segment, and merged the
// same documents again and again in the background before the final merge. A value
// that repeats across services (a translation, a provider) is analysed once and its
// terms shared (analysisMemo), so an analysed document weighs about 12 KB; segments
// stay small all the same, as the memory of the build and of its merges grows with
// them (1,000 services a segment, or merges of 100 or 200 segments, cost 3-8% less
// CPU on 100,000 services but raise the peak resident memory by 150-200 MB): the
// documents of at most two of them are in memory at once.
const (
	segmentDocs = 500
	// mergeWidth is how many segments one merge takes: each document of 100,000
	// services is merged twice, and a merge maps 20 small segments only.
	mergeWidth = 20
)

// disk is where and how an on-disk index is written.
type disk struct {
	dir        string // empty: the index is in memory
	perSegment int    // services a segment (segmentDocs)
	memoBytes  int    // what the analysis memo may hold (memoBytes); zero: no memo
}

// indexServices indexes the services on disk, written offline in one segment, or,
// with no folder, in memory.
func (x *Index) indexServices(ctx context.Context, m *mapping.IndexMappingImpl, d disk) (bleve.Index, error) {
	// An empty catalogue has no segment to write: its index is an empty one in memory.
	if d.dir == "" || len(x.services) == 0 {
		idx, err := newMemoryIndex(m)
		if err != nil {
			return nil, err
		}
		if err := x.loadServices(ctx, idx); err != nil {
			idx.Close()
			return nil, err
		}
		return idx, nil
	}
	if err := writeOffline(ctx, d, m, x.uniqueServices(), x.langs); err != nil {
		return nil, err
	}
	idx, err := bleve.Open(d.dir)
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	return idx, nil
}

// uniqueServices are the catalogue's services in order, with the last of the
// services that share an id only, as indexing them one after the other leaves it.
func (x *Index) uniqueServices() []*catalogue.Service {
	out := make([]*catalogue.Service, 0, len(x.services))
	for _, s := range x.cat.Services {
		if x.services[s.ID] == s {
			out = append(out, s)
			delete(x.services, s.ID)
		}
	}
	for _, s := range out {
		x.services[s.ID] = s
	}
	return out
}

// writeOffline writes the services' index into d.dir in the layout bleve.Open reads:
// the index's meta file and a scorch store of one segment whose internal data holds
// the mapping. Segments of d.perSegment services are written and merged on the way.
func writeOffline(ctx context.Context, d disk, m *mapping.IndexMappingImpl, services []*catalogue.Service, langs map[string]i18n.Language) error {
	dir := d.dir
	mappingJSON, err := util.MarshalJSON(m)
	if err != nil {
		return fmt.Errorf("write index: mapping: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	// The meta file of a scorch index, as bleve.NewBuilder writes it.
	meta := []byte(`{"storage":"` + scorch.Name + `","index_type":"` + scorch.Name + `"}`)
	if err := os.WriteFile(filepath.Join(dir, "index_meta.json"), meta, 0o640); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	b, err := scorch.NewBuilder(map[string]interface{}{
		"path":            filepath.Join(dir, "store"),
		"buildPathPrefix": dir,
		"batchSize":       d.perSegment,
		"mergeMax":        mergeWidth,
		"internal":        map[string][]byte{string(util.MappingInternalKey): mappingJSON},
	})
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	for docs, err := range analysedChunks(ctx, m, services, langs, d.perSegment, newAnalysisMemo(d.memoBytes)) {
		if err != nil {
			return err
		}
		for _, doc := range docs {
			if err := b.Index(doc); err != nil {
				return fmt.Errorf("write index: service %s: %w", doc.ID(), err)
			}
		}
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return nil
}

// analysedChunks yields the services' documents, mapped and analysed, a chunk of n at
// a time; the next chunk is analysed while the caller writes one.
func analysedChunks(ctx context.Context, m *mapping.IndexMappingImpl, services []*catalogue.Service, langs map[string]i18n.Language, n int, memo *analysisMemo) func(yield func([]index.Document, error) bool) {
	return func(yield func([]index.Document, error) bool) {
		type chunk struct {
			docs []index.Document
			err  error
		}
		chunks := make(chan chunk)
		done := make(chan struct{})
		defer close(done)
		go func() {
			defer close(chunks)
			for start := 0; start < len(services); start += n {
				var c chunk
				if c.err = ctx.Err(); c.err == nil {
					c.docs, c.err = analyse(m, services[start:min(start+n, len(services))], langs, memo)
				}
				select {
				case chunks <- c:
				case <-done:
					return
				}
				if c.err != nil {
					return
				}
			}
		}()
		for c := range chunks {
			if c.err != nil {
				c.err = fmt.Errorf("write index: %w", c.err)
			}
			if !yield(c.docs, c.err) || c.err != nil {
				return
			}
		}
	}
}

// analyse maps and analyses services' documents on every core.
func analyse(m *mapping.IndexMappingImpl, services []*catalogue.Service, langs map[string]i18n.Language, memo *analysisMemo) ([]index.Document, error) {
	docs := make([]index.Document, len(services))
	errs := make([]error, len(services))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(services); i += workers {
				docs[i], errs[i] = analysedDocumentOf(m, services[i], langs, memo)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", services[i].ID, err)
		}
	}
	return docs, nil
}

func analysedDocumentOf(m *mapping.IndexMappingImpl, s *catalogue.Service, langs map[string]i18n.Language, memo *analysisMemo) (index.Document, error) {
	d := document.NewDocument(s.ID)
	if err := m.MapDocument(d, serviceDocument(s, langs)); err != nil {
		return nil, err
	}
	d.AddIDField()
	return analysedDocument{d, analysedFields(d, memo)}, nil
}

// analysedFields analyses a document's indexed fields, through the memo those whose
// name is the document's only field of that name (the id aside: it is never met twice).
func analysedFields(d *document.Document, memo *analysisMemo) []analysedField {
	names := make(map[string]int, len(d.Fields))
	for _, f := range d.Fields {
		names[f.Name()]++
	}
	out := make([]analysedField, len(d.Fields))
	for i, f := range d.Fields {
		out[i].Field = f
		switch {
		case !f.Options().IsIndexed():
			continue
		case memo != nil && names[f.Name()] == 1 && f.Name() != "_id":
			a := memo.analyse(f)
			out[i].length, out[i].freqs = a.length, a.freqs
		default:
			f.Analyze()
			out[i].length, out[i].freqs = f.AnalyzedLength(), f.AnalyzedTokenFrequencies()
		}
	}
	return out
}

// analysedDocument is a document whose fields, its id included, are analysed
// already: the scorch builder, which analyses the documents of a segment one after
// the other, finds nothing left to do.
type analysedDocument struct {
	*document.Document
	fields []analysedField
}

// VisitFields implements index.Document.
func (d analysedDocument) VisitFields(visit index.FieldVisitor) {
	for i := range d.fields {
		visit(&d.fields[i])
	}
}

// AddIDField implements index.Document: the id field is there already.
func (analysedDocument) AddIDField() {}

// analysedField is a field analysed already, its analysis maybe shared with other
// documents' fields (analysisMemo).
type analysedField struct {
	index.Field
	length int
	freqs  index.TokenFrequencies
}

// Analyze implements index.Field: the analysis is done.
func (*analysedField) Analyze() {}

// AnalyzedLength implements index.Field.
func (f *analysedField) AnalyzedLength() int { return f.length }

// AnalyzedTokenFrequencies implements index.Field.
func (f *analysedField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }
