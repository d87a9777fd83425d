package search

import (
	"strings"
	"unicode"

	"github.com/comune-milano/wemibot/catalogue"
)

// How many answers an index keeps: the bundled catalogue's common needs, in every
// language and with the usual filters, fit many times over (and as many best scores
// without filters, a few bytes each). A result holds at most
// catalogue.MaxSearchLimit hits and a match set at most maxNearMatches services, so
// even on a large catalogue the caches stay within a few tens of megabytes.
const (
	resultCacheSize = 4096
	matchCacheSize  = 1024
)

// searchCaches are what an index remembers of the searches it ran. They belong to one
// Index, that is to one catalogue version: a reload builds a new Index, so no answer
// outlives the catalogue it came from.
type searchCaches struct {
	results *clockCache[requestKey, *catalogue.SearchResult]
	matches *clockCache[requestKey, *matchSet]
	order   *idOrder // how ids sort, by document number (query_order.go)
	// best is the best score of a query's words without filters (SearchResult.Best).
	best *clockCache[wordsKey, float64]
	// plainBoosts makes the boosts Bleve's own queries (no category table, Bleve's
	// disjunction searcher): for the tests that compare the two. Set before any
	// search, never changed afterwards.
	plainBoosts bool
}

// wordsKey is what the best score without filters depends on: a validated,
// normalised request's words and language.
type wordsKey struct {
	query, lang string
}

func newSearchCaches() searchCaches {
	return searchCaches{
		results: newClockCache[requestKey, *catalogue.SearchResult](resultCacheSize),
		matches: newClockCache[requestKey, *matchSet](matchCacheSize),
		order:   &idOrder{},
		best:    newClockCache[wordsKey, float64](resultCacheSize),
	}
}

// requestKey is a validated, normalised SearchRequest without its point: what a
// result depends on. Search reads nothing else (no clock, no state of the citizen).
type requestKey struct {
	query         string
	lang          string
	category      catalogue.CategoryID
	free          bool
	municipio     int
	audience      catalogue.Audience
	delivery      string
	limit, offset int
	facets        bool
}

// requestKeyOf is the key of a validated, normalised request.
func requestKeyOf(req catalogue.SearchRequest) requestKey {
	return requestKey{query: req.Query, lang: req.Lang, category: req.Category, free: req.FreeOnly,
		municipio: req.Municipio, audience: req.Audience, delivery: req.Delivery,
		limit: req.Limit, offset: req.Offset, facets: req.Facets}
}

// normalizeQuery is the text a search analyses: valid UTF-8, at most
// catalogue.MaxQueryRunes, lower-cased (every analysis lower-cases first) and with
// single spaces between words (the tokenizer splits on any space), so that "Badante"
// and "badante " share one cached answer. A text already so is returned as it is,
// without allocating.
func normalizeQuery(raw string) string {
	text := catalogue.TruncateRunes(strings.ToValidUTF8(raw, " "), catalogue.MaxQueryRunes)
	if isNormalQuery(text) {
		return text
	}
	return strings.Join(strings.Fields(strings.ToLower(text)), " ")
}

func isNormalQuery(s string) bool {
	afterSpace := true // at the start, as after a space: no leading space
	for _, r := range s {
		if unicode.IsSpace(r) {
			if r != ' ' || afterSpace {
				return false
			}
			afterSpace = true
			continue
		}
		if unicode.ToLower(r) != r {
			return false
		}
		afterSpace = false
	}
	return s == "" || !afterSpace
}
