package search

import (
	"sort"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// The catalogue's own two languages, whose texts every service has.
const (
	langIT = catalogue.LangItalian
	langEN = catalogue.LangEnglish
)

// nameField and textField name a language's fields: the service's name, and its
// description (Italian) or summary (the other languages).
func nameField(lang string) string { return "name_" + lang }
func textField(lang string) string { return "text_" + lang }

// analyzerFor returns the analyzer of a language of the index.
func (x *Index) analyzerFor(lang string) string { return analyzerOf(x.langs[lang].Analyzer) }

// catalogueLanguages are the languages an index analyses: the catalogue's, or the
// registry's for a catalogue built by hand; Italian and English always.
func catalogueLanguages(cat *catalogue.Catalogue) []i18n.Language {
	langs := cat.Languages
	if len(langs) == 0 {
		langs = i18n.All()
	}
	out := []i18n.Language{{Code: langIT, Analyzer: "it", Typos: true}, {Code: langEN, Analyzer: "en", Typos: true}}
	for _, l := range langs {
		switch l.Code {
		case langIT:
			out[0] = l
		case langEN:
			out[1] = l
		default:
			out = append(out, l)
		}
	}
	return out
}

func sortedCodes(langs map[string]i18n.Language) []string {
	out := make([]string, 0, len(langs))
	for code := range langs {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}
