// Package i18n is the registry of the languages the bot speaks and what is done the
// same way in all of them: folding text for matching, plural forms, numbers, prices
// and dates. Each language is a data file, languages/<code>.yaml; adding one is a data
// change (see the README, "Adding a language").
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

//go:embed languages/*.yaml
var files embed.FS

// Language is one language the bot speaks.
type Language struct {
	Code        string `yaml:"code"`     // ISO 639-1
	Order       int    `yaml:"order"`    // position in lists; the lowest is the default
	Name        string `yaml:"name"`     // its own name: "Español"
	English     string `yaml:"english"`  // its English name, for logs and operators
	Dir         string `yaml:"dir"`      // "ltr" or "rtl"
	Analyzer    string `yaml:"analyzer"` // the search's analysis chain
	Typos       bool   `yaml:"typos"`    // whether one-letter typos are corrected
	Decimal     string `yaml:"decimal"`  // decimal separator
	Group       string `yaml:"group"`    // thousands separator
	MoneyFormat string `yaml:"money"`    // a price, {n} the amount
	DateFormat  string `yaml:"date"`     // a day's date, {d} and {m}
	// FullDateFormat is a date with its year, {d}, {m} and {y}; without it, the
	// day's date and the year after the date's own separator.
	FullDateFormat string   `yaml:"full_date"`
	Hints          []string `yaml:"hints"` // platform language codes that suggest it
	// FalseFriends are words of the language that are Italian or English words with
	// another meaning (Romanian "tata", dad; Italian "tata", nanny): in a message in
	// the language they are never read as the Italian or English word.
	FalseFriends []string `yaml:"false_friends"`

	tag language.Tag
}

var registry = mustLoad()

func mustLoad() []Language {
	ls, err := load(files)
	if err != nil {
		panic(err) // the files are embedded: a test catches any mistake first
	}
	return ls
}

