package search

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

type devCase struct {
	lang  string
	want  catalogue.CategoryID
	query string
}

func readDevSet(t testing.TB, name string) []devCase {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []devCase
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if line == 1 || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 || !catalogue.CategoryID(parts[1]).Valid() {
			t.Fatalf("%s:%d: want lang<TAB>category<TAB>query, got %q", name, line, sc.Text())
		}
		out = append(out, devCase{lang: parts[0], want: catalogue.CategoryID(parts[1]), query: parts[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDevSetAccuracy measures how often the expected category is the top hit's
// (top-1) or among the categories of the first three hits (top-3) over citizen
// phrasings, one log line per language and set ("accuracy <set> <lang>: ...", for
// grep). devset.tsv and holdout.tsv hold the Italian and English phrasings; each
// must reach 90% top-3 (holdout.tsv was written apart from the thesaurus and is never
// tuned on). devset_<lang>.tsv and holdout_<lang>.tsv hold the other languages'; a
// dev set must reach 75% top-3, a holdout is only reported.
func TestDevSetAccuracy(t *testing.T) {
	x := testIndex(t)
	for _, set := range []struct {
		file string
		min  int
	}{{"testdata/devset.tsv", 150}, {"testdata/holdout.tsv", 100}} {
		t.Run(set.file, func(t *testing.T) {
			cases := readDevSet(t, set.file)
			if len(cases) < set.min {
				t.Fatalf("%s has %d phrasings, want at least %d", set.file, len(cases), set.min)
			}
			checkAccuracy(t, x, set.file, cases, 0.90)
		})
	}
	for _, pattern := range []string{"testdata/devset_*.tsv", "testdata/holdout_*.tsv"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			t.Run(file, func(t *testing.T) {
				base := strings.TrimSuffix(filepath.Base(file), ".tsv")
				lang := base[strings.IndexByte(base, '_')+1:]
				if _, ok := x.langs[lang]; !ok {
					t.Fatalf("%s: %q is not a language of the registry (%s)", file, lang, strings.Join(sortedCodes(x.langs), ", "))
				}
				cases := readDevSet(t, file)
				for _, c := range cases {
					if c.lang != lang {
						t.Fatalf("%s: a phrasing in %q: the file is for %q", file, c.lang, lang)
					}
				}
				floor := 0.75
				if strings.HasPrefix(base, "holdout") {
					floor = 0
				}
				checkAccuracy(t, x, file, cases, floor)
			})
		}
	}
}

// checkAccuracy logs the accuracy of each language of cases and fails when the whole
// set's top-3 accuracy is below minTop3.
func checkAccuracy(t *testing.T, x *Index, set string, cases []devCase, minTop3 float64) {
	t.Helper()
	type score struct{ n, top1, top3 int }
	byLang := map[string]*score{}
	var all score
	for _, c := range cases {
		res := mustSearch(t, x, catalogue.SearchRequest{Query: c.query, Lang: c.lang, Limit: 3})
		var hitCats []catalogue.CategoryID
		in3 := false
		for _, h := range res.Hits {
			hitCats = append(hitCats, h.Service.Category)
			in3 = in3 || h.Service.Category == c.want
		}
		is1 := len(hitCats) > 0 && hitCats[0] == c.want
		if byLang[c.lang] == nil {
			byLang[c.lang] = &score{}
		}
		for _, s := range []*score{&all, byLang[c.lang]} {
			s.n++
			if is1 {
				s.top1++
			}
			if in3 {
				s.top3++
			}
		}
		if !is1 && testing.Verbose() {
			t.Logf("miss%s: [%s] %q want %s, got %v", map[bool]string{true: " (in top 3)", false: ""}[in3], c.lang, c.query, c.want, hitCats)
		}
	}
	pct := func(k, n int) float64 { return 100 * float64(k) / float64(max(n, 1)) }
	for _, lang := range i18n.Codes() {
		if s := byLang[lang]; s != nil {
			t.Logf("accuracy %s %s: %d phrasings, top-1 %.1f%%, top-3 %.1f%%", set, lang, s.n, pct(s.top1, s.n), pct(s.top3, s.n))
			delete(byLang, lang)
		}
	}
	for lang, s := range byLang { // languages only a test adds
		t.Logf("accuracy %s %s: %d phrasings, top-1 %.1f%%, top-3 %.1f%%", set, lang, s.n, pct(s.top1, s.n), pct(s.top3, s.n))
	}
	if pct(all.top3, all.n) < 100*minTop3 {
		t.Errorf("%s: top-3 accuracy %.1f%% is below %.0f%%", set, pct(all.top3, all.n), 100*minTop3)
	}
}

// spanish is the language of the fixture in testdata/fixture_es, whatever the
// registry holds.
var spanish = i18n.Language{Code: "es", Order: 3, Name: "Español", English: "Spanish", Dir: "ltr",
	Analyzer: "es", Typos: true, Decimal: ",", Group: ".", MoneyFormat: "{n} €", DateFormat: "{d}/{m}"}

var (
	fixtureOnce  sync.Once
	fixtureIndex *Index
	fixtureErr   error
)

// spanishIndex indexes the bundled catalogue with the Spanish fixture laid over it:
// testdata/fixture_es holds a translation of part of the catalogue and a thesaurus,
// so that a third language is tested before the real data is there.
func spanishIndex(t testing.TB) *Index {
	t.Helper()
	fixtureOnce.Do(func() {
		fsys := fstest.MapFS{}
		fixtureErr = fs.WalkDir(os.DirFS("../catalogue/data"), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(filepath.Join("../catalogue/data", p))
			fsys[p] = &fstest.MapFile{Data: b}
			return err
		})
		if fixtureErr != nil {
			return
		}
		for _, p := range []string{"i18n/es.yaml", "thesaurus/es.yaml"} {
			b, err := os.ReadFile(filepath.Join("testdata/fixture_es", p))
			if err != nil {
				fixtureErr = err
				return
			}
			fsys[p] = &fstest.MapFile{Data: b}
		}
		langs := []i18n.Language{spanish}
		for _, l := range i18n.All() {
			if l.Code != spanish.Code {
				langs = append(langs, l)
			}
		}
		var cat *catalogue.Catalogue
		if cat, fixtureErr = catalogue.LoadLanguages(fsys, langs); fixtureErr != nil {
			return
		}
		fixtureIndex, fixtureErr = Build(context.Background(), cat, Options{})
	})
	if fixtureErr != nil {
		t.Fatalf("index the Spanish fixture: %v", fixtureErr)
	}
	return fixtureIndex
}

func TestFixtureLanguageDevSet(t *testing.T) {
	checkAccuracy(t, spanishIndex(t), "fixture_es/devset.tsv", readDevSet(t, "testdata/fixture_es/devset.tsv"), 0.75)
}

func TestFixtureLanguageHoldout(t *testing.T) {
	checkAccuracy(t, spanishIndex(t), "fixture_es/holdout.tsv", readDevSet(t, "testdata/fixture_es/holdout.tsv"), 0)
}
