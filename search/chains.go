package search

import (
	"sort"

	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/ro"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/token/unicodenorm"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
)

// chain is one language's analysis: its token filters, in order, after the Unicode
// word tokenizer, with fillerSlot where the filler words are removed.
type chain struct {
	filters []string
	filler  []string
	custom  []component // components the filters use that the mapping must declare
}

// component is a token map or token filter declared on the index mapping.
type component struct {
	tokenMap bool
	name     string
	conf     map[string]interface{}
}

// add returns the mapping's method that declares the component.
func (c component) add(m *mapping.IndexMappingImpl) func(string, map[string]interface{}) error {
	if c.tokenMap {
		return m.AddCustomTokenMap
	}
	return m.AddCustomTokenFilter
}

// The chains, by the registry's analyzer names. Latin and Cyrillic text is folded
// before stemming, as the Italian chain does, so that a word typed without its
// accents ("atentie", "nino", "a domicilio") meets the catalogue's spelling; the
// stemmers then see the same letters at index and query time. Folding strips
// accents from Latin letters, writes ё as е and ґ as г, keeps й and ї (letters of
// their own), and drops apostrophes inside words (сім'я, aujourd'hui).
//
//   - it, en: as before (elision, stop words, request filler, the light Italian
//     stemmer of analysis.go; the English possessive filter and Porter).
//   - es: Bleve's Spanish stop words and snowball stemmer (its light stemmer leaves
//     words of four letters alone: niño and niños would not meet).
//   - fr: Bleve's French elision (l', d', qu'...), stop words and snowball stemmer
//     (on folded words its light stemmer keeps âgée and âgé apart).
//   - ro: Bleve's Romanian stop words and snowball stemmer; folding also makes ş/ș
//     and ţ/ț (cedilla and comma below, both in use) the same letter.
//   - ru: Bleve's Russian stop words and snowball stemmer.
//   - uk: Bleve has no Ukrainian. Russian snowball would take Russian endings
//     (-ый, -ая, -ого) that Ukrainian does not have and miss its own (-ий, -ої,
//     -ові, -ів, -ї), so uk gets Ukrainian stop words and a light suffix stripper of
//     its inflection endings (ukrainian.go), symmetric at index and query time.
//   - ar: Bleve's Arabic chain: NFKC, stop words, normalisation (hamza forms of
//     alef, teh marbuta, alef maksura, harakat, tatweel) and its light stemmer.
//   - cjk (Chinese): full-width to half-width, then overlapping bigrams of Han
//     characters plus the single characters, so that a one-character query (狗)
//     meets the two-character words of the catalogue (遛狗). No typo correction:
//     one character changed is another word.
func chainOf(name string) (chain, bool) {
	switch name {
	case "it":
		return chain{filters: []string{lowercase.Name, it.ElisionName, it.StopName, fillerSlot, filterItalianStem},
			filler: fillerWordsIT()}, true
	case "en":
		return chain{filters: []string{en.PossessiveName, lowercase.Name, en.StopName, fillerSlot, porter.Name},
			filler: fillerWordsEN()}, true
	case "es":
		return chain{filters: []string{lowercase.Name, es.StopName, filterFold, fillerSlot, es.SnowballStemmerName},
			filler: fillerWordsES()}, true
	case "fr":
		return chain{filters: []string{lowercase.Name, fr.ElisionName, fr.StopName, filterFold, fillerSlot, fr.SnowballStemmerName},
			filler: fillerWordsFR()}, true
	case "ro":
		return chain{filters: []string{lowercase.Name, ro.StopName, filterFold, fillerSlot, ro.SnowballStemmerName},
			filler: fillerWordsRO()}, true
	case "ru":
		return chain{filters: []string{lowercase.Name, ru.StopName, filterFold, fillerSlot, ru.SnowballStemmerName},
			filler: fillerWordsRU()}, true
	case "uk":
		return chain{filters: []string{lowercase.Name, filterFold, stopUK + "_filter", fillerSlot, filterUkStem},
			filler: fillerWordsUK(),
			custom: []component{
				{tokenMap: true, name: stopUK, conf: map[string]interface{}{"type": tokenmap.Name, "tokens": words(stopWordsUK()...)}},
				{name: stopUK + "_filter", conf: map[string]interface{}{"type": stop.Name, "stop_token_map": stopUK}},
			}}, true
	case "ar":
		return chain{filters: []string{lowercase.Name, nfkc, ar.StopName, ar.NormalizeName, fillerSlot, ar.StemmerName},
			filler: fillerWordsAR(),
			custom: []component{{name: nfkc, conf: map[string]interface{}{"type": unicodenorm.Name, "form": unicodenorm.NFKC}}}}, true
	case "cjk":
		return chain{filters: []string{cjk.WidthName, lowercase.Name, bigrams, fillerSlot},
			filler: fillerWordsZH(),
			custom: []component{{name: bigrams, conf: map[string]interface{}{"type": cjk.BigramName, "output_unigram": true}}}}, true
	}
	return chain{}, false
}

