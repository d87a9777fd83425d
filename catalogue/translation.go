package catalogue

// Catalogue texts in the languages of the registry (package i18n) other than Italian
// and English. Italian is the catalogue's own language and English is required of
// every record; the other languages are optional translations, in
// data/i18n/<code>.yaml. A text missing in a language falls back to English, then to
// Italian, and the accessors say which language they returned, so that a reply can
// say "(in English)".

// The catalogue's two own languages.
const (
	LangItalian = "it"
	LangEnglish = "en"
)

// MaxSummaryRunes is the longest summary that fits a chat card; a longer one is a
// warning.
const MaxSummaryRunes = 300

// ServiceText is a service's name and summary in one language.
type ServiceText struct {
	Name    string
	Summary string
}

// CategoryText is a category's name, description and keywords in one language.
type CategoryText struct {
	Name        string
	Description string
	Keywords    []string
}

// SpaceText is what a WeMi space offers, in one language: its activities, in the
// order of Space.Activities.
type SpaceText struct {
	Activities []string
}

// NameIn returns the service's name in lang, falling back to English and then to
// Italian, and the language of the name returned.
func (s *Service) NameIn(lang string) (text, got string) {
	return pick(lang, s.Name, s.NameEN, s.Texts[lang].Name)
}

// SummaryIn returns the service's summary in lang, falling back to English and then
// to the Italian description, and the language of the text returned.
func (s *Service) SummaryIn(lang string) (text, got string) {
	return pick(lang, s.Description, s.SummaryEN, s.Texts[lang].Summary)
}

// NameIn returns the category's name in lang, falling back to English and then to
// Italian, and the language of the name returned.
func (c Category) NameIn(lang string) (text, got string) {
	return pick(lang, c.Name, c.NameEN, c.Texts[lang].Name)
}

// DescriptionIn returns the category's description in lang, falling back to English
// and then to Italian, and the language of the text returned.
func (c Category) DescriptionIn(lang string) (text, got string) {
	return pick(lang, c.Description, c.DescriptionEN, c.Texts[lang].Description)
}

// KeywordsIn returns the category's keywords in lang, falling back to English and
// then to Italian, and the language of the keywords returned.
func (c Category) KeywordsIn(lang string) (words []string, got string) {
	switch {
	case lang == LangItalian:
	case lang != LangEnglish && len(c.Texts[lang].Keywords) > 0:
		return c.Texts[lang].Keywords, lang
	case len(c.KeywordsEN) > 0:
		return c.KeywordsEN, LangEnglish
	}
	return c.Keywords, LangItalian
}

// ActivitiesIn returns what the space offers in lang, falling back to English and
// then to Italian, and the language of the list returned.
func (s *Space) ActivitiesIn(lang string) (activities []string, got string) {
	switch {
	case lang == LangItalian:
	case lang != LangEnglish && len(s.Texts[lang].Activities) == len(s.Activities) && len(s.Activities) > 0:
		return s.Texts[lang].Activities, lang
	case len(s.ActivitiesEN) == len(s.Activities) && len(s.Activities) > 0:
		return s.ActivitiesEN, LangEnglish
	}
	return s.Activities, LangItalian
}

// pick chooses a text by the fallback chain lang -> English -> Italian; translated
// is the text in lang when lang is neither Italian nor English.
func pick(lang, italian, english, translated string) (string, string) {
	switch {
	case lang == LangItalian:
	case lang != LangEnglish && translated != "":
		return translated, lang
	case english != "":
		return english, LangEnglish
	}
	return italian, LangItalian
}
