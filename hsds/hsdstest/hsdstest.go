// Package hsdstest validates JSON against the published HSDS 3.0.1 schemas kept in
// its testdata (see testdata/hsds-3.0.1/README.md), for the tests of the export, the
// import and the HSDS API.
package hsdstest

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed testdata/hsds-3.0.1
var files embed.FS

// base is the folder the schemas are published under; their relative $refs
// (taxonomy_term.json → taxonomy.json) resolve against it.
const base = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"

// The schemas by the name tests use: the fully nested objects, the one-to-one
// objects of the API's lists, the taxonomy objects, and the list envelope (Page).
func locations() map[string]string {
	return map[string]string{
		"service":                  base + "compiled/service.json",
		"organization":             base + "compiled/organization.json",
		"service_at_location":      base + "compiled/service_at_location.json",
		"service_list":             base + "compiled/service_list.json",
		"organization_list":        base + "compiled/organization_list.json",
		"service_at_location_list": base + "compiled/service_at_location_list.json",
		"taxonomy":                 base + "taxonomy.json",
		"taxonomy_term":            base + "taxonomy_term.json",
		"page":                     base + "openapi.json#/components/schemas/Page",
		"api_info":                 base + "openapi.json#/paths/~1/get/responses/200/content/application~1json/schema",
	}
}

// Schemas are the compiled HSDS schemas.
type Schemas struct {
	compiled map[string]*jsonschema.Schema
}

// Load compiles the schemas, with formats (uuid, uri, email, date-time) asserted.
func Load(t testing.TB) *Schemas {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	root := "testdata/hsds-3.0.1"
	err := fs.WalkDir(files, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		return c.AddResource(base+p[len(root)+1:], doc)
	})
	if err != nil {
		t.Fatalf("hsdstest: read the schemas: %v", err)
	}
	s := &Schemas{compiled: map[string]*jsonschema.Schema{}}
	for name, loc := range locations() {
		sch, err := c.Compile(loc)
		if err != nil {
			t.Fatalf("hsdstest: compile %s: %v", name, err)
		}
		s.compiled[name] = sch
	}
	return s
}

// Check validates one JSON document against the named schema (a key of the table
// above: "service", "organization", "page"...), and returns the validation error.
func (s *Schemas) Check(name string, doc []byte) error {
	sch, ok := s.compiled[name]
	if !ok {
		return fmt.Errorf("hsdstest: no schema named %q", name)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(v)
}

// Validate fails the test when doc is not valid against the named schema.
func (s *Schemas) Validate(t testing.TB, name string, doc []byte) {
	t.Helper()
	if err := s.Check(name, doc); err != nil {
		t.Errorf("not a valid HSDS %s: %v\n%s", name, err, truncate(doc, 600))
	}
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
