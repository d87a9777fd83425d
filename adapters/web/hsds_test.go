package web_test

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
	"github.com/comune-milano/wemibot/hsds/hsdstest"
	"github.com/comune-milano/wemibot/search"
	"github.com/comune-milano/wemibot/search/searchtest"
)

// hsdsAPI serves the HSDS API on the bundled catalogue's real index, mounted as
// serve mounts it.
func hsdsAPI(t *testing.T) (*httptest.Server, *search.Live) {
	t.Helper()
	live := search.NewLive(searchtest.Bundled(t))
	mux := http.NewServeMux()
	mux.Handle(web.HSDSPrefix+"/", web.NewHSDS(live, web.HSDSOptions{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, live
}

type hsdsResponse struct {
	status int
	header http.Header
	body   []byte
}

func hsdsDo(t *testing.T, method, u string, header map[string]string) hsdsResponse {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return hsdsResponse{status: resp.StatusCode, header: resp.Header, body: body}
}

func hsdsGet(t *testing.T, u string) hsdsResponse {
	t.Helper()
	return hsdsDo(t, http.MethodGet, u, nil)
}

// listPage decodes a Page envelope, its contents kept raw.
type listPage struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

// getPage gets a list, checks the envelope and each item against the schemas, and
// returns it.
func getPage(t *testing.T, schemas *hsdstest.Schemas, u, itemSchema string) listPage {
	t.Helper()
	r := hsdsGet(t, u)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, r.status, r.body)
	}
	schemas.Validate(t, "page", r.body)
	var p listPage
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	for _, c := range p.Contents {
		schemas.Validate(t, itemSchema, c)
	}
	return p
}

func ids(t *testing.T, p listPage) []string {
	t.Helper()
	out := make([]string, len(p.Contents))
	for i, c := range p.Contents {
		var o struct {
			ID string `json:"id"`
		}
		json.Unmarshal(c, &o)
		out[i] = o.ID
	}
	return out
}

// Every endpoint answers what HSDS's schemas say.
func TestHSDSEndpoints(t *testing.T) {
	srv, _ := hsdsAPI(t)
	schemas := hsdstest.Load(t)
	base := srv.URL + "/hsds"

	r := hsdsGet(t, base+"/")
	schemas.Validate(t, "api_info", r.body)
	if r.status != 200 || !strings.Contains(string(r.body), `"version":"3.0.1"`) {
		t.Errorf("GET /hsds/: %d %s", r.status, r.body)
	}

	services := getPage(t, schemas, base+"/services?per_page=100", "service_list")
	cat, _ := catalogue.Bundled()
	want := len(cat.Services) + len(cat.Activities) + 1 // and "Spazi WeMi"
	if services.TotalItems != want || services.TotalPages != 2 || services.Size != 100 || !services.FirstPage || services.LastPage {
		t.Errorf("services: %d items, %d pages, size %d", services.TotalItems, services.TotalPages, services.Size)
	}
	for _, id := range ids(t, services)[:5] {
		r := hsdsGet(t, base+"/services/"+id)
		if r.status != 200 {
			t.Fatalf("GET /services/%s: %d", id, r.status)
		}
		schemas.Validate(t, "service", r.body)
	}
	// full=true: fully nested services and organizations, every one valid.
	full := getPage(t, schemas, base+"/services?per_page=100&page=2&full=true", "service")
	if full.Size != want-100 || !strings.Contains(string(full.Contents[0]), `"service_at_locations"`) {
		t.Errorf("full services: %d, %.200s", full.Size, full.Contents[0])
	}
	getPage(t, schemas, base+"/organizations?full=true", "organization")
	// A service is also found by the catalogue's own id.
	if r := hsdsGet(t, base+"/services/"+cat.Services[0].ID); r.status != 200 || !strings.Contains(string(r.body), hsds.ID("service", cat.Services[0].ID)) {
		t.Errorf("GET /services/<catalogue id>: %d", r.status)
	}

	orgs := getPage(t, schemas, base+"/organizations", "organization_list")
	if orgs.TotalItems != len(cat.Organizations)+1 {
		t.Errorf("organizations: %d, want %d (and WeMi's own)", orgs.TotalItems, len(cat.Organizations)+1)
	}
	r = hsdsGet(t, base+"/organizations/"+ids(t, orgs)[0])
	schemas.Validate(t, "organization", r.body)
	if !strings.Contains(string(r.body), `"services":[`) {
		t.Error("an organization by id lists its services")
	}

	taxa := getPage(t, schemas, base+"/taxonomies", "taxonomy")
	if taxa.TotalItems != 2 {
		t.Errorf("%d taxonomies, want 2 (the categories, WeMi's attributes)", taxa.TotalItems)
	}
	r = hsdsGet(t, base+"/taxonomies/"+hsds.CategoriesTaxonomyID())
	schemas.Validate(t, "taxonomy", r.body)
	terms := getPage(t, schemas, base+"/taxonomy_terms?taxonomy_id="+hsds.CategoriesTaxonomyID(), "taxonomy_term")
	if terms.TotalItems != 13 {
		t.Errorf("%d category terms, want 13", terms.TotalItems)
	}
	r = hsdsGet(t, base+"/taxonomy_terms/"+hsds.CategoryTermID("educativo"))
	schemas.Validate(t, "taxonomy_term", r.body)

	sals := getPage(t, schemas, base+"/service_at_locations?per_page=10", "service_at_location_list")
	r = hsdsGet(t, base+"/service_at_locations/"+ids(t, sals)[0])
	schemas.Validate(t, "service_at_location", r.body)
}

// The filters: the chat's search, a category's term, a provider.
func TestHSDSServiceFilters(t *testing.T) {
	srv, _ := hsdsAPI(t)
	schemas := hsdstest.Load(t)
	base := srv.URL + "/hsds/services?per_page=100"
	cat, _ := catalogue.Bundled()

	p := getPage(t, schemas, base+"&search="+url.QueryEscape("qualcuno per portare a spasso il cane"), "service_list")
	pets := map[string]bool{}
	for _, s := range cat.ServicesIn(catalogue.CuraAnimali) {
		pets[hsds.ID("service", s.ID)] = true
	}
	if p.TotalItems == 0 || !pets[ids(t, p)[0]] {
		t.Errorf("search for a dog walker: %d hits, first %s", p.TotalItems, p.Contents)
	}
	p = getPage(t, schemas, base+"&taxonomy_term_id="+hsds.CategoryTermID("educativo"), "service_list")
	if p.TotalItems != len(cat.ServicesIn(catalogue.Educativo)) {
		t.Errorf("educativo: %d services, want %d", p.TotalItems, len(cat.ServicesIn(catalogue.Educativo)))
	}
	org := cat.Organizations[0]
	p = getPage(t, schemas, base+"&organization_id="+hsds.ID("organization", org.ID), "service_list")
	for _, c := range p.Contents {
		if !strings.Contains(string(c), hsds.ID("organization", org.ID)) {
			t.Errorf("a service of another provider: %s", c)
		}
	}
	if p.TotalItems == 0 {
		t.Error("no services of the first provider")
	}
	both := getPage(t, schemas, base+"&search=babysitter&taxonomy_term_id=educativo", "service_list")
	if both.TotalItems == 0 || both.TotalItems >= p.TotalItems+len(cat.ServicesIn(catalogue.Educativo)) {
		t.Errorf("search and term together: %d", both.TotalItems)
	}
}

// Paging: the edges of the last page, a page past the end, bad values.
func TestHSDSPaging(t *testing.T) {
	srv, _ := hsdsAPI(t)
	schemas := hsdstest.Load(t)
	base := srv.URL + "/hsds/taxonomy_terms"
	all := getPage(t, schemas, base+"?per_page=100", "taxonomy_term")
	n := all.TotalItems
	last := getPage(t, schemas, base+"?per_page=10&page="+itoa((n+9)/10), "taxonomy_term")
	if !last.LastPage || last.FirstPage || last.Size != n-10*((n+9)/10-1) || last.Empty {
		t.Errorf("last page: %+v", last)
	}
	past := getPage(t, schemas, base+"?per_page=10&page=99", "taxonomy_term")
	if !past.Empty || past.Size != 0 || past.TotalItems != n || len(past.Contents) != 0 {
		t.Errorf("past the end: %+v", past)
	}
	one := getPage(t, schemas, base+"?per_page=1", "taxonomy_term")
	if one.TotalPages != n || one.Size != 1 {
		t.Errorf("per_page=1: %+v", one)
	}
	for _, q := range []string{"page=0", "page=-1", "page=x", "per_page=0", "per_page=101", "per_page=1e3", "format=ndjson"} {
		r := hsdsGet(t, base+"?"+q)
		var e struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		}
		if r.status != 400 || json.Unmarshal(r.body, &e) != nil || e.Status != 400 || e.Message == "" {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}
}

// Proximity: the nearest first, within the radius; bad coordinates are a 400.
func TestHSDSProximity(t *testing.T) {
	srv, _ := hsdsAPI(t)
	schemas := hsdstest.Load(t)
	cat, _ := catalogue.Bundled()
	sp := cat.Spaces[0]
	base := srv.URL + "/hsds/service_at_locations?per_page=100"
	at := "&lat=" + ftoa(sp.Location.Point.Lat) + "&lon=" + ftoa(sp.Location.Point.Lon)
	p := getPage(t, schemas, base+at, "service_at_location_list")
	if p.TotalItems == 0 {
		t.Fatal("nothing near")
	}
	var prev float64
	for i, c := range p.Contents {
		var sal struct {
			Location struct {
				Latitude, Longitude float64
				Name                string
			}
		}
		json.Unmarshal(c, &sal)
		d := distance(sp.Location.Point.Lat, sp.Location.Point.Lon, sal.Location.Latitude, sal.Location.Longitude)
		if i == 0 && sal.Location.Name != sp.Name {
			t.Errorf("nearest is %q, want the space itself %q", sal.Location.Name, sp.Name)
		}
		if d+0.5 < prev {
			t.Errorf("item %d at %.0f m comes after one at %.0f m", i, d, prev)
		}
		prev = d
	}
	within := getPage(t, schemas, base+at+"&proximity=800", "service_at_location_list")
	if within.TotalItems == 0 || within.TotalItems >= p.TotalItems {
		t.Errorf("within 800 m: %d of %d", within.TotalItems, p.TotalItems)
	}
	// The spec's spelling of the coordinates works too.
	if q := getPage(t, schemas, srv.URL+"/hsds/service_at_locations?latitude=45.46&longitude=9.19", "service_at_location_list"); q.TotalItems != p.TotalItems {
		t.Errorf("latitude/longitude: %d items, want %d", q.TotalItems, p.TotalItems)
	}
	for _, q := range []string{"lat=45.4", "lon=9.1", "lat=x&lon=9.1", "lat=95&lon=9", "lat=45&lon=190", "lat=NaN&lon=9",
		"proximity=500", "lat=45.4&lon=9.1&proximity=-3", "lat=45.4&lon=9.1&proximity=far"} {
		if r := hsdsGet(t, srv.URL+"/hsds/service_at_locations?"+q); r.status != 400 {
			t.Errorf("%s: %d, want 400", q, r.status)
		}
	}
}

// GET, HEAD and OPTIONS only; CORS on every answer and in the preflight.
func TestHSDSMethodsAndCORS(t *testing.T) {
	srv, _ := hsdsAPI(t)
	u := srv.URL + "/hsds/services"
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		r := hsdsDo(t, m, u, nil)
		if r.status != 405 || r.header.Get("Allow") != "GET, HEAD, OPTIONS" || r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: %d, Allow %q", m, r.status, r.header.Get("Allow"))
		}
	}
	r := hsdsDo(t, http.MethodOptions, u, map[string]string{"Origin": "https://portal.example.org",
		"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"})
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "GET") ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "If-None-Match") {
		t.Errorf("preflight: %d %v", r.status, r.header)
	}
	get := hsdsDo(t, http.MethodGet, u, map[string]string{"Origin": "https://portal.example.org"})
	head := hsdsDo(t, http.MethodHead, u, nil)
	if get.header.Get("Access-Control-Allow-Origin") != "*" || head.status != 200 || len(head.body) != 0 ||
		head.header.Get("Content-Length") != get.header.Get("Content-Length") || head.header.Get("ETag") != get.header.Get("ETag") {
		t.Errorf("HEAD: %d, %d bytes, %v", head.status, len(head.body), head.header)
	}
	if ct := get.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, path := range []string{"/hsds/nothing", "/hsds/services/no-such-service", "/hsds/organizations/x",
		"/hsds/taxonomies/x", "/hsds/taxonomy_terms/x", "/hsds/service_at_locations/x", "/hsds/services/a/b"} {
		r := hsdsGet(t, srv.URL+path)
		if r.status != 404 || !strings.Contains(string(r.body), `"status":404`) || r.header.Get("ETag") != "" {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
}

// ETags: strong, per catalogue version and request; If-None-Match gives a 304; a
// reload that changes the catalogue changes them.
func TestHSDSETags(t *testing.T) {
	srv, live := hsdsAPI(t)
	u := srv.URL + "/hsds/services?page=1&per_page=5"
	first := hsdsGet(t, u)
	etag := first.header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") || !strings.Contains(first.header.Get("Cache-Control"), "max-age=") {
		t.Fatalf("ETag %q, Cache-Control %q", etag, first.header.Get("Cache-Control"))
	}
	if again := hsdsGet(t, srv.URL+"/hsds/services?per_page=5&page=1"); again.header.Get("ETag") != etag {
		t.Error("the same request in another order has another ETag")
	}
	if other := hsdsGet(t, srv.URL+"/hsds/services?page=2&per_page=5"); other.header.Get("ETag") == etag {
		t.Error("another page has the same ETag")
	}
	for _, inm := range []string{etag, `"other", ` + etag, "W/" + etag, "*"} {
		r := hsdsDo(t, http.MethodGet, u, map[string]string{"If-None-Match": inm})
		if r.status != 304 || len(r.body) != 0 || r.header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: %d", inm, r.status)
		}
	}
	if r := hsdsDo(t, http.MethodGet, u, map[string]string{"If-None-Match": `"stale"`}); r.status != 200 {
		t.Errorf("a stale ETag: %d", r.status)
	}

	// A reload with a changed catalogue: new ETags, new content.
	old := live.Swap(searchtest.Edited(t, func(c *catalogue.Catalogue) { c.Services[0].Name = "Servizio rinominato" }))
	_ = old // the shared index: not closed
	after := hsdsDo(t, http.MethodGet, u, map[string]string{"If-None-Match": etag})
	if after.status != 200 || after.header.Get("ETag") == etag || !strings.Contains(string(after.body), "Servizio rinominato") {
		t.Errorf("after the reload: %d, ETag %s", after.status, after.header.Get("ETag"))
	}
	// search= reads the new index.
	s := hsdsGet(t, srv.URL+"/hsds/services?search=rinominato")
	if !strings.Contains(string(s.body), "Servizio rinominato") {
		t.Errorf("search after the reload: %s", s.body)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// distance is the distance in metres on an equirectangular projection: close enough
// in Milan to check an order.
func distance(lat1, lon1, lat2, lon2 float64) float64 {
	const metresPerDegree = 111195.0
	dlat := lat2 - lat1
	dlon := (lon2 - lon1) * math.Cos((lat1+lat2)/2*math.Pi/180)
	return metresPerDegree * math.Sqrt(dlat*dlat+dlon*dlon)
}
