//go:build large

package search

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/util"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// reuseLargeIndex is the environment variable that lets BenchmarkLargeQuery keep the
// index of the generated catalogue in a folder of os.TempDir() and open it again on
// the next run instead of building it (about a minute): for profiling the queries
// over and over. Without it every run builds the index afresh.
const reuseLargeIndex = "WEMI_LARGE_INDEX_REUSE"

// generatorVersion names the catalogue generate makes: change it with generate.
const generatorVersion = "1"

// largeIndex returns the index of the generated catalogue, built or, with
// reuseLargeIndex set, opened from an earlier run's copy.
func largeIndex(b *testing.B, cat *catalogue.Catalogue) *Index {
	b.Helper()
	if os.Getenv(reuseLargeIndex) == "" {
		x, err := Build(context.Background(), cat, Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		return x
	}
	kept := filepath.Join(os.TempDir(), "wemi-large-index-"+largeIndexKey(b, cat))
	if _, err := os.Stat(kept); err != nil {
		x, err := Build(context.Background(), cat, Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		keepIndex(b, filepath.Join(x.dir, "index"), kept)
		return x
	}
	x, err := openLargeIndex(cat, kept)
	if err != nil {
		b.Fatal(err)
	}
	return x
}

// largeIndexKey tells apart the indexes of different generators, mappings and
// documents, so that a kept index never stands in for one built differently.
func largeIndexKey(b *testing.B, cat *catalogue.Catalogue) string {
	b.Helper()
	langs := catalogueLanguagesByCode(cat)
	m, err := newMapping(langs)
	if err != nil {
		b.Fatal(err)
	}
	mappingJSON, err := util.MarshalJSON(m)
	if err != nil {
		b.Fatal(err)
	}
	docJSON, err := json.Marshal(serviceDocument(cat.Services[0], langs))
	if err != nil {
		b.Fatal(err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n%s\n%s\n", generatorVersion, len(cat.Services), mappingJSON, docJSON)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// keepIndex copies a built index's folder (its files are written once, then only
// read) to kept, through a temporary folder so that a copy cut short is never used.
func keepIndex(b *testing.B, from, kept string) {
	b.Helper()
	tmp := kept + ".part"
	if err := os.RemoveAll(tmp); err != nil {
		b.Fatal(err)
	}
	if err := os.CopyFS(tmp, os.DirFS(from)); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, kept); err != nil {
		b.Fatal(err)
	}
}

// openLargeIndex is Build with the services' index opened from dir instead of
// written: the same steps as (*Index).build after indexServices.
func openLargeIndex(cat *catalogue.Catalogue, dir string) (*Index, error) {
	x := &Index{cat: cat, timeout: DefaultTimeout, cache: newSearchCaches(), places: newPlaceTable(cat.Services),
		services: make(map[string]*catalogue.Service, len(cat.Services)),
		spaces:   make(map[string]*catalogue.Space, len(cat.Spaces)),
		langs:    catalogueLanguagesByCode(cat)}
	m, err := newMapping(x.langs)
	if err != nil {
		return nil, err
	}
	for _, s := range cat.Services {
		x.services[s.ID] = s
	}
	if x.idx, err = bleve.OpenUsing(dir, map[string]interface{}{"read_only": true}); err != nil {
		return nil, fmt.Errorf("open kept index: %w", err)
	}
	if x.spaceIdx, err = newMemoryIndex(m); err != nil {
		return nil, err
	}
	if err := x.loadSpaces(); err != nil {
		return nil, err
	}
	languageAnalyzer := func(lang string) (string, bool) {
		_, ok := x.langs[lang]
		return x.analyzerFor(lang), ok
	}
	if x.th, err = compileThesaurus(cat.Thesaurus, x.analyze, languageAnalyzer); err != nil {
		return nil, err
	}
	x.loadCategoryTerms()
	return x, x.loadVocabulary()
}

// catalogueLanguagesByCode is the catalogue's languages by code, as Build keeps them.
func catalogueLanguagesByCode(cat *catalogue.Catalogue) map[string]i18n.Language {
	langs := map[string]i18n.Language{}
	for _, l := range catalogueLanguages(cat) {
		langs[l.Code] = l
	}
	return langs
}
