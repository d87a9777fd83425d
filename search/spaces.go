package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/comune-milano/wemibot/catalogue"
)

// SearchSpaces finds WeMi spaces by what they offer ("ISEE", "badanti") in Italian or
// English and, with near, sorts them by distance. With neither, it lists them all.
func (x *Index) SearchSpaces(ctx context.Context, text string, near *catalogue.Point, limit int) ([]catalogue.SpaceHit, error) {
	return x.SearchSpacesIn(ctx, langIT, text, near, limit)
}

// SearchSpacesIn is SearchSpaces for a message in lang: what the spaces offer in that
// language is searched besides the Italian and English. An unknown lang is searched
// as Italian.
func (x *Index) SearchSpacesIn(ctx context.Context, lang, text string, near *catalogue.Point, limit int) ([]catalogue.SpaceHit, error) {
	if limit <= 0 || limit > catalogue.MaxSearchLimit {
		limit = catalogue.DefaultSearchLimit
	}
	if _, ok := x.langs[lang]; !ok {
		lang = langIT
	}
	text = catalogue.TruncateRunes(strings.ToValidUTF8(text, " "), catalogue.MaxQueryRunes)
	fields := []struct{ field, analyzer string }{
		{fieldNameIT, analyzerIT}, {fieldTextIT, analyzerIT}, {fieldTextEN, analyzerEN},
	}
	if lang != langIT && lang != langEN {
		fields = append(fields, struct{ field, analyzer string }{textField(lang), x.analyzerFor(lang)})
	}
	var q query.Query = bleve.NewMatchAllQuery()
	var clauses []query.Query
	for _, f := range fields {
		if len(x.analyze(f.analyzer, text)) == 0 {
			continue
		}
		m := bleve.NewMatchQuery(text)
		m.SetField(f.field)
		m.Analyzer = f.analyzer
		clauses = append(clauses, m)
	}
	if len(clauses) > 0 {
		q = bleve.NewDisjunctionQuery(clauses...)
	}
	sr := bleve.NewSearchRequestOptions(q, limit, 0, false)
	order := bsearch.SortOrder{&bsearch.SortScore{Desc: true}, &bsearch.SortDocID{}}
	if near != nil {
		geo, err := bsearch.NewSortGeoDistance(fieldLocation, "m", near.Lon, near.Lat, false)
		if err != nil {
			return nil, fmt.Errorf("search spaces: sort by distance: %w", err)
		}
		order = append(bsearch.SortOrder{geo}, order...)
	}
	sr.SortByCustom(order)
	ctx, cancel := context.WithTimeout(ctx, x.timeout)
	defer cancel()
	res, err := x.spaceIdx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("search spaces: %w", err)
	}
	out := make([]catalogue.SpaceHit, 0, len(res.Hits))
	for _, h := range res.Hits {
		sp, ok := x.spaces[h.ID]
		if !ok {
			continue
		}
		hit := catalogue.SpaceHit{Space: sp, Score: h.Score}
		if near != nil && len(h.DecodedSort) > 0 {
			hit.DistanceMeters, _ = strconv.ParseFloat(h.DecodedSort[0], 64)
		}
		out = append(out, hit)
	}
	return out, nil
}
