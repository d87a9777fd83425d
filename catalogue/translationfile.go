package catalogue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/comune-milano/wemibot/i18n"
)

// The folders of the optional per-language files.
const (
	dirTranslations = "i18n"
	dirThesaurus    = "thesaurus"
)

// The records of a translation file, data/i18n/<code>.yaml: maps from ids to texts.
type categoryTextRecord struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Keywords    []string `yaml:"keywords"`
}

type serviceTextRecord struct {
	Name    string `yaml:"name"`
	Summary string `yaml:"summary"`
}

type spaceTextRecord struct {
	Activities []string `yaml:"activities"`
}

type activityTextRecord struct {
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
}

// keyed is a record of a file that maps ids to records.
type keyed[T any] struct {
	id string
	record[T]
}

// translationFile is one decoded data/i18n/<code>.yaml.
type translationFile struct {
	lang       i18n.Language
	file       string
	categories []keyed[categoryTextRecord]
	services   []keyed[serviceTextRecord]
	spaces     []keyed[spaceTextRecord]
	activities []keyed[activityTextRecord]
}

// translatedLanguages are the languages that take a translation file: all but the
// catalogue's own two.
func translatedLanguages(langs []i18n.Language) []i18n.Language {
	var out []i18n.Language
	for _, l := range langs {
		if l.Code != LangItalian && l.Code != LangEnglish {
			out = append(out, l)
		}
	}
	return out
}

// readTranslations reads data/i18n/: one optional file per language of langs other
// than Italian and English. Files of other languages, and other files, are problems.
func (l *loader) readTranslations(fsys fs.FS) {
	entries, err := fs.ReadDir(fsys, dirTranslations)
	if err != nil && !isNotExist(err) {
		l.ps.add(Problem{File: dirTranslations + "/", Msg: "cannot read the translations folder: " + plainFSError(err)})
	}
	byCode := map[string]i18n.Language{}
	var codes []string
	for _, lang := range translatedLanguages(l.langs) {
		byCode[lang.Code] = lang
		codes = append(codes, lang.Code)
	}
	for _, e := range entries {
		name := dirTranslations + "/" + e.Name()
		ext := path.Ext(e.Name())
		lang, ok := byCode[strings.TrimSuffix(e.Name(), ext)]
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case e.IsDir() || (ext != ".yaml" && ext != ".yml"):
			l.ps.add(Problem{File: name, Msg: "not a translation file: i18n/ holds one <language>.yaml per language"})
		case !ok:
			l.ps.add(Problem{File: name, Msg: fmt.Sprintf("not a language to translate into (the languages are %s; Italian and English live in the catalogue files)",
				strings.Join(codes, ", "))})
		default:
			if data, ok := l.read(fsys, name); ok {
				if tf, ok := decodeTranslationFile(name, data, l.ps); ok {
					tf.lang = lang
					l.translations = append(l.translations, tf)
				}
			}
		}
	}
}

// readThesauri reads the needs of data/thesaurus/*.yaml, in file name order.
func (l *loader) readThesauri(fsys fs.FS) {
	entries, err := fs.ReadDir(fsys, dirThesaurus)
	if err != nil {
		if !isNotExist(err) {
			l.ps.add(Problem{File: dirThesaurus + "/", Msg: "cannot read the thesaurus folder: " + plainFSError(err)})
		}
		return
	}
	for _, e := range entries {
		name := dirThesaurus + "/" + e.Name()
		switch ext := path.Ext(e.Name()); {
		case strings.HasPrefix(e.Name(), "."):
		case e.IsDir() || (ext != ".yaml" && ext != ".yml"):
			l.ps.add(Problem{File: name, Msg: "not a thesaurus file: thesaurus/ holds one <language>.yaml per language"})
		default:
			if data, ok := l.read(fsys, name); ok {
				l.needs = append(l.needs, decodeFile[needRecord](name, data, "needs", "need", l.ps)...)
			}
		}
	}
}

// decodeTranslationFile parses a translation file: a mapping with the optional keys
// categories, services and spaces, each a mapping from ids to texts.
func decodeTranslationFile(name string, data []byte, ps *problems) (*translationFile, bool) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		ps.add(Problem{File: name, Line: yamlErrorLine(err), Msg: "not valid YAML: " + cleanYAMLError(err)})
		return nil, false
	}
	tf := &translationFile{file: name}
	if len(doc.Content) == 0 {
		return tf, true // an empty file translates nothing: every record falls back
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		ps.add(Problem{File: name, Line: top.Line, Msg: "expected categories, services and spaces at the top of the file"})
		return nil, false
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "categories":
			tf.categories = decodeKeyed[categoryTextRecord](name, v, k.Value, "category", ps)
		case "services":
			tf.services = decodeKeyed[serviceTextRecord](name, v, k.Value, "service", ps)
		case "spaces":
			tf.spaces = decodeKeyed[spaceTextRecord](name, v, k.Value, "space", ps)
		case "activities":
			tf.activities = decodeKeyed[activityTextRecord](name, v, k.Value, "activity", ps)
		default:
			ps.add(Problem{File: name, Line: k.Line, Msg: fmt.Sprintf("unknown top-level key %q (expected categories, services, spaces or activities)", k.Value)})
		}
	}
	return tf, true
}

