package search

import (
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/comune-milano/wemibot/catalogue"
)

// A category boost lifts the services of one category. As Bleve's term query on the
// category field it walks the category's postings, thousands of services long on a
// large catalogue, for every service the words match: the largest part of a query
// with many matches. The categories' postings are read into the index's postings
// table (boost_postings.go) with the order keys, before the first search.

// loadCategoryPostings reads every category's postings into the table.
func loadCategoryPostings(t *postingsTable, snap *scorch.IndexSnapshot) {
	for _, c := range catalogue.CategoryIDs() {
		t.postings(snap, fieldCategory, string(c))
	}
}

// categoryQueries lifts each category by its boost, in the catalogue's order: from the
// postings table when the index has one, as term queries otherwise.
func (x *Index) categoryQueries(categoryBoost map[catalogue.CategoryID]float64) []query.Query {
	table := x.postingsTable()
	var qs []query.Query
	for _, c := range catalogue.CategoryIDs() {
		b := categoryBoost[c]
		if b <= 0 {
			continue
		}
		q := &query.TermQuery{Term: string(c), FieldVal: fieldCategory}
		q.SetBoost(b)
		qs = append(qs, tabled(q, table))
	}
	return qs
}
