package web

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
)

// hsdsPage is HSDS's Page envelope.
type hsdsPage struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   any  `json:"contents"`
}

// paging reads page and per_page.
func paging(q url.Values) (page, perPage int, err error) {
	page, perPage = 1, HSDSDefaultPerPage
	if s := q.Get("page"); s != "" {
		if page, err = strconv.Atoi(s); err != nil || page < 1 {
			return 0, 0, badRequest("page must be a whole number from 1, not %q", truncate(s, 20))
		}
	}
	if s := q.Get("per_page"); s != "" {
		if perPage, err = strconv.Atoi(s); err != nil || perPage < 1 || perPage > HSDSMaxPerPage {
			return 0, 0, badRequest("per_page must be a whole number from 1 to %d, not %q", HSDSMaxPerPage, truncate(s, 20))
		}
	}
	return page, perPage, nil
}

// pageOf cuts one page out of n items; item(i) makes the i-th.
func pageOf[T any](n, page, perPage int, item func(i int) T) hsdsPage {
	pages := (n + perPage - 1) / perPage
	from := min((page-1)*perPage, n)
	to := min(from+perPage, n)
	contents := make([]T, 0, to-from)
	for i := from; i < to; i++ {
		contents = append(contents, item(i))
	}
	return hsdsPage{TotalItems: n, TotalPages: pages, PageNumber: page, Size: len(contents),
		FirstPage: page == 1, LastPage: page >= pages, Empty: len(contents) == 0, Contents: contents}
}

func truncate(s string, n int) string { return catalogue.TruncateRunes(s, n) }

// list answers a collection.
func (h *HSDS) list(ctx context.Context, what string, q url.Values, v *hsdsView) (any, error) {
	page, perPage, err := paging(q)
	if err != nil {
		return nil, err
	}
	if f := q.Get("format"); f != "" && f != "json" {
		return nil, badRequest("format %q is not offered: only json", truncate(f, 20))
	}
	full := q.Get("full") == "true"
	switch what {
	case "services":
		idx, err := h.selectServices(ctx, q, v)
		if err != nil {
			return nil, err
		}
		return pageOf(len(idx), page, perPage, func(i int) hsds.Service {
			if full {
				return v.data.Services[idx[i]]
			}
			return v.data.Services[idx[i]].Flat()
		}), nil
	case "organizations":
		idx := v.selectOrganizations(q)
		return pageOf(len(idx), page, perPage, func(i int) hsds.Organization {
			if full {
				return v.data.Organizations[idx[i]]
			}
			return v.data.Organizations[idx[i]].Flat()
		}), nil
	case "taxonomies":
		return pageOf(len(v.data.Taxonomies), page, perPage, func(i int) hsds.Taxonomy { return v.data.Taxonomies[i] }), nil
	case "taxonomy_terms":
		terms := v.selectTerms(q)
		return pageOf(len(terms), page, perPage, func(i int) hsds.TaxonomyTerm { return terms[i] }), nil
	case "service_at_locations":
		sals, err := h.selectSALs(ctx, q, v)
		if err != nil {
			return nil, err
		}
		return pageOf(len(sals), page, perPage, func(i int) hsds.ServiceAtLocation {
			e := v.sals[sals[i]]
			return e.sal.Flat(v.data.Services[e.service])
		}), nil
	}
	return nil, notFound("no such HSDS collection: %s", truncate(what, 40))
}

