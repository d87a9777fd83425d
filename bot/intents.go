package bot

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/domestic"
)

//go:embed intents/*.yaml
var intentFiles embed.FS

// intentPhrases recognises greetings, requests for a person and the other intents
// said in plain sentences, from the phrase lists in intents.yaml. Danger is the
// safety package's.
type intentPhrases struct {
	greetings map[string]bool
	operator  *phraseList
	phrases   map[string]*phraseList // other intents: name -> folded phrases
	speak     map[string]*phraseList // language -> the ways to ask for it
	// greetingPhrases are the greetings as phrases ("buon giorno", "你 好"): a
	// message made of them alone is a greeting.
	greetingPhrases *phraseList
	// polite are the words around an intent's phrase that do not change it
	// ("please", "grazie", "吧"); negations the words that turn a yes into a no;
	// confirm the first words of a button that says yes ("conferma", "send").
	polite, negations map[string]bool
	confirm, refuse   *phraseList
	// patterns are the words of each working pattern of Tate, Colf e Badanti
	// (pattern_convivente: "live in", "interna").
	patterns map[string][]string
}

// intentLists are the phrase lists of every language's intents file, merged and
// folded, before they are compiled.
type intentLists struct {
	greetings, operator, confirm, refuse []string
	phrases, speak                       map[string][]string
}

// loadIntents reads the intents files once: they are embedded and never change.
var loadIntents = sync.OnceValues(readIntents)

func readIntents() (*intentPhrases, error) {
	names, err := fs.Glob(intentFiles, "intents/*.yaml")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("load intents: no files")
	}
	s := &intentPhrases{greetings: map[string]bool{}, polite: map[string]bool{}, negations: map[string]bool{},
		patterns: map[string][]string{}}
	raw := &intentLists{phrases: map[string][]string{}, speak: map[string][]string{}}
	for _, name := range names {
		b, err := intentFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := s.add(raw, strings.TrimSuffix(strings.TrimPrefix(name, "intents/"), ".yaml"), b); err != nil {
			return nil, fmt.Errorf("load intents: %s: %w", name, err)
		}
	}
	for _, name := range intentNames {
		if len(raw.phrases[name]) == 0 {
			return nil, fmt.Errorf("load intents: no phrases for %q", name)
		}
		longestFirst(raw.phrases[name])
	}
	longestFirst(raw.greetings)
	for _, lang := range languages() {
		if len(raw.speak[lang]) == 0 {
			return nil, fmt.Errorf("load intents: no way to ask for %s (intents/%s.yaml, speak)", lang, lang)
		}
	}
	s.compile(raw)
	return s, nil
}

// compile indexes the lists, in their order.
func (s *intentPhrases) compile(raw *intentLists) {
	s.greetingPhrases, s.operator = newPhraseList(raw.greetings), newPhraseList(raw.operator)
	s.confirm, s.refuse = newPhraseList(raw.confirm), newPhraseList(raw.refuse)
	s.phrases, s.speak = map[string]*phraseList{}, map[string]*phraseList{}
	for name, ps := range raw.phrases {
		s.phrases[name] = newPhraseList(ps)
	}
	for lang, ps := range raw.speak {
		s.speak[lang] = newPhraseList(ps)
	}
}

// intentNames are the intents of plain sentences, each the name of a list.
var intentNames = []string{intentThanks, intentPrivacy, intentForget, intentNear, intentSpaces,
	intentFree, intentDomestic, intentHire, intentWorkAs, intentFixedCare,
	"role_tata", "role_colf", "role_badante", intentDomesticAdmin, intentCancel, intentYes, intentNo,
	intentHelp, intentSkip, intentSoon, intentMyBookings, intentMyRequests, intentForMe, intentReschedule,
	intentPayHelp}

// add reads one language's file.
func (s *intentPhrases) add(raw *intentLists, lang string, data []byte) error {
	var lists map[string][]string
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&lists); err != nil && err != io.EOF {
		return err
	}
	for name, list := range lists {
		folded := foldAll(list)
		switch {
		case name == "greetings":
			raw.greetings = append(raw.greetings, folded...)
			for _, g := range folded {
				for _, w := range strings.Fields(g) {
					s.greetings[w] = true
				}
			}
		case name == "polite" || name == "negations":
			set := s.polite
			if name == "negations" {
				set = s.negations
			}
			for _, p := range folded {
				for _, w := range strings.Fields(p) {
					set[w] = true
				}
			}
		case name == "confirm":
			raw.confirm = append(raw.confirm, folded...)
		case name == "refuse":
			raw.refuse = append(raw.refuse, folded...)
		case strings.HasPrefix(name, "pattern_") && domestic.Pattern(strings.TrimPrefix(name, "pattern_")).Valid():
			p := strings.TrimPrefix(name, "pattern_")
			s.patterns[p] = append(s.patterns[p], folded...)
		case name == "operator":
			raw.operator = append(raw.operator, folded...)
		case name == "speak":
			raw.speak[lang] = append(raw.speak[lang], folded...)
		case slices.Contains(intentNames, name) || slices.Contains(activityIntentNames(), name):
			raw.phrases[name] = append(raw.phrases[name], folded...)
		default:
			return fmt.Errorf("unknown list %q", name)
		}
	}
	return nil
}

// containsPhrase reports whether folded text holds phrase as whole words.
func containsPhrase(folded, phrase string) bool { return indexPhrase(folded, phrase) >= 0 }

