package catalogue

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/comune-milano/wemibot/i18n"
)

// spanish is a language the tests translate into, whatever the registry holds.
var spanish = i18n.Language{Code: "es", Order: 3, Name: "Español", English: "Spanish", Dir: "ltr",
	Analyzer: "es", Typos: true, Decimal: ",", Group: ".", MoneyFormat: "{n} €", DateFormat: "{d}/{m}"}

// withSpanish is the registry's languages plus Spanish, once.
func withSpanish() []i18n.Language {
	var out []i18n.Language
	for _, l := range i18n.All() {
		if l.Code != spanish.Code {
			out = append(out, l)
		}
	}
	return append(out, spanish)
}

const spanishTranslations = `
categories:
  accompagnamento-trasporto:
    name: Acompañamiento y transporte
    description: Alguien que le lleve al médico.
    keywords: [acompañamiento, transporte, hospital]
services:
  sentieri-accompagnamento-visite-mediche:
    name: Acompañamiento a visitas médicas
    summary: Un operador recoge a la persona en casa y la acompaña al hospital.
  sentieri-trasporto-carrozzina:
    name: Transporte en silla de ruedas
spaces:
  wemi-san-gottardo:
    activities: [Información, Ventanilla de cuidadoras, Encuentro, Contrato, Bonos]
`

func TestTranslationsFallBackToEnglishThenItalian(t *testing.T) {
	fsys := bundledFS(t)
	fsys["i18n/es.yaml"] = &fstest.MapFile{Data: []byte(spanishTranslations)}
	c, err := LoadLanguages(fsys, withSpanish())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	visit, _ := c.Service("sentieri-accompagnamento-visite-mediche")
	wheelchair, _ := c.Service("sentieri-trasporto-carrozzina")
	cat, _ := c.Category(AccompagnamentoTrasporto)
	other, _ := c.Category(CuraAnimali)
	space, _ := c.Space("wemi-san-gottardo")
	tests := []struct {
		name, got, lang, wantLang, want string
	}{
		{"translated name", first(visit.NameIn("es")), second(visit.NameIn("es")), "es", "Acompañamiento a visitas médicas"},
		{"translated summary", first(visit.SummaryIn("es")), second(visit.SummaryIn("es")), "es", "Un operador"},
		{"summary missing: English", first(wheelchair.SummaryIn("es")), second(wheelchair.SummaryIn("es")), "en", wheelchair.SummaryEN},
		{"Italian asked", first(visit.NameIn("it")), second(visit.NameIn("it")), "it", visit.Name},
		{"English asked", first(visit.NameIn("en")), second(visit.NameIn("en")), "en", visit.NameEN},
		{"language without texts: English", first(visit.NameIn("de")), second(visit.NameIn("de")), "en", visit.NameEN},
		{"category name", first(cat.NameIn("es")), second(cat.NameIn("es")), "es", "Acompañamiento y transporte"},
		{"category untranslated", first(other.NameIn("es")), second(other.NameIn("es")), "en", other.NameEN},
		{"category description", first(cat.DescriptionIn("es")), second(cat.DescriptionIn("es")), "es", "Alguien"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.lang != tt.wantLang || !strings.HasPrefix(tt.got, tt.want) {
				t.Errorf("got %q in %s, want %q... in %s", tt.got, tt.lang, tt.want, tt.wantLang)
			}
		})
	}
	if acts, lang := space.ActivitiesIn("es"); lang != "es" || acts[1] != "Ventanilla de cuidadoras" {
		t.Errorf("space activities in es = %v (%s)", acts, lang)
	}
	if kw, lang := cat.KeywordsIn("es"); lang != "es" || len(kw) != 3 {
		t.Errorf("category keywords in es = %v (%s)", kw, lang)
	}
	// Without an English text, Italian.
	bare := &Service{Name: "Pasti a domicilio"}
	if text, lang := bare.NameIn("es"); lang != "it" || text != bare.Name {
		t.Errorf("no English name: got %q in %s, want the Italian", text, lang)
	}

	// Every service and category without a Spanish text is flagged, not refused.
	flagged := map[string]bool{}
	for _, w := range c.Warnings {
		if !w.Warning || w.File != "i18n/es.yaml" {
			t.Errorf("unexpected warning %v", w)
		}
		flagged[w.Record+" "+w.Field] = true
	}
	for _, want := range []string{`service "sentieri-trasporto-carrozzina" summary`, `category "cura-animali" `,
		`service "volontarimoto-autisti-volontari" `} {
		if !flagged[want] {
			t.Errorf("no warning for %s; got %d warnings", want, len(c.Warnings))
		}
	}
	if flagged[`service "sentieri-accompagnamento-visite-mediche" `] {
		t.Error("a translated service was flagged")
	}
	if want := len(c.Services) - 1 + len(c.Categories) - 1 + len(c.Activities); len(c.Warnings) != want {
		t.Errorf("%d warnings, want %d (every untranslated service, category and activity once)", len(c.Warnings), want)
	}
}

