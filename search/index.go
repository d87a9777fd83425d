// Package search is the full-text search over the WeMi catalogue: a Bleve index of
// services and WeMi spaces with an analysis per language of the registry (package
// i18n; the chains are in chains.go), a thesaurus that turns how citizens describe a
// need into catalogue words, typo tolerance, filters, facets and distance sorting. User text never becomes query syntax. Requests and results
// are catalogue.SearchRequest and catalogue.SearchResult, so that the packages that
// only ask for a search do not link Bleve.
package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// Field names of the index documents. Every language has a name and a text field,
// name_<code> and text_<code>, analysed with its chain: nameField and textField.
const (
	fieldNameIT     = "name_it"
	fieldTextIT     = "text_it"
	fieldProviderIT = "provider_it"
	fieldTextEN     = "text_en"
	fieldCategory   = "category"
	fieldFree       = "free"
	fieldAudience   = "audience"
	fieldMunicipio  = "municipio"
	fieldDelivery   = "delivery"
	fieldLocation   = "location"
)

// Options configure an index.
type Options struct {
	// Dir keeps the index on disk, in a new folder inside Dir that Close removes (for
	// large catalogues); empty keeps it in memory.
	Dir string
	// Timeout bounds every search; zero means DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds a search when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// Index is a searchable catalogue. It is safe for concurrent use.
type Index struct {
	idx      bleve.Index // services
	spaceIdx bleve.Index // WeMi spaces: few, always in memory
	cat      *catalogue.Catalogue
	services map[string]*catalogue.Service
	spaces   map[string]*catalogue.Space
	langs    map[string]i18n.Language // the catalogue's languages, by code
	th       *thesaurus
	// categoryTerms maps a language and a term of the categories' names, descriptions
	// and keywords to the categories that use it.
	categoryTerms map[string]map[string][]catalogue.CategoryID
	vocab         map[string]*vocabulary       // language -> every term known, for typo correction
	df            map[string]map[string]uint64 // field -> term -> services containing it
	commonDF      uint64                       // a term in more documents than this is common
	timeout       time.Duration
	dir           string       // the on-disk index's own folder, removed on Close
	cache         searchCaches // answers of this catalogue version (results.go)
	places        *placeTable  // the services' points, for Near requests (near.go)
}

// Build indexes a catalogue.
func Build(ctx context.Context, cat *catalogue.Catalogue, opts Options) (*Index, error) {
	return build(ctx, cat, opts, disk{perSegment: segmentDocs, memoBytes: memoBytes})
}

// build is Build writing an on-disk index as d says (its folder aside, made here).
func build(ctx context.Context, cat *catalogue.Catalogue, opts Options, d disk) (*Index, error) {
	x := &Index{cat: cat, timeout: opts.Timeout, cache: newSearchCaches(), places: newPlaceTable(cat.Services),
		services: make(map[string]*catalogue.Service, len(cat.Services)),
		spaces:   make(map[string]*catalogue.Space, len(cat.Spaces)),
		langs:    map[string]i18n.Language{}}
	for _, l := range catalogueLanguages(cat) {
		x.langs[l.Code] = l
	}
	if x.timeout <= 0 {
		x.timeout = DefaultTimeout
	}
	if opts.Dir != "" {
		// Each index gets a fresh folder of its own inside Dir, removed on Close, so
		// that a restart or a second index never trips over an old one.
		if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
			return nil, fmt.Errorf("create index folder: %w", err)
		}
		tmp, err := os.MkdirTemp(opts.Dir, "wemi-index-")
		if err != nil {
			return nil, fmt.Errorf("create index folder: %w", err)
		}
		d.dir, x.dir = filepath.Join(tmp, "index"), tmp
	}
	if err := x.build(ctx, d); err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

func (x *Index) build(ctx context.Context, d disk) error {
	m, err := newMapping(x.langs)
	if err != nil {
		return fmt.Errorf("build index mapping: %w", err)
	}
	for _, s := range x.cat.Services {
		x.services[s.ID] = s
	}
	if x.idx, err = x.indexServices(ctx, m, d); err != nil {
		return err
	}
	if x.spaceIdx, err = newMemoryIndex(m); err != nil {
		return err
	}
	if err := x.loadSpaces(); err != nil {
		return err
	}
	languageAnalyzer := func(lang string) (string, bool) {
		_, ok := x.langs[lang]
		return x.analyzerFor(lang), ok
	}
	if x.th, err = compileThesaurus(x.cat.Thesaurus, x.analyze, languageAnalyzer); err != nil {
		return err
	}
	x.loadCategoryTerms()
	// The order of the ids by document number (query_order.go), worked out now rather
	// than by the first search after a build: tens of milliseconds on a large catalogue.
	x.sortKeys()
	return x.loadVocabulary()
}

// newMemoryIndex creates an empty index in memory with the WeMi mapping. It is scorch
// without a path: Bleve's older in-memory engine ignores synonyms and is far slower
// on large catalogues.
func newMemoryIndex(m *mapping.IndexMappingImpl) (bleve.Index, error) {
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	return idx, nil
}

// Close releases the index.
func (x *Index) Close() error {
	var errs []error
	for _, idx := range []bleve.Index{x.idx, x.spaceIdx} {
		if idx != nil {
			errs = append(errs, idx.Close())
		}
	}
	if x.dir != "" {
		errs = append(errs, os.RemoveAll(x.dir))
	}
	return errors.Join(errs...)
}

// Catalogue returns the catalogue the index was built from.
func (x *Index) Catalogue() *catalogue.Catalogue { return x.cat }

// DocCount returns how many services are indexed.
func (x *Index) DocCount() (uint64, error) { return x.idx.DocCount() }

func newMapping(langs map[string]i18n.Language) (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	// Italian and English are the catalogue's own languages: always analysed.
	chains := []string{"it", "en"}
	for _, code := range sortedCodes(langs) {
		chains = append(chains, langs[code].Analyzer)
	}
	for _, code := range sortedCodes(langs) {
		if _, ok := chainOf(langs[code].Analyzer); !ok {
			return nil, fmt.Errorf("language %s: unknown analyzer %q (the search has %s)", code, langs[code].Analyzer, strings.Join(knownChains(), ", "))
		}
	}
	if err := addAnalyzers(m, chains); err != nil {
		return nil, err
	}
	// The catalogue holds the documents: the index stores none of their fields, and
	// keeps no term vectors (no phrase query, no highlighting). Doc values, which
	// facets and sorts read, are kept for the category (the facet) and the location
	// (the distance sort) only.
	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = docValues
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	for name, f := range map[string]*mapping.FieldMapping{
		fieldProviderIT: text(analyzerIT),
		fieldCategory:   kw(true), fieldAudience: kw(false), fieldMunicipio: kw(false), fieldDelivery: kw(false),
	} {
		doc.AddFieldMappingsAt(name, f)
	}
	for code, l := range langs {
		doc.AddFieldMappingsAt(nameField(code), text(analyzerOf(l.Analyzer)))
		doc.AddFieldMappingsAt(textField(code), text(analyzerOf(l.Analyzer)))
	}
	free := bleve.NewBooleanFieldMapping()
	free.Store = false
	free.IncludeInAll = false
	free.DocValues = false
	doc.AddFieldMappingsAt(fieldFree, free)
	geo := bleve.NewGeoPointFieldMapping()
	geo.Store = false
	geo.IncludeInAll = false
	doc.AddFieldMappingsAt(fieldLocation, geo)
	// Every query names its fields: no composite _all field to build.
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerIT
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

// batchSize bounds the memory of one indexing batch of an in-memory index.
const batchSize = 2000

// loadServices indexes the services into an in-memory index.
func (x *Index) loadServices(ctx context.Context, idx bleve.Index) error {
	b := idx.NewBatch()
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("build index: %w", err)
		}
		if err := idx.Batch(b); err != nil {
			return fmt.Errorf("build index: %w", err)
		}
		b.Reset()
		return nil
	}
	for _, s := range x.cat.Services {
		if err := b.Index(s.ID, serviceDocument(s, x.langs)); err != nil {
			return fmt.Errorf("index service %s: %w", s.ID, err)
		}
		if b.Size() >= batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// loadSpaces indexes the WeMi spaces.
func (x *Index) loadSpaces() error {
	sb := x.spaceIdx.NewBatch()
	for _, sp := range x.cat.Spaces {
		x.spaces[sp.ID] = sp
		if err := sb.Index(sp.ID, spaceDocument(sp, x.langs)); err != nil {
			return fmt.Errorf("index space %s: %w", sp.ID, err)
		}
	}
	if err := x.spaceIdx.Batch(sb); err != nil {
		return fmt.Errorf("index spaces: %w", err)
	}
	return nil
}

func serviceDocument(s *catalogue.Service, langs map[string]i18n.Language) map[string]interface{} {
	deliveries := []string{}
	if s.Delivery.Individual {
		deliveries = append(deliveries, catalogue.DeliveryIndividual)
	}
	if s.Delivery.Shared != nil {
		deliveries = append(deliveries, catalogue.DeliveryShared)
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
		fieldNameIT:       s.Name,
		fieldTextIT:       s.Description,
		nameField(langEN): s.NameEN,
		textField(langEN): s.SummaryEN,
		fieldCategory:     string(s.Category),
		fieldFree:         s.Cost.Free,
		fieldAudience:     audiences,
		fieldMunicipio:    municipi,
		fieldDelivery:     deliveries,
	}
	// The other languages' fields hold only their own translations: a text that
	// falls back to English is already in the English fields, which every query
	// searches.
	for code := range langs {
		if t, ok := s.Texts[code]; ok && code != langIT && code != langEN {
			doc[nameField(code)] = t.Name
			doc[textField(code)] = t.Summary
		}
	}
	if s.Organization != nil {
		doc[fieldProviderIT] = s.Organization.Name
		p := s.Organization.Location.Point
		doc[fieldLocation] = map[string]interface{}{"lat": p.Lat, "lon": p.Lon}
	}
	return doc
}

func spaceDocument(sp *catalogue.Space, langs map[string]i18n.Language) map[string]interface{} {
	p := sp.Location.Point
	doc := map[string]interface{}{
		fieldNameIT:       sp.Name,
		fieldTextIT:       sp.Location.Address + " " + strings.Join(sp.Activities, " "),
		nameField(langEN): sp.Name,
		textField(langEN): strings.Join(sp.ActivitiesEN, " "),
		fieldMunicipio:    strconv.Itoa(sp.Location.Municipio),
		fieldLocation:     map[string]interface{}{"lat": p.Lat, "lon": p.Lon},
	}
	for code := range langs {
		if t, ok := sp.Texts[code]; ok && code != langIT && code != langEN {
			doc[textField(code)] = strings.Join(t.Activities, " ")
		}
	}
	return doc
}

// A term found in more than commonFraction of the services (and in more than
// minCommonDF) is common: on its own it would select a large part of the catalogue, so
// next to rarer words it only lifts the services they select. On the bundled catalogue
// no term is that common; on large ones this keeps searches fast.
const (
	commonFraction = 0.01
	minCommonDF    = 200
)

// docFreq returns how many services hold a term in a field.
func (x *Index) docFreq(field, term string) uint64 { return x.df[field][term] }

// loadVocabulary collects the indexed terms of the text fields, so that a query word
// the catalogue does not know can be told apart from one it does: only unknown words
// are looked up with fuzzy matching.
func (x *Index) loadVocabulary() error {
	x.vocab = map[string]*vocabulary{}
	x.df = map[string]map[string]uint64{}
	n, err := x.idx.DocCount()
	if err != nil {
		return fmt.Errorf("count documents: %w", err)
	}
	x.commonDF = max(uint64(float64(n)*commonFraction), minCommonDF)
	var fields []string
	for _, code := range sortedCodes(x.langs) {
		x.vocab[code] = newVocabulary()
		fields = append(fields, nameField(code), textField(code))
	}
	for _, f := range fields {
		lang := f[strings.IndexByte(f, '_')+1:]
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
			x.vocab[lang].add(e.Term)
			if x.df[f] == nil {
				x.df[f] = map[string]uint64{}
			}
			x.df[f][e.Term] = e.Count
		}
		d.Close()
	}
	for lang, terms := range x.categoryTerms {
		for term := range terms {
			x.vocab[lang].add(term)
		}
	}
	for _, tr := range x.th.triggers {
		for _, term := range tr.terms {
			x.vocab[tr.lang].add(term)
		}
	}
	for _, v := range x.vocab {
		v.freeze()
	}
	return nil
}

// loadCategoryTerms analyses the categories' texts. Words such as "anziani" or
// "bambini" name a whole category: matched in the index they would select every
// service of it, so they are matched here and lift the category instead.
func (x *Index) loadCategoryTerms() {
	x.categoryTerms = map[string]map[string][]catalogue.CategoryID{}
	for code := range x.langs {
		x.categoryTerms[code] = map[string][]catalogue.CategoryID{}
	}
	for _, c := range x.cat.Categories {
		texts := map[string]string{
			langIT: c.Name + " " + c.Description + " " + strings.Join(c.Keywords, " "),
			langEN: c.NameEN + " " + c.DescriptionEN + " " + strings.Join(c.KeywordsEN, " "),
		}
		for code, t := range c.Texts {
			if _, ok := x.langs[code]; ok && code != langIT && code != langEN {
				texts[code] = t.Name + " " + t.Description + " " + strings.Join(t.Keywords, " ")
			}
		}
		for lang, text := range texts {
			for _, t := range dedupe(x.analyze(x.analyzerFor(lang), text)) {
				x.categoryTerms[lang][t] = append(x.categoryTerms[lang][t], c.ID)
			}
		}
	}
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
