package bot

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file finds the phrases of the lexicon and of the intents in a message. A
// phrase list is compiled once, when it is loaded: its phrases are indexed by their
// first word, so that a message is searched for all of them in one pass over its
// words (a map look-up a word) instead of one substring search a phrase. Phrases are
// folded (catalogue.Fold): words between single spaces, Chinese characters spaced
// one by one; a phrase is found where it stands as whole words.

// phraseList is a list of folded phrases, longest first, indexed by first word. A
// nil list holds no phrase.
type phraseList struct {
	phrases []string
	byFirst map[string][]int32 // phrase indices, ascending, by the phrase's first word
}

// newPhraseList compiles folded phrases, in their order; empty ones are never found.
func newPhraseList(phrases []string) *phraseList {
	l := &phraseList{phrases: phrases, byFirst: map[string][]int32{}}
	for i, p := range phrases {
		if p != "" {
			w := firstWord(p)
			l.byFirst[w] = append(l.byFirst[w], int32(i))
		}
	}
	return l
}

// all returns the phrases, longest first.
func (l *phraseList) all() []string {
	if l == nil {
		return nil
	}
	return l.phrases
}

// firstWord returns the words of s up to its first space.
func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// nextWord returns the word of folded that starts at start and where it ends.
// Words are what single spaces separate: two spaces in a row hold an empty word.
func nextWord(folded string, start int) (word string, end int) {
	end = strings.IndexByte(folded[start:], ' ')
	if end < 0 {
		return folded[start:], len(folded)
	}
	return folded[start : start+end], start + end
}

// phraseAt reports whether folded holds phrase as whole words at start, a word's
// first byte: exactly where indexPhrase would find it.
func phraseAt(folded string, start int, phrase string) bool {
	end := start + len(phrase)
	return strings.HasPrefix(folded[start:], phrase) && (end == len(folded) || folded[end] == ' ')
}

// firstIn returns the index of the first phrase of the list (the longest) that
// folded contains as whole words, or -1.
func (l *phraseList) firstIn(folded string) int {
	if l == nil || len(l.byFirst) == 0 {
		return -1
	}
	found := -1
	for start := 0; start <= len(folded); {
		word, end := nextWord(folded, start)
		for _, i := range l.byFirst[word] {
			if found >= 0 && int(i) >= found {
				break // indices ascend: the rest come later in the list
			}
			if phraseAt(folded, start, l.phrases[i]) {
				found = int(i)
				break
			}
		}
		start = end + 1
	}
	return found
}

// has reports whether folded contains any of the phrases as whole words.
func has(folded string, l *phraseList) bool { return l.firstIn(folded) >= 0 }

// startsWithAny reports whether folded starts with one of the phrases, as whole
// words.
func startsWithAny(folded string, l *phraseList) bool {
	if l == nil {
		return false
	}
	word, _ := nextWord(folded, 0)
	for _, i := range l.byFirst[word] {
		if phraseAt(folded, 0, l.phrases[i]) {
			return true
		}
	}
	return false
}

// strip removes every occurrence of the phrases from folded, longest first (the
// list's order), and the spaces around them.
func strip(folded string, l *phraseList) string {
	if l == nil || len(l.byFirst) == 0 {
		return folded
	}
	if !wordsOnly(folded) {
		for _, p := range l.phrases {
			folded = stripPhrase(folded, p)
		}
		return folded
	}
	// Removing a phrase joins the words around it and never makes a new word: only
	// the phrases whose first word folded holds may ever be found.
	var buf [16]int32
	candidates := buf[:0]
	for start := 0; start <= len(folded); {
		word, end := nextWord(folded, start)
		candidates = append(candidates, l.byFirst[word]...)
		start = end + 1
	}
	slices.Sort(candidates)
	for _, i := range slices.Compact(candidates) {
		folded = stripPhrase(folded, l.phrases[i])
	}
	return folded
}

// stripPhrase removes every occurrence of one phrase from folded, and the spaces
// around it.
func stripPhrase(folded, phrase string) string {
	for i := indexPhrase(folded, phrase); i >= 0; i = indexPhrase(folded, phrase) {
		folded = strings.TrimSpace(strings.TrimSpace(folded[:i]) + " " + strings.TrimSpace(folded[i+len(phrase):]))
	}
	return folded
}

// wordsOnly reports whether s is words between single spaces, with no other white
// space, as folding leaves text: stripping then only ever takes whole words away.
func wordsOnly(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' || strings.Contains(s, "  ") {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c != ' ' && asciiSpace(c) {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return false
		}
		i += size
	}
	return true
}

func asciiSpace(c byte) bool { return c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' }

// phraseTable is named phrase lists (questions by topic, audiences...), compiled
// into one index so that the longest phrase of any of them is found in one pass.
type phraseTable struct {
	keys    []string      // sorted
	lists   []*phraseList // by key
	byFirst map[string][]phraseRef
}

// phraseRef is a phrase of a table: its list's position among the sorted keys and
// its own in the list.
type phraseRef struct{ list, phrase int32 }

// newPhraseTable compiles named lists of folded phrases, each longest first.
func newPhraseTable(lists map[string][]string) *phraseTable {
	t := &phraseTable{byFirst: map[string][]phraseRef{}}
	for k := range lists {
		t.keys = append(t.keys, k)
	}
	sort.Strings(t.keys)
	for li, k := range t.keys {
		l := newPhraseList(lists[k])
		t.lists = append(t.lists, l)
		for i, p := range l.phrases {
			if p != "" {
				w := firstWord(p)
				t.byFirst[w] = append(t.byFirst[w], phraseRef{int32(li), int32(i)})
			}
		}
	}
	return t
}

// of returns the list of a key, nil for none.
func (t *phraseTable) of(key string) *phraseList {
	if i, ok := slices.BinarySearch(t.keys, key); ok {
		return t.lists[i]
	}
	return nil
}

// longest returns the longest phrase of any of the table's lists that folded
// contains as whole words, and the list's key. Of equally long phrases, the one of
// the first key in sorted order wins, and in one list the first.
func longest(folded string, t *phraseTable) (key, phrase string) {
	best := phraseRef{-1, -1}
	for start := 0; start <= len(folded); {
		word, end := nextWord(folded, start)
		for _, ref := range t.byFirst[word] {
			p := t.lists[ref.list].phrases[ref.phrase]
			if t.better(ref, best) && phraseAt(folded, start, p) {
				best = ref
			}
		}
		start = end + 1
	}
	if best.list < 0 {
		return "", ""
	}
	return t.keys[best.list], t.lists[best.list].phrases[best.phrase]
}

// better reports whether phrase a beats phrase b (or none, -1): longer, or as long
// and of an earlier key, or of the same key and earlier in its list.
func (t *phraseTable) better(a, b phraseRef) bool {
	if b.list < 0 {
		return true
	}
	la, lb := len(t.lists[a.list].phrases[a.phrase]), len(t.lists[b.list].phrases[b.phrase])
	if la != lb {
		return la > lb
	}
	if a.list != b.list {
		return a.list < b.list
	}
	return a.phrase < b.phrase
}
