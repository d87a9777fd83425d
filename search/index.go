// Package search is the full-text search over the WeMi catalogue: a Bleve index of
// services and WeMi spaces with Italian and English analysis, a thesaurus that turns
// how citizens describe a need into catalogue words, typo tolerance, filters, facets
// and distance sorting. User text never becomes query syntax.
package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/comune-milano/wemibot/catalogue"
)

// Field names of the index documents.
const (
	fieldKind       = "kind" // "service" or "space"
	fieldNameIT     = "name_it"
	fieldTextIT     = "text_it"
	fieldCategoryIT = "category_it"
	fieldProviderIT = "provider_it"
	fieldNameEN     = "name_en"
	fieldTextEN     = "text_en"
	fieldCategoryEN = "category_en"
	fieldCategory   = "category"
	fieldFree       = "free"
	fieldAudience   = "audience"
	fieldMunicipio  = "municipio"
	fieldDelivery   = "delivery"
	fieldLocation   = "location"

	kindService = "service"
	kindSpace   = "space"

	// Delivery values for filters.
	DeliveryIndividual = "individuale"
	DeliveryShared     = "condivisione"
)

// Options configure an index.
type Options struct {
	// Dir keeps the index on disk in this folder (for large catalogues); empty keeps it
	// in memory.
	Dir string
	// Timeout bounds every search; zero means DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds a search when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// Index is a searchable catalogue. It is safe for concurrent use.
type Index struct {
	idx      bleve.Index
	cat      *catalogue.Catalogue
	services map[string]*catalogue.Service
	spaces   map[string]*catalogue.Space
	th       *thesaurus
	vocab    *vocabulary // every Italian and English term known, for typo correction
	timeout  time.Duration
}

// Build indexes a catalogue.
func Build(ctx context.Context, cat *catalogue.Catalogue, opts Options) (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("build index mapping: %w", err)
	}
	// An in-memory index is scorch without a path: the old in-memory engine ignores
	// synonyms and is far slower on large catalogues.
	idx, err := bleve.NewUsing(opts.Dir, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	x := &Index{idx: idx, cat: cat, timeout: opts.Timeout,
		services: make(map[string]*catalogue.Service, len(cat.Services)),
		spaces:   make(map[string]*catalogue.Space, len(cat.Spaces))}
	if x.timeout <= 0 {
		x.timeout = DefaultTimeout
	}
	if err := x.load(ctx); err != nil {
		idx.Close()
		return nil, err
	}
	if x.th, err = compileThesaurus(cat.Thesaurus, x.analyze); err != nil {
		idx.Close()
		return nil, err
	}
	if err := x.loadVocabulary(); err != nil {
		idx.Close()
		return nil, err
	}
	return x, nil
}

// Close releases the index.
func (x *Index) Close() error { return x.idx.Close() }

// Catalogue returns the catalogue the index was built from.
func (x *Index) Catalogue() *catalogue.Catalogue { return x.cat }

// DocCount returns how many services and spaces are indexed.
func (x *Index) DocCount() (uint64, error) { return x.idx.DocCount() }

func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := addAnalyzers(m); err != nil {
		return nil, err
	}
	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	for name, f := range map[string]*mapping.FieldMapping{
		fieldNameIT: text(analyzerIT), fieldTextIT: text(analyzerIT), fieldCategoryIT: text(analyzerIT),
		fieldProviderIT: text(analyzerIT),
		fieldNameEN:     text(analyzerEN), fieldTextEN: text(analyzerEN), fieldCategoryEN: text(analyzerEN),
		fieldKind: kw(), fieldCategory: kw(), fieldAudience: kw(), fieldMunicipio: kw(), fieldDelivery: kw(),
	} {
		doc.AddFieldMappingsAt(name, f)
	}
	free := bleve.NewBooleanFieldMapping()
	free.Store = false
	free.IncludeInAll = false
	doc.AddFieldMappingsAt(fieldFree, free)
	geo := bleve.NewGeoPointFieldMapping()
	geo.Store = false
	geo.IncludeInAll = false
	doc.AddFieldMappingsAt(fieldLocation, geo)
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerIT
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

// batchSize bounds the memory of one indexing batch on large catalogues.
const batchSize = 2000

func (x *Index) load(ctx context.Context) error {
	categoryText := map[catalogue.CategoryID][2]string{}
	for _, c := range x.cat.Categories {
		categoryText[c.ID] = [2]string{
			c.Name + " " + c.Description + " " + strings.Join(c.Keywords, " "),
			c.NameEN + " " + c.DescriptionEN + " " + strings.Join(c.KeywordsEN, " "),
		}
	}
	b := x.idx.NewBatch()
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("build index: %w", err)
		}
		if err := x.idx.Batch(b); err != nil {
			return fmt.Errorf("build index: %w", err)
		}
		b.Reset()
		return nil
	}
	for _, s := range x.cat.Services {
		x.services[s.ID] = s
		if err := b.Index(s.ID, serviceDocument(s, categoryText[s.Category])); err != nil {
			return fmt.Errorf("index service %s: %w", s.ID, err)
		}
		if b.Size() >= batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for _, sp := range x.cat.Spaces {
		x.spaces[sp.ID] = sp
		if err := b.Index(sp.ID, spaceDocument(sp)); err != nil {
			return fmt.Errorf("index space %s: %w", sp.ID, err)
		}
	}
	return flush()
}