// Names of the components some chains declare.
const (
	stopUK  = "wemi_stop_uk"
	nfkc    = "wemi_nfkc"
	bigrams = "wemi_cjk_bigram"
)

// knownChains lists the analyzer names a registry file may use.
func knownChains() []string {
	out := []string{"it", "en", "es", "fr", "ro", "ru", "uk", "ar", "cjk"}
	sort.Strings(out)
	return out
}

// Request filler in the other languages, as fillerWordsIT: how people open a request
// ("I need", "I am looking for", "someone", "please"), written as the chain sees it
// (folded, after its normalisation).
func fillerWordsES() []string {
	return []string{"necesito", "necesitamos", "necesita", "necesitaria", "busco", "buscamos", "buscando",
		"quiero", "quisiera", "queria", "ayuda", "ayudar", "alguien", "algo", "servicio", "servicios", "hola",
		"buenos", "dias", "buenas", "tardes", "gracias", "favor", "informacion", "milan", "donde", "cuanto",
		"cuesta", "puedo", "podria", "pueden", "persona", "tipo"}
}

func fillerWordsFR() []string {
	return []string{"besoin", "cherche", "cherchons", "recherche", "voudrais", "voudrions", "veux", "voulais",
		"aide", "aider", "quelquun", "quelque", "chose", "service", "services", "bonjour", "bonsoir", "salut",
		"merci", "svp", "plait", "informations", "milan", "combien", "coute", "personne", "peux", "pourriez",
		"pouvez", "trouver"}
}

func fillerWordsRO() []string {
	return []string{"o", "caut", "cautam", "vreau", "vrem", "as", "dori", "nevoie", "ajutor", "ajuta", "ajutati",
		"cineva", "ceva", "serviciu", "servicii", "buna", "ziua", "multumesc", "rog", "informatii", "milano",
		"unde", "cat", "costa", "pot", "puteti", "persoana", "gasesc",
		// Grammar words typed without diacritics, which Bleve's Romanian stop list
		// (in diacritics) misses: "să", "și", "în", "că", "după"...
		"sa", "si", "in", "ca", "dupa", "pana", "fara", "ma", "imi", "il", "daca", "cand", "la", "de", "pe", "cu",
		"din", "pentru", "care", "mai", "este", "sunt", "am", "are", "nu", "ne", "va", "le", "lui", "ei", "un", "o"}
}

func fillerWordsRU() []string {
	return []string{"нужен", "нужна", "нужно", "нужны", "ищу", "ищем", "хочу", "хотел", "хотела", "хотелось",
		"помощь", "помогите", "помочь", "кто", "нибудь", "кого", "услуга", "услуги", "пожалуиста", "пожалуйста",
		"здравствуйте", "привет", "добрый", "день", "спасибо", "милан", "милане", "сколько", "стоит", "где",
		"человек", "могу", "можно", "подскажите"}
}

func fillerWordsUK() []string {
	return []string{"потрібен", "потрібна", "потрібно", "потрібні", "треба", "шукаю", "шукаємо", "хочу",
		"хотів", "хотіла", "хотілося", "допомога", "допомогу", "допоможіть", "хтось", "когось", "щось",
		"послуга", "послуги", "будь", "ласка", "привіт", "добрий", "доброго", "день", "дякую", "мілан",
		"мілані", "скільки", "коштує", "людина", "можу", "підкажіть"}
}

func fillerWordsAR() []string {
	// After Bleve's normalisation: أ إ آ -> ا, ة -> ه, ى -> ي.
	return []string{"اريد", "ابحث", "نبحث", "احتاج", "نحتاج", "مساعده", "ساعدوني", "خدمه", "خدمات",
		"مرحبا", "شكرا", "السلام", "عليكم", "فضلك", "لو", "ميلانو", "شخص", "احد", "اين", "كم"}
}

func fillerWordsZH() []string {
	// Single characters and bigrams, as the cjk chain emits them.
	return []string{"我", "想", "要", "需", "的", "了", "吗", "呢", "是", "在", "有", "请", "问", "您", "你",
		"好", "谢", "帮", "助", "忙", "服", "务", "我想",
		"想要", "需要", "要找", "帮助", "帮忙", "服务", "请问", "你好", "您好", "谢谢", "米兰", "有没", "没有",
		"哪里", "多少", "一个", "找人", "我们", "可以"}
}
