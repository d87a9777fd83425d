// Package langid tells which of the bot's languages a message is written in, short
// messages included ("hola", "спасибо", "多少钱?").
//
// It works in two steps. The script narrows the candidates: Chinese characters are
// Chinese, Arabic letters Arabic, Cyrillic ones Russian or Ukrainian, Latin ones
// Italian, English, Spanish, French or Romanian. Among the candidates, a naive Bayes
// model over the words and the letter sequences (one to three letters, word edges
// included) of each language picks the most likely. The models are learnt when the
// detector is built, from text in each language: the bot's own translation files and
// what it understands, passed by the caller, plus the everyday chat words of
// data/<lang>.txt. Adding a language adds its texts and its chat words; nothing here
// names a language except the script table.
//
// A message is attributed only when the evidence is clear: "ok", "no", "1" or an
// address belong to no language, and the caller keeps the conversation's.
package langid

import (
	"embed"
	"io/fs"
	"math"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

//go:embed data/*.txt
var chatFiles embed.FS

// script is a writing system that narrows the candidates.
type script int

const (
	latin script = iota
	cyrillic
	arabic
	han
	otherScript
)

// scriptOf returns the script of a letter.
func scriptOf(r rune) script {
	switch {
	case unicode.Is(unicode.Han, r):
		return han
	case unicode.Is(unicode.Arabic, r):
		return arabic
	case unicode.Is(unicode.Cyrillic, r):
		return cyrillic
	case unicode.Is(unicode.Latin, r):
		return latin
	}
	return otherScript
}

// model is what is learnt of one language: how often each feature appears in its
// texts, and the script most of its letters are in.
type model struct {
	lang   string
	script script
	counts map[string]float64 // feature -> count
	total  float64
}

// Detector tells a message's language. It is safe for concurrent use.
type Detector struct {
	langs   []string
	scripts []script
	// The log-probability of each feature in each language (by index), and of a
	// feature a language never showed.
	words  map[string][]float64 // whole words
	grams  map[string][]float64 // runs of one to three letters
	unseen []float64
}

// Options tunes a Detector; the zero value is the measured default.
type Options struct {
	// MinMargin is the least difference of mean log-probability per feature between
	// the best language and the next for the answer to count as confident.
	MinMargin float64
}

const (
	defaultMargin = 0.35
	wordWeight    = 3.0 // a whole known word says more than one of its letter runs
	smoothing     = 0.5
)

// New learns a detector from text in each language: corpus maps a language code to
// its texts (sentences, phrases, words). The chat words of data/<code>.txt are added
// for each language that has them.
func New(corpus map[string][]string) *Detector {
	var models []*model
	vocab := map[string]bool{}
	codes := make([]string, 0, len(corpus))
	for c := range corpus {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, code := range codes {
		texts := corpus[code]
		if b, err := fs.ReadFile(chatFiles, "data/"+code+".txt"); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
					// Chat words are what short messages are made of: they count more
					// than a sentence of the bot's own.
					for i := 0; i < 3; i++ {
						texts = append(texts, line)
					}
				}
			}
		}
		m := &model{lang: code, counts: map[string]float64{}}
		scripts := map[script]int{}
		for _, t := range texts {
			words := split(t)
			for _, w := range words {
				for _, r := range w {
					scripts[scriptOf(r)]++
				}
			}
			eachFeature(words, func(f string, weight float64) {
				m.counts[f] += weight
				m.total += weight
				vocab[f] = true
			})
		}
		m.script = majority(scripts)
		models = append(models, m)
	}
	return compile(models, float64(len(vocab)))
}

// compile turns the counts of each language into log-probabilities, smoothed.
func compile(models []*model, vocab float64) *Detector {
	d := &Detector{words: map[string][]float64{}, grams: map[string][]float64{}}
	for i, m := range models {
		d.langs = append(d.langs, m.lang)
		d.scripts = append(d.scripts, m.script)
		denom := m.total + smoothing*vocab
		d.unseen = append(d.unseen, math.Log(smoothing/denom))
		for f, c := range m.counts {
			table, key := d.grams, f
			if w, ok := strings.CutPrefix(f, "w:"); ok {
				table, key = d.words, w
			}
			row := table[key]
			if row == nil {
				row = make([]float64, len(models))
				table[key] = row
			}
			row[i] = math.Log((c + smoothing) / denom)
		}
	}
	// A row holds 0 where its language never showed the feature: the unseen value.
	for _, table := range []map[string][]float64{d.words, d.grams} {
		for _, row := range table {
			for i, v := range row {
				if v == 0 {
					row[i] = d.unseen[i]
				}
			}
		}
	}
	return d
}

// majority returns the script most letters are in.
func majority(n map[script]int) script {
	best, most := otherScript, 0
	for s, c := range n {
		if s != otherScript && (c > most || (c == most && s < best)) {
			best, most = s, c
		}
	}
	return best
}

