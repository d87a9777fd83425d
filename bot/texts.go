package bot

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/comune-milano/wemibot/i18n"
	"go.yaml.in/yaml/v3"
)

//go:embed texts/*/*.yaml
var textFiles embed.FS

// defaultLang is the language of a citizen who has not chosen another: the first
// of the registry (i18n/languages), checked by a test.
const defaultLang = "it"

// languages returns the languages the bot speaks, the default first.
func languages() []string { return i18n.Codes() }

// Texts holds every sentence a citizen reads, per language, loaded from the
// translation files in bot/texts/<lang>/: one file per flow (booking.yaml,
// search.yaml...) and common.yaml for what the flows share. Placeholders are
// written {name}. A counted text has its plural forms as CLDR names them: "key" is
// the "other" form, "key_one", "key_few"... the others a language uses.
type Texts struct {
	byLang map[string]map[string]string
}

var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

// LoadTexts reads the bundled translation files and checks that every language has
// the default's keys with the same placeholders, and every plural form it uses.
func LoadTexts() (*Texts, error) { return bundledTexts() }

// bundledTexts loads the translation files once: they are embedded, and Texts is
// never changed after loading, so every engine of the process shares them.
var bundledTexts = sync.OnceValues(loadTexts)

func loadTexts() (*Texts, error) {
	t := &Texts{byLang: map[string]map[string]string{}}
	for _, lang := range languages() {
		m, err := loadLanguage(lang)
		if err != nil {
			return nil, err
		}
		t.byLang[lang] = m
	}
	var problems []string
	for _, lang := range languages() {
		problems = append(problems, t.check(lang)...)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("load texts: %s", strings.Join(problems, "; "))
	}
	return t, nil
}

// pluralSuffixes are the key suffixes of plural forms other than "other".
var pluralSuffixes = []string{"_" + i18n.Zero, "_" + i18n.One, "_" + i18n.Two, "_" + i18n.Few, "_" + i18n.Many}

// pluralBase returns the key a plural form belongs to ("qty.ora" for "qty.ora_few")
// and the form, when key is one: its suffix names a form and texts has the base key.
func pluralBase(texts map[string]string, key string) (base, form string, ok bool) {
	for _, s := range pluralSuffixes {
		if b, found := strings.CutSuffix(key, s); found {
			if _, has := texts[b]; has {
				return b, s[1:], true
			}
		}
	}
	return key, "", false
}

// check compares one language's texts with the default language's.
func (t *Texts) check(lang string) []string {
	base, own := t.byLang[defaultLang], t.byLang[lang]
	l := i18n.Of(lang)
	counted := map[string]bool{} // keys with plural forms
	for k := range base {
		if b, _, ok := pluralBase(base, k); ok {
			counted[b] = true
		}
	}
	var problems []string
	for k, v := range base {
		if _, _, ok := pluralBase(base, k); ok {
			continue
		}
		ov, found := own[k]
		if !found {
			problems = append(problems, fmt.Sprintf("%s: missing key %q", lang, k))
			continue
		}
		if a, b := placeholders(v), placeholders(ov); a != b {
			problems = append(problems, fmt.Sprintf("%s: key %q has placeholders %s, %s has %s", lang, k, b, defaultLang, a))
		}
		if !counted[k] {
			continue
		}
		for _, f := range l.PluralForms() {
			fv, found := own[k+"_"+f]
			if !found {
				problems = append(problems, fmt.Sprintf("%s: missing plural form %q", lang, k+"_"+f))
				continue
			}
			// A form used for one number only may leave the number out ("1 ora").
			if a, b := placeholders(v), placeholders(fv); a != b && (len(onlyNumber(l, f)) != 1 || !subset(b, a)) {
				problems = append(problems, fmt.Sprintf("%s: key %q has placeholders %s, %q has %s", lang, k+"_"+f, b, k, a))
			}
		}
	}
	for k := range own {
		b, f, isForm := pluralBase(own, k)
		switch {
		case isForm && !counted[b]:
			problems = append(problems, fmt.Sprintf("%s: key %q is a plural form of a text that is not counted", lang, k))
		case isForm && !slices.Contains(l.PluralForms(), f):
			problems = append(problems, fmt.Sprintf("%s: key %q: %s has no plural form %q", lang, k, l.English, f))
		case !isForm:
			if _, ok := base[k]; !ok {
				problems = append(problems, fmt.Sprintf("%s: key %q is not in %s", lang, k, defaultLang))
			}
		}
	}
	return problems
}

