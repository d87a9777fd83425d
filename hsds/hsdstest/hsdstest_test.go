package hsdstest_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
	"github.com/comune-milano/wemibot/hsds/hsdstest"
)

func TestSchemasTellValidFromInvalid(t *testing.T) {
	s := hsdstest.Load(t)
	const id = "ac148810-d857-441c-9679-408f346de14b"
	page := `"total_items":1,"total_pages":1,"page_number":1,"size":1,"first_page":true,"last_page":true,"empty":false`
	cases := []struct {
		schema, doc string
		valid       bool
	}{
		{"service", `{"id":"` + id + `","name":"x","status":"active"}`, true},
		{"service", `{"id":"` + id + `","name":"x"}`, false},
		{"service", `{"id":"not-a-uuid","name":"x","status":"active"}`, false},
		{"service", `{"id":"` + id + `","name":"x","status":"open"}`, false},
		{"service_list", `{"id":"` + id + `","name":"x","status":"active"}`, true},
		{"service_list", `{"id":"` + id + `","name":"x","status":"active","schedules":[]}`, false},
		{"organization_list", `{"id":"` + id + `","name":"x","description":"y","locations":[]}`, false},
		{"service_at_location", `{"id":"` + id + `","service":{"id":"` + id + `","name":"x","status":"active"}}`, true},
		// HSDS's service at location nests its service without services at locations.
		{"service_at_location", `{"id":"` + id + `","service":{"id":"` + id + `","name":"x","status":"active","service_at_locations":[]}}`, false},
		{"organization", `{"id":"` + id + `","name":"x","description":"y","services":[{"id":"` + id + `","name":"x","status":"active"}]}`, true},
		{"service", `{"id":"` + id + `","name":"x","status":"active","organization":{"id":"` + id + `","name":"x","description":"y","services":[]}}`, false},
		{"taxonomy_term", `{"id":"` + id + `","name":"x","description":"y"}`, true},
		{"taxonomy_term", `{"id":"` + id + `","name":"x"}`, false},
		{"taxonomy", `{"id":"` + id + `","name":"x","description":"y","uri":"categorie wemi"}`, false},
		{"page", `{` + page + `,"contents":[]}`, true},
		{"page", `{` + page + `}`, false},
		{"page", `{"total_items":"1"}`, false},
		{"api_info", `{"version":"3.0.1","openapi_url":"https://example.org/openapi.json"}`, true},
		{"api_info", `{"version":"2.0"}`, false},
		{"nothing", `{}`, false},
		{"service", `{"id":`, false},
	}
	for _, c := range cases {
		err := s.Check(c.schema, []byte(c.doc))
		if (err == nil) != c.valid {
			t.Errorf("%s %s: valid=%v, want %v (%v)", c.schema, c.doc, err == nil, c.valid, err)
		}
	}
}

