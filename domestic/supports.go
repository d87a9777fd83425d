package domestic

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed data/supports.yaml
var supportsYAML []byte

// supportTranslations holds the supports' texts in other languages:
// data/supports_<lang>.yaml.
//
//go:embed data/*.yaml
var supportTranslations embed.FS

// Support is a measure a family may be able to get (municipal, regional or national)
// to bear the cost of a domestic worker. It is described, never promised: the texts
// say who can get it, what it gives, on which conditions and how to apply, in Italian
// (IT, the reference) and in English (EN, its translation), with a source and the year
// the conditions refer to.
type Support struct {
	ID string      // lowercase letters, digits and dashes
	IT SupportText // the reference text
	EN SupportText // its English translation
	// Other are its translations into other languages, by code; a language without
	// one reads English.
	Other  map[string]SupportText
	Source string // a URL
	Year   int    // the year the conditions refer to
	Roles  []Role // the roles it concerns
}

// SupportText is what a citizen reads of a support, in one language.
type SupportText struct {
	Name       string
	Who        string // who can get it
	What       string // what it gives
	Conditions string // ISEE and other conditions
	HowTo      string // how to apply
}

// In is the support's text in lang: Italian for "it" (and no language), English for
// "en", a translation for the others, else English.
func (s Support) In(lang string) SupportText {
	switch lang {
	case "it", "":
		return s.IT
	case "en":
		return s.EN
	}
	if t, ok := s.Other[lang]; ok {
		return t
	}
	return s.EN
}

// LoadSupports loads the supports bundled with the program
// (domestic/data/supports.yaml) and their translations (supports_<lang>.yaml).
func LoadSupports() ([]Support, error) {
	ss, err := ParseSupports(supportsYAML)
	if err != nil {
		return nil, err
	}
	names, _ := fs.Glob(supportTranslations, "data/supports_*.yaml")
	for _, name := range names {
		b, err := supportTranslations.ReadFile(name)
		if err != nil {
			return nil, err
		}
		lang := strings.TrimSuffix(strings.TrimPrefix(name, "data/supports_"), ".yaml")
		if err := AddSupportTranslation(ss, lang, b); err != nil {
			return nil, err
		}
	}
	return ss, nil
}

// AddSupportTranslation reads the texts of supports in one language, laid out like
// data/supports_es.yaml: every support of ss, by id, with every field.
func AddSupportTranslation(ss []Support, lang string, data []byte) error {
	var f struct {
		Supports []struct {
			ID              string `yaml:"id"`
			supportTextYAML `yaml:",inline"`
		} `yaml:"supports"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("domestic: read supports in %s: %w", lang, err)
	}
	var errs []error
	seen := map[string]bool{}
	for _, r := range f.Supports {
		i := slices.IndexFunc(ss, func(s Support) bool { return s.ID == r.ID })
		if i < 0 {
			errs = append(errs, fmt.Errorf("unknown support %q", r.ID))
			continue
		}
		t := r.supportTextYAML.clean()
		if err := t.check(lang + "."); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.ID, err))
		}
		if ss[i].Other == nil {
			ss[i].Other = map[string]SupportText{}
		}
		ss[i].Other[lang] = t
		seen[r.ID] = true
	}
	for _, s := range ss {
		if !seen[s.ID] {
			errs = append(errs, fmt.Errorf("no %s translation of %q", lang, s.ID))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("domestic: supports in %s: %w", lang, err)
	}
	return nil
}

// supportTextYAML is a SupportText as laid out in data/supports.yaml.
type supportTextYAML struct {
	Name       string `yaml:"name"`
	Who        string `yaml:"who"`
	What       string `yaml:"what"`
	Conditions string `yaml:"conditions"`
	HowTo      string `yaml:"how_to"`
}

func (r supportTextYAML) clean() SupportText {
	return SupportText{Name: clean(r.Name), Who: clean(r.Who), What: clean(r.What),
		Conditions: clean(r.Conditions), HowTo: clean(r.HowTo)}
}

// ParseSupports reads and checks supports laid out like data/supports.yaml (the
// Italian texts beside the other fields, the English ones under en), reporting every
// problem at once.
func ParseSupports(data []byte) ([]Support, error) {
	var f struct {
		Supports []struct {
			ID              string `yaml:"id"`
			supportTextYAML `yaml:",inline"`
			EN              supportTextYAML `yaml:"en"`
			Source          string          `yaml:"source"`
			Year            int             `yaml:"year"`
			Roles           []Role          `yaml:"roles"`
		} `yaml:"supports"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("domestic: read supports: %w", err)
	}
	var out []Support
	var errs []error
	for i, r := range f.Supports {
		s := Support{ID: r.ID, IT: r.supportTextYAML.clean(), EN: r.EN.clean(),
			Source: strings.TrimSpace(r.Source), Year: r.Year, Roles: r.Roles}
		if err := s.check(); err != nil {
			errs = append(errs, fmt.Errorf("support %d (%s): %w", i+1, s.ID, err))
		}
		if slices.ContainsFunc(out, func(o Support) bool { return o.ID == s.ID }) {
			errs = append(errs, fmt.Errorf("support %d: id %q repeated", i+1, s.ID))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		errs = append(errs, errors.New("no supports"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("domestic: supports: %w", err)
	}
	return out, nil
}

// supportID is the shape of a support's id.
var supportID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func (s Support) check() error {
	var errs []error
	if !supportID.MatchString(s.ID) || len(s.ID) > 48 {
		errs = append(errs, errors.New("the id must be lowercase letters, digits and dashes, at most 48"))
	}
	errs = append(errs, s.IT.check(""))
	if s.EN == (SupportText{}) {
		errs = append(errs, errors.New("en: no English translation"))
	} else {
		errs = append(errs, s.EN.check("en."))
	}
	if !strings.HasPrefix(s.Source, "https://") && !strings.HasPrefix(s.Source, "http://") {
		errs = append(errs, errors.New("source: not a URL"))
	}
	if s.Year < 2020 || s.Year > 2100 {
		errs = append(errs, fmt.Errorf("year %d is not plausible", s.Year))
	}
	if len(s.Roles) == 0 {
		errs = append(errs, errors.New("no roles"))
	}
	for _, r := range s.Roles {
		if !r.Valid() {
			errs = append(errs, fmt.Errorf("unknown role %q", r))
		}
	}
	return errors.Join(errs...)
}

// check reports the missing or too long fields of a text, naming them after prefix.
func (t SupportText) check(prefix string) error {
	var errs []error
	for _, f := range [][2]string{{"name", t.Name}, {"who", t.Who}, {"what", t.What},
		{"conditions", t.Conditions}, {"how_to", t.HowTo}} {
		if f[1] == "" {
			errs = append(errs, fmt.Errorf("%s%s: missing", prefix, f[0]))
		} else if len(f[1]) > 1000 {
			errs = append(errs, fmt.Errorf("%s%s: longer than 1000 bytes", prefix, f[0]))
		}
	}
	return errors.Join(errs...)
}

// clean joins the lines of a folded text and trims it.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
