package bot

import (
	"os"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/search/searchtest"
)

// activityPhrase is one line of the activities' phrasing sets.
type activityPhrase struct {
	Lang  string `yaml:"lang"`
	Say   string `yaml:"say"`
	Kind  string `yaml:"kind"`
	Age   *int   `yaml:"age"`
	Space string `yaml:"space"`
	From  string `yaml:"from"`
	To    string `yaml:"to"`
	Asked *bool  `yaml:"asked"`
}

// scoreActivityPhrases reads a phrasing set and returns how many of its phrases are
// understood as written, logging the others.
func scoreActivityPhrases(t *testing.T, file string) (ok, total int, langs map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Phrases []activityPhrase `yaml:"phrases"`
	}
	if err := yaml.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{Search: searchtest.Bundled(t), Store: keepNothing{}})
	if err != nil {
		t.Fatal(err)
	}
	cat := e.opts.Search.Catalogue()
	today := catalogue.Date{Year: 2026, Month: 12, Day: 6}
	langs = map[string]bool{}
	for _, p := range set.Phrases {
		langs[p.Lang] = true
		q, asked := e.activityAsk(p.Say, cat, today)
		want := p.Asked == nil || *p.Asked
		good := asked == want
		if good && want {
			good = q.Kind == p.Kind && q.Space == p.Space && q.From == p.From && q.To == p.To &&
				(p.Age == nil && !q.AgeSet || p.Age != nil && q.AgeSet && q.Age == *p.Age)
		}
		if good {
			ok++
		} else {
			t.Logf("%s %q: understood asked=%v %+v", p.Lang, p.Say, asked, q)
		}
		total++
	}
	return ok, total, langs
}

func TestActivityPhrasesDevSet(t *testing.T) {
	ok, total, langs := scoreActivityPhrases(t, "testdata/activities/devset.yaml")
	t.Logf("dev set: %d/%d understood", ok, total)
	for _, l := range languages() {
		if !langs[l] {
			t.Errorf("the dev set has no phrase in %s", l)
		}
	}
	if ok != total {
		t.Errorf("dev set: %d/%d understood, want all", ok, total)
	}
}

func TestActivityPhrasesHeldOut(t *testing.T) {
	ok, total, langs := scoreActivityPhrases(t, "testdata/activities/heldout.yaml")
	t.Logf("held-out set: %d/%d understood", ok, total)
	for _, l := range languages() {
		if !langs[l] {
			t.Errorf("the held-out set has no phrase in %s", l)
		}
	}
	// A floor, not a target: the held-out set measures how the words generalise.
	if ok*100 < total*75 {
		t.Errorf("held-out set: %d/%d understood, below 75%%", ok, total)
	}
}

// Every list the activities flow reads has words in every language's intents file.
func TestActivityWordsInEveryLanguage(t *testing.T) {
	for _, lang := range languages() {
		data, err := intentFiles.ReadFile("intents/" + lang + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var lists map[string][]string
		if err := yaml.Unmarshal(data, &lists); err != nil {
			t.Fatal(err)
		}
		for _, name := range activityIntentNames() {
			if len(lists[name]) == 0 {
				t.Errorf("intents/%s.yaml has no %s", lang, name)
			}
		}
	}
}

// FuzzActivityAsk reads any text without panicking, and what it understands stays
// within bounds: a known kind, a space of the catalogue, dates that parse.
func FuzzActivityAsk(f *testing.F) {
	for _, s := range []string{"centri estivi per un bambino di 8 anni", "corsi a gennaio", "8岁", "999 anni summer school",
		"cosa c'è questa settimana allo spazio wemi di corvetto", "open day 十一月", "\x00\xff summer camp"} {
		f.Add(s)
	}
	e, err := New(Options{Search: searchtest.Bundled(f), Store: keepNothing{}})
	if err != nil {
		f.Fatal(err)
	}
	cat := e.opts.Search.Catalogue()
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 2000 {
			return
		}
		q, _ := e.activityAsk(text, cat, catalogue.Date{Year: 2026, Month: 12, Day: 6})
		if q.Kind != "" && !catalogue.ActivityKind(q.Kind).Valid() {
			t.Errorf("kind %q", q.Kind)
		}
		if _, ok := cat.Space(q.Space); q.Space != "" && !ok {
			t.Errorf("space %q", q.Space)
		}
		if q.AgeSet && (q.Age < 0 || q.Age > 120) {
			t.Errorf("age %d", q.Age)
		}
		for _, d := range []string{q.From, q.To} {
			if _, err := catalogue.ParseDate(d); d != "" && err != nil {
				t.Errorf("date %q", d)
			}
		}
	})
}
