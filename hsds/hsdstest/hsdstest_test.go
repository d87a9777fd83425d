package hsdstest_test

import (
	"testing"

	"github.com/comune-milano/wemibot/hsds/hsdstest"
)

func TestSchemasTellValidFromInvalid(t *testing.T) {
	s := hsdstest.Load(t)
	cases := []struct {
		schema, doc string
		valid       bool
	}{
		{"service", `{"id":"ac148810-d857-441c-9679-408f346de14b","name":"x","status":"active"}`, true},
		{"service", `{"id":"ac148810-d857-441c-9679-408f346de14b","name":"x"}`, false},
		{"service", `{"id":"not-a-uuid","name":"x","status":"active"}`, false},
		{"service", `{"id":"ac148810-d857-441c-9679-408f346de14b","name":"x","status":"open"}`, false},
		{"taxonomy_term", `{"id":"ac148810-d857-441c-9679-408f346de14b","name":"x","description":"y"}`, true},
		{"taxonomy_term", `{"id":"ac148810-d857-441c-9679-408f346de14b","name":"x"}`, false},
		{"page", `{"total_items":1,"total_pages":1,"page_number":1,"size":1,"first_page":true,"last_page":true,"empty":false}`, true},
		{"page", `{"total_items":"1"}`, false},
	}
	for _, c := range cases {
		err := s.Check(c.schema, []byte(c.doc))
		if (err == nil) != c.valid {
			t.Errorf("%s %s: valid=%v, want %v (%v)", c.schema, c.doc, err == nil, c.valid, err)
		}
	}
}