// one answers an object by its id.
func (h *HSDS) one(what, id string, v *hsdsView) (any, error) {
	switch what {
	case "services":
		if s, ok := v.service(id); ok {
			return s, nil
		}
	case "organizations":
		if o, ok := v.organization(id); ok {
			// The organization's services, as the schema's services array: their
			// one-to-one fields.
			for _, s := range v.data.Services {
				if s.OrganizationID == o.ID {
					o.Services = append(o.Services, s.Flat())
				}
			}
			return o, nil
		}
	case "taxonomies":
		if i, ok := v.taxa[id]; ok {
			return v.data.Taxonomies[i], nil
		}
	case "taxonomy_terms":
		if i, ok := v.terms[id]; ok {
			return v.data.Terms[i], nil
		}
	case "service_at_locations":
		if i, ok := v.salByID[id]; ok {
			e := v.sals[i]
			sal := e.sal
			// HSDS nests the whole service in a service at location, except its
			// services at locations: the one asked for is the object itself.
			s := v.data.Services[e.service]
			s.ServiceAtLocations = nil
			sal.Service = &s
			return sal, nil
		}
	default:
		return nil, notFound("no such HSDS collection: %s", truncate(what, 40))
	}
	return nil, notFound("no %s with id %q", strings.TrimSuffix(what, "s"), truncate(id, 60))
}

// selectServices applies search, taxonomy_term_id, taxonomy_id and organization_id,
// and returns the services' indexes: in the search's order (best first) when there
// is a search, else in the catalogue's.
func (h *HSDS) selectServices(ctx context.Context, q url.Values, v *hsdsView) ([]int, error) {
	var idx []int
	if text := strings.TrimSpace(q.Get("search")); text != "" {
		hits, err := h.search(ctx, text, q.Get("lang"), v)
		if err != nil {
			return nil, err
		}
		idx = hits
	} else {
		idx = make([]int, len(v.data.Services))
		for i := range idx {
			idx[i] = i
		}
	}
	term, taxonomy, org := q.Get("taxonomy_term_id"), q.Get("taxonomy_id"), q.Get("organization_id")
	if term != "" && catalogue.CategoryID(term).Valid() {
		term = hsds.CategoryTermID(term) // a category's id works too
	}
	if o, ok := v.organization(org); ok {
		org = o.ID
	}
	if term == "" && taxonomy == "" && org == "" {
		return idx, nil
	}
	out := idx[:0:0]
	for _, i := range idx {
		s := v.data.Services[i]
		terms := termIDs(s)
		switch {
		case term != "" && !terms[term]:
		case org != "" && s.OrganizationID != org:
		case taxonomy != "" && !v.inTaxonomy(terms, taxonomy):
		default:
			out = append(out, i)
		}
	}
	return out, nil
}

// search runs the chat's search and returns the services it finds, best first.
func (h *HSDS) search(ctx context.Context, text, lang string, v *hsdsView) ([]int, error) {
	if lang == "" {
		lang = catalogue.LangItalian
	}
	known := false
	for _, l := range v.cat.Languages {
		known = known || l.Code == lang
	}
	if !known {
		return nil, badRequest("lang %q is not a language of the catalogue", truncate(lang, 10))
	}
	var out []int
	for offset := 0; offset < hsdsMaxSearchHits; offset += catalogue.MaxSearchLimit {
		res, err := h.src.Search(ctx, catalogue.SearchRequest{Query: text, Lang: lang, Limit: catalogue.MaxSearchLimit, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("hsds search (%d characters): %w", len(text), err)
		}
		for _, hit := range res.Hits {
			if i, ok := v.byWemiID[hit.Service.ID]; ok {
				out = append(out, i)
			}
		}
		if len(res.Hits) < catalogue.MaxSearchLimit || offset+len(res.Hits) >= res.Total {
			break
		}
	}
	return out, nil
}

// inTaxonomy reports whether any of the terms is in the taxonomy.
func (v *hsdsView) inTaxonomy(terms map[string]bool, taxonomy string) bool {
	for id := range terms {
		if i, ok := v.terms[id]; ok && v.data.Terms[i].TaxonomyID == taxonomy {
			return true
		}
	}
	return false
}

// selectOrganizations applies search (words of the name or description).
func (v *hsdsView) selectOrganizations(q url.Values) []int {
	words := strings.Fields(catalogue.Fold(q.Get("search")))
	var out []int
	for i, text := range v.orgNames {
		all := true
		for _, w := range words {
			if !strings.Contains(text, w) {
				all = false
				break
			}
		}
		if all {
			out = append(out, i)
		}
	}
	return out
}

// selectTerms applies taxonomy_id, parent_id, top_only and search.
func (v *hsdsView) selectTerms(q url.Values) []hsds.TaxonomyTerm {
	words := strings.Fields(catalogue.Fold(q.Get("search")))
	var out []hsds.TaxonomyTerm
	for _, t := range v.data.Terms {
		text := catalogue.Fold(t.Code + " " + t.Name + " " + t.Description)
		match := true
		for _, w := range words {
			match = match && strings.Contains(text, w)
		}
		switch {
		case !match:
		case q.Get("taxonomy_id") != "" && t.TaxonomyID != q.Get("taxonomy_id"):
		case q.Get("parent_id") != "" && t.ParentID != q.Get("parent_id"):
		case q.Get("top_only") == "true" && t.ParentID != "":
		default:
			out = append(out, t)
		}
	}
	return out
}

// The names the proximity parameters go by: ours and the usual spellings.
func latNames() []string { return []string{"lat", "latitude"} }
func lonNames() []string { return []string{"lon", "lng", "longitude"} }

// point reads the coordinates; ok is false when none were given.
func point(q url.Values) (lat, lon float64, ok bool, err error) {
	latS, lonS := firstOf(q, latNames()), firstOf(q, lonNames())
	if latS == "" && lonS == "" {
		return 0, 0, false, nil
	}
	if latS == "" || lonS == "" {
		return 0, 0, false, badRequest("give both lat and lon")
	}
	lat, err1 := strconv.ParseFloat(latS, 64)
	lon, err2 := strconv.ParseFloat(lonS, 64)
	if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, false, badRequest("lat and lon must be decimal degrees (lat from -90 to 90, lon from -180 to 180)")
	}
	return lat, lon, true, nil
}

