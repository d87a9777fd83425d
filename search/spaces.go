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

// SearchSpaces finds WeMi spaces by what they offer ("ISEE", "badanti") and, with
// near, sorts them by distance. With neither, it lists them all.
func (x *Index) SearchSpaces(ctx context.Context, text string, near *catalogue.Point, limit int) ([]catalogue.SpaceHit, error) {
	if limit <= 0 || limit > catalogue.MaxSearchLimit {
		limit = catalogue.DefaultSearchLimit
	}
	text = catalogue.TruncateRunes(strings.ToValidUTF8(text, " "), catalogue.MaxQueryRunes)
	var q query.Query = bleve.NewMatchAllQuery()
	if len(x.analyze(analyzerIT, text)) > 0 || len(x.analyze(analyzerEN, text)) > 0 {
		var clauses []query.Query
		for _, f := range []struct{ field, analyzer string }{
			{fieldNameIT, analyzerIT}, {fieldTextIT, analyzerIT}, {fieldTextEN, analyzerEN},
		} {
			m := bleve.NewMatchQuery(text)
			m.SetField(f.field)
			m.Analyzer = f.analyzer
			clauses = append(clauses, m)
		}
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
