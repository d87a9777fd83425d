package search

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/comune-milano/wemibot/i18n"
)

// allChains is a mapping with every analysis chain, as if the registry had a language
// for each.
func allChains(t *testing.T) *mapping.IndexMappingImpl {
	t.Helper()
	langs := map[string]i18n.Language{}
	for _, c := range knownChains() {
		langs[c] = i18n.Language{Code: c, Analyzer: c}
	}
	m, err := newMapping(langs)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func terms(m *mapping.IndexMappingImpl, chain, text string) []string {
	var out []string
	for _, tok := range m.AnalyzerNamed(analyzerOf(chain)).Analyze([]byte(text)) {
		out = append(out, string(tok.Term))
	}
	return out
}

// Each chain brings the forms of a word that citizens and the catalogue write to one
// term (accents typed or not, singular and plural, cases), and drops function words
// and request filler.
func TestEveryLanguageChain(t *testing.T) {
	m := allChains(t)
	tests := []struct {
		chain string
		same  []string // each group of words separated by "|" analyses to one term
		gone  string   // words that leave no term
	}{
		{"it", []string{"anziano|anziani|anziana", "città|citta"}, "cerco qualcuno per"},
		{"en", []string{"walk|walking", "carer|carers"}, "i need someone for"},
		{"es", []string{"niño|niños|ninos", "anciana|ancianas|anciano", "atención|atencion"}, "necesito alguien para el"},
		{"fr", []string{"âgée|âgé|agee|âgés", "l'hôpital|hopital", "enfant|enfants"}, "j'ai besoin d'une aide pour"},
		{"ro", []string{"bătrână|batrana|bătrâni", "școală|şcoală|scoala", "îngrijire|ingrijire"}, "caut o persoana pentru"},
		{"ru", []string{"пожилой|пожилая|пожилых", "дети|детей", "ёлка|елка"}, "ищу кого-нибудь для"},
		{"uk", []string{"літня|літній|літньої|літніх", "сім'я|сімʼя|сім’я", "дитина|дитину|дитини", "прибирання|прибиранням", "доглядати|доглядає|догляду"}, "шукаю когось для моєї"},
		{"ar", []string{"مساعد|المساعد", "أطفال|اطفال|الأطفال", "مسنة|المسنه"}, "أريد من فضلك"},
		{"cjk", []string{"保姆|保姆", "ＡＢＣ|abc"}, "我想 需要 你好"},
	}
	for _, tt := range tests {
		t.Run(tt.chain, func(t *testing.T) {
			for _, group := range tt.same {
				words := strings.Split(group, "|")
				want := strings.Join(terms(m, tt.chain, words[0]), " ")
				if want == "" {
					t.Errorf("%q leaves no term", words[0])
					continue
				}
				for _, w := range words[1:] {
					if got := strings.Join(terms(m, tt.chain, w), " "); got != want {
						t.Errorf("%q -> %q, but %q -> %q", w, got, words[0], want)
					}
				}
			}
			if got := terms(m, tt.chain, tt.gone); len(got) > 0 {
				t.Errorf("%q -> %q, want no terms", tt.gone, got)
			}
		})
	}
}

// A one-character Chinese query meets the two-character words that hold it.
func TestChineseSingleCharacterMeetsBigrams(t *testing.T) {
	m := allChains(t)
	index := terms(m, "cjk", "遛狗服务")
	query := terms(m, "cjk", "狗")
	if len(query) != 1 || !strings.Contains(" "+strings.Join(index, " ")+" ", " "+query[0]+" ") {
		t.Errorf("index terms %q, query terms %q: the query meets nothing", index, query)
	}
}

func TestUnknownAnalyzerIsAClearError(t *testing.T) {
	_, err := newMapping(map[string]i18n.Language{"xx": {Code: "xx", Analyzer: "klingon"}})
	if err == nil || !strings.Contains(err.Error(), `language xx: unknown analyzer "klingon"`) {
		t.Errorf("error = %v", err)
	}
}

func TestUkrainianStem(t *testing.T) {
	for word, want := range map[string]string{
		"мама": "мам", "мами": "мам", "мамою": "мам", "дітей": "діт", "старого": "стар",
		"доглядатися": "догляд", "няня": "нян", "нянею": "нян", "кіт": "кіт", // short words stay
	} {
		if got := ukrainianStem(word); got != want {
			t.Errorf("ukrainianStem(%s) = %s, want %s", word, got, want)
		}
	}
}

// A one-letter typo in a Cyrillic word is one edit, as in a Latin one.
func TestTyposCountLetters(t *testing.T) {
	v := newVocabulary()
	for _, w := range []string{"доглядальниц", "сиделк", "babysitter"} {
		v.add(w)
	}
	v.freeze()
	for typo, want := range map[string]string{
		"догладальниц": "доглядальниц", // a letter replaced
		"доглядальнц":  "доглядальниц", // a letter left out
		"сидэлк":       "сиделк",
		"babysiter":    "babysitter",
	} {
		if got := v.corrections(typo); len(got) != 1 || got[0] != want {
			t.Errorf("corrections(%s) = %v, want %s", typo, got, want)
		}
	}
	if got := v.corrections("сидл"); len(got) > 0 {
		t.Errorf("a four-letter word was corrected: %v", got)
	}
}

// FuzzEveryChain analyses any text with every chain: citizens' messages reach all of
// them, and none may panic or return an empty or invalid term.
func FuzzEveryChain(f *testing.F) {
	for _, seed := range []string{"сім'я", "l'hôpital", "şcoală", "遛狗服务", "المسنة", "ёлка", "ʼ'’", "ь", "ся", "\xff\xfe"} {
		f.Add(seed)
	}
	langs := map[string]i18n.Language{}
	for _, c := range knownChains() {
		langs[c] = i18n.Language{Code: c, Analyzer: c}
	}
	m, err := newMapping(langs)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, c := range knownChains() {
			for _, tok := range m.AnalyzerNamed(analyzerOf(c)).Analyze([]byte(text)) {
				if len(tok.Term) == 0 {
					t.Errorf("%s: an empty term from %q", c, text)
				}
			}
		}
	})
}

// The table of Latin bases folds every rune as the decomposition it stands for.
func TestLatinBasesTable(t *testing.T) {
	for r := rune(0x80); r < 0x300; r++ {
		word := []byte("a" + string(r) + "b")
		got, _ := foldWord(word)
		want := []byte("a")
		switch {
		case r == 'ʼ' || r == '‘' || r == '’': // apostrophes inside a word fold away
		case r < utf8.RuneSelf || unicode.Is(unicode.Cyrillic, r):
			want = utf8.AppendRune(want, r)
		case unicode.Is(unicode.Latin, r):
			want = appendLatinBase(want, r)
		default:
			want = utf8.AppendRune(want, r)
		}
		want = append(want, 'b')
		if string(got) != string(want) {
			t.Errorf("%U: folded %q, want %q", r, got, want)
		}
	}
	if got, _ := foldWord([]byte("perché più àèìòù ñ ç")); string(got) != "perche piu aeiou n c" {
		t.Errorf("folded %q", got)
	}
}
