package bot

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/comune-milano/wemibot/catalogue"
)

// The plain way of finding phrases, one substring search a phrase, as the bot did
// before phrase lists were compiled: the compiled lists must agree with it.

func hasOracle(folded string, phrases []string) bool {
	for _, p := range phrases {
		if containsPhrase(folded, p) {
			return true
		}
	}
	return false
}

func stripOracle(folded string, phrases []string) string {
	for _, p := range phrases {
		for i := indexPhrase(folded, p); i >= 0; i = indexPhrase(folded, p) {
			folded = strings.TrimSpace(strings.TrimSpace(folded[:i]) + " " + strings.TrimSpace(folded[i+len(p):]))
		}
	}
	return folded
}

func startsWithOracle(folded string, phrases []string) bool {
	for _, p := range phrases {
		if folded == p || strings.HasPrefix(folded, p+" ") {
			return true
		}
	}
	return false
}

func longestOracle(folded string, lists map[string][]string) (key, phrase string) {
	keys := make([]string, 0, len(lists))
	for k := range lists {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, p := range lists[k] {
			if len(p) > len(phrase) && containsPhrase(folded, p) {
				key, phrase = k, p
				break
			}
		}
	}
	return key, phrase
}

func firstOracle(folded string, phrases []string) int {
	for i, p := range phrases {
		if containsPhrase(folded, p) {
			return i
		}
	}
	return -1
}

func saysOneOracle(e *Engine, phrases []string, folded string) bool {
	for _, p := range phrases {
		if !containsPhrase(folded, p) {
			continue
		}
		only := true
		for _, w := range strings.Fields(strings.Replace(" "+folded+" ", " "+p+" ", " ", 1)) {
			if !e.politeWord(w) && !e.intents.greetings[w] {
				only = false
				break
			}
		}
		if only {
			return true
		}
	}
	return false
}

// phraseLists returns every compiled list of the lexicon and of the intents, and
// every table by name.
func phraseLists(t testing.TB) (map[string]*phraseList, map[string]*phraseTable) {
	t.Helper()
	lx, err := loadLexicon()
	if err != nil {
		t.Fatal(err)
	}
	in, err := loadIntents()
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]*phraseList{"needs": lx.needs, "situation": lx.situation, "places": lx.places,
		"postcodes": lx.postcodes, "greetings": in.greetingPhrases, "operator": in.operator, "confirm": in.confirm,
		"refuse": in.refuse}
	for k, l := range lx.refine {
		lists["refine."+k] = l
	}
	for k, l := range in.phrases {
		lists["intent."+k] = l
	}
	for k, l := range in.speak {
		lists["speak."+k] = l
	}
	tables := map[string]*phraseTable{"questions": lx.questions, "delivery": lx.delivery, "audiences": lx.audiences,
		"meta": lx.meta, "ordinals": lx.ordinals}
	for name, tb := range tables {
		for i, k := range tb.keys {
			lists[name+"."+k] = tb.lists[i]
		}
	}
	return lists, tables
}

// devSetSays returns what citizens say in the dev and held-out sets.
func devSetSays(t testing.TB) []string {
	t.Helper()
	var says []string
	for _, dir := range []string{"testdata/conversations", "testdata/conversations/heldout"} {
		names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil || len(names) == 0 {
			t.Fatalf("no conversations in %s: %v", dir, err)
		}
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var f struct {
				Conversations []struct {
					Turns []struct {
						Say string `yaml:"say"`
					} `yaml:"turns"`
				} `yaml:"conversations"`
			}
			if err := yaml.Unmarshal(b, &f); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, c := range f.Conversations {
				for _, turn := range c.Turns {
					if turn.Say != "" {
						says = append(says, turn.Say)
					}
				}
			}
		}
	}
	return says
}

// matchTexts are folded texts to find phrases in: the dev set's messages, and texts
// made of real phrases, their words and other words, some with the odd spacing a
// text that was not folded may have.
func matchTexts(t testing.TB, lists map[string]*phraseList) []string {
	t.Helper()
	var texts []string
	for _, s := range devSetSays(t) {
		texts = append(texts, catalogue.Fold(s))
	}
	var phrases, words []string
	for _, l := range lists {
		for _, p := range l.all() {
			phrases = append(phrases, p)
			words = append(words, strings.Fields(p)...)
		}
	}
	sort.Strings(phrases) // the map's order is random: the texts are not
	sort.Strings(words)
	words = append(words, "x", "corso", "bambini", "3", "")
	seps := []string{" ", " ", " ", " ", "  ", "\t", "\u00a0"}
	r := rand.New(rand.NewPCG(7, 11))
	for range 3000 {
		var b strings.Builder
		if r.IntN(20) == 0 {
			b.WriteString(" ")
		}
		for i := range 1 + r.IntN(7) {
			if i > 0 {
				sep := seps[0]
				if r.IntN(10) == 0 {
					sep = seps[r.IntN(len(seps))]
				}
				b.WriteString(sep)
			}
			if r.IntN(2) == 0 {
				b.WriteString(phrases[r.IntN(len(phrases))])
			} else {
				b.WriteString(words[r.IntN(len(words))])
			}
		}
		texts = append(texts, b.String())
	}
	return texts
}

