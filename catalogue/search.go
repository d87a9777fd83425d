package catalogue

import "unicode/utf8"

// How a search over the catalogue is asked for and answered. The index that answers
// lives in package search; these types are apart from it so that the packages that
// only ask (the bot, the adapters) do not link the search engine.

// Limits on what one search may ask for.
const (
	// MaxQueryRunes is how much of a message a search analyses; the index then bounds
	// the words searched, so a long message costs no more than a few sentences.
	MaxQueryRunes = 4000
	// DefaultSearchLimit is how many hits a search returns when it asks for none.
	DefaultSearchLimit = 10
	// MaxSearchLimit is the most hits one search returns.
	MaxSearchLimit = 100
)

// The values of SearchRequest.Delivery, as the filters name them.
const (
	// DeliveryIndividual selects services delivered one-to-one.
	DeliveryIndividual = "individuale"
	// DeliveryShared selects services delivered in a group.
	DeliveryShared = "condivisione"
)

// SearchRequest is one search for services. The zero value of each filter means
// "any".
type SearchRequest struct {
	Query string
	// Lang is the citizen's language, a code of the registry (package i18n): the query
	// is analysed in it, and in Italian and English at lower weights. Empty means "it".
	Lang      string
	Category  CategoryID
	FreeOnly  bool
	Municipio int
	Audience  Audience
	Delivery  string // DeliveryIndividual or DeliveryShared
	// Near sorts the hits by distance from a point, nearest first.
	Near   *Point
	Limit  int
	Offset int
	// Facets asks for the count of matching services per category.
	Facets bool
}

// SearchResult is the answer to a SearchRequest.
type SearchResult struct {
	// Total is how many services match, of which Hits is one page.
	Total int
	Hits  []Hit
	// Categories counts the matching services per category, when Facets was asked.
	Categories map[CategoryID]int
	// Understood lists the categories the thesaurus recognised in the query, best first.
	Understood []CategoryID
	// Words is how many searchable words the query had: 0 for emoji, punctuation or
	// only filler ("aiuto", "cerco").
	Words int
	// Best is the score the best service would have without the filters, so that a
	// caller can tell weak filtered hits from good ones. Set when filters were given.
	Best float64
}

// Hit is one service that matches a search.
type Hit struct {
	Service *Service
	Score   float64
	// DistanceMeters is set when the request had a Near point.
	DistanceMeters float64
}

// SpaceHit is one WeMi space that matches a search.
type SpaceHit struct {
	Space *Space
	Score float64
	// DistanceMeters is set when the search had a Near point.
	DistanceMeters float64
}

// TruncateRunes cuts s to at most n runes, never inside a rune.
func TruncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
