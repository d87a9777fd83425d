package search

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// A message in a third language is searched in its own words, in the Italian words
// citizens of every language use, and in English; the services it finds need not be
// translated.
func TestThirdLanguageSearch(t *testing.T) {
	x := spanishIndex(t)
	tests := []struct {
		name, query string
		want        catalogue.CategoryID
		wantService string
	}{
		{"Spanish words, translated service", "análisis de sangre en casa", catalogue.AssistenzaSanitaria, "infermieri-prelievi-domicilio"},
		{"accents left out", "analisis de sangre", catalogue.AssistenzaSanitaria, "infermieri-prelievi-domicilio"},
		{"a typo in Spanish", "peluqueria a domicillo", catalogue.EsteticoSocioSanitario, ""},
		{"an Italian word", "necesito una badante", catalogue.SocioAssistenziale, ""},
		{"an Italian word, untranslated services", "doposcuola para mi hijo", catalogue.Educativo, ""},
		{"an English word", "un handyman para la casa", catalogue.PiccolaManutenzione, ""},
		{"the Spanish thesaurus", "mi madre no puede cocinar", catalogue.PastiDomicilio, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustSearch(t, x, catalogue.SearchRequest{Query: tt.query, Lang: "es", Limit: 3})
			if len(res.Hits) == 0 {
				t.Fatalf("%q found nothing", tt.query)
			}
			if got := res.Hits[0].Service; got.Category != tt.want || (tt.wantService != "" && got.ID != tt.wantService) {
				t.Errorf("%q: first hit %s (%s), want %s %s", tt.query, got.ID, got.Category, tt.want, tt.wantService)
			}
		})
	}
}

// The same Italian message finds the same services whatever language the citizen
// speaks: Italian words weigh less in a Spanish message, but still select.
func TestItalianWordsInAnyLanguage(t *testing.T) {
	x := spanishIndex(t)
	it := mustSearch(t, x, catalogue.SearchRequest{Query: "ISEE", Lang: "it", Limit: 3})
	es := mustSearch(t, x, catalogue.SearchRequest{Query: "ISEE", Lang: "es", Limit: 3})
	if len(es.Hits) == 0 || len(it.Hits) == 0 || es.Hits[0].Service.ID != it.Hits[0].Service.ID {
		t.Errorf("ISEE in Spanish found %v, in Italian %v", hitIDs(es), hitIDs(it))
	}
}

func TestSpacesInAThirdLanguage(t *testing.T) {
	x := spanishIndex(t)
	hits, err := x.SearchSpacesIn(context.Background(), "es", "ventanilla de niñeras", nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Space.ID != "wemi-san-gottardo" {
		t.Errorf("hits = %v, want wemi-san-gottardo first", hits)
	}
}

func TestUnknownLanguageIsABadRequest(t *testing.T) {
	x := spanishIndex(t)
	_, err := x.Search(context.Background(), catalogue.SearchRequest{Query: "x", Lang: "tlh"})
	if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "es") {
		t.Errorf("error = %v, want ErrBadRequest listing the languages", err)
	}
}

func TestUnknownAnalyzerFailsTheBuild(t *testing.T) {
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	klingon := *cat
	klingon.Languages = append(append([]i18n.Language(nil), cat.Languages...), i18n.Language{Code: "tlh", Analyzer: "klingon"})
	x, err := Build(context.Background(), &klingon, Options{})
	if err == nil {
		x.Close()
		t.Fatal("an index with an unknown analyzer was built")
	}
	if !strings.Contains(err.Error(), `language tlh: unknown analyzer "klingon"`) {
		t.Errorf("error = %v", err)
	}
}

func hitIDs(res *catalogue.SearchResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Service.ID)
	}
	return out
}

// Every analyzer the registry may name builds, and a message in each language finds
// the Italian words it holds, before any translation is there.
func TestEveryLanguageBeforeItsTranslations(t *testing.T) {
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	all := *cat
	all.Languages = append([]i18n.Language(nil), cat.Languages...)
	for code, analyzer := range map[string]string{"es": "es", "fr": "fr", "ro": "ro", "uk": "uk", "ru": "ru", "ar": "ar", "zh": "cjk"} {
		if _, ok := i18n.Get(code); !ok {
			all.Languages = append(all.Languages, i18n.Language{Code: code, Analyzer: analyzer, Typos: code != "zh"})
		}
	}
	x, err := Build(context.Background(), &all, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for lang, query := range map[string]string{
		"es": "necesito una badante", "fr": "je cherche une badante", "ro": "caut o badante",
		"uk": "шукаю badante для мами", "ru": "ищу badante для мамы", "ar": "أبحث عن badante", "zh": "我想找 badante",
	} {
		res := mustSearch(t, x, catalogue.SearchRequest{Query: query, Lang: lang, Limit: 3})
		if len(res.Hits) == 0 || res.Hits[0].Service.Category != catalogue.SocioAssistenziale {
			t.Errorf("[%s] %q: hits %v, want socio-assistenziale first", lang, query, hitIDs(res))
		}
	}
}