func firstOf(q url.Values, names []string) string {
	for _, n := range names {
		if s := strings.TrimSpace(q.Get(n)); s != "" {
			return s
		}
	}
	return ""
}

// selectSALs applies the services' filters, postcode and proximity (metres from lat
// and lon); with coordinates, the nearest first.
func (h *HSDS) selectSALs(ctx context.Context, q url.Values, v *hsdsView) ([]int, error) {
	lat, lon, near, err := point(q)
	if err != nil {
		return nil, err
	}
	radius := math.Inf(1)
	if s := q.Get("proximity"); s != "" {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil || !(r > 0) || math.IsInf(r, 0) {
			return nil, badRequest("proximity must be a distance in metres greater than 0, not %q", truncate(s, 20))
		}
		if !near {
			return nil, badRequest("proximity needs the point it is measured from: lat and lon")
		}
		radius = r
	}
	services, err := h.selectServices(ctx, q, v)
	if err != nil {
		return nil, err
	}
	allowed := make(map[int]bool, len(services))
	for _, i := range services {
		allowed[i] = true
	}
	postcode := strings.TrimSpace(q.Get("postcode"))
	var out []int
	dist := map[int]float64{}
	for i, e := range v.sals {
		if !allowed[e.service] || e.sal.Location == nil {
			continue
		}
		l := e.sal.Location
		if postcode != "" && !hasPostcode(l, postcode) {
			continue
		}
		if near {
			if l.Latitude == nil || l.Longitude == nil {
				continue
			}
			d := metresBetween(lat, lon, *l.Latitude, *l.Longitude)
			if d > radius {
				continue
			}
			dist[i] = d
		}
		out = append(out, i)
	}
	if near {
		sort.SliceStable(out, func(a, b int) bool { return dist[out[a]] < dist[out[b]] })
	}
	return out, nil
}

func hasPostcode(l *hsds.Location, postcode string) bool {
	for _, a := range l.Addresses {
		if a.PostalCode == postcode {
			return true
		}
	}
	return false
}

// metresBetween is the great-circle distance between two points (haversine).
func metresBetween(lat1, lon1, lat2, lon2 float64) float64 {
	const earth = 6371000.0
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * earth * math.Asin(math.Sqrt(a))
}