// richService is an exported service of the bundled catalogue that has every part
// the breakages below reach: schedules, priced cost options, an organization with an
// email, and a location with an address.
func richService(t *testing.T) map[string]any {
	t.Helper()
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	d, err := hsds.Export(cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Services {
		if len(s.Schedules) == 0 || len(s.CostOptions) == 0 || s.CostOptions[0].Amount == nil ||
			s.Organization == nil || s.Organization.Email == "" || len(s.Attributes) == 0 ||
			len(s.ServiceAtLocations) == 0 || s.ServiceAtLocations[0].Location == nil ||
			len(s.ServiceAtLocations[0].Location.Addresses) == 0 {
			continue
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	t.Fatal("no exported service with schedules, prices, an organization's email and an address")
	return nil
}

// at walks a decoded JSON document by object keys and array indexes.
func at(t *testing.T, doc any, path ...string) map[string]any {
	t.Helper()
	for _, p := range path {
		switch v := doc.(type) {
		case map[string]any:
			doc = v[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(v) {
				t.Fatalf("no %q in %v", p, path)
			}
			doc = v[i]
		}
	}
	m, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("%v is not an object", path)
	}
	return m
}

// A valid exported service, broken one way at a time, is rejected each time: the
// schemas check what the export writes, not just its shape.
func TestSchemasRejectABrokenExport(t *testing.T) {
	s := hsdstest.Load(t)
	valid, _ := json.Marshal(richService(t))
	if err := s.Check("service", valid); err != nil {
		t.Fatalf("the unbroken service is not valid: %v", err)
	}
	breakages := []struct {
		name    string
		breakIt func(t *testing.T, svc map[string]any)
	}{
		{"missing id", func(t *testing.T, m map[string]any) { delete(m, "id") }},
		{"missing name", func(t *testing.T, m map[string]any) { delete(m, "name") }},
		{"missing status", func(t *testing.T, m map[string]any) { delete(m, "status") }},
		{"id not a uuid", func(t *testing.T, m map[string]any) { m["id"] = "servizio-42" }},
		{"nested id not a uuid", func(t *testing.T, m map[string]any) { at(t, m, "schedules", "0")["id"] = "42" }},
		{"unknown field", func(t *testing.T, m map[string]any) { m["colour"] = "green" }},
		{"unknown nested field", func(t *testing.T, m map[string]any) { at(t, m, "cost_options", "0")["discount"] = 5 }},
		{"unknown field in the organization", func(t *testing.T, m map[string]any) { at(t, m, "organization")["vat"] = "IT1" }},
		{"wrong status", func(t *testing.T, m map[string]any) { m["status"] = "open" }},
		{"wrong freq", func(t *testing.T, m map[string]any) { at(t, m, "schedules", "0")["freq"] = "DAILY" }},
		{"wrong wkst", func(t *testing.T, m map[string]any) { at(t, m, "schedules", "0")["wkst"] = "monday" }},
		{"wrong location_type", func(t *testing.T, m map[string]any) {
			at(t, m, "service_at_locations", "0", "location")["location_type"] = "home"
		}},
		{"bad email", func(t *testing.T, m map[string]any) { at(t, m, "organization")["email"] = "info at wemi" }},
		{"bad website", func(t *testing.T, m map[string]any) { at(t, m, "organization")["website"] = "wemi dot it" }},
		{"price not a number", func(t *testing.T, m map[string]any) { at(t, m, "cost_options", "0")["amount"] = "12,50" }},
		{"negative price", func(t *testing.T, m map[string]any) { at(t, m, "cost_options", "0")["amount"] = -1 }},
		{"byday garbage", func(t *testing.T, m map[string]any) { at(t, m, "schedules", "0")["byday"] = "lunedì" }},
		{"byday without commas", func(t *testing.T, m map[string]any) { at(t, m, "schedules", "0")["byday"] = "MOTU" }},
		{"byday empty day", func(t *testing.T, m map[string]any) { at(t, m, "schedules", "0")["byday"] = "MO,,TU" }},
		{"opening time not a time", func(t *testing.T, m map[string]any) { at(t, m, "schedules", "0")["opens_at"] = "9am" }},
		{"date not a date", func(t *testing.T, m map[string]any) { at(t, m, "schedules", "0")["valid_from"] = "15/06/2026" }},
		{"address without postcode", func(t *testing.T, m map[string]any) {
			delete(at(t, m, "service_at_locations", "0", "location", "addresses", "0"), "postal_code")
		}},
		{"term without description", func(t *testing.T, m map[string]any) {
			delete(at(t, m, "attributes", "0", "taxonomy_term"), "description")
		}},
		{"latitude off the globe", func(t *testing.T, m map[string]any) {
			at(t, m, "service_at_locations", "0", "location")["latitude"] = 145.46
		}},
	}
	for _, b := range breakages {
		t.Run(b.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(valid, &m); err != nil {
				t.Fatal(err)
			}
			b.breakIt(t, m)
			doc, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Check("service", doc); err == nil {
				t.Errorf("a service with %s passed the schema", b.name)
			}
		})
	}
}