// onlyNumber returns the numbers up to 1000 that take plural form f in l, stopping
// at two.
func onlyNumber(l i18n.Language, f string) []int {
	var ns []int
	for n := 0; n <= 1000 && len(ns) < 2; n++ {
		if l.PluralForm(n) == f {
			ns = append(ns, n)
		}
	}
	return ns
}

// subset reports whether every placeholder of the sorted list a is in b.
func subset(a, b string) bool {
	for _, p := range strings.Split(a, ",") {
		if p != "" && !slices.Contains(strings.Split(b, ","), p) {
			return false
		}
	}
	return true
}

// loadLanguage reads every translation file of one language; a key may be defined
// in one file only.
func loadLanguage(lang string) (map[string]string, error) {
	files, err := fs.Glob(textFiles, "texts/"+lang+"/*.yaml")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("load texts %s: no translation files", lang)
	}
	all, from := map[string]string{}, map[string]string{}
	for _, name := range files {
		data, err := textFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("load texts %s: %w", name, err)
		}
		m := map[string]string{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("load texts %s: %w", name, err)
		}
		for k, v := range m {
			if other, ok := from[k]; ok {
				return nil, fmt.Errorf("load texts %s: key %q is also in %s", name, k, other)
			}
			all[k], from[k] = v, name
		}
	}
	return all, nil
}

func placeholders(s string) string {
	p := placeholderRE.FindAllString(s, -1)
	sort.Strings(p)
	return strings.Join(p, ",")
}

// T returns the text for key in lang with its placeholders filled from kv pairs
// ("name", value, ...). A missing key shows as the key itself, so that a mistake is
// visible rather than silent; tests check that every key used exists.
func (t *Texts) T(lang, key string, kv ...string) string {
	m, ok := t.byLang[lang]
	if !ok {
		m = t.byLang[defaultLang]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	return Fill(strings.TrimRight(s, "\n"), kv...)
}

// Count returns the text for a count n in lang: the plural form of key that the
// language uses for n, or key itself (the "other" form).
func (t *Texts) Count(lang, key string, n int, kv ...string) string {
	if f := i18n.Of(lang).PluralForm(n); f != i18n.Other {
		if m, ok := t.byLang[lang]; ok {
			if _, ok := m[key+"_"+f]; ok {
				return t.T(lang, key+"_"+f, kv...)
			}
		}
	}
	return t.T(lang, key, kv...)
}

// Fill replaces the {placeholders} of s with values from kv pairs ("name", value,
// ...); a placeholder without a value stays as it is. Values are inserted as given:
// whoever fills in a citizen's words escapes them first.
func Fill(s string, kv ...string) string {
	if len(kv) == 0 || !strings.Contains(s, "{") {
		return s
	}
	// One pass over the text: a replacer built per call costs more than the text.
	// The text with each value once is the usual size of the result: one allocation.
	size := len(s)
	for k := 1; k < len(kv); k += 2 {
		size += len(kv[k])
	}
	var b strings.Builder
	b.Grow(size)
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		name, replaced := s[i+1:i+j], false
		for k := 0; k+1 < len(kv); k += 2 {
			if kv[k] == name {
				b.WriteString(kv[k+1])
				replaced = true
				break
			}
		}
		if !replaced {
			b.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
}

// Has reports whether key exists (in the default language).
func (t *Texts) Has(key string) bool {
	_, ok := t.byLang[defaultLang][key]
	return ok
}

// supported reports whether the bot speaks lang.
func supported(lang string) bool {
	for _, l := range languages() {
		if l == lang {
			return true
		}
	}
	return false
}

// Command is an entry of a chat app's command menu.
type Command struct {
	Name        string // without the slash
	Description string
}

// commandNames are the commands shown in chat apps' menus, in order. Each has a
// "command.<name>" text; the engine also understands English aliases (/help...).
func commandNames() []string {
	return []string{"start", "cerca", "categorie", "vicino", "spazi", "prenotazioni", "operatore",
		"lingua", "aiuto", "privacy", "dimenticami", "annulla"}
}

// Commands returns the command menu in a language.
func (t *Texts) Commands(lang string) []Command {
	names := commandNames()
	out := make([]Command, len(names))
	for i, n := range names {
		out[i] = Command{Name: n, Description: t.T(lang, "command."+n)}
	}
	return out
}

// Languages returns the languages the bot speaks, the default first.
func Languages() []string { return languages() }

// Prefixed returns every text whose key starts with prefix, in a language, keyed by
// the rest of the key: a channel's own labels ("web.send" -> "send").
func (t *Texts) Prefixed(lang, prefix string) map[string]string {
	out := map[string]string{}
	for k := range t.byLang[defaultLang] {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = t.T(lang, k)
		}
	}
	return out
}