// load reads and checks every languages/*.yaml of fsys.
func load(fsys fs.FS) ([]Language, error) {
	names, err := fs.Glob(fsys, "languages/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []Language
	seen := map[string]bool{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var l Language
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := l.check(name); err != nil {
			return nil, err
		}
		if seen[l.Code] {
			return nil, fmt.Errorf("%s: language %q listed twice", name, l.Code)
		}
		seen[l.Code] = true
		l.tag = language.Make(l.Code)
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("i18n: no languages")
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out, nil
}

func (l Language) check(name string) error {
	var missing []string
	for field, v := range map[string]string{"code": l.Code, "name": l.Name, "english": l.English,
		"analyzer": l.Analyzer, "decimal": l.Decimal, "money": l.MoneyFormat, "date": l.DateFormat} {
		if v == "" {
			missing = append(missing, field)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("%s: missing %s", name, strings.Join(missing, ", "))
	}
	if want := strings.TrimSuffix(name[strings.LastIndexByte(name, '/')+1:], ".yaml"); l.Code != want {
		return fmt.Errorf("%s: code %q does not match the file name", name, l.Code)
	}
	if l.Dir != "ltr" && l.Dir != "rtl" {
		return fmt.Errorf("%s: dir must be ltr or rtl, not %q", name, l.Dir)
	}
	if !strings.Contains(l.MoneyFormat, "{n}") || !strings.Contains(l.DateFormat, "{d}") || !strings.Contains(l.DateFormat, "{m}") {
		return fmt.Errorf("%s: money needs {n}, date {d} and {m}", name)
	}
	return nil
}

// All returns every language, the default first.
func All() []Language { return registry }

// Codes returns every language's code, the default first.
func Codes() []string {
	out := make([]string, len(registry))
	for i, l := range registry {
		out[i] = l.Code
	}
	return out
}

// Default is the language of a citizen who has not chosen another.
func Default() string { return registry[0].Code }

// Get returns a language by its code.
func Get(code string) (Language, bool) {
	for _, l := range registry {
		if l.Code == code {
			return l, true
		}
	}
	return Language{}, false
}

// Of returns a language by its code, or the default one.
func Of(code string) Language {
	if l, ok := Get(code); ok {
		return l
	}
	return registry[0]
}

// FromHint maps a platform's language code ("es-PE", "zh-Hans-CN", "uk") to a language
// the bot speaks, or "" when none matches.
func FromHint(code string) string {
	code = strings.ToLower(strings.ReplaceAll(code, "_", "-"))
	base, _, _ := strings.Cut(code, "-")
	for _, l := range registry {
		for _, h := range l.Hints {
			if h == code || h == base {
				return l.Code
			}
		}
	}
	return ""
}

// RTL reports whether the language is written right to left.
func (l Language) RTL() bool { return l.Dir == "rtl" }

// Plural forms, as CLDR names them. A translation key "x" holds the "other" form;
// "x_one", "x_few"... hold the others.
const (
	Zero  = "zero"
	One   = "one"
	Two   = "two"
	Few   = "few"
	Many  = "many"
	Other = "other"
)

var formNames = map[plural.Form]string{plural.Zero: Zero, plural.One: One, plural.Two: Two,
	plural.Few: Few, plural.Many: Many, plural.Other: Other}

// PluralForm returns the CLDR plural form of the whole number n in the language.
func (l Language) PluralForm(n int) string {
	if n < 0 {
		n = -n
	}
	return formNames[plural.Cardinal.MatchPlural(l.tag, n, 0, 0, 0, 0)]
}

// PluralForms returns the forms other than "other" that whole numbers take in the
// language, in CLDR order: what its translations must provide for a counted text.
func (l Language) PluralForms() []string {
	seen := map[string]bool{}
	for n := 0; n <= 1000; n++ {
		seen[l.PluralForm(n)] = true
	}
	var out []string
	for _, f := range []string{Zero, One, Two, Few, Many} {
		if seen[f] {
			out = append(out, f)
		}
	}
	return out
}

// Number writes a whole number with the language's thousands separator.
func (l Language) Number(n int) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.Itoa(n)
	if n >= 10000 || (n >= 1000 && l.Group != " " && l.Group != "\u00a0" && l.Group != "\u202f") {
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteString(l.Group)
			}
			b.WriteRune(c)
		}
		s = b.String()
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Money writes an amount in euro cents as a price: "14,50 €", "€14.50", "1.200 €".
func (l Language) Money(cents int) string {
	whole, frac := cents/100, cents%100
	if frac < 0 {
		frac = -frac
	}
	n := l.Number(whole)
	if frac != 0 {
		n += l.Decimal + fmt.Sprintf("%02d", frac)
	}
	return strings.Replace(l.MoneyFormat, "{n}", n, 1)
}

// DayMonth writes a day's date without the year: "28/11", "11月28日".
func (l Language) DayMonth(day, month int) string {
	return fillDate(l.DateFormat, day, month, 0)
}

// FullDate writes a date with its year: "28/11/2026", "28.11.2026", "2026年11月28日".
func (l Language) FullDate(day, month, year int) string {
	f := l.FullDateFormat
	if f == "" {
		sep := "/"
		if strings.Contains(l.DateFormat, ".") {
			sep = "."
		}
		f = l.DateFormat + sep + "{y}"
	}
	return fillDate(f, day, month, year)
}

// fillDate writes a date in a format of the registry: {d} and {m} two digits, {y}
// the year. It builds no replacer: dates are written on most turns.
func fillDate(format string, day, month, year int) string {
	b := make([]byte, 0, len(format)+4)
	for i := 0; i < len(format); i++ {
		switch {
		case strings.HasPrefix(format[i:], "{d}"):
			b = appendTwoDigits(b, day)
		case strings.HasPrefix(format[i:], "{m}"):
			b = appendTwoDigits(b, month)
		case strings.HasPrefix(format[i:], "{y}"):
			b = strconv.AppendInt(b, int64(year), 10)
		default:
			b = append(b, format[i])
			continue
		}
		i += 2
	}
	return string(b)
}

// appendTwoDigits appends n with at least two digits, as %02d does.
func appendTwoDigits(b []byte, n int) []byte {
	if n >= 0 && n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(n), 10)
}
