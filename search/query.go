package search

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/comune-milano/wemibot/catalogue"
)

// Limits on what one search may ask for.
const (
	// MaxQueryRunes is how much of a message is searched: the first part of a long
	// message says what is needed; the rest would only slow the search down.
	MaxQueryRunes = 400
	// maxTerms bounds the words looked up for typos and thesaurus needs.
	maxTerms = 40
	// DefaultLimit and MaxLimit bound the hits returned.
	DefaultLimit = 10
	MaxLimit     = 100
)

// Request is one search. The zero value of each filter means "any".
type Request struct {
	Query     string
	Lang      string // "it" (default) or "en": the language the query is analysed in
	Category  catalogue.CategoryID
	FreeOnly  bool
	Municipio int
	Audience  catalogue.Audience
	Delivery  string // DeliveryIndividual or DeliveryShared
	// Near sorts the hits by distance from a point, nearest first.
	Near   *catalogue.Point
	Limit  int
	Offset int
}

// Result is the answer to a Request.
type Result struct {
	// Total is how many services match, of which Hits is one page.
	Total int
	Hits  []Hit
	// Categories counts the matching services per category.
	Categories map[catalogue.CategoryID]int
	// Understood lists the categories the thesaurus recognised in the query, best first.
	Understood []catalogue.CategoryID
}

// Hit is one matching service.
type Hit struct {
	Service *catalogue.Service
	Score   float64
	// DistanceMeters is set when the request had a Near point.
	DistanceMeters float64
}

// ErrBadRequest is returned for a request whose filters are invalid (not for user text:
// any text is a valid query).
var ErrBadRequest = errors.New("invalid search request")

// Search finds the services that match a request. Any query text is accepted: text
// that means nothing (emoji, punctuation, query syntax) finds nothing rather than
// failing.
func (x *Index) Search(ctx context.Context, req Request) (*Result, error) {
	if err := x.validate(&req); err != nil {
		return nil, err
	}
	text, understood := x.textQuery(req.Query, req.Lang)
	filters := x.filters(req, kindService)
	res := &Result{Categories: map[catalogue.CategoryID]int{}, Understood: understood}
	var q query.Query
	switch {
	case text != nil:
		q = bleve.NewConjunctionQuery(append([]query.Query{text}, filters...)...)
	case len(filters) > 1 || req.Near != nil:
		// No usable words, but filters or a location: list what they select.
		q = bleve.NewConjunctionQuery(append([]query.Query{bleve.NewMatchAllQuery()}, filters...)...)
	default:
		return res, nil
	}
	sr := bleve.NewSearchRequestOptions(q, req.Limit, req.Offset, false)
	sr.AddFacet("categories", bleve.NewFacetRequest(fieldCategory, len(catalogue.CategoryIDs())))
	if req.Near != nil {
		geo, err := bsearch.NewSortGeoDistance(fieldLocation, "m", req.Near.Lon, req.Near.Lat, false)
		if err != nil {
			return nil, fmt.Errorf("search: sort by distance: %w", err)
		}
		sr.SortByCustom(bsearch.SortOrder{geo, &bsearch.SortScore{Desc: true}, &bsearch.SortDocID{}})
	} else {
		sr.SortByCustom(bsearch.SortOrder{&bsearch.SortScore{Desc: true}, &bsearch.SortDocID{}})
	}
	ctx, cancel := context.WithTimeout(ctx, x.timeout)
	defer cancel()
	br, err := x.idx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", truncate(req.Query, 40), err)
	}
	res.Total = int(br.Total)
	if f, ok := br.Facets["categories"]; ok && f.Terms != nil {
		for _, t := range f.Terms.Terms() {
			res.Categories[catalogue.CategoryID(t.Term)] = t.Count
		}
	}
	for _, h := range br.Hits {
		s, ok := x.services[h.ID]
		if !ok {
			continue
		}
		hit := Hit{Service: s, Score: h.Score}
		if req.Near != nil && len(h.DecodedSort) > 0 {
			hit.DistanceMeters, _ = strconv.ParseFloat(h.DecodedSort[0], 64)
		}
		res.Hits = append(res.Hits, hit)
	}
	return res, nil
}

func (x *Index) validate(req *Request) error {
	switch req.Lang {
	case "", "it":
		req.Lang = "it"
	case "en":
	default:
		return fmt.Errorf("%w: language %q (expected it or en)", ErrBadRequest, req.Lang)
	}
	if req.Category != "" && !req.Category.Valid() {
		return fmt.Errorf("%w: unknown category %q", ErrBadRequest, req.Category)
	}
	if req.Municipio < 0 || req.Municipio > 9 {
		return fmt.Errorf("%w: municipio %d is outside 1-9", ErrBadRequest, req.Municipio)
	}
	if req.Audience != "" && !req.Audience.Valid() {
		return fmt.Errorf("%w: unknown target group %q", ErrBadRequest, req.Audience)
	}
	if req.Delivery != "" && req.Delivery != DeliveryIndividual && req.Delivery != DeliveryShared {
		return fmt.Errorf("%w: delivery %q (expected %s or %s)", ErrBadRequest, req.Delivery, DeliveryIndividual, DeliveryShared)
	}
	if req.Limit <= 0 {
		req.Limit = DefaultLimit
	}
	req.Limit = min(req.Limit, MaxLimit)
	req.Offset = max(req.Offset, 0)
	return nil
}