func TestMissingTranslationFileIsOneWarning(t *testing.T) {
	fsys := bundledFS(t)
	delete(fsys, "i18n/es.yaml")
	c, err := LoadLanguages(fsys, withSpanish())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0].String(), "i18n/es.yaml: warning: no Spanish translations") {
		t.Errorf("warnings = %v, want one about i18n/es.yaml", c.Warnings)
	}
}

func TestTranslationProblems(t *testing.T) {
	long := strings.Repeat("parola ", 50)
	tests := []struct {
		name, file, data string
		want             string // in the error, or in a warning when warning is set
		warning          bool
	}{
		{"unknown service", "i18n/es.yaml", "services:\n  no-such-service: {name: x, summary: y}\n", `unknown service "no-such-service"`, true},
		{"unknown category", "i18n/es.yaml", "categories:\n  giardinaggio: {name: x}\n", `unknown category "giardinaggio"`, true},
		{"unknown space", "i18n/es.yaml", "spaces:\n  wemi-nowhere: {activities: [a]}\n", `unknown space "wemi-nowhere"`, true},
		{"activities count", "i18n/es.yaml", "spaces:\n  wemi-san-gottardo: {activities: [a, b]}\n", "has 2 entries but the space has 5", false},
		{"unknown field", "i18n/es.yaml", "services:\n  sentieri-trasporto-carrozzina: {title: x}\n", "field title: unknown field", false},
		{"unknown key", "i18n/es.yaml", "servizi: {}\n", `unknown top-level key "servizi"`, false},
		{"list instead of map", "i18n/es.yaml", "services:\n  - id: x\n", "services must map ids to texts", false},
		{"language not in the registry", "i18n/xx.yaml", "services: {}\n", "i18n/xx.yaml: not a language to translate into", false},
		{"Italian is not translated", "i18n/it.yaml", "services: {}\n", "i18n/it.yaml: not a language to translate into", false},
		{"thesaurus of an unknown language", "thesaurus/xx.yaml", "needs:\n  - lang: xx\n    triggers: [a]\n    expand: b\n", `field lang: "xx" is not a language of the registry`, false},
		{"long summary", "i18n/es.yaml", "services:\n  sentieri-trasporto-carrozzina: {name: x, summary: " + long + "}\n", "field summary: warning: 349 characters", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := bundledFS(t)
			fsys[tt.file] = &fstest.MapFile{Data: []byte(tt.data)}
			c, err := LoadLanguages(fsys, withSpanish())
			if tt.warning {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				var all []string
				for _, w := range c.Warnings {
					all = append(all, w.String())
				}
				if !strings.Contains(strings.Join(all, "\n"), tt.want) {
					t.Errorf("no warning %q among %d", tt.want, len(all))
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Load: %v, want a validation error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v\nwant %q", err, tt.want)
			}
		})
	}
}

func TestThesaurusPerLanguage(t *testing.T) {
	fsys := bundledFS(t)
	fsys["thesaurus/es.yaml"] = &fstest.MapFile{Data: []byte("needs:\n  - lang: es\n    category: cura-animali\n    triggers: [pasear al perro]\n    expand: dog sitter cane\n")}
	without := bundledFS(t)
	delete(without, "thesaurus/es.yaml")
	base, err := LoadLanguages(without, withSpanish())
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadLanguages(fsys, withSpanish())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	found := slices.ContainsFunc(c.Thesaurus, func(n Need) bool { return n.Lang == "es" && n.Expand == "dog sitter cane" })
	if len(c.Thesaurus) != len(base.Thesaurus)+1 || !found {
		t.Errorf("thesaurus has %d needs, want %d with the Spanish one", len(c.Thesaurus), len(base.Thesaurus)+1)
	}
}

func first(s, _ string) string  { return s }
func second(_, l string) string { return l }
