package search

import (
	"sort"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/spelling"
)

// vocabulary is every term the index and the thesaurus know, bucketed by first letter
// and length so that the near neighbours of a misspelt word are found without
// comparing it to every term.
type vocabulary struct {
	terms   map[string]struct{}
	buckets map[vocabKey][]string
}

// vocabKey buckets terms by first letter and length in letters (not bytes: a Cyrillic
// or Arabic letter is two bytes, and a typo there is still one letter).
type vocabKey struct {
	first rune
	n     int
}

func keyOf(term string) vocabKey {
	first, _ := utf8.DecodeRuneInString(term)
	return vocabKey{first, utf8.RuneCountInString(term)}
}

func newVocabulary() *vocabulary {
	return &vocabulary{terms: map[string]struct{}{}, buckets: map[vocabKey][]string{}}
}

func (v *vocabulary) add(term string) {
	if term == "" {
		return
	}
	if _, ok := v.terms[term]; ok {
		return
	}
	v.terms[term] = struct{}{}
	k := keyOf(term)
	v.buckets[k] = append(v.buckets[k], term)
}

// freeze sorts the buckets, so that corrections come in the same order whatever order
// the terms were added in.
func (v *vocabulary) freeze() {
	for _, b := range v.buckets {
		sort.Strings(b)
	}
}

func (v *vocabulary) has(term string) bool {
	_, ok := v.terms[term]
	return ok
}

// maxCorrections bounds how many known words stand in for one unknown word.
const maxCorrections = 4

// corrections returns the known terms nearest to an unknown one: those at the
// smallest edit distance found, up to maxEdits(term), counted in letters. People rarely
// get the first letter wrong, so only terms with the same first letter are considered.
func (v *vocabulary) corrections(term string) []string {
	limit := maxEdits(term)
	if limit == 0 {
		return nil
	}
	k := keyOf(term)
	for d := 1; d <= limit; d++ {
		var out []string
		for n := k.n - d; n <= k.n+d; n++ {
			for _, cand := range v.buckets[vocabKey{k.first, n}] {
				if spelling.Within(term, cand, d) {
					out = append(out, cand)
					if len(out) == maxCorrections {
						return out
					}
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}
