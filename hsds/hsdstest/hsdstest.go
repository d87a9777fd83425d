// Package hsdstest validates JSON against JSON Schemas (draft 2020-12) of HSDS 3.0
// written by the WeMi team from Open Referral's reference (see testdata/schema/README.md),
// for the tests of the export, the import and the HSDS API. They check the subset of
// HSDS this project writes, strictly: formats are asserted and fields HSDS does not
// define are rejected.
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

//go:embed testdata/schema/*.json
var files embed.FS

// root is the folder the schemas are embedded from.
const root = "testdata/schema"

// base is the $id prefix of the schemas; their relative $refs (service.json →
// common.json) resolve against it. It names no server: nothing is fetched.
const base = "https://wemi.example.org/hsds-schema/"

// The schemas by the name tests use: the fully nested objects, the one-to-one
// objects of the API's lists, the taxonomy objects, and the API's envelopes.
func locations() map[string]string {
	return map[string]string{
		"service":                  base + "service.json",
		"organization":             base + "organization.json",
		"service_at_location":      base + "service_at_location.json",
		"location":                 base + "location.json",
		"service_list":             base + "service.json#/$defs/list",
		"organization_list":        base + "organization.json#/$defs/list",
		"service_at_location_list": base + "service_at_location.json#/$defs/list",
		"taxonomy":                 base + "taxonomy.json",
		"taxonomy_term":            base + "taxonomy_term.json",
		"page":                     base + "api.json#/$defs/page",
		"api_info":                 base + "api.json#/$defs/info",
	}
}

// Schemas are the compiled HSDS schemas.
type Schemas struct {
	compiled map[string]*jsonschema.Schema
}

// Load compiles the schemas, with formats (uuid, uri, email, date, date-time) asserted.
func Load(t testing.TB) *Schemas {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
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
		return c.AddResource(base+path.Base(p), doc)
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
