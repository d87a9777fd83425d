package search

import (
	"sort"

	"github.com/comune-milano/wemibot/spelling"
)

// vocabulary is every term the index and the thesaurus know, bucketed by first letter
// and length so that the near neighbours of a misspelt word are found without
// comparing it to every term.
type vocabulary struct {
	terms   map[string]struct{}
	buckets map[vocabKey][]string
}

type vocabKey struct {
	first byte
	n     int
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
	k := vocabKey{term[0], len(term)}
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
// smallest edit distance found, up to maxEdits(term). People rarely get the first
// letter wrong, so only terms with the same first letter are considered.
func (v *vocabulary) corrections(term string) []string {
	limit := maxEdits(term)
	if limit == 0 {
		return nil
	}
	for d := 1; d <= limit; d++ {
		var out []string
		for n := len(term) - d; n <= len(term)+d; n++ {
			for _, cand := range v.buckets[vocabKey{term[0], n}] {
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
