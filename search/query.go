package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// maxTerms bounds the words looked up for typos and thesaurus needs, after the first
// catalogue.MaxQueryRunes characters of a message.
const maxTerms = 40

// ErrBadRequest is returned for a request whose filters are invalid (not for user text:
// any text is a valid query).
var ErrBadRequest = errors.New("invalid search request")

// Search finds the services that match a request. Any query text is accepted: text
// that means nothing (emoji, punctuation, query syntax) finds nothing rather than
// failing.
//
// Results are cached per index (one catalogue version) and shared between callers:
// a caller must not change a result, its hits or its maps.
func (x *Index) Search(ctx context.Context, req catalogue.SearchRequest) (*catalogue.SearchResult, error) {
	if err := x.validate(&req); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err) // a cached answer would hide it
	}
	req.Query = normalizeQuery(req.Query)
	if req.Near != nil {
		return x.searchNear(ctx, req)
	}
	return x.cache.results.getOrLoad(requestKeyOf(req), func() (*catalogue.SearchResult, error) {
		return x.search(ctx, req)
	})
}

// search runs a validated, normalised request on the Bleve index.
func (x *Index) search(ctx context.Context, req catalogue.SearchRequest) (*catalogue.SearchResult, error) {
	p := x.plan(req)
	if p.query == nil {
		return p.result, nil
	}
	br, err := x.runInOrder(ctx, p, hitPage{size: req.Limit, from: req.Offset, byDistance: req.Near != nil})
	if err != nil {
		return nil, err
	}
	res := p.result
	for _, h := range br.Hits {
		s, ok := x.services[h.ID]
		if !ok {
			continue
		}
		hit := catalogue.Hit{Service: s, Score: h.Score}
		if req.Near != nil && len(h.DecodedSort) > 0 {
			hit.DistanceMeters, _ = strconv.ParseFloat(h.DecodedSort[0], 64)
		}
		res.Hits = append(res.Hits, hit)
	}
	// Shared results never grow in place: an append by a caller copies.
	res.Hits = slices.Clip(res.Hits)
	return res, nil
}

// bestUnfiltered is the score the best service reaches for the same words without the
// filters. It depends on the words and their language only: a citizen who changes
// the filters of a search finds it cached (searchCaches.best).
func (x *Index) bestUnfiltered(ctx context.Context, tq textQuery) (float64, error) {
	ur, err := x.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(x.withBoosts(tq.match, tq.boost), 1, 0, false))
	if err != nil {
		return 0, err
	}
	if len(ur.Hits) == 0 {
		return 0, nil
	}
	return ur.Hits[0].Score, nil
}