func serviceDocument(s *catalogue.Service, categoryText [2]string) map[string]interface{} {
	deliveries := []string{}
	if s.Delivery.Individual {
		deliveries = append(deliveries, DeliveryIndividual)
	}
	if s.Delivery.Shared != nil {
		deliveries = append(deliveries, DeliveryShared)
	}
	municipi := make([]string, len(s.Municipi))
	for i, m := range s.Municipi {
		municipi[i] = strconv.Itoa(m)
	}
	audiences := make([]string, len(s.Audiences))
	for i, a := range s.Audiences {
		audiences[i] = string(a)
	}
	doc := map[string]interface{}{
		fieldKind:       kindService,
		fieldNameIT:     s.Name,
		fieldTextIT:     s.Description,
		fieldCategoryIT: categoryText[0],
		fieldNameEN:     s.NameEN,
		fieldTextEN:     s.SummaryEN,
		fieldCategoryEN: categoryText[1],
		fieldCategory:   string(s.Category),
		fieldFree:       s.Cost.Free,
		fieldAudience:   audiences,
		fieldMunicipio:  municipi,
		fieldDelivery:   deliveries,
	}
	if s.Organization != nil {
		doc[fieldProviderIT] = s.Organization.Name
		p := s.Organization.Location.Point
		doc[fieldLocation] = map[string]interface{}{"lat": p.Lat, "lon": p.Lon}
	}
	return doc
}

func spaceDocument(sp *catalogue.Space) map[string]interface{} {
	p := sp.Location.Point
	return map[string]interface{}{
		fieldKind:      kindSpace,
		fieldNameIT:    sp.Name,
		fieldTextIT:    sp.Location.Address + " " + strings.Join(sp.Activities, " "),
		fieldNameEN:    sp.Name,
		fieldTextEN:    strings.Join(sp.ActivitiesEN, " "),
		fieldMunicipio: strconv.Itoa(sp.Location.Municipio),
		fieldLocation:  map[string]interface{}{"lat": p.Lat, "lon": p.Lon},
	}
}

// loadVocabulary collects the indexed terms of the text fields, so that a query word
// the catalogue does not know can be told apart from one it does: only unknown words
// are looked up with fuzzy matching.
func (x *Index) loadVocabulary() error {
	x.vocab = newVocabulary()
	for _, f := range []string{fieldNameIT, fieldTextIT, fieldCategoryIT, fieldNameEN, fieldTextEN, fieldCategoryEN} {
		d, err := x.idx.FieldDict(f)
		if err != nil {
			return fmt.Errorf("read vocabulary of %s: %w", f, err)
		}
		for {
			e, err := d.Next()
			if err != nil {
				d.Close()
				return fmt.Errorf("read vocabulary of %s: %w", f, err)
			}
			if e == nil {
				break
			}
			x.vocab.add(e.Term)
		}
		d.Close()
	}
	for term := range x.th.terms {
		x.vocab.add(term)
	}
	return nil
}

// analyze runs one of the index's analyzers over text and returns its terms.
func (x *Index) analyze(analyzer, text string) []string {
	a := x.idx.Mapping().AnalyzerNamed(analyzer)
	if a == nil {
		return nil
	}
	toks := a.Analyze([]byte(text))
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		out = append(out, string(t.Term))
	}
	return out
}