// indexPhrase returns where folded holds phrase as whole words first, or -1. It
// builds no padded copies. Phrase lists find their phrases in one pass
// (phrasematch.go): this searches for one phrase.
func indexPhrase(folded, phrase string) int {
	if phrase == "" {
		return -1
	}
	for i := 0; i <= len(folded)-len(phrase); {
		j := strings.Index(folded[i:], phrase)
		if j < 0 {
			return -1
		}
		start, end := i+j, i+j+len(phrase)
		if (start == 0 || folded[start-1] == ' ') && (end == len(folded) || folded[end] == ' ') {
			return start
		}
		i = start + 1
	}
	return -1
}

// greets reports whether a message, folded, is only a greeting ("Ciao!",
// "buongiorno a tutti", "hello there"): every word greets, or is one of a few polite
// fillers.
func (e *Engine) greets(folded string) bool {
	if folded == "" || countFields(folded) > 8 {
		return false
	}
	rest := strip(folded, e.intents.greetingPhrases)
	if rest == folded {
		return false
	}
	for w := range strings.FieldsSeq(rest) {
		if !e.intents.polite[w] && w != "bot" && w != "wemi" {
			return false
		}
	}
	return true
}

// countFields is len(strings.Fields(s)), without the slice.
func countFields(s string) int {
	n := 0
	for range strings.FieldsSeq(s) {
		n++
	}
	return n
}

// saysOperator reports a message that is only a request for a person ("voglio
// parlare con un operatore"), as opposed to one that mentions an operator among
// other words (an answer about one's work as an "operatrice").
func (e *Engine) saysOperator(text string) bool {
	folded := catalogue.Fold(text)
	for _, p := range e.intents.operator.all() {
		if folded == p {
			return true
		}
	}
	return false
}

// Intents recognised in plain sentences (intents/<lang>.yaml).
const (
	intentThanks   = "thanks"
	intentForMe    = "for_me" // a booking for the citizen themselves
	intentPrivacy  = "privacy"
	intentForget   = "forget"
	intentNear     = "near"
	intentSpaces   = "spaces"
	intentFree     = "free"
	intentDomestic = "domestic"
	// Tate, Colf e Badanti: words of hiring, of wanting such work, and of a steady
	// arrangement; the roles are in role_<role>.
	intentHire      = "hire"
	intentWorkAs    = "work_as"
	intentFixedCare = "fixed_care"
	// Words about employing someone already hired (a contract, a payslip) or about
	// training: the catalogue's services, not a request to hire.
	intentDomesticAdmin = "domestic_admin"
	// A whole message that cancels, says yes, or asks for the citizen's lists.
	intentCancel     = "cancel"
	intentYes        = "yes"
	intentNo         = "no"
	intentHelp       = "help"
	intentSkip       = "skip" // nothing to add, at an optional question
	intentSoon       = "soon" // as soon as possible, for a start date
	intentMyBookings = "my_bookings"
	intentMyRequests = "my_requests"
	// Asking how to pay: a booking's offer, or how paying works on WeMi.
	intentPayHelp = "pay_help"
)

// politeWords may surround a short request without changing it ("english please").
func (e *Engine) politeWord(w string) bool { return e.intents.polite[w] }

// says reports whether a message is only one of an intent's phrases, give or take a
// polite word: "english please" switches language, "corso di italiano" does not.
func (e *Engine) says(intent, text string) bool { return e.saysFolded(intent, catalogue.Fold(text)) }

// saysFolded is says of folded text.
func (e *Engine) saysFolded(intent, folded string) bool {
	return e.saysOneFolded(e.intents.phrases[intent], folded)
}

// saysOne reports whether a message is only one of the phrases, give or take a
// polite word.
func (e *Engine) saysOne(l *phraseList, text string) bool {
	return e.saysOneFolded(l, catalogue.Fold(text))
}

// saysOneFolded is saysOne of folded text: one of the phrases it holds, where it
// first stands, leaves only polite words and greetings around it.
func (e *Engine) saysOneFolded(l *phraseList, folded string) bool {
	if l == nil {
		return false
	}
	for start := 0; start <= len(folded); {
		word, end := nextWord(folded, start)
		for _, i := range l.byFirst[word] {
			if p := l.phrases[i]; phraseAt(folded, start, p) && e.onlyAround(folded, p) {
				return true
			}
		}
		start = end + 1
	}
	return false
}

// onlyAround reports whether the words around phrase's first occurrence in folded
// are polite words or greetings.
func (e *Engine) onlyAround(folded, phrase string) bool {
	i := indexPhrase(folded, phrase)
	for _, part := range [2]string{folded[:i], folded[i+len(phrase):]} {
		for w := range strings.FieldsSeq(part) {
			if !e.politeWord(w) && !e.intents.greetings[w] {
				return false
			}
		}
	}
	return true
}

// mentions reports whether a message contains one of an intent's phrases anywhere.
func (e *Engine) mentions(intent, text string) bool {
	return e.mentionsFolded(intent, catalogue.Fold(text))
}

// mentionsFolded is mentions of folded text.
func (e *Engine) mentionsFolded(intent, folded string) bool {
	return has(folded, e.intents.phrases[intent])
}

// without returns text with the words of an intent's phrases removed ("psicologo
// gratis" without the free intent is "psicologo").
func (e *Engine) without(intent, text string) string {
	words := strings.Fields(text)
	for _, p := range e.intents.phrases[intent].all() {
		target := strings.Fields(p)
		for i := 0; i+len(target) <= len(words); i++ {
			match := true
			for j, t := range target {
				if catalogue.Fold(words[i+j]) != t {
					match = false
					break
				}
			}
			if match {
				words = append(words[:i:i], words[i+len(target):]...)
				i--
			}
		}
	}
	return strings.Join(words, " ")
}