func (x *Index) validate(req *catalogue.SearchRequest) error {
	if req.Lang == "" {
		req.Lang = langIT
	}
	if _, ok := x.langs[req.Lang]; !ok {
		return fmt.Errorf("%w: language %q (expected one of %s)", ErrBadRequest, req.Lang, strings.Join(sortedCodes(x.langs), ", "))
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
	if req.Delivery != "" && req.Delivery != catalogue.DeliveryIndividual && req.Delivery != catalogue.DeliveryShared {
		return fmt.Errorf("%w: delivery %q (expected %s or %s)", ErrBadRequest, req.Delivery, catalogue.DeliveryIndividual, catalogue.DeliveryShared)
	}
	if p := req.Near; p != nil && (math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180) {
		return fmt.Errorf("%w: %v is not a point on Earth", ErrBadRequest, *p)
	}
	if req.Limit <= 0 {
		req.Limit = catalogue.DefaultSearchLimit
	}
	req.Limit = min(req.Limit, catalogue.MaxSearchLimit)
	req.Offset = max(req.Offset, 0)
	return nil
}

func (x *Index) filters(req catalogue.SearchRequest) []query.Query {
	// Filters select; they must not score, so that a service scores the same with or
	// without them (catalogue.SearchResult.Best compares the two).
	term := func(field, value string) query.Query {
		q := bleve.NewTermQuery(value)
		q.SetField(field)
		q.SetBoost(0)
		return q
	}
	var fs []query.Query
	if req.Category != "" {
		fs = append(fs, term(fieldCategory, string(req.Category)))
	}
	if req.FreeOnly {
		q := bleve.NewBoolFieldQuery(true)
		q.SetField(fieldFree)
		q.SetBoost(0)
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
	boostThirdLang   = 0.3
	boostExpansion   = 0.5
	boostNeedPerTerm = 3.0
	boostFuzzy       = 0.3
	maxExpansions    = 3
)

// textQuery is a citizen's message turned into query parts.
type textQuery struct {
	words      int
	match      query.Query   // what a service must match: nil when the message has no searchable word
	boost      []query.Query // what lifts a matching service: the needs the thesaurus recognised
	understood []catalogue.CategoryID
}

// queryLanguage is one language a message is analysed in, and how much its fields
// weigh.
type queryLanguage struct {
	code  string
	boost float64
}

// queryLanguages are the languages a message in lang is analysed in: its own, at full
// weight, and Italian at a lower one, since citizens of every language write
// Italian words ("badante", "ISEE", "doposcuola", street names). English is the
// other language of Italian and English messages (as before), and a third one of
// the others' (boostThirdLang): the English fields hold every service, translated
// or not, and many citizens mix English words in.
func (x *Index) queryLanguages(lang string) []queryLanguage {
	switch lang {
	case langIT:
		return []queryLanguage{{langIT, 1}, {langEN, boostOtherLang}}
	case langEN:
		return []queryLanguage{{langEN, 1}, {langIT, boostOtherLang}}
	}
	return []queryLanguage{{lang, 1}, {langIT, boostOtherLang}, {langEN, boostThirdLang}}
}

// thesaurusLanguages are the languages whose needs apply to a message in lang: its
// own and Italian (and English for Italian messages, as before).
func thesaurusLanguages(lang string) []string {
	if lang == langIT {
		return []string{langIT, langEN}
	}
	return []string{lang, langIT}
}

// analyzeIn analyses text in each of langs, and reports whether any term was found.
// The other languages' analyses do not see the message's own grammar words and false
// friends (Romanian "sa", "tata" are Italian words too).
func (x *Index) analyzeIn(text, lang string, langs []queryLanguage) (map[string][]string, bool) {
	terms := make(map[string][]string, len(langs))
	other := text
	if lang != langIT && lang != langEN {
		other = x.withoutStopWords(text, lang)
	}
	found := false
	for _, l := range langs {
		in := text
		if l.code != lang {
			in = other
		}
		terms[l.code] = capTerms(x.analyze(x.analyzerFor(l.code), in))
		found = found || len(terms[l.code]) > 0
	}
	return terms, found
}

// withoutStopWords drops from text the words that lang's analysis drops: its stop
// and request words, whatever their accents.
func (x *Index) withoutStopWords(text, lang string) string {
	analyzer := x.analyzerFor(lang)
	falseFriends := i18n.Of(lang).FalseFriends
	words := strings.Fields(catalogue.Fold(text))
	kept := words[:0]
	for _, w := range words {
		if len(x.analyze(analyzer, w)) > 0 && !slices.Contains(falseFriends, w) {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// textQuery turns a citizen's message into match, term and fuzzy-corrected queries on
// analysed terms: no part of the text is ever parsed as query syntax.
func (x *Index) textQuery(raw, lang string) textQuery {
	text := catalogue.TruncateRunes(strings.ToValidUTF8(raw, " "), catalogue.MaxQueryRunes)
	langs := x.queryLanguages(lang)
	terms, found := x.analyzeIn(text, lang, langs)
	if !found {
		return textQuery{}
	}
	// Term clauses that select services, split by how common their term is. A service
	// must match a selecting clause; boosts only lift the services selected.
	var rare, commonNames, commonBodies, boosts []query.Query
	// How much each category is lifted: by the query's words that name it, and by
	// the needs the thesaurus recognises.
	categoryBoost := map[catalogue.CategoryID]float64{}
	liftCategories := func(terms []string, lang string, b float64) {
		for _, t := range terms {
			for _, c := range x.categoryTerms[lang][t] {
				categoryBoost[c] += b
			}
		}
	}
	corrections := x.correctTypos(terms, langs)
	for _, a := range langs {
		name, body := nameField(a.code), textField(a.code)
		x.termClauses(terms[a.code], name, boostName*a.boost, &rare, &commonNames)
		x.termClauses(terms[a.code], body, boostText*a.boost, &rare, &commonBodies)
		// Typo corrections count, at a low weight, so that they never outrank a word
		// the citizen spelt right.
		x.termClauses(corrections[a.code], name, boostFuzzy*a.boost, &rare, &commonNames)
		x.termClauses(corrections[a.code], body, boostFuzzy*a.boost, &rare, &commonBodies)
		liftCategories(terms[a.code], a.code, boostCategory*a.boost)
	}

	tq := textQuery{words: len(terms[lang])}
	boosted := map[catalogue.CategoryID]bool{}
	// The thesaurus sees the corrected words too ("badande" is "badante").
	withCorrections := map[string][]string{}
	for _, l := range thesaurusLanguages(lang) {
		withCorrections[l] = append(append([]string(nil), terms[l]...), corrections[l]...)
	}
	expanded := map[string]bool{}
	for i, m := range x.th.match(withCorrections) {
		// A need that explains the whole message ("non so a chi lasciare i bambini")
		// weighs like the citizen's own words; one among many words, half that.
		cover := min(float64(m.strength)/float64(max(len(terms[m.need.Lang]), 1)), 1)
		if i < maxExpansions && strings.TrimSpace(m.need.Expand) != "" && !expanded[m.need.Expand] {
			expanded[m.need.Expand] = true
			x.termClauses(without(x.th.expansion(m.need), withCorrections[langIT]), fieldNameIT, boostName*boostExpansion*(1+cover), &rare, &boosts)
			liftCategories(x.th.expansion(m.need), langIT, boostCategory*boostExpansion)
			if own := x.th.ownExpansion(m.need); len(own) > 0 {
				x.termClauses(without(own, withCorrections[m.need.Lang]), nameField(m.need.Lang), boostName*boostExpansion*(1+cover), &rare, &boosts)
				liftCategories(own, m.need.Lang, boostCategory*boostExpansion)
			}
		}
		if c := m.need.Category; c != "" && !boosted[c] {
			boosted[c] = true
			tq.understood = append(tq.understood, c)
			// A need that accounts for all the words of a short message ("badante") is
			// surer than one among many words of a long one.
			categoryBoost[c] += boostNeedPerTerm * float64(m.strength) * (1 + cover)
		}
	}
	boosts = append(boosts, x.categoryQueries(categoryBoost)...)
	selecting, boosts := selectByRarity(rare, commonNames, commonBodies, boosts)
	// The provider's name selects too ("la cooperativa Arcobaleno").
	provider := bleve.NewMatchQuery(text)
	provider.SetField(fieldProviderIT)
	provider.Analyzer = analyzerIT
	provider.SetBoost(boostProvider)
	selecting = append(selecting, provider)
	tq.boost = boosts
	tq.match = bleve.NewDisjunctionQuery(selecting...)
	return tq
}

// selectByRarity chooses the clauses a service must match and adds the common ones that
// only lift to boosts. A query of common words only selects by title, or by
// description when no title has them: selecting every description that says
// "anziani" would cost a scan of a large part of a big catalogue.
func selectByRarity(rare, commonNames, commonBodies, boosts []query.Query) (selecting, lifting []query.Query) {
	switch {
	case len(rare) > 0:
		// Common words still lift by title; by description they would cost as much
		// as selecting them.
		return rare, append(boosts, commonNames...)
	case len(commonNames) > 0:
		return commonNames, append(boosts, commonBodies...)
	default:
		return commonBodies, boosts
	}
}

// termClauses adds a term query per query term on one field: to selecting when the
// field holds the term in few services, to common otherwise.
func (x *Index) termClauses(terms []string, field string, boost float64, selecting, common *[]query.Query) {
	for _, t := range terms {
		df := x.docFreq(field, t)
		if df == 0 {
			continue
		}
		q := bleve.NewTermQuery(t)
		q.SetField(field)
		q.SetBoost(boost)
		if df > x.commonDF {
			// Asked for many services: read from the postings table (boost_postings.go).
			*common = append(*common, tabled(q, x.postingsTable()))
		} else {
			*selecting = append(*selecting, q)
		}
	}
}

// correctTypos finds, for each word no field of its language holds, the nearest words
// the catalogue knows, and adds them to terms so that the thesaurus sees them too. Only
// languages whose registry entry asks for it are corrected (not Chinese, where one
// character changed is another word). In the other languages of a message only words
// unknown in the message's own language are corrected: "badante" in an English
// message is an Italian word, not an English typo.
func (x *Index) correctTypos(terms map[string][]string, langs []queryLanguage) map[string][]string {
	out := map[string][]string{}
	own := langs[0].code
	for _, ql := range langs {
		l := ql.code
		if !x.langs[l].Typos {
			continue
		}
		for _, t := range terms[l] {
			if x.vocab[l].has(t) || maxEdits(t) == 0 {
				continue
			}
			if l != own && x.vocab[own].has(t) {
				continue
			}
			out[l] = append(out[l], x.vocab[l].corrections(t)...)
		}
	}
	return out
}

// without returns the terms of a that are not in b: an expansion adds only words the
// citizen did not write, or they would count twice.
func without(a, b []string) []string {
	var out []string
	for _, t := range a {
		found := false
		for _, u := range b {
			if t == u {
				found = true
				break
			}
		}
		if !found {
			out = append(out, t)
		}
	}
	return out
}

func capTerms(ts []string) []string {
	if len(ts) > maxTerms {
		return ts[:maxTerms]
	}
	return ts
}