// decodeKeyed decodes a mapping from ids to records of type T.
func decodeKeyed[T any](name string, n *yaml.Node, key, kind string, ps *problems) []keyed[T] {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		ps.add(Problem{File: name, Line: n.Line, Msg: fmt.Sprintf("%s must map ids to texts (id: {name: ...})", key)})
		return nil
	}
	typ := reflect.TypeOf((*T)(nil)).Elem()
	var out []keyed[T]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, item := n.Content[i], n.Content[i+1]
		v, ok := decodeRecord[T](ps, name, fmt.Sprintf("%s %q", kind, k.Value), item, typ)
		if !ok {
			continue
		}
		out = append(out, keyed[T]{id: k.Value, record: record[T]{file: name, index: i / 2, node: item, val: v}})
	}
	return out
}

// buildTranslations checks the translation files against the catalogue and attaches
// their texts. An unknown id is an error; a missing translation is a warning: the
// record is shown in English.
func (l *loader) buildTranslations(c *Catalogue) {
	files := map[string]*translationFile{}
	for _, tf := range l.translations {
		files[tf.lang.Code] = tf
		l.attachTranslations(c, tf)
	}
	for _, lang := range translatedLanguages(l.langs) {
		tf := files[lang.Code]
		if tf == nil {
			l.ps.warn(Problem{File: dirTranslations + "/" + lang.Code + ".yaml",
				Msg: fmt.Sprintf("no %s translations: services and categories are shown in English", lang.English)})
			continue
		}
		for _, cat := range c.Categories {
			if cat.Texts[lang.Code].Name == "" {
				l.ps.warn(Problem{File: tf.file, Record: fmt.Sprintf("category %q", cat.ID),
					Msg: fmt.Sprintf("no %s name: shown in English", lang.English)})
			}
		}
		warnActivityTexts(l.ps, c, tf, lang)
		for _, s := range c.Services {
			t := s.Texts[lang.Code]
			switch {
			case t.Name == "" && t.Summary == "":
				l.ps.warn(Problem{File: tf.file, Record: fmt.Sprintf("service %q", s.ID),
					Msg: fmt.Sprintf("no %s translation: shown in English", lang.English)})
			case t.Name == "":
				l.ps.warn(Problem{File: tf.file, Record: fmt.Sprintf("service %q", s.ID), Field: "name",
					Msg: fmt.Sprintf("no %s name: shown in English", lang.English)})
			case t.Summary == "":
				l.ps.warn(Problem{File: tf.file, Record: fmt.Sprintf("service %q", s.ID), Field: "summary",
					Msg: fmt.Sprintf("no %s summary: shown in English", lang.English)})
			}
		}
	}
}

func (l *loader) attachTranslations(c *Catalogue, tf *translationFile) {
	code := tf.lang.Code
	for _, r := range tf.categories {
		ck := checker{ps: l.ps, file: r.file, label: fmt.Sprintf("category %q", r.id), line: r.line}
		i, ok := c.categoryIdx[CategoryID(r.id)]
		if !ok {
			ck.stale("unknown category %q (expected one of %s): its translation is ignored", r.id, joinCategoryIDs())
			continue
		}
		cat := &c.Categories[i]
		if cat.Texts == nil {
			cat.Texts = map[string]CategoryText{}
		}
		cat.Texts[code] = CategoryText{Name: strings.TrimSpace(r.val.Name),
			Description: strings.TrimSpace(r.val.Description), Keywords: r.val.Keywords}
	}
	for _, r := range tf.services {
		ck := checker{ps: l.ps, file: r.file, label: fmt.Sprintf("service %q", r.id), line: r.line}
		s, ok := c.serviceByID[r.id]
		if !ok {
			ck.stale("unknown service %q (not in services/): its translation is ignored", r.id)
			continue
		}
		summary := strings.TrimSpace(r.val.Summary)
		ck.summaryLength("summary", summary)
		if s.Texts == nil {
			s.Texts = map[string]ServiceText{}
		}
		s.Texts[code] = ServiceText{Name: strings.TrimSpace(r.val.Name), Summary: summary}
	}
	for _, r := range tf.spaces {
		ck := checker{ps: l.ps, file: r.file, label: fmt.Sprintf("space %q", r.id), line: r.line}
		sp, ok := c.spaceByID[r.id]
		if !ok {
			ck.stale("unknown space %q (not in %s): its translation is ignored", r.id, fileSpaces)
			continue
		}
		if len(r.val.Activities) != len(sp.Activities) {
			ck.bad("activities", "has %d entries but the space has %d activities", len(r.val.Activities), len(sp.Activities))
			continue
		}
		if sp.Texts == nil {
			sp.Texts = map[string]SpaceText{}
		}
		sp.Texts[code] = SpaceText{Activities: r.val.Activities}
	}
	attachActivityTexts(l.ps, c, tf)
}

// stale warns of the translation of something the catalogue no longer has (a
// service withdrawn): it is ignored, and does not stop a reload.
func (c checker) stale(format string, args ...any) {
	c.ps.warn(Problem{File: c.file, Line: c.line(""), Record: c.label, Msg: fmt.Sprintf(format, args...)})
}

// summaryLength warns of a summary too long for a chat card.
func (c checker) summaryLength(field, summary string) {
	if n := utf8.RuneCountInString(summary); n > MaxSummaryRunes {
		c.ps.warn(Problem{File: c.file, Line: c.line(field), Record: c.label, Field: field,
			Msg: fmt.Sprintf("%d characters: a summary should fit in %d", n, MaxSummaryRunes)})
	}
}

// languageCodes lists the codes of langs, for messages.
func languageCodes(langs []i18n.Language) string {
	codes := make([]string, len(langs))
	for i, l := range langs {
		codes[i] = l.Code
	}
	sort.Strings(codes)
	return strings.Join(codes, ", ")
}
