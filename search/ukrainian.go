package search

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// ukrainianStemFilter strips one inflection ending off Ukrainian words. Bleve has no
// Ukrainian stemmer, and Russian snowball's endings are Russian ones: it leaves
// Ukrainian -ий/-ій/-ої/-ові/-ів/-ї forms apart (літній, літньої, літніх stay three
// words) and strips endings Ukrainian words do not have. A light stripper of the
// endings of Ukrainian nouns, adjectives and verbs, like the Italian one, is
// predictable and the same at index and query time: дитина, дитину, дитині, діти
// and дітей do not all meet (the stem changes), but each paradigm's regular forms do.
type ukrainianStemFilter struct{}

// Filter implements analysis.TokenFilter.
func (ukrainianStemFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		if stem := ukrainianStem(string(tok.Term)); len(stem) != len(tok.Term) {
			tok.Term = []byte(stem)
		}
	}
	return input
}

// ukrainianEndings are the inflection endings stripped, longest first: cases of
// nouns and adjectives, persons and tenses of verbs, the infinitive.
var ukrainianEndings = [...]string{
	// reflexive verbs first: доглядатися -> доглядати -> догляд
	"ього", "ьому", "ення", "ання",
	"ого", "ому", "ими", "іми", "ами", "ями", "ові", "еві", "єві", "ати", "яти", "ити", "іти", "ють", "уть",
	"ать", "ять", "ить", "ємо", "емо", "имо", "ете", "єте", "ите", "ала", "ила", "ало", "или", "али", "ьми",
	"ий", "ій", "ої", "ою", "ею", "єю", "им", "ім", "их", "іх", "ам", "ям", "ом", "ем", "єм", "ах", "ях",
	"ів", "їв", "ей", "ти", "ає", "ує", "еш", "иш", "єш", "ла", "ло", "ли", "ми",
	"а", "я", "у", "ю", "і", "ї", "и", "о", "е", "є", "ь", "й",
}

// minUkrainianStem is the fewest letters a stem keeps.
const minUkrainianStem = 3

// ukrainianStem strips the reflexive -ся/-сь and then one ending, keeping a stem of
// at least three letters. -ання/-ення (nouns of action: прибирання, cleaning) are
// kept whole but their case endings stripped.
func ukrainianStem(word string) string {
	n := utf8.RuneCountInString(word)
	if n <= minUkrainianStem {
		return word
	}
	for _, refl := range []string{"ся", "сь"} {
		if strings.HasSuffix(word, refl) && n-2 > minUkrainianStem {
			word, n = strings.TrimSuffix(word, refl), n-2
			break
		}
	}
	for _, e := range ukrainianEndings {
		if !strings.HasSuffix(word, e) {
			continue
		}
		k := utf8.RuneCountInString(e)
		if n-k < minUkrainianStem {
			continue
		}
		if e == "ання" || e == "ення" {
			return strings.TrimSuffix(word, "я") // прибирання -> прибиранн, as прибиранням -> прибиранн
		}
		// A soft sign left at the end belongs to the ending: літньої -> літн, as літня.
		stem := strings.TrimSuffix(word, e)
		if n-k > minUkrainianStem {
			stem = strings.TrimSuffix(stem, "ь")
		}
		return stem
	}
	return word
}

// stopWordsUK are Ukrainian function words: conjunctions, prepositions, pronouns,
// particles and forms of "to be", folded as the chain sees them.
func stopWordsUK() []string {
	return []string{"і", "й", "та", "а", "але", "або", "чи", "ні", "не", "так", "ж", "же", "б", "би",
		"в", "у", "на", "з", "із", "зі", "зо", "до", "від", "за", "по", "під", "над", "для", "про", "при",
		"через", "без", "між", "біля", "після", "перед", "коло",
		"що", "щоб", "як", "який", "яка", "яке", "які", "якого", "якої", "котрий", "хто", "де", "коли",
		"чому", "тому", "тут", "там", "це", "цей", "ця", "ці", "цього", "цієї", "той", "те", "ті", "то",
		"я", "ти", "він", "вона", "воно", "ми", "ви", "вони", "мене", "мені", "мною", "тебе", "тобі",
		"його", "її", "їх", "їй", "йому", "ним", "нею", "них", "нам", "нас", "вам", "вас",
		"мій", "моя", "моє", "мої", "мого", "моєї", "моїй", "моєму", "моїм", "моїх", "мою",
		"наш", "наша", "наше", "наші", "ваш", "ваша", "ваше", "ваші", "свій", "своя", "своє", "свої",
		"себе", "собі", "сам", "сама", "самі", "є", "був", "була", "було", "були", "бути", "буде", "будуть",
		"лише", "тільки", "ще", "вже", "дуже", "також", "теж", "все", "всі", "весь", "вся", "усе", "усі",
		"можна", "яку", "якій", "якщо", "бо", "ось", "от"}
}