// split lower-cases text and cuts it into words of letters (accents kept: they are
// evidence); a Chinese character is a word by itself.
func split(text string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	n := 0
	for _, r := range norm.NFC.String(withoutAddresses(text)) {
		if n++; n > 2000 {
			break
		}
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			b.WriteRune(r)
			flush()
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
			// "l'anno", "c'è", "п'ять": the apostrophe belongs to the word
			if b.Len() > 0 {
				b.WriteRune('\'')
			}
		default:
			flush()
		}
	}
	flush()
	return words
}

// withoutAddresses drops e-mail addresses, web addresses and handles: they are in no
// language.
func withoutAddresses(text string) string {
	if !strings.ContainsAny(text, "@/.") {
		return text
	}
	fields := strings.Fields(text)
	kept := fields[:0]
	for _, f := range fields {
		if !strings.Contains(f, "@") && !strings.Contains(f, "://") && !strings.HasPrefix(strings.ToLower(f), "www.") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}

// eachFeature calls f for every feature of the words: the word itself, and every run
// of one to three letters of " word ".
func eachFeature(words []string, f func(feature string, weight float64)) {
	var starts []int
	for _, w := range words {
		w = strings.Trim(w, "'")
		if w == "" {
			continue
		}
		f("w:"+w, wordWeight)
		padded := " " + w + " "
		starts = starts[:0]
		for i := range padded {
			starts = append(starts, i)
		}
		starts = append(starts, len(padded))
		runes := len(starts) - 1
		for n := 1; n <= 3; n++ {
			for i := 0; i+n <= runes; i++ {
				if n == 1 && padded[starts[i]] == ' ' {
					continue
				}
				f(padded[starts[i]:starts[i+n]], 1)
			}
		}
	}
}

// Result is what Detect found.
type Result struct {
	Lang      string  // the most likely language, "" when the text has no letters
	Confident bool    // whether the evidence is clear enough to act on
	Margin    float64 // the best language's lead over the next, per feature
}

// Detect returns the most likely language of text.
func (d *Detector) Detect(text string) Result { return d.DetectWith(text, Options{}) }

// DetectWith is Detect with options.
func (d *Detector) DetectWith(text string, o Options) Result {
	if o.MinMargin == 0 {
		o.MinMargin = defaultMargin
	}
	words := split(text)
	candidates, letters := d.candidates(words)
	if letters == 0 {
		return Result{}
	}
	switch len(candidates) {
	case 0:
		return Result{}
	case 1:
		// The script alone says it; a single letter or a name in it is still
		// little to go on.
		return Result{Lang: d.langs[candidates[0]], Confident: letters >= 2, Margin: math.Inf(1)}
	}
	// A word several candidates know ("ok", "no", "badante", "Milano") is in every
	// language a citizen of Milan writes: it says nothing of which.
	own := words[:0:0]
	for _, w := range words {
		if d.knownBy(candidates, w) < 2 {
			own = append(own, w)
		}
	}
	confident := len(own) > 0
	if !confident {
		own = words
	}
	scores := make([]float64, len(candidates))
	var weight float64
	eachFeature(own, func(f string, w float64) {
		weight += w
		row := d.grams[f]
		if word, ok := strings.CutPrefix(f, "w:"); ok {
			row = d.words[word]
		}
		for k, i := range candidates {
			if row != nil {
				scores[k] += w * row[i]
			} else {
				scores[k] += w * d.unseen[i]
			}
		}
	})
	if weight == 0 {
		return Result{}
	}
	best, second := 0, -1
	for i := 1; i < len(scores); i++ {
		if scores[i] > scores[best] {
			best, second = i, best
		} else if second < 0 || scores[i] > scores[second] {
			second = i
		}
	}
	margin := (scores[best] - scores[second]) / weight
	return Result{Lang: d.langs[candidates[best]], Confident: confident && margin >= o.MinMargin, Margin: margin}
}

// candidates returns the languages written in the script of words, and how many
// letters they have.
func (d *Detector) candidates(words []string) (candidates []int, letters int) {
	scripts := map[script]int{}
	for _, w := range words {
		for _, r := range w {
			if unicode.IsLetter(r) {
				scripts[scriptOf(r)]++
				letters++
			}
		}
	}
	sc := majority(scripts)
	if sc == latin {
		// Latin words in a message in another script are names and Italian terms
		// ("вона живе в Città Studi", "我需要 badante"): the other script says the
		// language.
		for _, other := range []script{han, arabic, cyrillic} {
			if scripts[other] >= 3 || (other == han && scripts[han] > 0) {
				sc = other
				break
			}
		}
	}
	for i, lsc := range d.scripts {
		if lsc == sc {
			candidates = append(candidates, i)
		}
	}
	return candidates, letters
}

// knownBy counts the candidate languages that have seen word as a word.
func (d *Detector) knownBy(candidates []int, word string) int {
	row := d.words[strings.Trim(word, "'")]
	if row == nil {
		return 0
	}
	n := 0
	for _, i := range candidates {
		if row[i] != d.unseen[i] {
			n++
		}
	}
	return n
}