// The compiled phrase lists find, strip and rank exactly what the plain way does, on
// every list the bot loads and on many texts.
func TestPhraseListsMatchOracle(t *testing.T) {
	lists, tables := phraseLists(t)
	texts := matchTexts(t, lists)
	for name, l := range lists {
		for _, text := range texts {
			if got, want := has(text, l), hasOracle(text, l.all()); got != want {
				t.Fatalf("%s: has(%q) = %v, want %v", name, text, got, want)
			}
			if got, want := l.firstIn(text), firstOracle(text, l.all()); got != want {
				t.Fatalf("%s: firstIn(%q) = %v, want %v", name, text, got, want)
			}
			if got, want := startsWithAny(text, l), startsWithOracle(text, l.all()); got != want {
				t.Fatalf("%s: startsWithAny(%q) = %v, want %v", name, text, got, want)
			}
			if got, want := strip(text, l), stripOracle(text, l.all()); got != want {
				t.Fatalf("%s: strip(%q) = %q, want %q", name, text, got, want)
			}
		}
	}
	for name, tb := range tables {
		raw := map[string][]string{}
		for i, k := range tb.keys {
			raw[k] = tb.lists[i].all()
		}
		for _, text := range texts {
			gk, gp := longest(text, tb)
			wk, wp := longestOracle(text, raw)
			if gk != wk || gp != wp {
				t.Fatalf("%s: longest(%q) = %q %q, want %q %q", name, text, gk, gp, wk, wp)
			}
		}
	}
}

// A message is only one of the phrases exactly when the plain way says so.
func TestSaysOneMatchesOracle(t *testing.T) {
	e := &Engine{}
	var err error
	if e.intents, err = loadIntents(); err != nil {
		t.Fatal(err)
	}
	lists, _ := phraseLists(t)
	texts := matchTexts(t, lists)
	for name, l := range lists {
		for _, text := range texts {
			if got, want := e.saysOneFolded(l, text), saysOneOracle(e, l.all(), text); got != want {
				t.Fatalf("%s: saysOneFolded(%q) = %v, want %v", name, text, got, want)
			}
		}
	}
}

// Hand-made cases the generated texts may miss: a phrase that a strip makes by
// joining words, equally long phrases of two lists, a phrase that is a prefix of a
// longer word, two occurrences.
func TestPhraseListEdges(t *testing.T) {
	l := newPhraseList([]string{"x y z", "a b", "a", ""})
	for _, c := range []struct{ text, want string }{
		{"a x y z b", ""}, {"a b a b", ""}, {"ab a", "ab"}, {"c a  b", "c b"}, {"", ""}, {" a ", ""},
	} {
		if got := strip(c.text, l); got != c.want || got != stripOracle(c.text, l.all()) {
			t.Errorf("strip(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	tb := newPhraseTable(map[string][]string{"b": {"uno due", "tre"}, "a": {"tre due", "uno"}, "c": nil})
	for _, c := range []struct{ text, key, phrase string }{
		{"uno due tre due", "a", "tre due"}, {"uno tre", "a", "uno"}, {"tre", "b", "tre"}, {"quattro", "", ""},
	} {
		if k, p := longest(c.text, tb); k != c.key || p != c.phrase {
			t.Errorf("longest(%q) = %q %q, want %q %q", c.text, k, p, c.key, c.phrase)
		}
	}
	if tb.of("c") == nil || tb.of("d") != nil || has("uno", nil) || strip("uno", nil) != "uno" || startsWithAny("uno", nil) {
		t.Error("missing lists must find nothing")
	}
}

// Finding phrases in folded text allocates nothing, and stripping none found
// neither.
func TestPhraseListAllocations(t *testing.T) {
	lx, err := loadLexicon()
	if err != nil {
		t.Fatal(err)
	}
	text := "mia mamma non riesce piu a cucinare e quanto costa"
	if n := testing.AllocsPerRun(100, func() {
		has(text, lx.needs)
		longest(text, lx.questions)
		strip("mia mamma non riesce", lx.places)
		startsWithAny(text, lx.situation)
	}); n != 0 {
		t.Errorf("%v allocations, want none", n)
	}
}