func (x *Index) filters(req Request, kind string) []query.Query {
	term := func(field, value string) query.Query {
		q := bleve.NewTermQuery(value)
		q.SetField(field)
		return q
	}
	fs := []query.Query{term(fieldKind, kind)}
	if req.Category != "" {
		fs = append(fs, term(fieldCategory, string(req.Category)))
	}
	if req.FreeOnly {
		q := bleve.NewBoolFieldQuery(true)
		q.SetField(fieldFree)
		fs = append(fs, q)
	}
	if req.Municipio != 0 {
		fs = append(fs, term(fieldMunicipio, strconv.Itoa(req.Municipio)))
	}
	if req.Audience != "" {
		fs = append(fs, term(fieldAudience, string(req.Audience)))
	}
	if req.Delivery != "" {
		fs = append(fs, term(fieldDelivery, req.Delivery))
	}
	return fs
}

// Boosts of the parts of a text query. The user's own words in the user's language
// weigh most; the thesaurus's category and expansion words lift the services that
// meet the need; fuzzy matches of unknown words weigh least, so a typo never
// outranks an exact word.
const (
	boostName        = 3.0
	boostText        = 1.0
	boostCategory    = 1.5
	boostProvider    = 0.5
	boostOtherLang   = 0.4
	boostExpansion   = 0.5
	boostNeedPerTerm = 3.0
	boostFuzzy       = 0.15
	maxExpansions    = 3
)

// textQuery turns a citizen's message into a Bleve query made only of match, term and
// fuzzy queries on analysed terms: no part of the text is ever parsed as query syntax.
// It returns nil when the message has no searchable word.
func (x *Index) textQuery(raw, lang string) (query.Query, []catalogue.CategoryID) {
	text := truncate(strings.ToValidUTF8(raw, " "), MaxQueryRunes)
	terms := map[string][]string{
		"it": capTerms(x.analyze(analyzerIT, text)),
		"en": capTerms(x.analyze(analyzerEN, text)),
	}
	if len(terms["it"]) == 0 && len(terms["en"]) == 0 {
		return nil, nil
	}
	var clauses []query.Query
	match := func(text, field, analyzer string, boost float64) {
		q := bleve.NewMatchQuery(text)
		q.SetField(field)
		q.Analyzer = analyzer
		q.SetBoost(boost)
		clauses = append(clauses, q)
	}
	primary, other := analyzerIT, analyzerEN
	if lang == "en" {
		primary, other = analyzerEN, analyzerIT
	}
	for _, a := range []struct {
		analyzer string
		boost    float64
	}{{primary, 1}, {other, boostOtherLang}} {
		name, body, cat := fieldNameIT, fieldTextIT, fieldCategoryIT
		if a.analyzer == analyzerEN {
			name, body, cat = fieldNameEN, fieldTextEN, fieldCategoryEN
		} else {
			match(text, fieldProviderIT, a.analyzer, boostProvider*a.boost)
		}
		match(text, name, a.analyzer, boostName*a.boost)
		match(text, body, a.analyzer, boostText*a.boost)
		match(text, cat, a.analyzer, boostCategory*a.boost)
	}

	// Words the catalogue does not know are probably typos: replace them with the
	// nearest known words, looked up at a low weight so that they never outrank a
	// word the citizen spelt right.
	for _, lang := range []string{"it", "en"} {
		fields := []string{fieldNameIT, fieldTextIT, fieldCategoryIT}
		if lang == "en" {
			fields = []string{fieldNameEN, fieldTextEN, fieldCategoryEN}
		}
		for _, t := range terms[lang] {
			if x.vocab.has(t) || maxEdits(t) == 0 {
				continue
			}
			for _, c := range x.vocab.corrections(t) {
				terms[lang] = append(terms[lang], c)
				for _, f := range fields {
					q := bleve.NewTermQuery(c)
					q.SetField(f)
					q.SetBoost(boostFuzzy)
					clauses = append(clauses, q)
				}
			}
		}
	}

	needs := x.th.match(terms)
	var understood []catalogue.CategoryID
	boosted := map[catalogue.CategoryID]bool{}
	for i, m := range needs {
		if i < maxExpansions && strings.TrimSpace(m.need.Expand) != "" {
			match(m.need.Expand, fieldNameIT, analyzerIT, boostName*boostExpansion)
			match(m.need.Expand, fieldTextIT, analyzerIT, boostText*boostExpansion)
		}
		if c := m.need.Category; c != "" && !boosted[c] {
			boosted[c] = true
			understood = append(understood, c)
			q := bleve.NewTermQuery(string(c))
			q.SetField(fieldCategory)
			q.SetBoost(boostNeedPerTerm * float64(m.strength))
			clauses = append(clauses, q)
		}
	}
	return bleve.NewDisjunctionQuery(clauses...), understood
}

func capTerms(ts []string) []string {
	if len(ts) > maxTerms {
		return ts[:maxTerms]
	}
	return ts
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
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
